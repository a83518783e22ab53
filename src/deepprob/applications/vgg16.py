"""VGG16 (Simonyan & Zisserman, 2014) with Keras's layer names (``block1_conv1`` ...
``block5_pool``, ``fc1``, ``fc2``, ``predictions``). Without its top: 14,714,688 parameters."""

from __future__ import annotations

from deepprob.applications import imagenet_utils as iu

__all__ = ["VGG16", "preprocess_input", "decode_predictions"]

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
WEIGHTS = {
    "top": (_URL + "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
            "64373286793e3c8b2b4e3219cbf3544b"),
    "notop": (_URL + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
              "6d6bbae143d832006294945121d1f1fc"),
}


def VGG16(include_top: bool = True, weights=None, input_tensor=None, input_shape=None,
          pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
          name: str = "vgg16"):
    """Build VGG16 (channels-last), optionally loading Keras weights.

    Args:
        include_top: add ``flatten -> fc1 (4096) -> fc2 (4096) -> predictions``.
        weights: None, ``"imagenet"`` or the path of a Keras ``.h5`` file.
        input_tensor: a ``dp.Input`` tensor to build on.
        input_shape: ``(height, width, 3)``, at least 32x32 (default 224x224).
        pooling: without the top: None, ``"avg"`` or ``"max"``.
        classes: classifier size.
        classifier_activation: activation of the classifier.
        name: model name.

    Example:
        >>> dp.applications.VGG16(include_top=False, weights=None).count_params()
        14714688
    """
    from deepprob import layers

    iu.check_weights(weights, include_top, classes, "VGG16")
    shape = iu.obtain_input_shape(input_shape, 224, 32, include_top, weights, "VGG16")
    inputs = iu.input_tensor_or_new(input_tensor, shape)
    x = inputs
    for block, (filters, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)),
                                             start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)

    def head(t):
        t = layers.Flatten(name="flatten")(t)
        t = layers.Dense(4096, activation="relu", name="fc1")(t)
        t = layers.Dense(4096, activation="relu", name="fc2")(t)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(t)

    x = iu.top(x, include_top, pooling, classes, classifier_activation, "VGG16", head)
    model = iu.application_model(inputs, x, name)
    iu.load_application_weights(model, weights, WEIGHTS, include_top, "VGG16")
    return model


def preprocess_input(x, data_format: str | None = None):
    """RGB -> BGR and subtract the ImageNet means (``mode="caffe"``).

    Args:
        x: images with values 0-255.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> preprocess_input(np.zeros((1, 1, 3)))
        array([[[-103.939, -116.779, -123.68 ]]], dtype=float32)
    """
    return iu.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5):
    """ImageNet ``(class_id, name, score)`` of the best ``top`` classes.

    Args:
        preds: ``(samples, 1000)`` scores.
        top: classes per sample.

    Example:
        >>> decode_predictions(model.predict(x), top=3)  # doctest: +SKIP
    """
    return iu.decode_predictions(preds, top=top)

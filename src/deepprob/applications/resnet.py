"""ResNet50 (He et al., 2015) with Keras's layer names (``conv1_conv``, ``conv2_block1_0_conv``
... ``conv5_block3_out``, ``avg_pool``, ``predictions``): 25,636,712 parameters with the top."""

from __future__ import annotations

from deepprob.applications import imagenet_utils as iu

__all__ = ["ResNet50", "preprocess_input", "decode_predictions"]

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
WEIGHTS = {
    "top": (_URL + "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
            "2cb95161c43110f7111970584f804107"),
    "notop": (_URL + "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
              "4d473c1dd8becc155b73f8504c6f6626"),
}
_EPS = 1.001e-5


def _block(x, filters: int, stride: int, shortcut_conv: bool, name: str):
    from deepprob import layers

    if shortcut_conv:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=3, epsilon=_EPS, name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def _stack(x, filters: int, blocks: int, stride: int, name: str):
    x = _block(x, filters, stride, True, f"{name}_block1")
    for i in range(2, blocks + 1):
        x = _block(x, filters, 1, False, f"{name}_block{i}")
    return x


def ResNet50(include_top: bool = True, weights=None, input_tensor=None, input_shape=None,
             pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
             name: str = "resnet50"):
    """Build ResNet50 (channels-last), optionally loading Keras weights.

    Args:
        include_top: add ``avg_pool -> predictions``.
        weights: None, ``"imagenet"`` or the path of a Keras ``.h5`` file.
        input_tensor: a ``dp.Input`` tensor to build on.
        input_shape: ``(height, width, 3)``, at least 32x32 (default 224x224).
        pooling: without the top: None, ``"avg"`` or ``"max"``.
        classes: classifier size.
        classifier_activation: activation of the classifier.
        name: model name.

    Example:
        >>> dp.applications.ResNet50(weights=None).count_params()
        25636712
    """
    from deepprob import layers

    iu.check_weights(weights, include_top, classes, "ResNet50")
    shape = iu.obtain_input_shape(input_shape, 224, 32, include_top, weights, "ResNet50")
    inputs = iu.input_tensor_or_new(input_tensor, shape)
    x = layers.ZeroPadding2D(((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPS, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = _stack(x, 64, 3, 1, "conv2")
    x = _stack(x, 128, 4, 2, "conv3")
    x = _stack(x, 256, 6, 2, "conv4")
    x = _stack(x, 512, 3, 2, "conv5")
    if not include_top and pooling in ("avg", "max"):
        pool = layers.GlobalAveragePooling2D if pooling == "avg" else layers.GlobalMaxPooling2D
        x = pool(name=f"{pooling}_pool")(x)
    else:
        x = iu.top(x, include_top, pooling, classes, classifier_activation, "ResNet50")
    model = iu.application_model(inputs, x, name)
    iu.load_application_weights(model, weights, WEIGHTS, include_top, "ResNet50")
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

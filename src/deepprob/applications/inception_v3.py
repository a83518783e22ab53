"""InceptionV3 (Szegedy et al., 2015) with Keras's layer names: ``conv2d[_n]``,
``batch_normalization[_n]`` (scale-free), ``activation[_n]``, ``mixed0`` ... ``mixed10``.

Without its top: 21,802,784 parameters, 34,432 of them non-trainable (the moving statistics).
"""

from __future__ import annotations

from deepprob.applications import imagenet_utils as iu

__all__ = ["InceptionV3", "preprocess_input", "decode_predictions"]

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS = {
    "top": (_URL + "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
            "9a0d58056eeedaa3f26cb7ebd46da564"),
    "notop": (_URL + "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
              "bcbd6486424b2319ff4ef7d526e38f63"),
}


def _conv_bn(x, filters: int, rows: int, cols: int, padding: str = "same", strides=(1, 1)):
    from deepprob import layers

    x = layers.Conv2D(filters, (rows, cols), strides=strides, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization(axis=3, scale=False)(x)
    return layers.Activation("relu")(x)


def InceptionV3(include_top: bool = True, weights=None, input_tensor=None, input_shape=None,
                pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "inception_v3"):
    """Build InceptionV3 (channels-last), optionally loading Keras weights.

    Args:
        include_top: add the 1000-way (``classes``) classifier on global average pooling.
        weights: None (random), ``"imagenet"`` (downloaded once, checksum verified) or the path
            of a Keras ``.h5`` file.
        input_tensor: a ``dp.Input`` tensor to build on.
        input_shape: ``(height, width, 3)``, at least 75x75 (default 299x299).
        pooling: without the top: None (4-D output), ``"avg"`` or ``"max"``.
        classes: classifier size.
        classifier_activation: activation of the classifier (``"softmax"``).
        name: model name.

    Returns:
        A ``dp.Model``.

    Example:
        >>> base = dp.applications.InceptionV3(input_shape=(150, 150, 3), include_top=False,
        ...                                    weights=None)
        >>> base.get_layer("mixed7").output.shape
        (None, 7, 7, 768)
    """
    from deepprob import layers

    iu.check_weights(weights, include_top, classes, "InceptionV3")
    shape = iu.obtain_input_shape(input_shape, 299, 75, include_top, weights, "InceptionV3")
    inputs = iu.input_tensor_or_new(input_tensor, shape)
    concat = layers.Concatenate

    x = _conv_bn(inputs, 32, 3, 3, strides=(2, 2), padding="valid")
    x = _conv_bn(x, 32, 3, 3, padding="valid")
    x = _conv_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _conv_bn(x, 80, 1, 1, padding="valid")
    x = _conv_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    # mixed 0, 1, 2: 35 x 35 x 256 / 288 / 288
    for i, pool_filters in enumerate((32, 64, 64)):
        b1 = _conv_bn(x, 64, 1, 1)
        b5 = _conv_bn(x, 48, 1, 1)
        b5 = _conv_bn(b5, 64, 5, 5)
        b3 = _conv_bn(x, 64, 1, 1)
        b3 = _conv_bn(b3, 96, 3, 3)
        b3 = _conv_bn(b3, 96, 3, 3)
        bp = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
        bp = _conv_bn(bp, pool_filters, 1, 1)
        x = concat(axis=3, name=f"mixed{i}")([b1, b5, b3, bp])

    # mixed 3: 17 x 17 x 768
    b3 = _conv_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    bd = _conv_bn(x, 64, 1, 1)
    bd = _conv_bn(bd, 96, 3, 3)
    bd = _conv_bn(bd, 96, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = concat(axis=3, name="mixed3")([b3, bd, bp])

    # mixed 4, 5, 6, 7: 17 x 17 x 768
    for i, width in zip(range(4, 8), (128, 160, 160, 192)):
        b1 = _conv_bn(x, 192, 1, 1)
        b7 = _conv_bn(x, width, 1, 1)
        b7 = _conv_bn(b7, width, 1, 7)
        b7 = _conv_bn(b7, 192, 7, 1)
        bd = _conv_bn(x, width, 1, 1)
        bd = _conv_bn(bd, width, 7, 1)
        bd = _conv_bn(bd, width, 1, 7)
        bd = _conv_bn(bd, width, 7, 1)
        bd = _conv_bn(bd, 192, 1, 7)
        bp = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
        bp = _conv_bn(bp, 192, 1, 1)
        x = concat(axis=3, name=f"mixed{i}")([b1, b7, bd, bp])

    # mixed 8: 8 x 8 x 1280
    b3 = _conv_bn(x, 192, 1, 1)
    b3 = _conv_bn(b3, 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = _conv_bn(x, 192, 1, 1)
    b7 = _conv_bn(b7, 192, 1, 7)
    b7 = _conv_bn(b7, 192, 7, 1)
    b7 = _conv_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = concat(axis=3, name="mixed8")([b3, b7, bp])

    # mixed 9, 10: 8 x 8 x 2048
    for i in range(2):
        b1 = _conv_bn(x, 320, 1, 1)
        b3 = _conv_bn(x, 384, 1, 1)
        b3a = _conv_bn(b3, 384, 1, 3)
        b3b = _conv_bn(b3, 384, 3, 1)
        b3 = concat(axis=3, name=f"mixed9_{i}")([b3a, b3b])
        bd = _conv_bn(x, 448, 1, 1)
        bd = _conv_bn(bd, 384, 3, 3)
        bda = _conv_bn(bd, 384, 1, 3)
        bdb = _conv_bn(bd, 384, 3, 1)
        bd = concat(axis=3)([bda, bdb])
        bp = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
        bp = _conv_bn(bp, 192, 1, 1)
        x = concat(axis=3, name=f"mixed{9 + i}")([b1, b3, bd, bp])

    x = iu.top(x, include_top, pooling, classes, classifier_activation, "InceptionV3")
    model = iu.application_model(inputs, x, name)
    iu.load_application_weights(model, weights, WEIGHTS, include_top, "InceptionV3")
    return model


def preprocess_input(x, data_format: str | None = None):
    """Scale 0-255 images to [-1, 1] (``mode="tf"``), as InceptionV3's weights expect.

    Args:
        x: images with values 0-255.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> preprocess_input(np.array([[[255.0, 0.0, 127.5]]]))
        array([[[ 1., -1.,  0.]]], dtype=float32)
    """
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """ImageNet ``(class_id, name, score)`` of the best ``top`` classes (see
    ``imagenet_utils.decode_predictions``).

    Args:
        preds: ``(samples, 1000)`` scores.
        top: classes per sample.

    Example:
        >>> decode_predictions(model.predict(x), top=3)  # doctest: +SKIP
    """
    return iu.decode_predictions(preds, top=top)

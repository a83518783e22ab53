"""MobileNetV2 (Sandler et al., 2018) with Keras's layer names (``Conv1``, ``bn_Conv1``,
``expanded_conv_depthwise``, ``block_1_expand`` ... ``Conv_1``, ``predictions``):
3,538,984 parameters with the top at ``alpha=1``."""

from __future__ import annotations

from deepprob.applications import imagenet_utils as iu

__all__ = ["MobileNetV2", "preprocess_input", "decode_predictions"]

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_MOMENTUM, _EPS = 0.999, 1e-3


def _divisible(v: float, divisor: int = 8) -> int:
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _bn(name: str):
    from deepprob import layers

    return layers.BatchNormalization(axis=3, epsilon=_EPS, momentum=_MOMENTUM, name=name)


def _inverted_residual(inputs, expansion: int, stride: int, alpha: float, filters: int,
                       block_id: int):
    from deepprob import layers

    in_channels = inputs.shape[-1]
    pointwise = _divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, 1, padding="same", use_bias=False,
                          name=prefix + "expand")(x)
        x = _bn(prefix + "expand_BN")(x)
        x = layers.Activation("relu6", name=prefix + "expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(iu.correct_pad(x.shape[1:3], 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=prefix + "depthwise")(x)
    x = _bn(prefix + "depthwise_BN")(x)
    x = layers.Activation("relu6", name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(pointwise, 1, padding="same", use_bias=False, name=prefix + "project")(x)
    x = _bn(prefix + "project_BN")(x)
    if in_channels == pointwise and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6),
           (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6),
           (160, 1, 6), (160, 1, 6), (320, 1, 6))


def MobileNetV2(input_shape=None, alpha: float = 1.0, include_top: bool = True, weights=None,
                input_tensor=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str | None = None):
    """Build MobileNetV2 (channels-last), optionally loading Keras weights.

    Args:
        input_shape: ``(height, width, 3)``, at least 32x32 (default 224x224).
        alpha: width multiplier (1.0; ImageNet weights exist for 0.35, 0.5, 0.75, 1.0, 1.3,
            1.4).
        include_top: add ``global_average_pooling2d -> predictions``.
        weights: None, ``"imagenet"`` or the path of a Keras ``.h5`` file.
        input_tensor: a ``dp.Input`` tensor to build on.
        pooling: without the top: None, ``"avg"`` or ``"max"``.
        classes: classifier size.
        classifier_activation: activation of the classifier.
        name: model name (``mobilenetv2_<alpha>_<rows>``).

    Example:
        >>> dp.applications.MobileNetV2(weights=None).count_params()
        3538984
    """
    from deepprob import layers

    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
        raise ValueError(f"Argument `alpha` of MobileNetV2: expected a positive number, "
                         f"received {alpha!r}.")
    iu.check_weights(weights, include_top, classes, "MobileNetV2")
    shape = iu.obtain_input_shape(input_shape, 224, 32, include_top, weights, "MobileNetV2")
    inputs = iu.input_tensor_or_new(input_tensor, shape)
    rows = shape[0]
    x = layers.Conv2D(_divisible(32 * alpha, 8), 3, strides=(2, 2), padding="same",
                      use_bias=False, name="Conv1")(inputs)
    x = _bn("bn_Conv1")(x)
    x = layers.Activation("relu6", name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_residual(x, expansion, stride, alpha, filters, block_id)
    last = _divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, 1, use_bias=False, name="Conv_1")(x)
    x = _bn("Conv_1_bn")(x)
    x = layers.Activation("relu6", name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.top(x, False, pooling, classes, classifier_activation, "MobileNetV2")
    # Keras names it "mobilenetv2_1.00_224"; deepprob names cannot hold dots.
    default = f"mobilenetv2_{alpha:0.2f}_{rows}".replace(".", "_")
    model = iu.application_model(inputs, x, name or default)
    if weights is not None:
        suffix = "" if include_top else "_no_top"
        url = f"{_URL}mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}" \
              f"{suffix}.h5"
        files = {"top": (url, None), "notop": (url, None)}  # Keras publishes no checksums
        iu.load_application_weights(model, weights, files, include_top, "MobileNetV2")
    return model


def preprocess_input(x, data_format: str | None = None):
    """Scale 0-255 images to [-1, 1] (``mode="tf"``).

    Args:
        x: images with values 0-255.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> preprocess_input(np.array([[[255.0, 0.0, 127.5]]]))
        array([[[ 1., -1.,  0.]]], dtype=float32)
    """
    return iu.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """ImageNet ``(class_id, name, score)`` of the best ``top`` classes.

    Args:
        preds: ``(samples, 1000)`` scores.
        top: classes per sample.

    Example:
        >>> decode_predictions(model.predict(x), top=3)  # doctest: +SKIP
    """
    return iu.decode_predictions(preds, top=top)

"""Convolutions against NumPy loops that apply Keras's size and "same" padding rules."""

import math

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers.convolutional import (
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    DepthwiseConv2D,
    SeparableConv2D,
)
from deepprob.layers.core import Dense, Flatten
from deepprob.layers.pooling import MaxPooling2D


def tf_same(n, k, s, d=1):
    """TensorFlow's "same" padding (before, after), written out independently."""
    eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def np_conv2d(x, w, b, strides, padding, dilation=(1, 1), groups=1):
    """x (N, H, W, C), w Keras (kh, kw, C/groups, F): a direct loop over output pixels."""
    n, h, wd, c = x.shape
    kh, kw, cg, f = w.shape
    if padding == "same":
        (pt, pb), (pl, pr) = tf_same(h, kh, strides[0], dilation[0]), tf_same(wd, kw, strides[1],
                                                                              dilation[1])
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    ow = (xp.shape[2] - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    out = np.zeros((n, oh, ow, f))
    fg = f // groups
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for bb in range(kw):
                    patch = xp[:, i * strides[0] + a * dilation[0], j * strides[1] + bb * dilation[1]]
                    for g in range(groups):
                        out[:, i, j, g * fg:(g + 1) * fg] += (
                            patch[:, g * cg:(g + 1) * cg] @ w[a, bb, :, g * fg:(g + 1) * fg])
    return out + (b if b is not None else 0)


def random_weights(layer):
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])


@pytest.mark.parametrize("padding,strides,dilation,groups,size", [
    ("valid", (1, 1), (1, 1), 1, (7, 6)),
    ("same", (1, 1), (1, 1), 1, (7, 6)),
    ("same", (2, 2), (1, 1), 1, (8, 7)),   # even size, stride 2: asymmetric TF padding
    ("same", (2, 3), (1, 1), 2, (9, 8)),
    ("valid", (1, 1), (2, 2), 1, (8, 8)),
    ("same", (1, 1), (2, 1), 1, (6, 6)),
])
def test_conv2d_matches_numpy_reference(padding, strides, dilation, groups, size):
    layer = Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                   groups=groups)
    x = np.random.default_rng(1).normal(size=(2, *size, 4)).astype("float32")
    layer(torch.from_numpy(x))
    random_weights(layer)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 4 // groups, 4)
    y = layer(torch.from_numpy(x)).detach().numpy()
    expected = np_conv2d(x.astype("float64"), kernel, bias, strides, padding, dilation, groups)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("size,k,s,padding", [(28, 3, 1, "valid"), (28, 3, 2, "same"),
                                              (27, 4, 3, "same"), (10, 5, 2, "valid")])
def test_conv2d_output_shapes_follow_keras(size, k, s, padding):
    y = Conv2D(3, k, strides=s, padding=padding)(torch.zeros(1, size, size, 2))
    n = math.ceil(size / s) if padding == "same" else math.ceil((size - k + 1) / s)
    assert tuple(y.shape) == (1, n, n, 3)


def test_channels_first_equals_channels_last_with_same_weights():
    x = torch.randn(2, 6, 5, 3)
    last = Conv2D(4, 3, padding="same", strides=2)
    first = Conv2D(4, 3, padding="same", strides=2, data_format="channels_first")
    last(x)
    first(x.permute(0, 3, 1, 2))
    first.set_weights(last.get_weights())
    torch.testing.assert_close(first(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1), last(x))


def test_channels_last_output_is_contiguous_and_activation_applies():
    layer = Conv2D(8, 3, activation="relu")
    y = layer(torch.randn(2, 10, 10, 3))
    assert y.is_contiguous() and float(y.min()) >= 0.0
    assert layer.kernel.is_contiguous(memory_format=torch.channels_last)


def test_conv1d_same_causal_and_reference():
    x = np.random.default_rng(2).normal(size=(2, 9, 3)).astype("float32")
    for padding in ("valid", "same", "causal"):
        layer = Conv1D(5, 3, padding=padding, dilation_rate=2)
        layer(torch.from_numpy(x))
        random_weights(layer)
        kernel, bias = layer.get_weights()
        assert kernel.shape == (3, 3, 5)
        xp = x.astype("float64")
        if padding == "causal":
            xp = np.pad(xp, ((0, 0), (4, 0), (0, 0)))
            ref = np_conv2d(xp[:, :, None], kernel[:, None], bias, (1, 1), "valid", (2, 1))[:, :, 0]
        else:
            ref = np_conv2d(xp[:, :, None], kernel[:, None], bias, (1, 1), padding, (2, 1))[:, :, 0]
        y = layer(torch.from_numpy(x)).detach().numpy()
        np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)
    # causal: output t only depends on inputs up to t
    layer = Conv1D(2, 3, padding="causal")
    a = torch.randn(1, 8, 3)
    b = a.clone()
    b[:, 5:] += 1.0
    torch.testing.assert_close(layer(a)[:, :5], layer(b)[:, :5])


def np_conv_transpose(x, w, b, s, out, before):
    """Scatter each input pixel through the Keras (kh, kw, F, C) kernel: out[i*s+a-before]."""
    n, h, wd, c = x.shape
    kh, kw, f, _ = w.shape
    y = np.zeros((n, out[0], out[1], f))
    for i in range(h):
        for j in range(wd):
            for a in range(kh):
                for bb in range(kw):
                    oi, oj = i * s[0] + a - before[0], j * s[1] + bb - before[1]
                    if 0 <= oi < out[0] and 0 <= oj < out[1]:
                        y[:, oi, oj] += x[:, i, j] @ w[a, bb].T
    return y + b


@pytest.mark.parametrize("k,s,padding,output_padding,size", [
    (3, 2, "same", None, 5), (4, 2, "same", None, 4), (3, 1, "same", None, 5),
    (3, 2, "valid", None, 4), (2, 3, "valid", None, 3),  # kernel < stride: zeros at the end
    (3, 2, "same", 1, 5), (3, 2, "valid", 1, 4), (5, 3, "same", 2, 3),
])
def test_conv2d_transpose_matches_scatter_reference(k, s, padding, output_padding, size):
    layer = Conv2DTranspose(3, k, strides=s, padding=padding, output_padding=output_padding)
    x = np.random.default_rng(3).normal(size=(2, size, size, 2)).astype("float32")
    layer(torch.from_numpy(x))
    random_weights(layer)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (k, k, 3, 2)
    # Keras's deconv_output_length, then TF's padding of the forward conv of that size.
    if output_padding is None:
        out = size * s + max(k - s, 0) if padding == "valid" else size * s
    else:
        pad = k // 2 if padding == "same" else 0
        out = (size - 1) * s + k - 2 * pad + output_padding
    before = tf_same(out, k, s)[0] if padding == "same" else 0
    ref = np_conv_transpose(x.astype("float64"), kernel, bias, (s, s), (out, out), (before, before))
    y = layer(torch.from_numpy(x)).detach().numpy()
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


def test_depthwise_and_separable_match_grouped_reference():
    x = np.random.default_rng(4).normal(size=(1, 6, 6, 3)).astype("float32")
    dw = DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    dw(torch.from_numpy(x))
    random_weights(dw)
    kernel, bias = dw.get_weights()
    assert kernel.shape == (3, 3, 3, 2)
    # Depthwise = grouped conv whose output channel c*mult + m uses kernel[..., c, m].
    grouped = kernel.reshape(3, 3, 1, 6)
    ref = np_conv2d(x.astype("float64"), grouped, bias, (1, 1), "same", groups=3)
    np.testing.assert_allclose(dw(torch.from_numpy(x)).detach().numpy(), ref, rtol=1e-4,
                               atol=1e-4)
    sep = SeparableConv2D(4, 3, depth_multiplier=2)
    sep(torch.from_numpy(x))
    random_weights(sep)
    depthwise, pointwise, bias = sep.get_weights()
    assert pointwise.shape == (1, 1, 6, 4)
    mid = np_conv2d(x.astype("float64"), depthwise.reshape(3, 3, 1, 6), None, (1, 1), "valid",
                    groups=3)
    ref = mid @ pointwise[0, 0] + bias
    np.testing.assert_allclose(sep(torch.from_numpy(x)).detach().numpy(), ref, rtol=1e-4,
                               atol=1e-4)


def test_conv3d_shape_and_count():
    layer = Conv3D(4, 3, padding="same", strides=2)
    assert tuple(layer(torch.zeros(1, 5, 6, 7, 2)).shape) == (1, 3, 3, 4, 4)
    assert layer.count_params() == 3 * 3 * 3 * 2 * 4 + 4


def test_parameter_counts_equal_keras():
    layer = Conv2D(64, (3, 3))
    layer(torch.zeros(1, 28, 28, 1))
    assert layer.count_params() == 640
    model = dp.Sequential([
        Conv2D(64, (3, 3), activation="relu", input_shape=(28, 28, 1)), MaxPooling2D(2, 2),
        Conv2D(64, (3, 3), activation="relu"), MaxPooling2D(2, 2),
        Flatten(), Dense(128, activation="relu"), Dense(10, activation="softmax"),
    ])
    assert model.count_params() == 243_786
    assert tuple(model(torch.zeros(2, 28, 28, 1)).shape) == (2, 10)


def test_gradients_match_autograd_of_reference_torch():
    layer = Conv2D(3, 3, strides=2, padding="same")
    x = torch.randn(2, 8, 8, 2, requires_grad=True)
    layer(x).square().sum().backward()
    kernel = torch.tensor(layer.get_weights()[0]).permute(3, 2, 0, 1)
    x2 = x.detach().clone().requires_grad_(True)
    ref = torch.nn.functional.conv2d(torch.nn.functional.pad(x2.permute(0, 3, 1, 2), (0, 1, 0, 1)),
                                     kernel, layer.bias.detach(), stride=2)
    ref.square().sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-4, atol=1e-5)


def test_symbolic_shapes_and_config_round_trip():
    x = dp.Input(shape=(28, 28, 1))
    layer = Conv2D(4, 3, strides=2, padding="same", activation="relu", name="c")
    assert tuple(layer(x).shape) == (None, 14, 14, 4)
    clone = Conv2D.from_config(layer.get_config())
    assert (clone.kernel_size, clone.strides, clone.padding) == ((3, 3), (2, 2), "same")


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match=r"`filters`.*positive integer, received 0"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"`filters`.*received -2"):
        Conv1D(-2, 3)
    with pytest.raises(ValueError, match=r"padding.*'smae'.*Did you mean 'same'"):
        Conv2D(4, 3, padding="smae")
    with pytest.raises(ValueError, match=r"`kernel_size`.*received \(3, 3, 3\)"):
        Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="causal"):
        Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="output_padding"):
        Conv2DTranspose(4, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match=r"expected ndim=4.*received ndim=3"):
        Conv2D(4, 3)(torch.zeros(2, 28, 28))
    with pytest.raises(ValueError, match="divisible by `groups`"):
        Conv2D(4, 3, groups=2)(torch.zeros(1, 5, 5, 3))
    with pytest.raises(ValueError, match="too small"):
        Conv2D(4, 5)(torch.zeros(1, 3, 3, 1))
    built = Conv2D(4, 3)
    built(torch.zeros(1, 5, 5, 1))
    with pytest.raises(ValueError, match=r"axis -1 of the input to have size 1.*\(1, 5, 5, 3\)"):
        built(torch.zeros(1, 5, 5, 3))


def test_small_cnn_with_batch_norm_learns_real_mnist_digits():
    import torch.nn.functional as F

    from deepprob.layers.normalization import BatchNormalization

    images, labels = dp.datasets.mnist.load_sample()
    x = torch.from_numpy(images[..., None]).float() / 255.0
    y = torch.from_numpy(labels).long()
    model = dp.Sequential([Conv2D(8, 3, activation="relu", input_shape=(28, 28, 1)),
                           BatchNormalization(), MaxPooling2D(2), Flatten(), Dense(10)])
    opt = torch.optim.Adam(model.parameters(), 2e-3)
    for i in range(0, 3200, 32):
        opt.zero_grad()
        F.cross_entropy(model(x[i:i + 32], training=True), y[i:i + 32]).backward()
        opt.step()
    accuracy = float((model(x[5000:]).argmax(-1) == y[5000:]).float().mean())
    assert accuracy > 0.8  # chance is 0.1; about 0.83 after these 100 steps

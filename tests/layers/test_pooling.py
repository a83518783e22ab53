"""Pooling against NumPy loops with Keras's "same" rule; masked global pooling."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers.embedding import Embedding
from deepprob.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)


def np_pool2d(x, pool, strides, padding, mode):
    """Windows over real values only: padded positions never count (TF/Keras)."""
    n, h, w, c = x.shape
    if padding == "same":
        oh, ow = -(-h // strides[0]), -(-w // strides[1])
        th = max((oh - 1) * strides[0] + pool[0] - h, 0)
        tw = max((ow - 1) * strides[1] + pool[1] - w, 0)
        top, left = th // 2, tw // 2
    else:
        oh, ow = (h - pool[0]) // strides[0] + 1, (w - pool[1]) // strides[1] + 1
        top = left = 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            win = x[:, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1]]
            out[:, i, j] = win.max(axis=(1, 2)) if mode == "max" else win.mean(axis=(1, 2))
    return out


@pytest.mark.parametrize("cls,mode", [(MaxPooling2D, "max"), (AveragePooling2D, "avg")])
@pytest.mark.parametrize("pool,strides,padding,size", [
    ((2, 2), None, "valid", (8, 7)), ((2, 2), None, "same", (7, 7)), ((3, 3), (2, 2), "same", (8, 8)),
    ((3, 2), (1, 2), "same", (5, 6)), ((3, 3), (2, 1), "valid", (9, 5)),
])
def test_pooling_2d_matches_numpy(cls, mode, pool, strides, padding, size):
    x = np.random.default_rng(0).normal(size=(2, *size, 3)).astype("float32")
    y = cls(pool, strides=strides, padding=padding)(torch.from_numpy(x)).numpy()
    ref = np_pool2d(x.astype("float64"), pool, strides or pool, padding, mode)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_negative_values_are_not_beaten_by_padding():
    x = -torch.ones(1, 3, 3, 1) - torch.arange(9.0).reshape(1, 3, 3, 1)
    y = MaxPooling2D(2, padding="same")(x)
    assert float(y.max()) < 0  # padded zeros would have given 0


@pytest.mark.parametrize("cls,mode", [(MaxPooling1D, "max"), (AveragePooling1D, "avg")])
def test_pooling_1d_matches_numpy(cls, mode):
    x = np.random.default_rng(1).normal(size=(2, 9, 4)).astype("float32")
    for padding in ("valid", "same"):
        y = cls(2, padding=padding)(torch.from_numpy(x)).numpy()
        ref = np_pool2d(x[:, :, None].astype("float64"), (2, 1), (2, 1), padding, mode)[:, :, 0]
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_channels_first_pooling_equals_channels_last():
    x = torch.randn(2, 7, 6, 3)
    a = MaxPooling2D(3, strides=2, padding="same")(x)
    b = MaxPooling2D(3, strides=2, padding="same", data_format="channels_first")(
        x.permute(0, 3, 1, 2))
    torch.testing.assert_close(a, b.permute(0, 2, 3, 1))


def test_global_pooling_values_and_keepdims():
    x = torch.randn(2, 4, 5, 3)
    torch.testing.assert_close(GlobalAveragePooling2D()(x), x.mean(dim=(1, 2)))
    torch.testing.assert_close(GlobalMaxPooling2D()(x), x.amax(dim=(1, 2)))
    assert tuple(GlobalAveragePooling2D(keepdims=True)(x).shape) == (2, 1, 1, 3)
    s = torch.randn(2, 6, 3)
    torch.testing.assert_close(GlobalAveragePooling1D()(s), s.mean(dim=1))
    torch.testing.assert_close(GlobalMaxPooling1D(data_format="channels_first")(s), s.amax(dim=2))


def test_global_average_pooling_1d_excludes_masked_steps():
    x = torch.randn(3, 5, 2)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=torch.bool)
    y = GlobalAveragePooling1D()(x, mask=mask)
    torch.testing.assert_close(y[0], x[0, :2].mean(dim=0))
    torch.testing.assert_close(y[1], x[1].mean(dim=0))
    torch.testing.assert_close(y[2], torch.zeros(2))  # nothing unmasked: 0, not NaN
    m = GlobalMaxPooling1D()(x - 10.0, mask=mask)
    torch.testing.assert_close(m[0], (x[0, :2] - 10.0).amax(dim=0))


def test_embedding_mask_reaches_global_average_pooling_in_a_model():
    emb = Embedding(10, 4, mask_zero=True)
    model = dp.Sequential([emb, GlobalAveragePooling1D()])
    tokens = torch.tensor([[3, 5, 0, 0], [1, 2, 3, 4]])
    out = model(tokens)
    table = torch.tensor(emb.get_weights()[0])
    torch.testing.assert_close(out[0], table[[3, 5]].mean(dim=0))
    torch.testing.assert_close(out[1], table[[1, 2, 3, 4]].mean(dim=0))


def test_shapes_and_bad_arguments():
    assert tuple(MaxPooling2D()(torch.zeros(1, 26, 26, 64)).shape) == (1, 13, 13, 64)
    x = dp.Input(shape=(28, 28, 1))
    assert tuple(MaxPooling2D(2, padding="same", strides=3)(x).shape) == (None, 10, 10, 1)
    with pytest.raises(ValueError, match=r"padding.*'vald'.*Did you mean 'valid'"):
        MaxPooling2D(padding="vald")
    with pytest.raises(ValueError, match=r"`pool_size`.*received 0"):
        AveragePooling2D(0)
    with pytest.raises(ValueError, match=r"expected ndim=4.*received ndim=3"):
        MaxPooling2D()(torch.zeros(2, 4, 4))
    with pytest.raises(ValueError, match=r"expected ndim=3.*received ndim=2"):
        GlobalAveragePooling1D()(torch.zeros(2, 4))

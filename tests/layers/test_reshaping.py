"""UpSampling, ZeroPadding and Cropping against NumPy (np.repeat / np.pad / slicing)."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)

X2 = np.random.default_rng(0).normal(size=(2, 4, 5, 3)).astype("float32")
X1 = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")


def test_upsampling_nearest_equals_numpy_repeat():
    y = UpSampling2D((2, 3))(torch.from_numpy(X2)).numpy()
    np.testing.assert_array_equal(y, X2.repeat(2, axis=1).repeat(3, axis=2))
    y1 = UpSampling1D(3)(torch.from_numpy(X1)).numpy()
    np.testing.assert_array_equal(y1, X1.repeat(3, axis=1))
    cf = UpSampling2D(2, data_format="channels_first")(torch.from_numpy(X2).permute(0, 3, 1, 2))
    np.testing.assert_array_equal(cf.permute(0, 2, 3, 1).numpy(), X2.repeat(2, 1).repeat(2, 2))


def test_upsampling_bilinear_half_pixel_centres():
    # TF's resize with half-pixel centres: output pixel i samples input at (i + 0.5) / 2 - 0.5,
    # clamped to the edges.
    x = np.array([0.0, 1.0, 3.0], dtype="float32")
    inp = torch.from_numpy(np.tile(x[None, None, :, None], (1, 2, 1, 1)))
    y = UpSampling2D(2, interpolation="bilinear")(inp).numpy()[0, 0, :, 0]
    pos = np.clip((np.arange(6) + 0.5) / 2 - 0.5, 0, 2)
    np.testing.assert_allclose(y, np.interp(pos, np.arange(3), x), rtol=1e-6)


def test_zero_padding_equals_numpy_pad():
    y = ZeroPadding2D(((1, 2), (0, 3)))(torch.from_numpy(X2)).numpy()
    np.testing.assert_array_equal(y, np.pad(X2, ((0, 0), (1, 2), (0, 3), (0, 0))))
    y = ZeroPadding2D((2, 1))(torch.from_numpy(X2)).numpy()
    np.testing.assert_array_equal(y, np.pad(X2, ((0, 0), (2, 2), (1, 1), (0, 0))))
    y = ZeroPadding2D(1, data_format="channels_first")(torch.from_numpy(X2)).numpy()
    np.testing.assert_array_equal(y, np.pad(X2, ((0, 0), (0, 0), (1, 1), (1, 1))))
    y1 = ZeroPadding1D((2, 1))(torch.from_numpy(X1)).numpy()
    np.testing.assert_array_equal(y1, np.pad(X1, ((0, 0), (2, 1), (0, 0))))


def test_cropping_equals_slicing():
    y = Cropping2D(((1, 0), (2, 1)))(torch.from_numpy(X2)).numpy()
    np.testing.assert_array_equal(y, X2[:, 1:, 2:4])
    y1 = Cropping1D((1, 2))(torch.from_numpy(X1)).numpy()
    np.testing.assert_array_equal(y1, X1[:, 1:4])
    # cropping undoes padding
    pad_crop = dp.Sequential([ZeroPadding2D(((1, 2), (3, 0))), Cropping2D(((1, 2), (3, 0)))])
    np.testing.assert_array_equal(pad_crop(torch.from_numpy(X2)).numpy(), X2)


def test_symbolic_shapes():
    x = dp.Input(shape=(28, 28, 1))
    assert tuple(ZeroPadding2D(2)(x).shape) == (None, 32, 32, 1)
    assert tuple(UpSampling2D()(x).shape) == (None, 56, 56, 1)
    assert tuple(Cropping2D(((2, 2), (4, 4)))(x).shape) == (None, 24, 20, 1)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`padding` of ZeroPadding2D.*received \(1, 2, 3\)"):
        ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match=r"`cropping` of Cropping1D.*received -1"):
        Cropping1D(-1)
    with pytest.raises(ValueError, match=r"interpolation.*'bilinaer'.*Did you mean 'bilinear'"):
        UpSampling2D(interpolation="bilinaer")
    with pytest.raises(ValueError, match=r"`size` of UpSampling2D.*received 0"):
        UpSampling2D(0)
    with pytest.raises(ValueError, match="leaves nothing"):
        Cropping2D(2)(torch.zeros(1, 4, 4, 1))
    with pytest.raises(ValueError, match=r"expected ndim=4.*received ndim=3"):
        ZeroPadding2D()(torch.zeros(1, 4, 4))

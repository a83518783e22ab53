"""Rescaling: x * scale + offset, integer images converted to float."""

import numpy as np
import pytest
import torch

from deepprob.layers.preprocessing_basic import Rescaling


def test_rescaling_values_and_dtype():
    pixels = torch.tensor([[0, 51, 255]], dtype=torch.uint8)
    y = Rescaling(1.0 / 255)(pixels)
    assert y.dtype == torch.float32
    np.testing.assert_allclose(y.numpy(), [[0.0, 0.2, 1.0]], rtol=1e-6)
    y = Rescaling(1.0 / 127.5, offset=-1.0)(pixels)
    np.testing.assert_allclose(y.numpy(), [[-1.0, 51 / 127.5 - 1, 1.0]], rtol=1e-6)


def test_per_channel_scale_and_config():
    x = torch.ones(2, 3, 3, 3)
    layer = Rescaling([1.0, 2.0, 3.0], offset=[0.0, 0.5, 1.0])
    np.testing.assert_allclose(layer(x)[0, 0, 0].numpy(), [1.0, 2.5, 4.0])
    clone = Rescaling.from_config(layer.get_config())
    torch.testing.assert_close(clone(x), layer(x))


def test_bad_scale():
    with pytest.raises(ValueError, match=r"`scale` of Rescaling.*received 'a'"):
        Rescaling("a")

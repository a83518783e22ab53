"""Image preprocessing layers: closed forms (rot90, flips, shifts, zoom on a ramp), training-only
behaviour, seeds, TensorFlow-style resizing checked against a hand-written half-pixel resize."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers.preprocessing_image import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)


def test_random_layers_are_identity_at_inference_and_seeded_in_training():
    x = torch.rand(4, 9, 9, 3) * 255
    for layer in (RandomFlip(seed=1), RandomRotation(0.2, seed=1), RandomZoom(0.3, seed=1),
                  RandomTranslation(0.2, 0.2, seed=1), RandomContrast(0.5, seed=1),
                  RandomBrightness(0.3, seed=1)):
        assert torch.equal(layer(x), x)
        twin = type(layer).from_config(layer.get_config() | {"name": layer.name + "_twin"})
        a, b = layer(x, training=True), twin(x, training=True)
        assert torch.equal(a, b) and not torch.equal(a, x)


def test_rotation_quarter_turn_is_rot90_and_flip_reverses_columns():
    img = torch.arange(49.0).reshape(1, 7, 7, 1)
    out = RandomRotation((0.25, 0.25), interpolation="nearest")(img, training=True)
    np.testing.assert_array_equal(out[0, ..., 0].numpy(), np.rot90(img[0, ..., 0].numpy()))
    flips = RandomFlip("horizontal", seed=3)(img.repeat(16, 1, 1, 1), training=True)
    for f in flips:
        assert torch.equal(f, img[0]) or torch.equal(f, img[0].flip(1))


def test_translation_moves_a_marked_pixel_and_zoom_scales_a_ramp():
    marked = torch.zeros(1, 10, 10, 1)
    marked[0, 4, 4] = 1
    layer = RandomTranslation((0.2, 0.2), (-0.3, -0.3), fill_mode="constant",
                              interpolation="nearest")
    out = layer(marked, training=True)
    assert torch.nonzero(out[0, ..., 0] > 0.5).tolist() == [[6, 1]]  # 2 down, 3 left
    ramp = torch.arange(21.0).view(1, 1, 21, 1).expand(1, 21, 21, 1)
    out = RandomZoom((-0.5, -0.5))(ramp, training=True)  # zoom in 2x about the centre
    np.testing.assert_allclose(out[0, 10, :, 0].numpy(), 10 + 0.5 * (np.arange(21) - 10),
                               atol=1e-4)


def test_contrast_and_brightness_closed_forms():
    x = torch.rand(3, 5, 5, 2) * 50 + 100  # no clipping at 0 or 255
    out = RandomContrast((0.5, 0.5), seed=0)(x, training=True)
    mean = x.mean(dim=(1, 2), keepdim=True)
    factors = ((out - mean) / (x - mean)).flatten(1)
    assert torch.all((factors > 0.5 - 1e-3) & (factors < 1.5 + 1e-3))
    assert torch.allclose(factors, factors[:, :1].expand_as(factors), atol=1e-3)
    x = torch.rand(3, 5, 5, 2) * 255
    out = RandomBrightness((0.1, 0.1))(x, training=True)
    np.testing.assert_allclose(out.numpy(), np.clip(x.numpy() + 25.5, 0, 255), rtol=1e-6)


def _half_pixel_bilinear(img: np.ndarray, h: int, w: int) -> np.ndarray:
    """tf.image.resize(bilinear, antialias=False) by hand: half-pixel centres, edge clamp."""
    H, W = img.shape[:2]
    out = np.zeros((h, w, img.shape[2]))
    for i in range(h):
        for j in range(w):
            y = min(max((i + 0.5) * H / h - 0.5, 0), H - 1)
            x = min(max((j + 0.5) * W / w - 0.5, 0), W - 1)
            y0, x0 = int(np.floor(y)), int(np.floor(x))
            y1, x1 = min(y0 + 1, H - 1), min(x0 + 1, W - 1)
            dy, dx = y - y0, x - x0
            out[i, j] = ((1 - dy) * (1 - dx) * img[y0, x0] + (1 - dy) * dx * img[y0, x1]
                         + dy * (1 - dx) * img[y1, x0] + dy * dx * img[y1, x1])
    return out


def test_resizing_and_center_crop():
    img = np.random.default_rng(0).uniform(0, 255, (9, 13, 2)).astype(np.float32)
    out = Resizing(5, 7)(torch.from_numpy(img))
    np.testing.assert_allclose(out.numpy(), _half_pixel_bilinear(img, 5, 7), atol=1e-3)
    crop = CenterCrop(4, 6)(torch.from_numpy(img)[None])
    np.testing.assert_array_equal(crop[0].numpy(), img[2:6, 3:9])
    assert CenterCrop(12, 12)(torch.from_numpy(img)).shape == (12, 12, 2)


def test_augmentation_in_a_model_runs_only_in_fit():
    model = dp.Sequential([dp.Input(shape=(8, 8, 1)), RandomFlip("horizontal", seed=0),
                           dp.layers.Flatten(), dp.layers.Dense(1)])
    x = torch.rand(4, 8, 8, 1)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))
    flipped = model.layers[0](x, training=True)
    assert not torch.equal(flipped, x)


def test_bad_arguments():
    with pytest.raises(ValueError, match="fill_mode.*'reflect'"):
        RandomRotation(0.1, fill_mode="reflekt")
    with pytest.raises(ValueError, match="height.*positive integer"):
        Resizing(0, 4)
    with pytest.raises(ValueError, match="factor` of RandomBrightness.*\\[-1, 1\\]"):
        RandomBrightness(2.0)
    with pytest.raises(ValueError, match="images \\(H, W, C\\)"):
        RandomFlip()(torch.rand(4, 4), training=True)

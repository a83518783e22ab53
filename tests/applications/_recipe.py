"""Deterministic weights for architecture-parity fixtures, shared with tools/make_keras_fixtures.py
(pure NumPy: the Keras side imports this file by path). Each layer's arrays come from a generator
seeded by the layer's name, in Keras's layout, scaled so that activations stay O(1)."""

from __future__ import annotations

import zlib

import numpy as np


def layer_arrays(layer_name: str, shapes: list[tuple], weight_names: list[str]) -> list:
    """Arrays for one layer: kernels ~ N(0, 1/fan_in), biases/betas/means small, gammas and
    variances near 1."""
    rng = np.random.default_rng(zlib.crc32(layer_name.encode()))
    out = []
    for shape, wname in zip(shapes, weight_names):
        base = wname.split("/")[-1].split(":")[0]
        if base in ("kernel", "depthwise_kernel", "pointwise_kernel"):
            fan_in = int(np.prod(shape[:-1])) if base != "depthwise_kernel" else int(
                np.prod(shape[:2]))
            value = rng.normal(0.0, 1.0 / np.sqrt(max(fan_in, 1)), size=shape)
        elif base in ("gamma", "moving_variance"):
            value = rng.uniform(0.8, 1.2, size=shape)
        else:  # bias, beta, moving_mean
            value = rng.normal(0.0, 0.05, size=shape)
        out.append(value.astype("float32"))
    return out


def sample_input(shape: tuple, seed: int = 7) -> np.ndarray:
    """A fixed batch of two images with values in [0, 255)."""
    return np.random.default_rng(seed).uniform(0, 255, size=(2,) + tuple(shape)).astype(
        "float32")

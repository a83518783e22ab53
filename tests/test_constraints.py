"""Constraints vs closed forms (Keras formulas, epsilon 1e-7)."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob import constraints as C

EPS = 1e-7
W = np.random.default_rng(0).normal(size=(6, 4)) * np.array([0.1, 1.0, 3.0, 10.0])
T = torch.tensor(W)


def test_max_norm_unit_norm_min_max_norm():
    norms = np.sqrt((W**2).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(C.MaxNorm(2.0)(T).numpy(),
                               W * np.clip(norms, 0, 2.0) / (EPS + norms), rtol=1e-12)
    out = C.MaxNorm(2.0)(T).numpy()
    assert np.all(np.linalg.norm(out, axis=0) <= 2.0 + 1e-6)
    rows = np.sqrt((W**2).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(C.MaxNorm(1.0, axis=1)(T).numpy(),
                               W * np.clip(rows, 0, 1.0) / (EPS + rows), rtol=1e-12)
    np.testing.assert_allclose(C.UnitNorm()(T).numpy(), W / (EPS + norms), rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(C.UnitNorm()(T).numpy(), axis=0), 1.0, rtol=1e-6)
    for rate in (1.0, 0.3):
        desired = rate * np.clip(norms, 0.5, 2.0) + (1 - rate) * norms
        np.testing.assert_allclose(C.MinMaxNorm(0.5, 2.0, rate=rate)(T).numpy(),
                                   W * desired / (EPS + norms), rtol=1e-12)
    # conv kernel (kh, kw, in, out): norms over several axes
    k = torch.randn(3, 3, 2, 5, dtype=torch.float64)
    out = C.MaxNorm(1.0, axis=(0, 1, 2))(k)
    assert torch.all(out.reshape(-1, 5).norm(dim=0) <= 1.0 + 1e-6)


def test_non_neg():
    np.testing.assert_array_equal(C.NonNeg()(T).numpy(), np.maximum(W, 0))


def test_get_serialize_and_errors():
    assert isinstance(dp.constraints.get("max_norm"), C.MaxNorm)
    assert isinstance(dp.constraints.get("NonNeg"), C.NonNeg)
    assert isinstance(dp.constraints.get("unit_norm"), C.UnitNorm)
    assert dp.constraints.get(None) is None
    c = C.MinMaxNorm(0.1, 0.9, 0.5, axis=1)
    assert dp.constraints.get(c) is c
    again = dp.constraints.deserialize(dp.constraints.serialize(c))
    assert again.get_config() == c.get_config()
    assert C.max_norm is C.MaxNorm
    with pytest.raises(ValueError, match="Did you mean 'non_neg'"):
        dp.constraints.get("non_negative")
    with pytest.raises(ValueError, match="max_value"):
        C.MinMaxNorm(2.0, 1.0)
    with pytest.raises(ValueError, match="max_value"):
        C.MaxNorm(-1.0)
    with pytest.raises(TypeError, match="axis"):
        C.UnitNorm(axis="rows")

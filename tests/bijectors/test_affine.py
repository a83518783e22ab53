"""Affine bijectors: values, log-dets in closed form, batch shapes, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepprob as dp

tfb = dp.bijectors


def test_shift_and_scale_values_and_log_dets():
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
    torch.testing.assert_close(tfb.Shift([1.0, 2.0]).forward(x), x + torch.tensor([1.0, 2.0]))
    s = tfb.Scale([2.0, -0.5])
    torch.testing.assert_close(s.forward(x), x * torch.tensor([2.0, -0.5]))
    torch.testing.assert_close(s.forward_log_det_jacobian(x, event_ndims=1),
                               torch.tensor(math.log(2.0) + math.log(0.5)))
    ls = tfb.Scale(log_scale=torch.tensor(math.log(3.0)))
    torch.testing.assert_close(ls.forward(x), 3 * x)
    assert tfb.Shift(1.0).is_constant_jacobian and tfb.Scale(2.0).is_constant_jacobian


def test_scale_matvec_tril_matches_numpy():
    rng = np.random.default_rng(0)
    L = np.tril(rng.normal(size=(3, 3))) + 3 * np.eye(3)
    x = rng.normal(size=(5, 3))
    b = tfb.ScaleMatvecTriL(torch.tensor(L))
    np.testing.assert_allclose(b.forward(torch.tensor(x)).numpy(), x @ L.T, rtol=1e-12)
    np.testing.assert_allclose(tfb.ScaleMatvecTriL(torch.tensor(L), adjoint=True).forward(
        torch.tensor(x)).numpy(), x @ L, rtol=1e-12)
    np.testing.assert_allclose(b.forward_log_det_jacobian(torch.tensor(x)).numpy(),
                               np.full(5, np.log(np.abs(np.linalg.det(L)))), rtol=1e-12)
    # batched matrices broadcast against batched inputs
    Lb = torch.tensor(np.stack([L, 2 * L]))
    xb = torch.tensor(x[:2])
    bb = tfb.ScaleMatvecTriL(Lb)
    torch.testing.assert_close(bb.inverse(bb.forward(xb)), xb)
    assert bb.forward(torch.tensor(x[0])).shape == (2, 3)


def test_upper_triangle_of_scale_tril_is_ignored():
    full = torch.tensor([[2.0, 5.0], [1.0, 3.0]])
    b = tfb.ScaleMatvecTriL(full)
    torch.testing.assert_close(b.forward(torch.tensor([1.0, 1.0])), torch.tensor([2.0, 4.0]))


def test_bad_input():
    with pytest.raises(ValueError, match="exactly one of `scale` and `log_scale`"):
        tfb.Scale()
    with pytest.raises(ValueError, match="`scale`: must be non-zero"):
        tfb.Scale([1.0, 0.0], validate_args=True)
    with pytest.raises(ValueError, match="square matrix"):
        tfb.ScaleMatvecTriL(torch.ones(2, 3))
    with pytest.raises(ValueError, match="lower-triangular"):
        tfb.ScaleMatvecTriL(torch.ones(2, 2), validate_args=True)
    with pytest.raises(ValueError, match="scale_diag"):
        tfb.ScaleMatvecDiag(2.0)
    with pytest.raises(TypeError, match="`shift`"):
        tfb.Shift("one")

"""FillTriangular (TFP's packing order), FillScaleTriL, TransformDiagonal, CholeskyOuterProduct."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepprob as dp

tfb = dp.bijectors


def test_fill_triangular_matches_tfp_documented_examples():
    v = torch.arange(1.0, 7.0)
    torch.testing.assert_close(tfb.FillTriangular().forward(v),
                               torch.tensor([[4.0, 0, 0], [6, 5, 0], [3, 2, 1]]))
    torch.testing.assert_close(tfb.FillTriangular(upper=True).forward(v),
                               torch.tensor([[1.0, 2, 3], [0, 5, 6], [0, 0, 4]]))
    with pytest.raises(ValueError, match="triangular number"):
        tfb.FillTriangular().forward(torch.zeros(5))


def test_fill_scale_tril_gives_cholesky_factors():
    b = tfb.FillScaleTriL()
    x = torch.randn(4, 10)
    L = b.forward(x)
    assert L.shape == (4, 4, 4)
    assert torch.all(torch.diagonal(L, dim1=-2, dim2=-1) > 0)
    assert torch.equal(L, torch.tril(L))
    torch.testing.assert_close(b.inverse(L), x, rtol=1e-5, atol=1e-5)
    diag = torch.diagonal(tfb.FillTriangular().forward(x), dim1=-2, dim2=-1)
    expected = torch.nn.functional.logsigmoid(diag).sum(-1)
    torch.testing.assert_close(b.forward_log_det_jacobian(x), expected)


def test_cholesky_outer_product_matches_numpy():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 3))
    spd = a @ a.T + 3 * np.eye(3)
    L = np.linalg.cholesky(spd)
    b = tfb.CholeskyOuterProduct()
    np.testing.assert_allclose(b.forward(torch.tensor(L)).numpy(), spd, rtol=1e-12)
    np.testing.assert_allclose(b.inverse(torch.tensor(spd)).numpy(), L, rtol=1e-10)
    expected = 3 * math.log(2) + sum((3 - i) * math.log(L[i, i]) for i in range(3))
    assert math.isclose(float(b.forward_log_det_jacobian(torch.tensor(L))), expected,
                        rel_tol=1e-12)


def test_transform_diagonal_only_touches_the_diagonal():
    x = torch.randn(2, 3, 3)
    y = tfb.TransformDiagonal(tfb.Exp()).forward(x)
    off = ~torch.eye(3, dtype=torch.bool)
    torch.testing.assert_close(y[:, off], x[:, off])
    torch.testing.assert_close(torch.diagonal(y, dim1=-2, dim2=-1),
                               torch.exp(torch.diagonal(x, dim1=-2, dim2=-1)))
    with pytest.raises(TypeError, match="diag_bijector"):
        tfb.TransformDiagonal(torch.exp)

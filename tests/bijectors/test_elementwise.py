"""Elementwise bijectors: closed-form values against NumPy/SciPy, TFP's parameterizations."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp
import torch

import deepprob as dp

tfb = dp.bijectors


def test_values_against_numpy():
    x = np.linspace(-3, 3, 13)
    t = torch.tensor(x)
    np.testing.assert_allclose(tfb.Softplus().forward(t).numpy(), np.logaddexp(0, x))
    np.testing.assert_allclose(tfb.Softplus(hinge_softness=0.5, low=1.0).forward(t).numpy(),
                               0.5 * np.logaddexp(0, x / 0.5) + 1.0)
    np.testing.assert_allclose(tfb.Sigmoid().forward(t).numpy(), sp.expit(x))
    np.testing.assert_allclose(tfb.Sigmoid(low=-1.0, high=4.0).forward(t).numpy(),
                               -1 + 5 * sp.expit(x))
    np.testing.assert_allclose(tfb.Tanh().forward(t).numpy(), np.tanh(x))
    np.testing.assert_allclose(tfb.Power(3.0).inverse(t).numpy(), np.cbrt(x))
    np.testing.assert_allclose(tfb.Log().forward(torch.tensor(np.exp(x))).numpy(), x)
    np.testing.assert_allclose(tfb.Reciprocal().forward(t + 10).numpy(), 1 / (x + 10))


def test_log_dets_in_closed_form():
    x = np.linspace(-4, 4, 17)
    t = torch.tensor(x)
    np.testing.assert_allclose(tfb.Tanh().forward_log_det_jacobian(t).numpy(),
                               np.log(1 - np.tanh(x) ** 2), rtol=1e-10)
    np.testing.assert_allclose(tfb.Sigmoid().forward_log_det_jacobian(t).numpy(),
                               np.log(sp.expit(x) * (1 - sp.expit(x))), rtol=1e-10)
    np.testing.assert_allclose(tfb.Softplus().forward_log_det_jacobian(t).numpy(),
                               np.log(sp.expit(x)), rtol=1e-10)
    y = np.linspace(0.1, 5, 11)
    np.testing.assert_allclose(tfb.Softplus().inverse_log_det_jacobian(torch.tensor(y)).numpy(),
                               -np.log(-np.expm1(-y)), rtol=1e-10)
    power = tfb.Power(torch.tensor(2.5, dtype=torch.float64))
    np.testing.assert_allclose(power.forward_log_det_jacobian(torch.tensor(y)).numpy(),
                               np.log(2.5) + 1.5 * np.log(y), rtol=1e-10)


def test_softplus_is_stable_for_large_inputs():
    b = tfb.Softplus()
    x = torch.tensor([-30.0, 30.0, 80.0])
    y = b.forward(x)
    assert torch.all(torch.isfinite(b.inverse(y)))
    torch.testing.assert_close(b.inverse(y)[1:], x[1:])


def test_bad_input():
    with pytest.raises(ValueError, match="`power`: must be non-zero"):
        tfb.Power(0.0)
    with pytest.raises(ValueError, match="both `low` and `high`"):
        tfb.Sigmoid(low=0.0)
    with pytest.raises(ValueError, match="low < high"):
        tfb.Sigmoid(low=1.0, high=0.0, validate_args=True)
    with pytest.raises(ValueError, match="Square expects non-negative"):
        tfb.Square(validate_args=True).forward(torch.tensor([-1.0]))
    with pytest.raises(ValueError, match="hinge_softness"):
        tfb.Softplus(hinge_softness=0.0, validate_args=True)

"""Regularizers vs closed forms (Keras: L2 = l2 * sum(w**2), no 1/2)."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob import regularizers as R

W = np.random.default_rng(0).normal(size=(5, 4))
T = torch.tensor(W, requires_grad=True)


def test_closed_forms_and_defaults():
    assert float(R.L1()(T)) == pytest.approx(0.01 * np.abs(W).sum())
    assert float(R.L2()(T)) == pytest.approx(0.01 * (W**2).sum())
    assert float(R.L1L2(l1=0.3, l2=0.2)(T)) == pytest.approx(
        0.3 * np.abs(W).sum() + 0.2 * (W**2).sum())
    assert float(R.L1L2()(T)) == 0.0  # Keras 3 class defaults are 0
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l1_l2 is R.L1L2
    assert float(R.l2(1e-3)(T)) == pytest.approx(1e-3 * (W**2).sum())
    # differentiable: d/dw l2 * sum(w^2) = 2 l2 w
    (grad,) = torch.autograd.grad(R.L2(0.5)(T), T)
    np.testing.assert_allclose(grad.numpy(), W)


def test_orthogonal_regularizer():
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(6, 6)))
    assert float(R.OrthogonalRegularizer(1.0)(torch.tensor(q))) == pytest.approx(0.0, abs=1e-12)
    rows = W / np.linalg.norm(W, axis=1, keepdims=True)
    gram = rows @ rows.T
    off = np.abs(gram - np.diag(np.diag(gram))).sum()
    expected = 0.1 * 0.5 * off / (5 * 4 / 2)
    assert float(R.OrthogonalRegularizer(0.1)(T)) == pytest.approx(expected)
    cols = W / np.linalg.norm(W, axis=0, keepdims=True)
    gram = cols.T @ cols
    off = np.abs(gram - np.diag(np.diag(gram))).sum()
    assert float(R.OrthogonalRegularizer(0.1, mode="columns")(T)) == pytest.approx(
        0.1 * 0.5 * off / (4 * 3 / 2))
    with pytest.raises(ValueError, match="2-D"):
        R.OrthogonalRegularizer()(torch.ones(3))
    with pytest.raises(ValueError, match="Did you mean 'rows'"):
        R.OrthogonalRegularizer(mode="row")


def test_get_serialize_and_errors():
    assert dp.regularizers.get("l2").l2 == 0.01
    assert dp.regularizers.get("L1").l1 == 0.01
    both = dp.regularizers.get("l1_l2")  # tf.keras 2 meaning, not Keras 3's silent zero
    assert (both.l1, both.l2) == (0.01, 0.01)
    reg = R.L2(0.2)
    assert dp.regularizers.get(reg) is reg
    assert dp.regularizers.get(None) is None
    assert isinstance(dp.regularizers.get(R.L1), R.L1)

    def custom(w):
        return w.sum()

    assert dp.regularizers.get(custom) is custom
    for r in (R.L1(0.2), R.L2(0.3), R.L1L2(0.1, 0.4), R.OrthogonalRegularizer(0.5, "columns")):
        again = dp.regularizers.deserialize(dp.regularizers.serialize(r))
        assert type(again) is type(r) and again.get_config() == r.get_config()
        assert float(again(T)) == pytest.approx(float(r(T)))
    assert dp.regularizers.get({"class_name": "L2", "config": {"l2": 0.5}}).l2 == 0.5
    with pytest.raises(ValueError, match="Did you mean 'l2'"):
        dp.regularizers.get("l3")
    with pytest.raises(ValueError, match="l2"):
        R.L2(-1.0)
    with pytest.raises(TypeError, match="l1"):
        R.L1("big")
    with pytest.raises(TypeError, match="regularizer"):
        dp.regularizers.get(2)

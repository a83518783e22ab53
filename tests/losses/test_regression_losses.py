"""Regression, divergence and hinge losses against NumPy references and Keras's documented values."""

import numpy as np
import pytest
import torch

from deepprob import losses

rng = np.random.default_rng(0)


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float32)


def _l2n(x):
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-6)


REFERENCES = {
    "mean_squared_error": lambda y, p: ((y - p) ** 2).mean(-1),
    "mean_absolute_error": lambda y, p: np.abs(y - p).mean(-1),
    "mean_absolute_percentage_error":
        lambda y, p: 100 * (np.abs(y - p) / np.maximum(np.abs(y), 1e-7)).mean(-1),
    "mean_squared_logarithmic_error":
        lambda y, p: ((np.log(np.maximum(p, 1e-7) + 1) - np.log(np.maximum(y, 1e-7) + 1)) ** 2
                      ).mean(-1),
    "huber": lambda y, p: np.where(np.abs(y - p) <= 1.0, 0.5 * (y - p) ** 2,
                                   np.abs(y - p) - 0.5).mean(-1),
    "log_cosh": lambda y, p: np.log(np.cosh(p - y)).mean(-1),
    "poisson": lambda y, p: (p - y * np.log(p + 1e-7)).mean(-1),
    "kl_divergence": lambda y, p: (np.clip(y, 1e-7, 1) * np.log(np.clip(y, 1e-7, 1)
                                                                 / np.clip(p, 1e-7, 1))).sum(-1),
    "cosine_similarity": lambda y, p: -(_l2n(y) * _l2n(p)).sum(-1),
    "hinge": lambda y, p: np.maximum(1 - np.where(y == 0, -1, y) * p, 0).mean(-1),
    "squared_hinge": lambda y, p: (np.maximum(1 - np.where(y == 0, -1, y) * p, 0) ** 2).mean(-1),
    "categorical_hinge": lambda y, p: np.maximum(
        ((1 - y) * p).max(-1) - (y * p).sum(-1) + 1, 0),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_per_sample_values_and_default_reduction_match_numpy(name):
    ref = REFERENCES[name]
    if "hinge" in name:
        y = rng.integers(0, 2, (7, 4)).astype(float)
        p = rng.normal(size=(7, 4))
    elif name == "kl_divergence":
        y, p = rng.dirichlet(np.ones(4), 7), rng.dirichlet(np.ones(4), 7)
    else:
        y, p = rng.random((7, 4)) * 2 + 0.05, rng.normal(size=(7, 4)) * 2
        if name in ("poisson", "mean_squared_logarithmic_error"):
            p = np.abs(p) + 0.05
    fn = getattr(losses, name)
    np.testing.assert_allclose(fn(t(y), t(p)).numpy(), ref(y, p), rtol=1e-5, atol=1e-6)
    loss = losses.get(name)
    np.testing.assert_allclose(float(loss(t(y), t(p))), ref(y, p).mean(), rtol=1e-5, atol=1e-6)


# Keras's documented values: (class, kwargs, y_true, y_pred, sample_weight,
#   default reduction, weighted, "sum", "none")
YT, PP = [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]
KERAS_DOCS = [
    (losses.MeanSquaredError, {}, YT, [[1.0, 1.0], [1.0, 0.0]], [0.7, 0.3], 0.5, 0.25, 1.0,
     [0.5, 0.5]),
    (losses.MeanAbsoluteError, {}, YT, [[1.0, 1.0], [1.0, 0.0]], [0.7, 0.3], 0.5, 0.25, 1.0,
     [0.5, 0.5]),
    (losses.MeanAbsolutePercentageError, {}, [[2.0, 1.0], [2.0, 3.0]], [[1.0, 1.0], [1.0, 0.0]],
     [0.7, 0.3], 50.0, 20.0, 100.0, [25.0, 75.0]),
    (losses.MeanSquaredLogarithmicError, {}, YT, [[1.0, 1.0], [1.0, 0.0]], [0.7, 0.3], 0.240,
     0.120, 0.480, [0.240, 0.240]),
    (losses.CosineSimilarity, {"axis": 1}, [[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]],
     [0.8, 0.2], -0.5, -0.0999, -0.999, [0.0, -0.999]),
    (losses.Huber, {}, YT, PP, [1.0, 0.0], 0.155, 0.09, 0.31, [0.18, 0.13]),
    (losses.LogCosh, {}, YT, [[1.0, 1.0], [0.0, 0.0]], [0.8, 0.2], 0.108, 0.087, 0.217,
     [0.217, 0.0]),
    (losses.Poisson, {}, YT, [[1.0, 1.0], [0.0, 0.0]], [0.8, 0.2], 0.5, 0.4, 0.999, [0.999, 0.0]),
    (losses.KLDivergence, {}, YT, PP, [0.8, 0.2], 0.458, 0.366, 0.916, [0.916, -3.08e-06]),
    (losses.Hinge, {}, YT, PP, [1.0, 0.0], 1.3, 0.55, 2.6, [1.1, 1.5]),
    (losses.SquaredHinge, {}, YT, PP, [1.0, 0.0], 1.86, 0.73, 3.72, [1.46, 2.26]),
    (losses.CategoricalHinge, {}, YT, PP, [1.0, 0.0], 1.4, 0.6, 2.8, [1.2, 1.6]),
]


@pytest.mark.parametrize("cls,kwargs,y,p,sw,mean,weighted,total,none", KERAS_DOCS,
                         ids=[row[0].__name__ for row in KERAS_DOCS])
def test_keras_documented_values(cls, kwargs, y, p, sw, mean, weighted, total, none):
    tol = {"abs": 2e-3}
    assert float(cls(**kwargs)(t(y), t(p))) == pytest.approx(mean, **tol)
    assert float(cls(**kwargs)(t(y), t(p), sample_weight=t(sw))) == pytest.approx(weighted, **tol)
    assert float(cls(**kwargs, reduction="sum")(t(y), t(p))) == pytest.approx(total, **tol)
    got = cls(**kwargs, reduction="none")(t(y), t(p)).numpy()
    np.testing.assert_allclose(got, none, atol=2e-3)


def test_kl_divergence_residual_of_all_zero_target_matches_keras_clipping():
    got = losses.kl_divergence(t([[0.0, 0.0]]), t([[0.4, 0.6]]))
    expected = 1e-7 * (np.log(1e-7 / 0.4) + np.log(1e-7 / 0.6))
    np.testing.assert_allclose(got.numpy(), [expected], rtol=1e-4)


def test_huber_delta_and_log_cosh_without_overflow():
    x = np.array([[-3.0, -0.5, 0.2, 2.5]])
    for delta in (0.5, 2.0):
        ref = np.where(np.abs(x) <= delta, 0.5 * x ** 2, delta * np.abs(x) - 0.5 * delta ** 2)
        assert float(losses.Huber(delta=delta)(t(np.zeros_like(x)), t(x))) == pytest.approx(
            ref.mean(), rel=1e-6)
    big = losses.log_cosh(t([[0.0]]), t([[200.0]]))  # cosh(200) overflows float32
    assert torch.isfinite(big).all() and float(big) == pytest.approx(200 - np.log(2), rel=1e-6)


def test_rank_mismatch_squeezes_instead_of_broadcasting():
    # (n,) targets against (n, 1) predictions: per-sample errors, never an (n, n) matrix.
    y, p = t([1.0, 2.0, 3.0]), t([[1.0], [2.0], [5.0]])
    np.testing.assert_allclose(losses.mean_squared_error(y, p).numpy(), [0.0, 0.0, 4.0])
    # (n, 1) targets against (n,) predictions: squeezed, then averaged over the last axis (Keras).
    assert float(losses.mean_squared_error(p, y)) == pytest.approx(4.0 / 3)


def test_numpy_and_integer_targets_are_converted():
    got = losses.mean_absolute_error(np.array([[1], [2]]), t([[0.5], [2.5]]))
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.numpy(), [0.5, 0.5])


def test_hinge_accepts_minus_one_one_labels_like_zero_one():
    p = t(rng.normal(size=(5, 3)))
    y01 = rng.integers(0, 2, (5, 3)).astype(float)
    torch.testing.assert_close(losses.hinge(t(y01), p), losses.hinge(t(2 * y01 - 1), p))
    torch.testing.assert_close(losses.squared_hinge(t(y01), p),
                               losses.squared_hinge(t(2 * y01 - 1), p))


def test_gradients_match_closed_forms():
    y = torch.tensor([[1.0, -2.0, 0.5]])
    p = torch.tensor([[0.0, 1.0, 0.25]], requires_grad=True)
    losses.MeanSquaredError()(y, p).backward()
    torch.testing.assert_close(p.grad, 2 * (p.detach() - y) / 3)
    p.grad = None
    losses.LogCosh()(y, p).backward()
    torch.testing.assert_close(p.grad, torch.tanh(p.detach() - y) / 3)

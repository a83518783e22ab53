"""Losses against hand-written NumPy references and Keras's documented values."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob import losses

rng = np.random.default_rng(0)


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float32)


@pytest.mark.parametrize("name,ref", [
    ("mse", lambda y, p: ((y - p) ** 2).mean(-1)),
    ("mae", lambda y, p: np.abs(y - p).mean(-1)),
    ("mape", lambda y, p: 100 * (np.abs(y - p) / np.maximum(np.abs(y), 1e-7)).mean(-1)),
    ("msle", lambda y, p: ((np.log1p(np.maximum(p, 1e-7)) - np.log1p(np.maximum(y, 1e-7))) ** 2
                           ).mean(-1)),
    ("log_cosh", lambda y, p: np.log(np.cosh(p - y)).mean(-1)),
    ("huber", lambda y, p: np.where(np.abs(y - p) <= 1, 0.5 * (y - p) ** 2,
                                    np.abs(y - p) - 0.5).mean(-1)),
    ("poisson", lambda y, p: (p - y * np.log(p + 1e-7)).mean(-1)),
])
def test_regression_losses_per_sample_and_reduced(name, ref):
    y, p = rng.random((6, 3)) + 0.1, rng.random((6, 3)) * 3 + 0.1
    per = losses.get(name).fn(t(y), t(p))
    np.testing.assert_allclose(per.numpy(), ref(y, p), rtol=1e-5)
    np.testing.assert_allclose(float(losses.get(name)(t(y), t(p))), ref(y, p).mean(), rtol=1e-5)


def test_keras_docstring_values():
    # Keras docs: BinaryCrossentropy on y_true=[0,1,0,0], y_pred logits [-18.6, 0.51, 2.94, -12.8]
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert float(bce(t([0, 1, 0, 0]), t([-18.6, 0.51, 2.94, -12.8]))) == pytest.approx(0.865, abs=1e-3)
    # Keras docs: CategoricalCrossentropy y_true=[[0,1,0],[0,0,1]], y_pred=[[.05,.95,0],[.1,.8,.1]]
    cce = losses.CategoricalCrossentropy()
    assert float(cce(t([[0, 1, 0], [0, 0, 1]]), t([[.05, .95, 0], [.1, .8, .1]]))) == \
        pytest.approx(1.177, abs=1e-3)
    scce = losses.SparseCategoricalCrossentropy()
    assert float(scce(torch.tensor([1, 2]), t([[.05, .95, 0], [.1, .8, .1]]))) == \
        pytest.approx(1.177, abs=1e-3)


def test_sample_weight_and_reductions():
    y, p = t([[0.0], [1.0], [2.0]]), t([[1.0], [1.0], [1.0]])
    sw = t([1.0, 2.0, 3.0])
    per = np.array([1.0, 0.0, 1.0])
    assert float(losses.MeanSquaredError()(y, p, sample_weight=sw)) == pytest.approx(
        (per * [1, 2, 3]).sum() / 3)
    assert float(losses.MeanSquaredError(reduction="sum")(y, p, sample_weight=sw)) == 4.0
    np.testing.assert_allclose(losses.MeanSquaredError(reduction="none")(y, p).numpy(), per)
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")


def test_rank_mismatch_does_not_broadcast():
    y, p = t([1.0, 2.0, 3.0]), t([[1.0], [2.0], [5.0]])
    assert float(losses.get("mse")(y, p)) == pytest.approx(4.0 / 3)


def test_logits_kept_by_softmax_layer_give_exact_and_finite_loss():
    dense = dp.layers.Dense(3, activation="softmax")
    x = torch.randn(4, 2) * 1000  # saturates the softmax: some probabilities are exactly 0
    probs = dense(x)
    labels = torch.tensor([0, 1, 2, 0])
    value = losses.get("sparse_categorical_crossentropy")(labels, probs)
    expected = torch.nn.functional.cross_entropy(probs._keras_logits, labels)
    assert torch.isfinite(value) and float(value.detach()) == pytest.approx(float(expected), rel=1e-6)


def test_probabilities_without_logits_are_clipped_not_infinite():
    value = losses.binary_crossentropy(t([[1.0], [0.0]]), t([[0.0], [1.0]]))
    # Keras's clip to [1e-7, 1 - 1e-7]; 1 - 1e-7 rounds in float32, hence the tolerance.
    assert np.isfinite(value.numpy()).all()
    np.testing.assert_allclose(value.numpy(), -np.log(1e-7), rtol=2e-2)


def test_from_logits_equals_probabilities():
    logits = torch.randn(5, 4)
    labels = torch.randint(0, 4, (5,))
    a = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    b = losses.sparse_categorical_crossentropy(labels, torch.softmax(logits, -1))
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    onehot = torch.nn.functional.one_hot(labels, 4).float()
    torch.testing.assert_close(losses.categorical_crossentropy(onehot, logits, from_logits=True), a)


def test_label_smoothing():
    y, p = t([[0.0, 1.0]]), t([[0.2, 0.8]])
    smoothed = np.array([[0.05, 0.95]])
    expected = -(smoothed * np.log([[0.2, 0.8]])).sum()
    assert float(losses.CategoricalCrossentropy(label_smoothing=0.1)(y, p)) == pytest.approx(
        expected, rel=1e-5)


def test_sparse_labels_shapes_dtypes_and_range():
    p = torch.softmax(torch.randn(3, 4), -1)
    for labels in (torch.tensor([0, 3, 1]), torch.tensor([[0], [3], [1]], dtype=torch.uint8),
                   t([0.0, 3.0, 1.0])):
        np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p).numpy(),
                                   -np.log(p.numpy()[[0, 1, 2], [0, 3, 1]]), rtol=1e-5)
    with pytest.raises(ValueError, match=r"y_true.*\[0, 3\].*from 0 to 4"):
        losses.sparse_categorical_crossentropy(torch.tensor([0, 4, 1]), p)


def test_callable_and_distribution_losses():
    normal = dp.distributions.Normal(loc=torch.zeros(3, 1), scale=1.0)
    loss = losses.get(lambda y, rv: -rv.log_prob(y))
    y = t([[0.0], [1.0], [2.0]])
    expected = -normal.log_prob(y).mean()
    assert float(loss(y, normal)) == pytest.approx(float(expected), rel=1e-6)


def test_unknown_name_suggests():
    with pytest.raises(ValueError, match="mean_squared_error"):
        losses.get("mean_squared_eror")


def test_serialize_round_trip():
    loss = losses.Huber(delta=2.0)
    again = losses.deserialize(losses.serialize(loss))
    y, p = t([[0.0]]), t([[5.0]])
    assert float(again(y, p)) == pytest.approx(2 * 5 - 0.5 * 4)

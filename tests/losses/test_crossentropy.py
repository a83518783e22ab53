"""Cross-entropies: Keras's documented values, NumPy references, the logits protocol, label
smoothing, extreme probabilities, integer-label handling and its errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import deepprob as dp
from deepprob import losses

rng = np.random.default_rng(2)
EPS = 1e-7


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float32)


def np_bce(y, p):
    # clip in float32 as the tensors are: 1 - 1e-7 rounds to 1 - 1.19e-7
    p = np.clip(np.float32(p), np.float32(EPS), np.float32(1 - EPS)).astype(float)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


def np_cce(y, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(y * np.log(p)).sum(-1)


def np_log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


# -- Keras's documented values -------------------------------------------------------------------
def test_binary_crossentropy_keras_values():
    y, p = t([[0, 1], [0, 0]]), t([[0.6, 0.4], [0.4, 0.6]])
    np.testing.assert_allclose(losses.binary_crossentropy(y, p).numpy(), [0.916, 0.714],
                               atol=1e-3)
    assert float(losses.BinaryCrossentropy()(y, p)) == pytest.approx(0.815, abs=1e-3)
    assert float(losses.BinaryCrossentropy()(y, p, sample_weight=t([1, 0]))) == pytest.approx(
        0.458, abs=1e-3)
    logits = t([[-18.6, 0.51], [2.94, -12.8]])
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert float(bce(t([0, 1, 0, 0]), t([-18.6, 0.51, 2.94, -12.8]))) == pytest.approx(
        0.865, abs=1e-3)
    assert float(bce(y, logits)) == pytest.approx(0.865, abs=1e-3)
    assert float(bce(y, logits, sample_weight=t([0.8, 0.2]))) == pytest.approx(0.243, abs=1e-3)
    assert float(losses.BinaryCrossentropy(from_logits=True, reduction="sum")(y, logits)) == \
        pytest.approx(1.730, abs=1e-3)
    np.testing.assert_allclose(
        losses.BinaryCrossentropy(from_logits=True, reduction="none")(y, logits).numpy(),
        [0.235, 1.496], atol=1e-3)


@pytest.mark.parametrize("sparse", [False, True])
def test_categorical_crossentropy_keras_values(sparse):
    y = torch.tensor([1, 2]) if sparse else t([[0, 1, 0], [0, 0, 1]])
    p = t([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    cls = losses.SparseCategoricalCrossentropy if sparse else losses.CategoricalCrossentropy
    assert float(cls()(y, p)) == pytest.approx(1.177, abs=1e-3)
    assert float(cls()(y, p, sample_weight=t([0.3, 0.7]))) == pytest.approx(0.814, abs=1e-3)
    assert float(cls(reduction="sum")(y, p)) == pytest.approx(2.354, abs=1e-3)
    np.testing.assert_allclose(cls(reduction="none")(y, p).numpy(), [0.0513, 2.303], atol=1e-3)


# -- references and equivalences -----------------------------------------------------------------
def test_probability_paths_match_numpy_with_clipping():
    y = rng.integers(0, 2, (6, 3)).astype(float)
    p = rng.random((6, 3))
    p[0, 0], p[1, 1] = 0.0, 1.0
    np.testing.assert_allclose(losses.binary_crossentropy(t(y), t(p)).numpy(), np_bce(y, p),
                               rtol=2e-5)
    probs = rng.dirichlet(np.ones(5), 6) * 3  # unnormalised: Keras rescales to sum to 1
    labels = rng.integers(0, 5, 6)
    onehot = np.eye(5)[labels]
    np.testing.assert_allclose(losses.categorical_crossentropy(t(onehot), t(probs)).numpy(),
                               np_cce(onehot, probs), rtol=1e-5)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(torch.tensor(labels), t(probs)).numpy(),
        np_cce(onehot, probs), rtol=1e-5)


def test_from_logits_equals_probabilities_and_numpy():
    z = rng.normal(size=(8, 4)) * 3
    labels = rng.integers(0, 4, 8)
    onehot = np.eye(4)[labels]
    expected = -(onehot * np_log_softmax(z)).sum(-1)
    probs = torch.softmax(t(z), -1)
    for got in (losses.sparse_categorical_crossentropy(torch.tensor(labels), t(z), True),
                losses.categorical_crossentropy(t(onehot), t(z), from_logits=True),
                losses.sparse_categorical_crossentropy(torch.tensor(labels), probs),
                losses.categorical_crossentropy(t(onehot), probs)):
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6)
    yb = rng.integers(0, 2, (8, 4)).astype(float)
    torch.testing.assert_close(losses.binary_crossentropy(t(yb), t(z), from_logits=True),
                               losses.binary_crossentropy(t(yb), torch.sigmoid(t(z))),
                               rtol=1e-4, atol=1e-5)


def test_sequence_shaped_predictions():
    z = rng.normal(size=(3, 5, 4))
    labels = rng.integers(0, 4, (3, 5))
    expected = -(np.eye(4)[labels] * np_log_softmax(z)).sum(-1)
    got = losses.sparse_categorical_crossentropy(torch.tensor(labels), t(z), from_logits=True)
    assert got.shape == (3, 5)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)
    got = losses.sparse_categorical_crossentropy(torch.tensor(labels), torch.softmax(t(z), -1))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)
    got = losses.categorical_crossentropy(t(np.eye(4)[labels]), t(z), from_logits=True)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)


# -- the logits protocol ---------------------------------------------------------------------------
def test_logits_kept_by_softmax_layer_give_exact_finite_loss():
    dense = dp.layers.Dense(3, activation="softmax")
    probs = dense(torch.randn(4, 2) * 1000)  # saturated: some probabilities are exactly 0
    assert (probs.detach() == 0).any()
    labels = torch.tensor([0, 1, 2, 0])
    z = probs._keras_logits
    value = losses.get("sparse_categorical_crossentropy")(labels, probs)
    assert torch.isfinite(value)
    torch.testing.assert_close(value, F.cross_entropy(z, labels))
    onehot = F.one_hot(labels, 3).float()
    torch.testing.assert_close(losses.CategoricalCrossentropy()(onehot, probs),
                               F.cross_entropy(z, labels))
    (grad,) = torch.autograd.grad(value, z)  # exact: (softmax(z) - onehot) / n, finite
    torch.testing.assert_close(grad, (torch.softmax(z.detach(), -1) - onehot) / 4)


def test_logits_kept_by_sigmoid_layer():
    dense = dp.layers.Dense(1, activation="sigmoid")
    probs = dense(torch.randn(6, 2) * 500)
    y = torch.tensor([[1.0], [0.0], [1.0], [0.0], [1.0], [0.0]])
    value = losses.BinaryCrossentropy()(y, probs)
    torch.testing.assert_close(value, F.binary_cross_entropy_with_logits(probs._keras_logits, y))
    assert torch.isfinite(value)


def test_logits_attribute_is_used_only_for_the_matching_activation():
    z = torch.tensor([[2.0, -1.0, 0.5]], requires_grad=True)
    soft = torch.softmax(z, -1)
    soft._keras_logits = z
    y = torch.tensor([[1.0, 0.0, 0.0]])
    # binary cross-entropy of a softmax output scores its probabilities, not sigmoid(z)
    torch.testing.assert_close(losses.binary_crossentropy(y, soft),
                               t(np_bce(y.numpy(), soft.detach().numpy())))
    sig = torch.sigmoid(z)
    sig._keras_logits = z
    torch.testing.assert_close(losses.categorical_crossentropy(y, sig),
                               t(np_cce(y.numpy(), sig.detach().numpy())))
    # an explicit kind wins over the autograd node
    plain = torch.sigmoid(z.detach())
    plain._keras_logits, plain._keras_logits_kind = z.detach(), "softmax"
    torch.testing.assert_close(
        losses.binary_crossentropy(y, plain),
        t(np_bce(y.numpy(), plain.numpy())))


def test_extreme_probabilities_give_finite_values_and_gradients():
    y = t([[1.0, 0.0], [0.0, 1.0]])
    p = torch.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    for value in (losses.binary_crossentropy(y, p), losses.categorical_crossentropy(y, p),
                  losses.sparse_categorical_crossentropy(torch.tensor([0, 1]), p),
                  losses.binary_focal_crossentropy(y, p)):
        assert torch.isfinite(value).all()
        (grad,) = torch.autograd.grad(value.sum(), p)
        assert torch.isfinite(grad).all()
    np.testing.assert_allclose(losses.categorical_crossentropy(y, p).detach().numpy(),
                               -np.log(EPS), rtol=1e-4)


# -- label smoothing -----------------------------------------------------------------------------
@pytest.mark.parametrize("from_logits", [False, True])
def test_label_smoothing_matches_numpy(from_logits):
    s = 0.2
    z = rng.normal(size=(5, 3))
    probs = np.exp(np_log_softmax(z))
    onehot = np.eye(3)[rng.integers(0, 3, 5)]
    pred = t(z) if from_logits else t(probs)
    smooth = onehot * (1 - s) + s / 3
    got = losses.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=s)(t(onehot),
                                                                                    pred)
    assert float(got) == pytest.approx(np_cce(smooth, probs).mean(), rel=1e-5)
    yb = rng.integers(0, 2, (5, 3)).astype(float)
    sig = 1 / (1 + np.exp(-z))
    pred = t(z) if from_logits else t(sig)
    got = losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=s)(t(yb), pred)
    assert float(got) == pytest.approx(np_bce(yb * (1 - s) + 0.5 * s, sig).mean(), rel=1e-5)


def test_binary_focal_crossentropy_matches_numpy():
    y = rng.integers(0, 2, (6, 2)).astype(float)
    p = rng.random((6, 2)) * 0.98 + 0.01
    p_t = y * p + (1 - y) * (1 - p)
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    ref = ((1 - p_t) ** 2 * bce).mean(-1)
    np.testing.assert_allclose(losses.binary_focal_crossentropy(t(y), t(p)).numpy(), ref,
                               rtol=1e-5)
    balanced = ((y * 0.25 + (1 - y) * 0.75) * (1 - p_t) ** 2 * bce).mean(-1)
    got = losses.binary_focal_crossentropy(t(y), t(np.log(p / (1 - p))), True, from_logits=True)
    np.testing.assert_allclose(got.numpy(), balanced, rtol=1e-4)


# -- integer labels --------------------------------------------------------------------------------
@pytest.mark.parametrize("labels", [
    torch.tensor([0, 3, 1]), torch.tensor([[0], [3], [1]], dtype=torch.uint8),
    torch.tensor([0, 3, 1], dtype=torch.int32), torch.tensor([[0.0], [3.0], [1.0]]),
    np.array([0, 3, 1]), [0, 3, 1]])
def test_sparse_label_shapes_and_dtypes(labels):
    p = torch.softmax(torch.randn(3, 4), -1)
    expected = -np.log(p.numpy()[[0, 1, 2], [0, 3, 1]])
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p).numpy(),
                               expected, rtol=1e-5)
    z = torch.log(p)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(labels, z, from_logits=True).numpy(), expected,
        rtol=1e-5)


@pytest.mark.parametrize("bad,value", [([0, 4, 1], 4), ([0, -1, 2], -1), ([[7], [0], [1]], 7)])
def test_labels_out_of_range_are_named(bad, value):
    p = torch.softmax(torch.randn(3, 4), -1)
    with pytest.raises(ValueError, match=rf"`y_true`.*\[0, 3\].*label {value}\b"):
        losses.sparse_categorical_crossentropy(torch.tensor(bad), p)
    with pytest.raises(ValueError, match="y_true"):
        losses.SparseCategoricalCrossentropy(from_logits=True)(torch.tensor(bad), p)


def test_label_check_can_be_turned_off():
    p = torch.softmax(torch.randn(3, 4), -1)
    loss = losses.SparseCategoricalCrossentropy(check_labels=False)
    assert loss.check_labels is False
    loss.check_labels = True
    with pytest.raises(ValueError):
        loss(torch.tensor([0, 1, 9]), p)
    loss.check_labels = False  # the trainer's switch: no host sync, no error from the check
    with pytest.raises((IndexError, RuntimeError)):  # torch's own indexing error instead
        loss(torch.tensor([0, 1, 9]), p)


def test_sparse_label_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r"y_true.*\(3,\).*\(2,\)"):
        losses.sparse_categorical_crossentropy(torch.tensor([0, 1]), torch.rand(3, 4))
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.categorical_crossentropy(torch.tensor([0, 1, 2]), torch.rand(3, 4))


@pytest.mark.parametrize("from_logits", [False, True])
def test_ignore_class_is_left_out_of_the_mean(from_logits):
    z = torch.randn(5, 3)
    labels = torch.tensor([0, -1, 2, 1, -1])
    pred = z if from_logits else torch.softmax(z, -1)
    per = F.cross_entropy(z, labels, ignore_index=-1, reduction="none")
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=-1)
    torch.testing.assert_close(loss(labels, pred), per.sum() / 3)
    torch.testing.assert_close(
        losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=-1,
                                             reduction="sum")(labels, pred), per.sum())


# -- fused training-step paths ---------------------------------------------------------------------
def _general(loss, y, p):
    # the per-sample path, reduced by Loss: what the fused call must reproduce
    return losses.Loss.__call__(loss, y, p)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_fused_means_equal_the_general_path(smoothing):
    z = torch.randn(9, 4) * 5
    labels = torch.randint(0, 4, (9,))
    soft = torch.softmax(z, -1)
    soft._keras_logits = z
    cce = losses.CategoricalCrossentropy(label_smoothing=smoothing)
    onehot = F.one_hot(labels, 4).float()
    torch.testing.assert_close(cce(onehot, soft), _general(cce, onehot, soft))
    zb = torch.randn(9, 1) * 5
    sig = torch.sigmoid(zb)
    sig._keras_logits = zb
    yb = torch.randint(0, 2, (9, 1)).float()
    bce = losses.BinaryCrossentropy(label_smoothing=smoothing)
    for target in (yb, yb[:, 0], yb.long()):
        torch.testing.assert_close(bce(target, sig), _general(bce, target, sig))
    logit_bce = losses.BinaryCrossentropy(from_logits=True, label_smoothing=smoothing)
    torch.testing.assert_close(logit_bce(yb, zb), _general(logit_bce, yb, zb))
    scce = losses.SparseCategoricalCrossentropy()
    for target in (labels, labels[:, None], labels.to(torch.int32), labels.to(torch.uint8)):
        torch.testing.assert_close(scce(target, soft), _general(scce, target, soft))
        torch.testing.assert_close(scce(target, soft), F.cross_entropy(z, labels))
    with pytest.raises(ValueError, match="label 4"):
        scce(torch.tensor([0, 1, 2, 3, 4, 0, 1, 2, 3]), soft)

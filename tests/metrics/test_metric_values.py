"""Every metric against Keras's documented values and NumPy references; accumulation over
several updates equals one update on the concatenation; reset; no host sync in update_state."""

import numpy as np
import pytest
import torch

from deepprob import metrics

rng = np.random.default_rng(1)


def t(a, dtype=torch.float32):
    return torch.tensor(np.asarray(a), dtype=dtype)


YT, PP = [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]
# (metric, y_true, y_pred, sample_weight, unweighted, weighted): Keras's docstring examples
KERAS_DOCS = [
    (lambda: metrics.BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]],
     [1, 0, 0, 1], 0.75, 0.5),
    (lambda: metrics.CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.SparseCategoricalAccuracy(), [[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]],
     [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.TopKCategoricalAccuracy(k=1), [[0, 0, 1], [0, 1, 0]],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=1), [2, 1],
     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3], 0.5, 0.3),
    (lambda: metrics.Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0],
     0.75, 0.5),
    (lambda: metrics.MeanSquaredError(), YT, [[1, 1], [0, 0]], [1, 0], 0.25, 0.5),
    (lambda: metrics.RootMeanSquaredError(), YT, [[1, 1], [0, 0]], [1, 0], 0.5, 0.70710677),
    (lambda: metrics.MeanAbsoluteError(), YT, [[1, 1], [0, 0]], [1, 0], 0.25, 0.5),
    (lambda: metrics.MeanAbsolutePercentageError(), YT, [[1, 1], [0, 0]], [1, 0], 250000000.0,
     500000000.0),
    (lambda: metrics.MeanSquaredLogarithmicError(), YT, [[1, 1], [0, 0]], [1, 0], 0.12011322,
     0.24022643),
    (lambda: metrics.LogCoshError(), YT, [[1, 1], [0, 0]], [1, 0], 0.10844523, 0.21689045),
    (lambda: metrics.Poisson(), YT, [[1, 1], [0, 0]], [1, 0], 0.5, 1.0),
    (lambda: metrics.KLDivergence(), YT, PP, [1, 0], 0.45814306, 0.9162892),
    (lambda: metrics.Hinge(), YT, PP, [1, 0], 1.3, 1.1),
    (lambda: metrics.CosineSimilarity(axis=1), [[0, 1], [1, 1]], [[1, 0], [1, 1]], [0.3, 0.7],
     0.5, 0.7),
    (lambda: metrics.BinaryCrossentropy(), YT, PP, [1, 0], 0.81492424, 0.9162905),
    (lambda: metrics.CategoricalCrossentropy(), [[0, 1, 0], [0, 0, 1]],
     [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7], 1.1769392, 1.6271976),
    (lambda: metrics.SparseCategoricalCrossentropy(), [1, 2],
     [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7], 1.1769392, 1.6271976),
    (lambda: metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], 2 / 3, 1.0),
    (lambda: metrics.Recall(), [0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], 2 / 3, 1.0),
    (lambda: metrics.AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1],
     0.75, 1.0),
]


@pytest.mark.parametrize("make,y,p,sw,plain,weighted", KERAS_DOCS,
                         ids=[type(row[0]()).__name__ for row in KERAS_DOCS])
def test_keras_documented_values(make, y, p, sw, plain, weighted):
    labels = torch.tensor(y) if "Sparse" in type(make()).__name__ else t(y)
    m = make()
    m.update_state(labels, t(p))
    result = m.result()
    assert result.dim() == 0
    assert float(result) == pytest.approx(plain, rel=1e-5)
    m.reset_state()
    m.update_state(labels, t(p), sample_weight=t(sw))
    assert float(m.result()) == pytest.approx(weighted, rel=1e-5)


def _data(name, n):
    if name in ("SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
                "SparseCategoricalCrossentropy"):
        return torch.tensor(rng.integers(0, 5, n)), t(rng.dirichlet(np.ones(5), n))
    if name in ("CategoricalAccuracy", "TopKCategoricalAccuracy", "CategoricalCrossentropy",
                "KLDivergence", "CategoricalHinge"):
        return t(np.eye(5)[rng.integers(0, 5, n)]), t(rng.dirichlet(np.ones(5), n))
    if name in ("BinaryAccuracy", "BinaryCrossentropy", "Precision", "Recall", "AUC", "Hinge",
                "SquaredHinge", "TruePositives", "FalsePositives", "TrueNegatives",
                "FalseNegatives"):
        return t(rng.integers(0, 2, (n, 1))), t(rng.random((n, 1)))
    if name == "Accuracy":
        return t(rng.integers(0, 3, (n, 1))), t(rng.integers(0, 3, (n, 1)))
    return t(rng.random((n, 3)) + 0.1), t(rng.random((n, 3)) + 0.1)


CLASSES = [c for name, c in sorted(metrics.CLASSES.items())
           if name not in ("Mean", "Sum", "MeanMetricWrapper")]


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_accumulating_batches_equals_one_update_on_the_concatenation(cls):
    y, p = _data(cls.__name__, 50)
    sw = t(rng.random(50))
    split, whole = cls(), cls()
    for a, b in ((0, 7), (7, 30), (30, 50)):
        split.update_state(y[a:b], p[a:b], sample_weight=sw[a:b])
    whole.update_state(y, p, sample_weight=sw)
    torch.testing.assert_close(split.result(), whole.result(), rtol=1e-5, atol=1e-6)
    # reset, then the same data again: same value (the state restarts from zero)
    before = whole.result().clone()
    whole.reset_state()
    whole.update_state(y, p, sample_weight=sw)
    torch.testing.assert_close(whole.result(), before, rtol=1e-6, atol=1e-7)


def test_means_match_numpy_references_with_weights():
    y, p = rng.random((40, 3)), rng.random((40, 3))
    sw = rng.random(40)
    refs = {
        metrics.MeanSquaredError: ((y - p) ** 2).mean(1),
        metrics.MeanAbsoluteError: np.abs(y - p).mean(1),
        metrics.MeanAbsolutePercentageError: 100 * (np.abs(y - p) / np.abs(y)).mean(1),
        metrics.LogCoshError: np.log(np.cosh(p - y)).mean(1),
    }
    for cls, per in refs.items():
        m = cls()
        m.update_state(t(y), t(p), sample_weight=t(sw))
        assert float(m.result()) == pytest.approx((per * sw).sum() / sw.sum(), rel=1e-5)
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state(t(y), t(p), sample_weight=t(sw))
    expected = np.sqrt((((y - p) ** 2) * sw[:, None]).sum() / (sw.sum() * 3))
    assert float(rmse.result()) == pytest.approx(expected, rel=1e-5)


def test_accuracies_match_numpy():
    p = rng.random((60, 6))
    labels = rng.integers(0, 6, 60)
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(torch.tensor(labels, dtype=torch.int32), t(p))
    assert float(m.result()) == pytest.approx(np.mean(p.argmax(1) == labels))
    c = metrics.CategoricalAccuracy()
    c.update_state(t(np.eye(6)[labels]), t(p))
    assert float(c.result()) == pytest.approx(np.mean(p.argmax(1) == labels))
    for k in (1, 2, 3):
        rank = (p > p[np.arange(60), labels][:, None]).sum(1)  # classes scoring higher
        expected = np.mean(rank < k)
        s = metrics.SparseTopKCategoricalAccuracy(k=k)
        s.update_state(t(labels[:, None]), t(p))  # float labels with a trailing 1
        assert float(s.result()) == pytest.approx(expected)
        d = metrics.TopKCategoricalAccuracy(k=k)
        d.update_state(t(np.eye(6)[labels]), t(p))
        assert float(d.result()) == pytest.approx(expected)
    yb, pb = rng.integers(0, 2, (60, 2)), rng.random((60, 2))
    b = metrics.BinaryAccuracy(threshold=0.3)
    b.update_state(t(yb), t(pb))
    assert float(b.result()) == pytest.approx(np.mean((pb > 0.3) == yb))


def test_top_k_counts_ties_with_the_kth_score():
    got = metrics.sparse_top_k_categorical_accuracy(torch.tensor([0, 2]),
                                                    t([[0.5, 0.5, 0.1], [0.4, 0.4, 0.4]]), k=1)
    np.testing.assert_allclose(got.numpy(), [1.0, 1.0])


def test_mean_sum_and_wrapper():
    m = metrics.Mean()
    m.update_state([1.0, 2.0])
    m.update_state(t([[3.0], [6.0]]), sample_weight=t([1.0, 0.5]))
    assert float(m.result()) == pytest.approx((1 + 2 + 3 + 3) / 3.5)
    assert float(metrics.Mean().result()) == 0.0  # no updates: 0, not nan
    s = metrics.Sum()
    s.update_state(t([1.0, 2.0]), sample_weight=t([2.0, 3.0]))
    s.update_state(4.0)
    assert float(s.result()) == pytest.approx(12.0)

    def doubled_error(y_true, y_pred):
        return 2 * (y_true - y_pred).abs().mean(-1)

    w = metrics.MeanMetricWrapper(doubled_error)
    assert w.name == "doubled_error"
    assert float(w(t([[1.0], [3.0]]), t([[0.0], [0.0]]))) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="`fn`"):
        metrics.MeanMetricWrapper(3)


def test_precision_recall_thresholds_top_k_and_class_id():
    y = np.array([0, 1, 1, 1, 0, 1, 0, 0])
    p = np.array([0.6, 0.7, 0.2, 0.9, 0.1, 0.4, 0.35, 0.05])
    thresholds = [0.0, 0.3, 0.5, 0.8]
    pr, rc = metrics.Precision(thresholds=thresholds), metrics.Recall(thresholds=thresholds)
    pr.update_state(t(y), t(p))
    rc.update_state(t(y), t(p))
    for i, th in enumerate(thresholds):
        pred = p > th
        tp = np.sum(pred & (y == 1))
        assert float(pr.result()[i]) == pytest.approx(tp / pred.sum())
        assert float(rc.result()[i]) == pytest.approx(tp / (y == 1).sum())
    # Keras's documented top_k and class_id examples
    m = metrics.Precision(top_k=2)
    m.update_state(t([0, 0, 1, 1]), t([1, 1, 1, 1]))
    assert float(m.result()) == 0.0
    m = metrics.Precision(top_k=4)
    m.update_state(t([0, 0, 1, 1]), t([1, 1, 1, 1]))
    assert float(m.result()) == pytest.approx(0.5)
    yc = np.eye(3)[[0, 2, 2, 1]]
    pc = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7], [0.6, 0.1, 0.3], [0.2, 0.6, 0.2]])
    r = metrics.Recall(class_id=2)
    r.update_state(t(yc), t(pc))
    assert float(r.result()) == pytest.approx(0.5)  # class 2: one of two found
    counts = [metrics.TruePositives(), metrics.FalsePositives(), metrics.TrueNegatives(),
              metrics.FalseNegatives()]
    for c in counts:
        c.update_state(t(y), t(p), sample_weight=t(np.arange(8)))
    w = np.arange(8)
    pred = p > 0.5
    expected = [w[pred & (y == 1)].sum(), w[pred & (y == 0)].sum(),
                w[~pred & (y == 0)].sum(), w[~pred & (y == 1)].sum()]
    assert [float(c.result()) for c in counts] == pytest.approx(expected)
    with pytest.raises(ValueError, match="`thresholds`"):
        metrics.Precision(thresholds=1.5)


def test_update_state_never_syncs_with_the_host(monkeypatch):
    built = [(cls, *_data(cls.__name__, 16)) for cls in CLASSES]
    for cls, y, p in built:  # first update creates the state
        cls().update_state(y, p)
    made = [(cls(), y, p) for cls, y, p in built]
    for m, y, p in made:
        m.update_state(y, p)

    def sync(*args, **kwargs):
        raise AssertionError("host sync in update_state")

    for attr in ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__"):
        monkeypatch.setattr(torch.Tensor, attr, sync)
    for m, y, p in made:
        m.update_state(y, p, sample_weight=torch.ones(len(p)))
        m.update_state(y, p)
        assert isinstance(m.result(), torch.Tensor)

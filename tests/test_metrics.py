"""Metrics against NumPy references; accumulation; Keras's resolution of "accuracy"."""

import numpy as np
import pytest
import torch

from deepprob import losses, metrics

rng = np.random.default_rng(1)


def t(a, dtype=torch.float32):
    return torch.tensor(np.asarray(a), dtype=dtype)


def test_accuracies_match_numpy():
    p = rng.random((20, 4))
    labels = rng.integers(0, 4, 20)
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(t(labels, torch.int64), t(p))
    assert float(m.result()) == pytest.approx(np.mean(p.argmax(1) == labels))
    onehot = np.eye(4)[labels]
    c = metrics.CategoricalAccuracy()
    c.update_state(t(onehot), t(p))
    assert float(c.result()) == pytest.approx(np.mean(p.argmax(1) == labels))
    b = metrics.BinaryAccuracy(threshold=0.3)
    yb = rng.integers(0, 2, (20, 1))
    pb = rng.random((20, 1))
    b.update_state(t(yb), t(pb))
    assert float(b.result()) == pytest.approx(np.mean((pb > 0.3) == yb))
    k = metrics.SparseTopKCategoricalAccuracy(k=2)
    k.update_state(t(labels, torch.int64), t(p))
    top2 = np.argsort(-p, 1)[:, :2]
    assert float(k.result()) == pytest.approx(np.mean([labels[i] in top2[i] for i in range(20)]))


def test_accumulation_equals_one_update_and_weights():
    y, p = rng.random((30, 2)), rng.random((30, 2))
    sw = rng.random(30)
    split = metrics.MeanSquaredError()
    for a, b in ((0, 10), (10, 30)):
        split.update_state(t(y[a:b]), t(p[a:b]), sample_weight=t(sw[a:b]))
    per = ((y - p) ** 2).mean(1)
    assert float(split.result()) == pytest.approx((per * sw).sum() / sw.sum(), rel=1e-5)
    split.reset_state()
    split.update_state(t(y), t(p))
    assert float(split.result()) == pytest.approx(per.mean(), rel=1e-5)
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state(t(y), t(p))
    assert float(rmse.result()) == pytest.approx(np.sqrt(((y - p) ** 2).mean()), rel=1e-5)


def test_precision_recall():
    y = np.array([0, 1, 1, 1, 0, 1])
    p = np.array([0.6, 0.7, 0.2, 0.9, 0.1, 0.4])
    pr, rc = metrics.Precision(), metrics.Recall()
    pr.update_state(t(y), t(p))
    rc.update_state(t(y), t(p))
    pred = p > 0.5
    tp = np.sum(pred & (y == 1))
    assert float(pr.result()) == pytest.approx(tp / pred.sum())
    assert float(rc.result()) == pytest.approx(tp / (y == 1).sum())


def test_auc_matches_numpy_trapezoid_and_exact_auc():
    y = rng.integers(0, 2, 400)
    p = np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1)
    auc = metrics.AUC(num_thresholds=200)
    auc.update_state(t(y), t(p))
    thr = np.concatenate([[-1e-7], (np.arange(198) + 1) / 199, [1 + 1e-7]])
    pred = p[:, None] > thr[None, :]
    tp = (pred & (y[:, None] == 1)).sum(0)
    fp = (pred & (y[:, None] == 0)).sum(0)
    tpr, fpr = tp / (y == 1).sum(), fp / (y == 0).sum()
    expected = np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)
    assert float(auc.result()) == pytest.approx(expected, rel=1e-5)
    # exact AUC: probability that a positive outranks a negative
    pos, neg = p[y == 1], p[y == 0]
    exact = np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :])
    assert float(auc.result()) == pytest.approx(exact, abs=0.01)


@pytest.mark.parametrize("loss,y_shape,p_shape,expected", [
    ("sparse_categorical_crossentropy", (8,), (8, 10), metrics.SparseCategoricalAccuracy),
    ("binary_crossentropy", (8, 1), (8, 1), metrics.BinaryAccuracy),
    ("categorical_crossentropy", (8, 10), (8, 10), metrics.CategoricalAccuracy),
    ("mse", (8, 1), (8, 1), metrics.BinaryAccuracy),
    ("mse", (8, 1), (8, 5), metrics.SparseCategoricalAccuracy),
    ("mse", (8, 5), (8, 5), metrics.CategoricalAccuracy),
])
def test_accuracy_resolution(loss, y_shape, p_shape, expected):
    for name in ("accuracy", "acc"):
        m = metrics.get(name, loss=losses.get(loss), y_true_shape=y_shape, y_pred_shape=p_shape)
        assert type(m) is expected and m.name == name


def test_state_stays_on_device_without_sync():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(torch.tensor([1]), torch.tensor([[0.1, 0.9]]))
    assert isinstance(m._state["total"], torch.Tensor)


def test_unknown_metric_suggests():
    with pytest.raises(ValueError, match="accuracy"):
        metrics.get("acuracy")


def test_callable_metric_named_after_function():
    def doubled_error(y_true, y_pred):
        return 2 * (y_true - y_pred).abs().mean(-1)

    m = metrics.get(doubled_error)
    assert m.name == "doubled_error"
    m.update_state(t([[1.0], [3.0]]), t([[0.0], [0.0]]))
    assert float(m.result()) == pytest.approx(4.0)

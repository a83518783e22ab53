"""AUC against NumPy trapezoids over the same thresholds, the exact (rank) AUC, Keras's PR
interpolation written out in NumPy, multi-label averaging, weights and logits."""

import numpy as np
import pytest
import torch

from deepprob import metrics

rng = np.random.default_rng(3)


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float32)


def keras_thresholds(n):
    return np.concatenate([[-1e-7], (np.arange(n - 2) + 1) / (n - 1), [1 + 1e-7]])


def counts(y, p, w, thr):
    pred = p[:, None] > thr[None, :]
    pos, neg = (y * w)[:, None], ((1 - y) * w)[:, None]
    tp, fp = (pred * pos).sum(0), (pred * neg).sum(0)
    return tp, fp, pos.sum() - tp, neg.sum() - fp


def np_roc(tp, fp, fn, tn):
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    return np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)


def np_pr_interpolated(tp, fp, fn):
    # Davis & Goadrich: precision interpolated linearly in (tp, tp + fp) between thresholds
    total = 0.0
    for a in range(len(tp) - 1):
        pa, pb = tp[a] + fp[a], tp[a + 1] + fp[a + 1]
        dtp, dp = tp[a] - tp[a + 1], pa - pb
        if dp <= 0 or tp[a + 1] + fn[a + 1] <= 0:
            continue
        slope = dtp / dp
        intercept = tp[a + 1] - slope * pb
        ratio = pa / pb if (pa > 0 and pb > 0) else 1.0
        total += slope * (dtp + intercept * np.log(ratio)) / (tp[a + 1] + fn[a + 1])
    return total


def exact_auc(y, p, w=None):
    w = np.ones_like(p) if w is None else w
    pos, neg = y == 1, y == 0
    wins = (p[pos][:, None] > p[neg][None, :]) + 0.5 * (p[pos][:, None] == p[neg][None, :])
    ww = w[pos][:, None] * w[neg][None, :]
    return (wins * ww).sum() / ww.sum()


@pytest.fixture
def scores():
    y = rng.integers(0, 2, 500).astype(float)
    p = np.clip(0.35 * y + rng.random(500) * 0.65, 0, 1)
    p[:3] = [0.0, 1.0, 0.5]  # the ends and a threshold value itself
    return y, p


@pytest.mark.parametrize("n", [3, 50, 200])
def test_roc_matches_numpy_trapezoid_and_exact_auc(scores, n):
    y, p = scores
    w = rng.random(500)
    for weights in (None, w):
        m = metrics.AUC(num_thresholds=n)
        m.update_state(t(y), t(p), sample_weight=None if weights is None else t(weights))
        ref = np_roc(*counts(y, p, np.ones(500) if weights is None else weights,
                            keras_thresholds(n)))
        assert float(m.result()) == pytest.approx(ref, rel=1e-5)
        if n == 200:  # interpolation error of 200 buckets is small
            assert float(m.result()) == pytest.approx(exact_auc(y, p, weights), abs=5e-3)


def test_pr_interpolation_matches_numpy(scores):
    y, p = scores
    for n in (5, 200):
        m = metrics.AUC(num_thresholds=n, curve="PR")
        m.update_state(t(y), t(p))
        tp, fp, fn, _ = counts(y, p, np.ones(500), keras_thresholds(n))
        assert float(m.result()) == pytest.approx(np_pr_interpolated(tp, fp, fn), rel=1e-4)
    # against average precision computed exactly from the ranking
    order = np.argsort(-p, kind="stable")
    hits = y[order]
    precision_at_hits = np.cumsum(hits)[hits == 1] / (np.flatnonzero(hits) + 1)
    assert float(m.result()) == pytest.approx(precision_at_hits.mean(), abs=0.02)


def test_summation_methods_bracket_the_trapezoid(scores):
    y, p = scores
    values = {}
    for method in ("minoring", "interpolation", "majoring"):
        m = metrics.AUC(num_thresholds=20, summation_method=method)
        m.update_state(t(y), t(p))
        values[method] = float(m.result())
    tp, fp, fn, tn = counts(y, p, np.ones(500), keras_thresholds(20))
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    assert values["minoring"] == pytest.approx(
        np.sum((fpr[:-1] - fpr[1:]) * np.minimum(tpr[:-1], tpr[1:])), rel=1e-5)
    assert values["majoring"] == pytest.approx(
        np.sum((fpr[:-1] - fpr[1:]) * np.maximum(tpr[:-1], tpr[1:])), rel=1e-5)
    assert values["minoring"] < values["interpolation"] < values["majoring"]
    pr = metrics.AUC(num_thresholds=20, curve="PR", summation_method="majoring")
    pr.update_state(t(y), t(p))
    precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 0.0)
    recall = tp / (tp + fn)
    assert float(pr.result()) == pytest.approx(
        np.sum((recall[:-1] - recall[1:]) * np.maximum(precision[:-1], precision[1:])), rel=1e-5)


def test_multi_label_averages_per_label_aucs_and_pooled_uses_label_weights():
    y = rng.integers(0, 2, (300, 3)).astype(float)
    p = np.clip(0.3 * y + rng.random((300, 3)) * 0.7, 0, 1)
    per = []
    for j in range(3):
        single = metrics.AUC(num_thresholds=50)
        single.update_state(t(y[:, j]), t(p[:, j]))
        per.append(float(single.result()))
    multi = metrics.AUC(num_thresholds=50, multi_label=True)
    multi.update_state(t(y[:150]), t(p[:150]))
    multi.update_state(t(y[150:]), t(p[150:]))
    assert float(multi.result()) == pytest.approx(np.mean(per), rel=1e-5)
    weighted = metrics.AUC(num_thresholds=50, multi_label=True, label_weights=[1.0, 0.0, 3.0])
    weighted.update_state(t(y), t(p))
    assert float(weighted.result()) == pytest.approx((per[0] + 3 * per[2]) / 4, rel=1e-5)
    pooled = metrics.AUC(num_thresholds=50, label_weights=[1.0, 0.0, 2.0])
    pooled.update_state(t(y), t(p))
    lw = np.broadcast_to([1.0, 0.0, 2.0], y.shape).reshape(-1)
    ref = np_roc(*counts(y.reshape(-1), p.reshape(-1), lw, keras_thresholds(50)))
    assert float(pooled.result()) == pytest.approx(ref, rel=1e-5)


def test_from_logits_explicit_thresholds_and_errors(scores):
    y, p = scores
    logits = np.log(np.clip(p, 1e-6, 1 - 1e-6) / (1 - np.clip(p, 1e-6, 1 - 1e-6)))
    a, b = metrics.AUC(from_logits=True), metrics.AUC()
    a.update_state(t(y), t(logits))
    b.update_state(t(y), t(np.clip(p, 1e-6, 1 - 1e-6)))
    assert float(a.result()) == pytest.approx(float(b.result()), abs=1e-4)
    m = metrics.AUC(thresholds=[0.7, 0.25, 0.5])
    m.update_state(t(y), t(p))
    thr = np.array([-1e-7, 0.25, 0.5, 0.7, 1 + 1e-7])
    assert m.num_thresholds == 5
    assert float(m.result()) == pytest.approx(np_roc(*counts(y, p, np.ones(500), thr)), rel=1e-5)
    assert float(metrics.AUC().result()) == 0.0
    with pytest.raises(ValueError, match="`num_thresholds`"):
        metrics.AUC(num_thresholds=1)
    assert metrics.AUC(curve="pr").curve == "PR"
    with pytest.raises(ValueError, match=r"`curve`.*'PR'"):
        metrics.AUC(curve="PRR")
    with pytest.raises(ValueError, match="`summation_method`"):
        metrics.AUC(summation_method="trapezoid")

"""Uncertainty plots: bands equal the predictive variances, reliability bars equal accuracy per
bin computed by hand, latent points where the codes are, PNGs written."""

from __future__ import annotations

import matplotlib.image
import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob import plot_uncertainty as pu

tfd, tfpl = dp.distributions, dp.layers


def _png_ok(path) -> None:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = matplotlib.image.imread(path)
    assert img.shape[0] > 100 and img.shape[1] > 100
    assert img[..., :3].std() > 0.01  # something drawn, not a blank canvas


def _by_gid(ax, gid):
    found = [c for c in list(ax.collections) + list(ax.patches) if c.get_gid() == gid]
    assert found, gid
    return found


def _bayesian_regression_model():
    def prior(k, b, dtype=None):
        n = k + b
        return dp.Sequential([tfpl.DistributionLambda(
            lambda t: tfd.MultivariateNormalDiag(loc=torch.zeros(n), scale_diag=torch.ones(n)))])

    return dp.Sequential([
        tfpl.DenseVariational(8, tfpl.posterior_mean_field, prior, activation="sigmoid",
                              input_shape=(1,)),
        tfpl.DenseVariational(2, tfpl.posterior_mean_field, prior),
        tfpl.IndependentNormal(1),
    ])


def test_regression_bands_are_the_predictive_variances(tmp_path):
    x = np.linspace(-2, 2, 41, dtype="float32")[:, None]
    pred = dp.uncertainty.predictive(_bayesian_regression_model(), x, samples=30)
    assert pred.epistemic.min() > 0 and pred.aleatoric.min() > 0
    rng = np.random.default_rng(0)
    x_data = rng.uniform(-1, 1, 50)
    shuffled = rng.permutation(41)  # the plot sorts by x
    pred_shuffled = dp.uncertainty.RegressionPrediction(*(np.asarray(a)[shuffled] for a in pred))
    path = tmp_path / "bands.png"
    fig = pu.regression(x[shuffled], pred_shuffled, x_data=x_data, y_data=x_data ** 2,
                        num_std=2.0, path=path)
    _png_ok(path)
    (ax,) = fig.axes
    mean = np.asarray(pred.mean).ravel()
    xs = x.ravel()
    for name in ("aleatoric", "epistemic"):
        (band,) = _by_gid(ax, name)
        verts = np.concatenate([p.vertices for p in band.get_paths()])
        half = 2.0 * np.sqrt(np.asarray(getattr(pred, name)).ravel())
        for i, xv in enumerate(xs):
            ys = verts[np.isclose(verts[:, 0], xv), 1]
            np.testing.assert_allclose([ys.min(), ys.max()], [mean[i] - half[i], mean[i] + half[i]],
                                       rtol=1e-5, atol=1e-6)
    (line,) = [ln for ln in ax.lines if ln.get_label() == "mean"]
    np.testing.assert_allclose(line.get_xdata(), xs)
    np.testing.assert_allclose(line.get_ydata(), mean, rtol=1e-6)
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], x_data ** 2)


def test_regression_bad_input():
    pred = dict(mean=np.zeros(3), aleatoric=np.ones(3), epistemic=np.ones(3))
    with pytest.raises(ValueError, match="`prediction.mean`: expected 4 values"):
        pu.regression(np.zeros(4), pred)
    with pytest.raises(TypeError, match="without aleatoric, epistemic"):
        pu.regression(np.zeros(3), {"mean": np.zeros(3)})
    with pytest.raises(ValueError, match="`x`: expected shape"):
        pu.regression(np.zeros((3, 2)), pred)
    with pytest.raises(ValueError, match="pass both or neither"):
        pu.regression(np.zeros(3), pred, x_data=np.zeros(3))


def test_reliability_diagram_bars_match_hand_computation(tmp_path):
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(500, 4)) * 2
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    y = np.array([rng.choice(4, p=p) for p in probs])
    path = tmp_path / "reliability.png"
    fig = pu.reliability_diagram(y, probs, num_bins=10, path=path)
    _png_ok(path)
    assert len(fig.axes) == 2
    conf, correct = probs.max(1), probs.argmax(1) == y
    index = np.minimum((conf * 10).astype(int), 9)
    counts = np.bincount(index, minlength=10)
    acc = np.array([correct[index == b].mean() if counts[b] else np.nan for b in range(10)])
    top, bottom = fig.axes
    bars = _by_gid(top, "accuracy")
    heights = np.array([b.get_height() for b in bars])
    np.testing.assert_allclose(heights, acc[counts > 0], rtol=1e-12)
    np.testing.assert_allclose([b.get_height() for b in _by_gid(bottom, "counts")], counts)
    ece = np.nansum(counts / 500 * np.abs(acc - np.array(
        [conf[index == b].mean() if counts[b] else np.nan for b in range(10)])))
    assert top.get_title() == f"ECE = {ece:.4f}"


def test_latent_space_points_and_labels(tmp_path):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(60, 2))
    labels = np.arange(60) % 3
    path = tmp_path / "latent.png"
    fig = pu.latent_space(z, np.eye(3)[labels], class_names=["a", "b", "c"], path=path)
    _png_ok(path)
    (ax,) = fig.axes
    assert [c.get_label() for c in ax.collections] == ["a", "b", "c"]
    for k, coll in enumerate(ax.collections):
        np.testing.assert_allclose(coll.get_offsets(), z[labels == k])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        pu.latent_space(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 3 names"):
        pu.latent_space(z, labels, class_names=["a"])

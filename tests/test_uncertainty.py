"""dp.uncertainty: scores vs numerical integration / hand counts, predictive decompositions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import deepprob as dp
from deepprob import uncertainty as unc
from deepprob.layers import probabilistic as tfpl


@pytest.mark.parametrize("y,mu,s", [(0.3, 0.0, 1.0), (-2.0, 1.0, 0.5), (5.0, 4.0, 3.0)])
def test_crps_gaussian_matches_numerical_integration(y, mu, s):
    # CRPS = int (F(t) - 1[t >= y])^2 dt
    f = stats.norm(mu, s).cdf
    left, _ = integrate.quad(lambda t: f(t) ** 2, -np.inf, y)
    right, _ = integrate.quad(lambda t: (1 - f(t)) ** 2, y, np.inf)
    assert unc.crps_gaussian(y, mu, s) == pytest.approx(left + right, rel=1e-6)


def test_crps_samples_vs_pairwise_and_gaussian():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    y = np.array([0.1, -1.0, 2.0])
    pair = np.abs(x[:, None] - x[None]).mean((0, 1))
    direct = np.abs(x - y).mean(0) - 0.5 * pair
    np.testing.assert_allclose(unc.crps_samples(y, x, reduction="none"), direct, rtol=1e-10)
    big = rng.normal(1.0, 2.0, size=(20000, 1))
    assert unc.crps_samples([0.5], big) == pytest.approx(unc.crps_gaussian(0.5, 1.0, 2.0),
                                                         rel=0.02)


def test_calibration_scores_by_hand():
    probs = np.array([[0.9, 0.1], [0.85, 0.15], [0.3, 0.7], [0.45, 0.55]])
    y = np.array([0, 1, 1, 1])
    diagram = unc.reliability_diagram(y, probs, num_bins=5)
    # bins (lo, hi]: confidences 0.9, 0.85 -> bin 4 (acc 1/2); 0.7 -> bin 3; 0.55 -> bin 2
    np.testing.assert_array_equal(diagram.counts, [0, 0, 1, 1, 2])
    expected = (2 / 4) * abs(0.5 - 0.875) + (1 / 4) * abs(1 - 0.7) + (1 / 4) * abs(1 - 0.55)
    assert unc.expected_calibration_error(y, probs, num_bins=5) == pytest.approx(expected)
    # binary probabilities and one-hot labels give the same
    assert unc.expected_calibration_error(np.eye(2)[y], probs[:, 1], num_bins=5) == \
        pytest.approx(expected)
    assert unc.interval_coverage([0.0, 1.0, 3.0], [-1, 0, 0], [1, 2, 2]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="num_bins"):
        unc.reliability_diagram(y, probs, num_bins=0)


def test_nll_matches_scipy():
    d = dp.distributions.Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
    y = np.array([0.5, -1.0])
    assert unc.nll(y, d) == pytest.approx(-stats.norm([0, 1], [1, 2]).logpdf(y).mean(),
                                          rel=1e-6)
    with pytest.raises(TypeError, match="dist"):
        unc.nll(y, torch.zeros(2))


def test_predictive_regression_law_of_total_variance():
    """A model whose output is Normal(m_w(x), s(x)) with m_w random: the split must equal the
    sample moments computed by hand from the same draws."""
    torch.manual_seed(0)
    draws = []

    def model(x):
        shift = torch.randn(())
        draws.append(shift)
        return dp.distributions.Normal(x[:, 0] + shift, 0.5 + x[:, 0].abs())

    x = np.array([[0.0], [1.0], [-2.0]], dtype="float32")
    pred = unc.predictive(model, x, samples=400)
    shifts = torch.stack(draws).double()
    means = x[:, 0][None] + shifts[:, None].numpy()
    np.testing.assert_allclose(pred.mean, means.mean(0), rtol=1e-6)
    np.testing.assert_allclose(pred.epistemic, means.var(0), rtol=1e-5)
    np.testing.assert_allclose(pred.aleatoric, (0.5 + np.abs(x[:, 0])) ** 2, rtol=1e-6)
    np.testing.assert_allclose(pred.total, pred.aleatoric + pred.epistemic)


def test_predictive_classification_entropy_and_mutual_information():
    logits = [torch.tensor([[2.0, 0.0, 0.0]]), torch.tensor([[0.0, 2.0, 0.0]])]
    calls = iter(logits * 50)

    def model(x):
        return tfpl.OneHotCategorical(3)(next(calls))

    pred = unc.predictive(model, np.zeros((1, 1), "float32"), samples=100)
    p = torch.softmax(torch.stack(logits).double(), -1)[:, 0]
    mean = p.mean(0)
    ent = -(mean * mean.log()).sum()
    mi = ent - (-(p * p.log()).sum(-1)).mean()
    np.testing.assert_allclose(pred.probs[0], mean.numpy(), rtol=1e-6)
    assert pred.entropy[0] == pytest.approx(float(ent), rel=1e-6)
    assert pred.mutual_information[0] == pytest.approx(float(mi), rel=1e-6)
    assert pred.mutual_information[0] > 0.1

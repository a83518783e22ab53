"""Generic checks of every scalar-event example against scipy.stats (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from dist_examples import case_id, cases, t64, values_for

CASES = cases()


def _close(actual, expected, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(actual.detach().numpy(), np.broadcast_to(
        expected, actual.shape), rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_log_prob_and_prob(case):
    ex, j, params = case
    rng = np.random.default_rng(7 + j)
    x = values_for(ex, params, rng)
    d, ref = ex.make(**params), ex.scipy(**params)
    expected = ref.logpmf(x) if ex.discrete else ref.logpdf(x)
    _close(d.log_prob(t64(x)), expected, rtol=1e-6, atol=1e-9)
    _close(d.prob(t64(x)), np.exp(expected), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_cdf_and_survival(case):
    ex, j, params = case
    if "cdf" not in ex.has:
        pytest.skip("no cdf")
    rng = np.random.default_rng(11 + j)
    x = values_for(ex, params, rng)
    if not ex.discrete:
        x = np.concatenate([x, x + 0.1 * rng.standard_normal(x.shape)])
    d, ref = ex.make(**params), ex.scipy(**params)
    _close(d.cdf(t64(x)), ref.cdf(x), rtol=1e-6, atol=1e-10)
    _close(d.survival_function(t64(x)), ref.sf(x), rtol=1e-5, atol=1e-10)
    _close(d.log_cdf(t64(x)), ref.logcdf(x), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_quantile(case):
    ex, j, params = case
    if "quantile" not in ex.has:
        pytest.skip("no quantile")
    d, ref = ex.make(**params), ex.scipy(**params)
    shape = tuple(d.batch_shape)
    p = np.array([0.01, 0.2, 0.5, 0.77, 0.999]).reshape((5,) + (1,) * len(shape))
    p = np.broadcast_to(p, (5,) + shape).copy()
    _close(d.quantile(t64(p)), ref.ppf(p), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("stat", ["mean", "variance", "stddev", "entropy"])
def test_statistics(case, stat):
    ex, j, params = case
    if (stat if stat != "stddev" else "variance") not in ex.has:
        pytest.skip(f"{ex.name} has no {stat}")
    d, ref = ex.make(**params), ex.scipy(**params)
    expected = {"mean": ref.mean, "variance": ref.var, "stddev": ref.std,
                "entropy": ref.entropy}[stat]()
    actual = getattr(d, stat)()
    assert actual.shape == d.batch_shape
    if ex.heavy_tailed:
        # scipy reports some undefined moments as inf where TFP (and deepprob) give NaN
        expected = np.where(np.isinf(expected) & np.isnan(actual.numpy()), np.nan, expected)
    _close(actual, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].outside], ids=case_id)
def test_outside_support_is_minus_inf_never_nan(case):
    ex, _, params = case
    d = ex.make(**params)
    for v in ex.outside:
        x = torch.full(d.batch_shape, v, dtype=torch.float64)
        lp = d.log_prob(x)
        assert torch.all(lp == -np.inf), (ex.name, v, lp)
        assert torch.all(d.prob(x) == 0)
    strict = ex.make(**params)
    strict.validate_args = True
    with pytest.raises(ValueError, match="value"):
        strict.log_prob(torch.full(d.batch_shape, ex.outside[0], dtype=torch.float64))


def test_undefined_moments_are_nan_or_raise():
    import deepprob as dp

    tfd = dp.distributions
    assert torch.isnan(tfd.Cauchy(0.0, 1.0).mean())
    with pytest.raises(ValueError, match="mean"):
        tfd.Cauchy(0.0, 1.0, allow_nan_stats=False).mean()
    v = tfd.StudentT(df=[0.5, 1.5, 3.0], loc=0.0, scale=1.0).variance()
    assert torch.isnan(v[0]) and torch.isinf(v[1]) and float(v[2]) == pytest.approx(3.0)
    assert torch.isnan(tfd.Gamma(0.5, 1.0).mode())
    assert float(tfd.Gamma(3.0, 2.0).mode()) == pytest.approx(1.0)

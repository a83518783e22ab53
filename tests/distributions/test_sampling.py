"""Sample moments within Monte-Carlo error, and pathwise gradients through ``sample()``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from dist_examples import case_id, cases

import deepprob as dp

tfd = dp.distributions
N = 20000
CASES = [c for c in cases() if not c[0].heavy_tailed]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_sample_mean_and_variance_within_mc_error(case):
    ex, j, params = case
    d, ref = ex.make(**params), ex.scipy(**params)
    x = d.sample(N, seed=123 + j).double().numpy()
    mean, var = ref.mean(), ref.var()
    kurt = ref.stats(moments="k")
    shape = x.shape[1:]
    mean, var, kurt = (np.broadcast_to(a, shape) for a in (mean, var, kurt))
    se_mean = np.sqrt(var / N)
    se_var = np.sqrt((kurt + 2.0) * var**2 / N)
    assert np.all(np.abs(x.mean(0) - mean) <= 5 * se_mean + 1e-12), (x.mean(0), mean)
    assert np.all(np.abs(x.var(0) - var) <= 5 * se_var + 1e-12), (x.var(0), var)


def test_seed_makes_samples_reproducible_without_touching_global_rng():
    d = tfd.Gamma(2.0, 1.0)
    torch.manual_seed(0)
    before = torch.rand(())
    torch.manual_seed(0)
    a = d.sample(5, seed=7)
    b = d.sample(5, seed=7)
    assert torch.equal(a, b)
    assert torch.equal(torch.rand(()), before)  # global stream unaffected by seeded draws


REPARAM = [
    ("Normal", lambda p: tfd.Normal(p[0], p[1]), [0.3, 1.5]),
    ("Gamma", lambda p: tfd.Gamma(p[0], p[1]), [2.5, 1.5]),
    ("Beta", lambda p: tfd.Beta(p[0], p[1]), [2.0, 3.0]),
    ("StudentT", lambda p: tfd.StudentT(p[0], p[1], p[2]), [6.0, 0.5, 2.0]),
    ("Laplace", lambda p: tfd.Laplace(p[0], p[1]), [0.5, 2.0]),
    ("Logistic", lambda p: tfd.Logistic(p[0], p[1]), [0.5, 2.0]),
    ("LogNormal", lambda p: tfd.LogNormal(p[0], p[1]), [0.1, 0.4]),
    ("HalfNormal", lambda p: tfd.HalfNormal(p[0]), [1.7]),
    ("Gumbel", lambda p: tfd.Gumbel(p[0], p[1]), [0.5, 2.0]),
    ("Exponential", lambda p: tfd.Exponential(p[0]), [1.5]),
    ("Uniform", lambda p: tfd.Uniform(p[0], p[1]), [-1.0, 2.0]),
    ("Chi2", lambda p: tfd.Chi2(p[0]), [3.0]),
    ("MVNTriL", lambda p: tfd.MultivariateNormalTriL(
        torch.stack([p[0], p[0]]), torch.stack([torch.stack([p[1], p[1] * 0]),
                                                 torch.stack([p[1] * 0.5, p[1]])])), [0.2, 1.3]),
    ("Dirichlet", lambda p: tfd.Dirichlet(torch.stack([p[0], p[1], p[0]])), [2.0, 3.0]),
    ("Deterministic", lambda p: tfd.Deterministic(p[0]), [1.5]),
]


@pytest.mark.parametrize("row", REPARAM, ids=[r[0] for r in REPARAM])
def test_pathwise_gradient_of_sample_mean_matches_gradient_of_mean(row):
    """d/dθ E[X] estimated through sample() (unbiased) agrees with autograd of mean()."""
    _, build, values = row
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    d = build(params)
    assert d.reparameterization_type is tfd.FULLY_REPARAMETERIZED and d.has_rsample
    x = d.sample(40000, seed=3)
    g_mc = torch.autograd.grad(x.mean(0).sum(), params, allow_unused=True)
    d2 = build(params)
    g_exact = torch.autograd.grad(d2.mean().sum(), params, allow_unused=True)
    for gm, ge in zip(g_mc, g_exact):
        gm = torch.zeros(()) if gm is None else gm
        ge = torch.zeros(()) if ge is None else ge
        assert float(abs(gm - ge)) <= 0.05 * float(abs(ge)) + 0.02, (gm, ge)


def test_discrete_samples_are_not_reparameterized_and_have_tfp_dtypes():
    assert tfd.Bernoulli(probs=0.5).sample(3).dtype == torch.int32
    assert tfd.Categorical(logits=torch.zeros(3)).sample(3).dtype == torch.int64
    assert tfd.OneHotCategorical(logits=torch.zeros(3)).sample(3).dtype == torch.int32
    assert tfd.Poisson(2.0).reparameterization_type is tfd.NOT_REPARAMETERIZED
    assert not tfd.Bernoulli(probs=0.5).has_rsample


def test_categorical_and_multinomial_sample_frequencies():
    p = torch.tensor([0.1, 0.2, 0.7], dtype=torch.float64)
    x = tfd.Categorical(probs=p).sample(50000, seed=1)
    freq = torch.bincount(x, minlength=3).double() / 50000
    assert torch.all((freq - p).abs() < 5 * torch.sqrt(p * (1 - p) / 50000))
    counts = tfd.Multinomial(torch.tensor([4.0, 9.0], dtype=torch.float64), probs=p).sample(
        20000, seed=2)
    assert torch.all(counts.sum(-1) == torch.tensor([4.0, 9.0], dtype=torch.float64))
    mean = counts.mean(0)
    expected = torch.tensor([[4.0], [9.0]], dtype=torch.float64) * p
    se = torch.sqrt(expected * (1 - p) / 20000)
    assert torch.all((mean - expected).abs() < 5 * se)

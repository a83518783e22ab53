"""Closed-form KL divergences against Monte-Carlo estimates, registry behaviour, MC fallback."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate as si
import scipy.stats as st
import torch

import deepprob as dp

tfd = dp.distributions


def T(x):
    return torch.tensor(x, dtype=torch.float64)


def _tril(k, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(k, k, generator=g, dtype=torch.float64)
    return torch.tril(a, -1) * 0.5 + torch.diag(torch.rand(k, generator=g,
                                                             dtype=torch.float64) + 0.5)


L1, L2 = _tril(3, 0), _tril(3, 1)
PAIRS = [
    ("Normal", tfd.Normal(T([0.0, 1.0]), T([1.0, 0.5])), tfd.Normal(T(0.5), T([2.0, 1.0]))),
    ("MVNDiag", tfd.MultivariateNormalDiag(T([0.0, 1.0]), T([1.0, 0.5])),
     tfd.MultivariateNormalDiag(T([0.3, 0.0]), T([2.0, 1.0]))),
    ("MVNTriL", tfd.MultivariateNormalTriL(T([0.0, 1.0, 2.0]), L1),
     tfd.MultivariateNormalTriL(T([0.5, 0.0, 1.0]), L2)),
    ("MVNFull-TriL", tfd.MultivariateNormalFullCovariance(T([0.0, 1.0, 2.0]), L1 @ L1.T),
     tfd.MultivariateNormalTriL(T([0.5, 0.0, 1.0]), L2)),
    ("MVNDiag-Full", tfd.MultivariateNormalDiag(T([0.0, 1.0, 2.0]), T([1.0, 0.7, 1.2])),
     tfd.MultivariateNormalFullCovariance(T([0.5, 0.0, 1.0]), L2 @ L2.T)),
    ("Bernoulli", tfd.Bernoulli(probs=T([0.2, 0.7])), tfd.Bernoulli(probs=T([0.5, 0.4]))),
    ("Categorical", tfd.Categorical(probs=T([0.2, 0.3, 0.5])),
     tfd.Categorical(logits=T([0.1, -0.3, 0.4]))),
    ("OneHotCategorical", tfd.OneHotCategorical(probs=T([0.2, 0.3, 0.5])),
     tfd.OneHotCategorical(probs=T([0.4, 0.4, 0.2]))),
    ("Exponential", tfd.Exponential(T([1.0, 2.0])), tfd.Exponential(T(1.5))),
    ("Gamma", tfd.Gamma(T([2.0, 3.0]), T([1.0, 2.0])), tfd.Gamma(T(2.5), T(1.5))),
    ("Chi2-Gamma", tfd.Chi2(T(4.0)), tfd.Gamma(T(2.5), T(0.7))),
    ("Beta", tfd.Beta(T([2.0, 3.0]), T([2.0, 1.5])), tfd.Beta(T(1.5), T(2.5))),
    ("Dirichlet", tfd.Dirichlet(T([2.0, 3.0, 1.5])), tfd.Dirichlet(T([1.0, 2.0, 2.0]))),
    ("Poisson", tfd.Poisson(T([2.0, 5.0])), tfd.Poisson(T(3.0))),
    ("Uniform", tfd.Uniform(T(0.0), T(1.0)), tfd.Uniform(T(-1.0), T(2.0))),
    ("Laplace", tfd.Laplace(T([0.0, 1.0]), T([1.0, 2.0])), tfd.Laplace(T(0.5), T(1.5))),
    ("Geometric", tfd.Geometric(probs=T([0.3, 0.6])), tfd.Geometric(probs=T(0.5))),
    ("Gumbel", tfd.Gumbel(T([0.0, 1.0]), T([1.0, 2.0])), tfd.Gumbel(T(0.5), T(1.5))),
    ("Cauchy", tfd.Cauchy(T([0.0, 1.0]), T([1.0, 2.0])), tfd.Cauchy(T(0.5), T(1.5))),
    ("LogNormal", tfd.LogNormal(T([0.0, 0.3]), T([0.5, 0.8])), tfd.LogNormal(T(0.1), T(0.6))),
    ("HalfNormal", tfd.HalfNormal(T([1.0, 2.0])), tfd.HalfNormal(T(1.5))),
    ("Binomial", tfd.Binomial(T(5.0), probs=T([0.3, 0.6])), tfd.Binomial(T(5.0), probs=T(0.5))),
    ("Independent", tfd.Independent(tfd.Normal(T([[0.0, 1.0]]), T([[1.0, 0.5]])), 1),
     tfd.Independent(tfd.Normal(T([[0.2, 0.0]]), T([[1.5, 1.0]])), 1)),
    ("Sample", tfd.Sample(tfd.Gamma(T(2.0), T(1.0)), 3), tfd.Sample(tfd.Gamma(T(3.0), T(1.5)), 3)),
    ("BatchReshape", tfd.BatchReshape(tfd.Normal(T([0.0, 1.0, 2.0, 3.0]), T(1.0)), [2, 2]),
     tfd.BatchReshape(tfd.Normal(T(0.5), T([1.0, 2.0, 1.0, 2.0])), [2, 2])),
    ("Deterministic", tfd.Deterministic(T([0.5, 1.0])), tfd.Normal(T(0.0), T(2.0))),
    ("IndepNormal-MVNDiag", tfd.Independent(tfd.Normal(T([[0.0, 1.0], [0.5, -1.0]]),
                                                       T([[1.0, 0.5], [2.0, 0.7]])), 1),
     tfd.MultivariateNormalDiag(T([0.3, 0.0]), T([2.0, 1.0]))),
    ("MVNDiag-IndepNormal", tfd.MultivariateNormalDiag(T([[0.3, 0.0], [0.1, 0.2]]), T([2.0, 1.0])),
     tfd.Independent(tfd.Normal(T([[0.0, 1.0], [0.5, -1.0]]), T([[1.0, 0.5], [2.0, 0.7]])), 1)),
    ("MVNTriL-IndepNormal", tfd.MultivariateNormalTriL(T([0.0, 1.0, 2.0]), L1),
     tfd.Independent(tfd.Normal(T([0.5, 0.0, 1.0]), T(1.3)), 1)),
    ("IndepNormal-MVNTriL", tfd.Independent(tfd.Normal(T([0.5, 0.0, 1.0]), T([1.3, 0.4, 0.9])), 1),
     tfd.MultivariateNormalTriL(T([0.0, 1.0, 2.0]), L1)),
    ("IndepNormal-MVNFull", tfd.Independent(tfd.Normal(T([0.5, 0.0, 1.0]), T([1.3, 0.4, 0.9])), 1),
     tfd.MultivariateNormalFullCovariance(T([0.0, 1.0, 2.0]), L2 @ L2.T)),
    ("SampleNormal-MVNTriL", tfd.Sample(tfd.Normal(T(0.5), T(1.3)), 3),
     tfd.MultivariateNormalTriL(T([0.0, 1.0, 2.0]), L1)),
    ("MVNTriL-SampleNormal", tfd.MultivariateNormalTriL(T([[0.0, 1.0, 2.0], [1.0, 0.0, 0.0]]), L1),
     tfd.Sample(tfd.Normal(T([0.5, -0.5]), T([1.3, 0.7])), 3)),
]


@pytest.mark.parametrize("row", PAIRS, ids=[r[0] for r in PAIRS])
def test_closed_form_matches_monte_carlo(row):
    _, p, q = row
    closed = tfd.kl_divergence(p, q)
    n = 100000
    x = p.sample(n, seed=5)
    diff = (p.log_prob(x) - q.log_prob(x)).double()
    mc, se = diff.mean(0), diff.std(0) / np.sqrt(n)
    assert closed.shape == mc.shape
    assert torch.all((closed - mc).abs() <= 5 * se + 1e-9), (closed, mc, se)
    torch.testing.assert_close(p.kl_divergence(q), closed)
    if row[0] != "Poisson":  # Poisson has no closed-form entropy
        torch.testing.assert_close(p.cross_entropy(q), p.entropy() + closed)


def test_custom_registration_is_used():
    class MyNormal(tfd.Normal):
        pass

    @tfd.RegisterKL(MyNormal, tfd.Normal)
    def _kl(a, b, name=None):
        return torch.tensor(42.0)

    assert float(tfd.kl_divergence(MyNormal(0.0, 1.0), tfd.Normal(0.0, 1.0))) == 42.0
    # the more specific Normal/Normal rule still applies the other way round
    assert float(tfd.kl_divergence(tfd.Normal(0.0, 1.0), MyNormal(1.0, 1.0))) == 0.5


def test_monte_carlo_fallback_on_request():
    p, q = tfd.StudentT(T(5.0), T(0.0), T(1.0)), tfd.Normal(T(0.3), T(1.2))
    with pytest.raises(NotImplementedError, match="num_samples"):
        tfd.kl_divergence(p, q)
    est = tfd.kl_divergence(p, q, num_samples=200000, seed=0)
    f = st.t(5.0)
    g = st.norm(0.3, 1.2)
    exact, _ = si.quad(lambda x: f.pdf(x) * (f.logpdf(x) - g.logpdf(x)), -60, 60)
    assert abs(float(est) - exact) < 0.01


def test_kl_shape_and_type_errors():
    with pytest.raises(ValueError, match="event shapes differ"):
        tfd.kl_divergence(tfd.MultivariateNormalDiag(torch.zeros(2)),
                          tfd.MultivariateNormalDiag(torch.zeros(3)))
    with pytest.raises(ValueError, match="batch shapes"):
        tfd.kl_divergence(tfd.Normal(torch.zeros(2), 1.0), tfd.Normal(torch.zeros(3), 1.0))
    with pytest.raises(TypeError, match="distribution_b"):
        tfd.kl_divergence(tfd.Normal(0.0, 1.0), 3.0)


def test_kl_is_differentiable():
    loc = torch.nn.Parameter(torch.tensor(1.0))
    kl = tfd.kl_divergence(tfd.Normal(loc, 1.0), tfd.Normal(0.0, 1.0))
    kl.backward()
    assert float(loc.grad) == pytest.approx(1.0)


def _torch_mvn(loc, scale_tril):
    return torch.distributions.MultivariateNormal(loc, scale_tril=scale_tril)


def test_iid_normals_vs_multivariate_normal_match_torch():
    # Independent(Normal, 1) and Sample(Normal, k) are the MVN with covariance diag(scale^2):
    # torch's MVN-MVN KL is the reference, in both directions, with batch broadcasting (a [4, 3]
    # Normal batch, a scalar scale)
    g = torch.Generator().manual_seed(3)
    loc_a = torch.randn(4, 3, generator=g, dtype=torch.float64)
    scale_a = torch.rand(4, 3, generator=g, dtype=torch.float64) + 0.3
    loc_b = torch.randn(3, generator=g, dtype=torch.float64)
    ind = tfd.Independent(tfd.Normal(loc_a, scale_a), 1)
    ind_scalar = tfd.Independent(tfd.Normal(loc_a, T(0.8)), 1)
    ta = _torch_mvn(loc_a, torch.diag_embed(scale_a))
    ta_scalar = _torch_mvn(loc_a, 0.8 * torch.eye(3, dtype=torch.float64).expand(4, 3, 3))
    # Sample(Normal, 3): three iid draws of each of a batch of 4 Normals
    sample = tfd.Sample(tfd.Normal(loc_a[:, 0], scale_a[:, 0]), 3)
    t_sample = _torch_mvn(loc_a[:, :1].expand(4, 3),
                          torch.diag_embed(scale_a[:, :1].expand(4, 3)))
    for mvn, tmvn in [
        (tfd.MultivariateNormalTriL(loc_b, L1), _torch_mvn(loc_b, L1)),
        (tfd.MultivariateNormalDiag(loc_b, T([1.5, 0.5, 2.0])),
         _torch_mvn(loc_b, torch.diag(T([1.5, 0.5, 2.0])))),
        (tfd.MultivariateNormalFullCovariance(loc_b, L2 @ L2.T), _torch_mvn(loc_b, L2)),
    ]:
        for p, tp in [(ind, ta), (ind_scalar, ta_scalar), (sample, t_sample)]:
            forward = tfd.kl_divergence(p, mvn)
            backward = tfd.kl_divergence(mvn, p)
            assert forward.shape == backward.shape == (4,)
            torch.testing.assert_close(forward, torch.distributions.kl_divergence(tp, tmvn))
            torch.testing.assert_close(backward, torch.distributions.kl_divergence(tmvn, tp))


def test_independent_of_other_base_against_mvn_has_no_closed_form():
    # Independent(Laplace) is not Gaussian: no rule, the Monte-Carlo fallback on request
    p = tfd.Independent(tfd.Laplace(T([0.0, 1.0]), T(1.0)), 1)
    q = tfd.MultivariateNormalDiag(T([0.0, 0.0]), T([1.0, 2.0]))
    with pytest.raises(NotImplementedError, match="num_samples"):
        tfd.kl_divergence(p, q)
    with pytest.raises(NotImplementedError, match="num_samples"):
        tfd.kl_divergence(q, p)
    # two sample dims of a Normal: event [2, 1], not an MVN's
    with pytest.raises(ValueError, match="event shapes differ"):
        tfd.kl_divergence(tfd.Sample(tfd.Normal(T(0.0), T(1.0)), [2, 1]), q)


def test_exact_kl_regularizer_with_independent_normal_prior():
    # the course VAE's prior Independent(Normal(0, 1), 1) with use_exact_kl=True on an
    # MultivariateNormalTriL encoder head: the per-example KL equals torch's, divided by the batch
    prior = tfd.Independent(tfd.Normal(torch.zeros(2), 1.0), reinterpreted_batch_ndims=1)
    layer = dp.layers.MultivariateNormalTriL(
        2, activity_regularizer=dp.layers.KLDivergenceRegularizer(prior, use_exact_kl=True))
    params = torch.randn(5, 5, generator=torch.Generator().manual_seed(0))
    q = layer(params)
    tq = _torch_mvn(q.mean(), q.scale_tril)
    tprior = _torch_mvn(torch.zeros(2), torch.eye(2))
    expected = torch.distributions.kl_divergence(tq, tprior).sum() / 5
    torch.testing.assert_close(layer.losses[0], expected)

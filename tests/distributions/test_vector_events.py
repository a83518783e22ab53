"""Vector-event distributions (multivariate normals, Dirichlet, OneHotCategorical, Multinomial)
and Categorical against scipy.stats / hand-written references."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
import torch

import deepprob as dp

tfd = dp.distributions
rng = np.random.default_rng(3)


def _tril(k):
    a = np.tril(rng.standard_normal((k, k)), -1) * 0.5
    return a + np.diag(rng.uniform(0.5, 1.5, k))


LOCS = rng.standard_normal((2, 3))
TRILS = np.stack([_tril(3), _tril(3)])
COVS = TRILS @ np.swapaxes(TRILS, -1, -2)
DIAGS = rng.uniform(0.5, 2.0, (2, 3))


def _mvns():
    T = torch.tensor
    return [
        ("TriL", tfd.MultivariateNormalTriL(T(LOCS), T(TRILS)), COVS),
        ("Full", tfd.MultivariateNormalFullCovariance(T(LOCS), T(COVS)), COVS),
        ("Diag", tfd.MultivariateNormalDiag(T(LOCS), T(DIAGS)),
         np.stack([np.diag(d**2) for d in DIAGS])),
    ]


@pytest.mark.parametrize("kind", ["TriL", "Full", "Diag"])
def test_multivariate_normal_against_scipy(kind):
    _, d, covs = next(m for m in _mvns() if m[0] == kind)
    x = rng.standard_normal((5, 2, 3))
    lp = d.log_prob(torch.tensor(x)).numpy()
    for b in range(2):
        ref = st.multivariate_normal(LOCS[b], covs[b])
        np.testing.assert_allclose(lp[:, b], ref.logpdf(x[:, b]), rtol=1e-10)
        np.testing.assert_allclose(d.entropy().numpy()[b], ref.entropy(), rtol=1e-10)
    np.testing.assert_allclose(d.covariance().numpy(), covs, rtol=1e-10)
    np.testing.assert_allclose(d.variance().numpy(), np.diagonal(covs, axis1=-2, axis2=-1),
                               rtol=1e-10)
    np.testing.assert_allclose(d.stddev().numpy() ** 2, d.variance().numpy(), rtol=1e-10)
    np.testing.assert_allclose(d.mean().numpy(), LOCS)
    s = d.sample(40000, seed=0).numpy()
    emp = np.einsum("nbi,nbj->bij", s - LOCS, s - LOCS) / 40000
    assert np.abs(emp - covs).max() < 0.1


@pytest.mark.parametrize("kind", ["TriL", "Full"])
def test_mvn_log_prob_and_sample_one_value_per_batch_member_match_torch(kind):
    # value batch == parameter batch: one direct triangular solve (the distribution-layer case);
    # values and gradients against torch.distributions.MultivariateNormal
    loc = torch.tensor(LOCS, requires_grad=True)
    tril = torch.tensor(TRILS, requires_grad=True)
    d = tfd.MultivariateNormalTriL(loc, tril) if kind == "TriL" else \
        tfd.MultivariateNormalFullCovariance(loc, tril @ tril.transpose(-1, -2))
    ref = torch.distributions.MultivariateNormal(loc, scale_tril=tril)
    x = torch.tensor(rng.standard_normal((2, 3)))
    lp, lp_ref = d.log_prob(x), ref.log_prob(x)
    torch.testing.assert_close(lp, lp_ref)
    for b in range(2):
        np.testing.assert_allclose(lp[b].item(), st.multivariate_normal(
            LOCS[b], COVS[b]).logpdf(x[b].numpy()), rtol=1e-10)
    # (the full covariance also depends on the zero upper entries of tril: compare loc only)
    wrt = (loc, tril) if kind == "TriL" else (loc,)
    g = torch.autograd.grad(lp.sum(), wrt)
    g_ref = torch.autograd.grad(lp_ref.sum(), wrt)
    for a, b in zip(g, g_ref):
        torch.testing.assert_close(a, b)
    # a seeded sample is loc + scale_tril @ eps with eps the seed's standard normals
    z = d.sample(4, seed=11)
    torch.manual_seed(11)
    eps = torch.randn(4, 2, 3, dtype=torch.float64)
    torch.testing.assert_close(z, loc + (tril @ eps.unsqueeze(-1)).squeeze(-1))
    gz = torch.autograd.grad(z.sum(), loc)[0]
    torch.testing.assert_close(gz, torch.full((2, 3), 4.0, dtype=torch.float64))


def test_mvn_defaults_loc_zero_and_identity_scale():
    d = tfd.MultivariateNormalDiag(scale_diag=[1.0, 2.0])
    torch.testing.assert_close(d.mean(), torch.zeros(2))
    d = tfd.MultivariateNormalTriL(loc=[1.0, 2.0])
    torch.testing.assert_close(d.covariance(), torch.eye(2))


def test_dirichlet_against_scipy():
    c = np.array([[1.5, 2.0, 3.0], [0.7, 4.0, 1.2]])
    d = tfd.Dirichlet(torch.tensor(c))
    x = st.dirichlet(c[0]).rvs(4, random_state=1)
    for b in range(2):
        ref = st.dirichlet(c[b])
        np.testing.assert_allclose(d.log_prob(torch.tensor(x)[:, None]).numpy()[:, b],
                                   ref.logpdf(x.T),
                                   rtol=1e-10)
        np.testing.assert_allclose(d.mean().numpy()[b], ref.mean(), rtol=1e-12)
        np.testing.assert_allclose(d.variance().numpy()[b], ref.var(), rtol=1e-12)
        np.testing.assert_allclose(d.entropy().numpy()[b], ref.entropy(), rtol=1e-10)
        np.testing.assert_allclose(np.diagonal(d.covariance().numpy()[b]), ref.var(), rtol=1e-12)
    assert torch.all(d.log_prob(torch.tensor([0.5, 0.6, -0.1], dtype=torch.float64)) == -np.inf)


def test_categorical_against_numpy():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    d = tfd.Categorical(probs=torch.tensor(p))
    k = torch.tensor([[0, 2], [2, 1]])
    np.testing.assert_allclose(d.log_prob(k).numpy(), np.log(p[[0, 1], k.numpy()]), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), -(p * np.log(p)).sum(-1), rtol=1e-12)
    np.testing.assert_allclose(d.cdf(torch.tensor([1.0, 0.0])).numpy(), [0.3, 0.5], rtol=1e-12)
    lp = d.log_prob(torch.tensor([3.0, -1.0]))
    assert torch.all(lp == -np.inf)
    assert d.mode().tolist() == [2, 0]
    logits = tfd.Categorical(logits=torch.log(torch.tensor(p)) + 3.0)
    torch.testing.assert_close(logits.log_prob(k), d.log_prob(k))


def test_onehot_and_multinomial_against_scipy():
    p = np.array([0.2, 0.3, 0.5])
    oh = tfd.OneHotCategorical(probs=torch.tensor(p))
    np.testing.assert_allclose(oh.log_prob(torch.tensor([0.0, 0.0, 1.0])).numpy(), np.log(0.5))
    np.testing.assert_allclose(oh.covariance().numpy(), st.multinomial(1, p).cov(), rtol=1e-12)
    np.testing.assert_allclose(oh.entropy().numpy(), st.multinomial(1, p).entropy(), rtol=1e-10)
    m = tfd.Multinomial(torch.tensor([5.0, 8.0], dtype=torch.float64), probs=torch.tensor(p))
    x = np.array([[1.0, 1.0, 3.0], [2.0, 2.0, 4.0]])
    expected = [st.multinomial(5, p).logpmf(x[0]), st.multinomial(8, p).logpmf(x[1])]
    np.testing.assert_allclose(m.log_prob(torch.tensor(x)).numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(m.covariance().numpy()[1], st.multinomial(8, p).cov(), rtol=1e-12)
    assert float(m.log_prob(torch.tensor([[1.0, 1.0, 1.0], [2, 2, 4]]))[0]) == -np.inf

"""Independent, Sample, BatchReshape, MixtureSameFamily, Mixture and joint distributions
against hand-written references."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
import torch

import deepprob as dp

tfd = dp.distributions


def T(x):
    return torch.tensor(x, dtype=torch.float64)


def test_sample_distribution_log_prob_and_moments():
    base = tfd.Gamma(T([2.0, 3.0]), T([1.0, 2.0]))
    d = tfd.Sample(base, [4])
    x = d.sample(3, seed=0)
    assert x.shape == (3, 2, 4)
    ref = st.gamma([2.0, 3.0], scale=[1.0, 0.5]).logpdf(np.moveaxis(x.numpy(), -1, 0)).sum(0)
    np.testing.assert_allclose(d.log_prob(x).numpy(), ref, rtol=1e-10)
    assert d.mean().shape == (2, 4)
    np.testing.assert_allclose(d.mean().numpy(), np.array([[2.0] * 4, [1.5] * 4]))
    torch.testing.assert_close(d.entropy(), 4 * base.entropy())


def test_batch_reshape_matches_base():
    base = tfd.Normal(T(np.arange(6.0)), T(np.linspace(0.5, 2, 6)))
    d = tfd.BatchReshape(base, [2, 3])
    x = torch.randn(5, 6, dtype=torch.float64)
    torch.testing.assert_close(d.log_prob(x.reshape(5, 2, 3)), base.log_prob(x).reshape(5, 2, 3))
    torch.testing.assert_close(d.cdf(x.reshape(5, 2, 3)), base.cdf(x).reshape(5, 2, 3))
    torch.testing.assert_close(d.variance(), base.variance().reshape(2, 3))
    torch.testing.assert_close(d.entropy(), base.entropy().reshape(2, 3))


def test_mixture_same_family_against_numpy():
    w = np.array([0.2, 0.5, 0.3])
    locs, scales = np.array([-2.0, 0.0, 3.0]), np.array([0.5, 1.0, 2.0])
    gm = tfd.MixtureSameFamily(tfd.Categorical(probs=T(w)), tfd.Normal(T(locs), T(scales)))
    x = np.linspace(-4, 6, 11)
    ref_pdf = (w * st.norm(locs, scales).pdf(x[:, None])).sum(-1)
    np.testing.assert_allclose(gm.prob(T(x)).numpy(), ref_pdf, rtol=1e-10)
    np.testing.assert_allclose(gm.cdf(T(x)).numpy(),
                               (w * st.norm(locs, scales).cdf(x[:, None])).sum(-1), rtol=1e-10)
    mean = (w * locs).sum()
    var = (w * (scales**2 + locs**2)).sum() - mean**2
    np.testing.assert_allclose(gm.mean().numpy(), mean)
    np.testing.assert_allclose(gm.variance().numpy(), var)
    s = gm.sample(50000, seed=1)
    assert abs(float(s.mean()) - mean) < 5 * np.sqrt(var / 50000)


def test_mixture_of_mvn_components():
    gm = tfd.MixtureSameFamily(
        tfd.Categorical(probs=T([0.3, 0.7])),
        tfd.MultivariateNormalDiag(T([[0.0, 0.0], [2.0, 1.0]]), T([[1.0, 1.0], [0.5, 2.0]])))
    x = T([[0.5, -0.5], [1.0, 2.0]])
    comps = [st.multivariate_normal([0, 0], np.diag([1, 1])),
             st.multivariate_normal([2, 1], np.diag([0.25, 4]))]
    ref = 0.3 * comps[0].pdf(x.numpy()) + 0.7 * comps[1].pdf(x.numpy())
    np.testing.assert_allclose(gm.prob(x).numpy(), ref, rtol=1e-10)
    np.testing.assert_allclose(gm.mean().numpy(), [1.4, 0.7])


def test_mixture_of_different_families():
    m = tfd.Mixture(tfd.Categorical(probs=T([0.4, 0.6])),
                    [tfd.Normal(T(0.0), T(1.0)), tfd.Laplace(T(2.0), T(0.5))])
    x = np.linspace(-3, 4, 8)
    ref = 0.4 * st.norm(0, 1).pdf(x) + 0.6 * st.laplace(2, 0.5).pdf(x)
    np.testing.assert_allclose(m.prob(T(x)).numpy(), ref, rtol=1e-10)
    var = 0.4 * 1 + 0.6 * (0.5 + 4) - 1.2**2
    np.testing.assert_allclose(m.variance().numpy(), var)
    assert m.sample((3, 2)).shape == (3, 2)


def test_joint_distribution_sequential_reverse_order_arguments():
    jd = tfd.JointDistributionSequential([
        tfd.Normal(T(0.0), T(1.0)),                        # a
        tfd.HalfNormal(T(1.0)),                            # b
        lambda b, a: tfd.Normal(a, b + 0.5),               # c: most recent value first
    ])
    a, b, c = jd.sample(4, seed=0)
    assert a.shape == b.shape == c.shape == (4,)
    lp = jd.log_prob([a, b, c])
    ref = (st.norm(0, 1).logpdf(a.numpy()) + st.halfnorm().logpdf(b.numpy())
           + st.norm(a.numpy(), b.numpy() + 0.5).logpdf(c.numpy()))
    np.testing.assert_allclose(lp.numpy(), ref, rtol=1e-10)
    torch.testing.assert_close(jd.log_prob(a, b, c), lp)
    parts = jd.log_prob_parts([a, b, c])
    torch.testing.assert_close(sum(parts), lp)
    assert jd.event_shape == [torch.Size([])] * 3


def test_joint_distribution_named_resolves_dependencies_by_name():
    jd = tfd.JointDistributionNamed(dict(
        x=lambda z, s: tfd.Normal(z, s),
        z=tfd.Normal(T(1.0), T(2.0)),
        s=tfd.Exponential(T(1.0)),
    ))
    v = jd.sample(3, seed=2)
    assert list(v) == ["x", "z", "s"]
    ref = (st.norm(1, 2).logpdf(v["z"].numpy()) + st.expon().logpdf(v["s"].numpy())
           + st.norm(v["z"].numpy(), v["s"].numpy()).logpdf(v["x"].numpy()))
    np.testing.assert_allclose(jd.log_prob(v).numpy(), ref, rtol=1e-10)
    np.testing.assert_allclose(jd.log_prob(**v).numpy(), ref, rtol=1e-10)
    with pytest.raises(ValueError, match="not in the model"):
        tfd.JointDistributionNamed(dict(x=lambda q: tfd.Normal(q, 1.0)))
    with pytest.raises(ValueError, match="no value given"):
        jd.log_prob(dict(x=v["x"]))


def test_joint_distribution_parameters_train():
    loc = torch.nn.Parameter(torch.tensor(0.0))
    jd = tfd.JointDistributionSequential([tfd.Normal(loc, 1.0),
                                          lambda z: tfd.Normal(z, 1.0)])
    assert [p is loc for p in jd.parameters()] == [True]


def test_independent_validate_and_default():
    d = tfd.Independent(tfd.Bernoulli(probs=0.5 * torch.ones(4, 3)))
    assert d.reinterpreted_batch_ndims == 1
    x = torch.ones(4, 3)
    torch.testing.assert_close(d.log_prob(x), torch.full((4,), 3 * np.log(0.5),
                                                         dtype=torch.float32))

"""TransformedDistribution: densities against SciPy, TFP's shapes, reparameterized sampling,
keyword pass-through for conditional flows, statistics of affine transforms, fitting."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st
import torch

import deepprob as dp

tfd, tfb = dp.distributions, dp.bijectors


class IIDNormal(tfd.Distribution):
    """A vector-event base (unit-variance normal around ``loc``), defined here so the tests only
    depend on the base class."""

    _param_event_ndims = {"loc": 1}

    def __init__(self, loc, name="IIDNormal"):
        super().__init__(parameters=dict(locals()),
                         reparameterization_type=tfd.FULLY_REPARAMETERIZED, name=name)

    def _event_shape(self):
        return self._value("loc").shape[-1:]

    def _log_prob(self, value, **kwargs):
        return (-0.5 * (value - self._value("loc")) ** 2 - 0.5 * math.log(2 * math.pi)).sum(-1)

    def _sample(self, sample_shape, **kwargs):
        loc = self._value("loc")
        return loc + torch.randn(sample_shape + self.batch_shape + self.event_shape)

    def _mean(self, **kwargs):
        return self._value("loc")

    def _covariance(self, **kwargs):
        k = self.event_shape[0]
        return torch.eye(k).expand(self.batch_shape + (k, k))

    def _entropy(self, **kwargs):
        k = self.event_shape[0]
        return torch.full(self.batch_shape, 0.5 * k * math.log(2 * math.pi * math.e))


class ConditionalShift(tfb.Bijector):
    def __init__(self, name="cond"):
        super().__init__(forward_min_event_ndims=0, name=name)

    def _forward(self, x, conditional_input=None):
        return x + conditional_input

    def _inverse(self, y, conditional_input=None):
        return y - conditional_input

    def _forward_log_det_jacobian(self, x, conditional_input=None):
        return torch.zeros_like(x)


def test_log_normal_as_exp_of_normal_against_scipy():
    mu, sigma = 0.3, 0.7
    d = tfd.TransformedDistribution(tfd.Normal(mu, sigma), tfb.Exp())
    ref = st.lognorm(s=sigma, scale=math.exp(mu))
    y = np.array([0.05, 0.5, 1.0, 2.5, 8.0])
    t = torch.tensor(y, dtype=torch.float32)
    np.testing.assert_allclose(d.log_prob(t).numpy(), ref.logpdf(y), rtol=1e-5)
    np.testing.assert_allclose(d.prob(t).numpy(), ref.pdf(y), rtol=1e-5)
    np.testing.assert_allclose(d.cdf(t).numpy(), ref.cdf(y), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(d.log_cdf(t).numpy(), ref.logcdf(y), rtol=1e-5)
    np.testing.assert_allclose(d.survival_function(t).numpy(), ref.sf(y), rtol=1e-5)
    p = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(d.quantile(torch.tensor(p, dtype=torch.float32)).numpy(),
                               ref.ppf(p), rtol=1e-5)
    assert d.name == "expNormal"
    samples = d.sample(20000, seed=0)
    assert abs(float(torch.log(samples).mean()) - mu) < 4 * sigma / math.sqrt(20000)
    with pytest.raises(NotImplementedError, match="constant Jacobian"):
        d.mean()


def test_decreasing_bijector_uses_survival_function():
    # exp(-X) for X ~ N(mu, s) is LogNormal(-mu, s); Reciprocal o Exp is decreasing
    d = tfd.TransformedDistribution(tfd.Normal(0.4, 0.5), tfb.Chain([tfb.Reciprocal(), tfb.Exp()]))
    ref = st.lognorm(s=0.5, scale=math.exp(-0.4))
    y = np.array([0.2, 0.7, 1.5])
    t = torch.tensor(y, dtype=torch.float32)
    np.testing.assert_allclose(d.cdf(t).numpy(), ref.cdf(y), rtol=1e-5)
    np.testing.assert_allclose(d.log_prob(t).numpy(), ref.logpdf(y), rtol=1e-5)
    np.testing.assert_allclose(d.quantile(torch.tensor([0.25, 0.75])).numpy(),
                               ref.ppf([0.25, 0.75]), rtol=1e-5)


def test_affine_transform_of_normal_against_scipy():
    # scale may be negative: the cdf branch is chosen per batch member
    d = tfd.TransformedDistribution(tfd.Normal(0.0, 1.0),
                                    tfb.Chain([tfb.Shift([2.0, -1.0]), tfb.Scale([3.0, -0.5])]))
    assert d.batch_shape == (2,) and d.event_shape == ()
    refs = [st.norm(2.0, 3.0), st.norm(-1.0, 0.5)]
    y = torch.tensor([[0.5, -1.2], [4.0, 0.3]])
    for j, ref in enumerate(refs):
        np.testing.assert_allclose(d.log_prob(y)[:, j].numpy(), ref.logpdf(y[:, j].numpy()),
                                   rtol=1e-5)
        np.testing.assert_allclose(d.cdf(y)[:, j].numpy(), ref.cdf(y[:, j].numpy()), rtol=1e-5)
    np.testing.assert_allclose(d.mean().numpy(), [2.0, -1.0])
    np.testing.assert_allclose(d.stddev().numpy(), [3.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(d.variance().numpy(), [9.0, 0.25], rtol=1e-6)
    np.testing.assert_allclose(d.entropy().numpy(), [r.entropy() for r in refs], rtol=1e-6)


def test_batch_shapes_follow_tfp():
    d = tfb.Scale([1.0, 2.0, 3.0])(tfd.Normal(0.0, 1.0))
    assert d.batch_shape == (3,)
    s = d.sample(4000, seed=1)
    assert s.shape == (4000, 3)
    np.testing.assert_allclose(s.std(0).numpy(), [1.0, 2.0, 3.0], rtol=0.06)
    assert d.log_prob(torch.zeros(3)).shape == (3,)
    d2 = tfb.Shift(torch.zeros(3, 1))(tfd.Normal(torch.zeros(2), 1.0))
    assert d2.batch_shape == (3, 2)
    assert d2.sample([5]).shape == (5, 3, 2)
    d3 = tfb.ScaleMatvecDiag([1.0, 2.0])(IIDNormal(torch.zeros(4, 2)))
    assert (d3.batch_shape, d3.event_shape) == ((4,), (2,))
    assert d3.sample(3).shape == (3, 4, 2)
    d4 = tfb.FillTriangular()(IIDNormal(torch.tensor([1.0, 2.0, 3.0])))
    assert (d4.batch_shape, d4.event_shape) == ((), (2, 2))
    assert d4.sample(5).shape == (5, 2, 2)
    torch.testing.assert_close(d4.mean(), torch.tensor([[3.0, 0.0], [2.0, 1.0]]))
    with pytest.raises(NotImplementedError, match="event rank"):
        d4.variance()


def test_multivariate_normal_via_scale_matvec_tril_against_scipy():
    L = torch.tensor([[1.5, 0.0], [0.6, 0.8]])
    mu = torch.tensor([1.0, -2.0])
    d = tfd.TransformedDistribution(IIDNormal(torch.zeros(2)),
                                    tfb.Chain([tfb.Shift(mu), tfb.ScaleMatvecTriL(L)]))
    ref = st.multivariate_normal(mu.numpy(), (L @ L.T).numpy())
    y = torch.randn(6, 2) * 2
    np.testing.assert_allclose(d.log_prob(y).numpy(), ref.logpdf(y.numpy()), rtol=1e-5)
    np.testing.assert_allclose(d.mean().numpy(), mu.numpy())
    np.testing.assert_allclose(d.covariance().numpy(), (L @ L.T).numpy(), rtol=1e-6)
    np.testing.assert_allclose(d.variance().numpy(), np.diag((L @ L.T).numpy()), rtol=1e-6)
    np.testing.assert_allclose(float(d.entropy()), ref.entropy(), rtol=1e-6)
    s = d.sample(20000, seed=2)
    np.testing.assert_allclose(np.cov(s.numpy().T), (L @ L.T).numpy(), atol=0.08)


def test_sampling_is_reparameterized_and_parameters_are_trainable():
    shift = torch.nn.Parameter(torch.tensor(1.0))
    scale = torch.nn.Parameter(torch.tensor(2.0))
    loc = torch.nn.Parameter(torch.tensor(0.5))
    d = tfd.TransformedDistribution(tfd.Normal(loc, 1.0),
                                    tfb.Chain([tfb.Shift(shift), tfb.Scale(scale)]))
    assert {id(p) for p in d.parameters()} == {id(shift), id(scale), id(loc)}
    assert d.reparameterization_type is tfd.FULLY_REPARAMETERIZED
    y = d.sample(10, seed=3)
    y.sum().backward()
    assert float(shift.grad) == 10.0
    torch.testing.assert_close(loc.grad, 10 * scale.detach())
    torch.testing.assert_close(scale.grad, ((y.detach() - 1.0) / 2.0).sum())
    torch.testing.assert_close(d.sample(4, seed=7), d.sample(4, seed=7))


def test_bijector_and_distribution_kwargs_pass_through():
    flow = tfd.TransformedDistribution(tfd.Normal(0.0, 1.0),
                                       tfb.Chain([tfb.Scale(2.0), ConditionalShift("cond")]))
    c = torch.tensor([1.0, -3.0])
    y = torch.tensor([0.5, 1.5])
    kw = {"cond": {"conditional_input": c}}
    expected = tfd.Normal(2 * c, 2.0).log_prob(y)
    torch.testing.assert_close(flow.log_prob(y, bijector_kwargs=kw), expected)
    torch.testing.assert_close(flow.prob(y, bijector_kwargs=kw), torch.exp(expected))
    s = flow.sample((2000, 2), seed=4, bijector_kwargs=kw)  # c broadcasts on the last axis
    assert s.shape == (2000, 2)
    np.testing.assert_allclose(s.mean(0).numpy(), (2 * c).numpy(), atol=0.2)
    y2, lp = flow.sample_and_log_prob((3, 2), seed=5, bijector_kwargs=kw)
    torch.testing.assert_close(lp, flow.log_prob(y2, bijector_kwargs=kw))
    with pytest.raises(TypeError, match="bijector_kwargs"):
        flow.log_prob(y, conditional_input=c)

    class Tempered(tfd.Normal):
        def _log_prob(self, value, temperature=1.0):
            return super()._log_prob(value) / temperature

    t = tfd.TransformedDistribution(Tempered(0.0, 1.0), tfb.Shift(1.0))
    torch.testing.assert_close(t.log_prob(1.0, distribution_kwargs={"temperature": 2.0}),
                               tfd.Normal(0.0, 1.0).log_prob(0.0) / 2)


def test_outside_the_range_gives_minus_inf_not_nan():
    d = tfb.Exp()(tfd.Normal(0.0, 1.0))
    lp = d.log_prob(torch.tensor([-1.0, 1.0]))
    assert lp[0] == -float("inf") and torch.isfinite(lp[1])
    strict = tfd.TransformedDistribution(tfd.Normal(0.0, 1.0), tfb.Exp(), validate_args=True)
    with pytest.raises(ValueError, match="outside the range"):
        strict.log_prob(torch.tensor([-1.0]))


def test_bad_input():
    with pytest.raises(TypeError, match="`distribution`"):
        tfd.TransformedDistribution(torch.distributions.Normal(0.0, 1.0), tfb.Exp())
    with pytest.raises(TypeError, match="`bijector`"):
        tfd.TransformedDistribution(tfd.Normal(0.0, 1.0), torch.exp)
    with pytest.raises(ValueError, match="Sample"):
        tfd.TransformedDistribution(tfd.Normal(0.0, 1.0), tfb.ScaleMatvecDiag([1.0, 2.0]))
    with pytest.raises(ValueError, match="does not broadcast"):
        tfb.Shift(torch.zeros(3))(tfd.Normal(torch.zeros(2), 1.0))
    d = tfb.Exp()(tfd.Normal(torch.zeros(2), 1.0))
    with pytest.raises(ValueError, match="does not broadcast"):
        d.log_prob(torch.ones(3))


def test_trainable_shift_scale_chain_fits_data():
    torch.manual_seed(0)
    data = torch.randn(2000) * 0.8 + 3.0
    shift = torch.nn.Parameter(torch.tensor(0.0))
    scale = dp.util.TransformedVariable(1.0, tfb.Softplus())
    d = tfd.TransformedDistribution(tfd.Normal(0.0, 1.0),
                                    tfb.Chain([tfb.Shift(shift), tfb.Scale(scale)]))
    opt = torch.optim.Adam(d.parameters(), lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        loss = -d.log_prob(data).mean()
        loss.backward()
        opt.step()
    assert abs(shift.item() - data.mean().item()) < 1e-2
    assert abs(scale.item() - data.std(correction=0).item()) < 1e-2


def test_kl_between_transforms_by_the_same_bijector():
    exp = tfb.Exp()
    p, q = exp(tfd.Normal(0.0, 1.0)), exp(tfd.Normal(1.0, 2.0))
    expected = math.log(2.0) + (1.0 + 1.0) / 8.0 - 0.5
    torch.testing.assert_close(tfd.kl_divergence(p, q), torch.tensor(expected))
    other = tfb.Exp()(tfd.Normal(1.0, 2.0))
    with pytest.raises(NotImplementedError, match="num_samples"):
        tfd.kl_divergence(p, other)
    mc = tfd.kl_divergence(p, other, num_samples=200000, seed=0)
    assert abs(float(mc) - expected) < 0.02

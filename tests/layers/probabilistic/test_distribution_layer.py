"""Distribution layers: parameterizations vs scipy / hand formulas, tensor conversion, symbolic
graphs, bad input, and a heteroscedastic-regression learning test."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

import deepprob as dp
from deepprob.layers import probabilistic as tfpl

tfd = dp.distributions


def _softplus(x):
    return np.log1p(np.exp(x))


def test_independent_normal_matches_scipy():
    params = torch.randn(5, 6)
    rv = tfpl.IndependentNormal((3,))(params)
    assert rv.batch_shape == (5,) and rv.event_shape == (3,)
    p = params.numpy()
    loc, scale = p[:, :3], _softplus(p[:, 3:])
    y = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    expected = stats.norm(loc, scale).logpdf(y).sum(-1)
    np.testing.assert_allclose(rv.log_prob(torch.from_numpy(y)).numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(rv.stddev().numpy(), scale, rtol=1e-5)
    assert tfpl.IndependentNormal.params_size((2, 3)) == 12


def test_independent_bernoulli_poisson_logistic():
    logits = torch.randn(4, 6)
    rv = tfpl.IndependentBernoulli((2, 3))(logits)
    y = (torch.rand(4, 2, 3) > 0.5).float()
    p = torch.sigmoid(logits).reshape(4, 2, 3).numpy()
    expected = stats.bernoulli(p).logpmf(y.numpy()).sum((-1, -2))
    np.testing.assert_allclose(rv.log_prob(y).numpy(), expected, rtol=1e-5)
    assert rv.sample().dtype == torch.float32  # a sample can feed the next layer

    log_rate = torch.randn(3, 2)
    counts = torch.tensor([[0.0, 1.0], [2.0, 3.0], [1.0, 5.0]])
    rv = tfpl.IndependentPoisson(2)(log_rate)
    expected = stats.poisson(np.exp(log_rate.numpy())).logpmf(counts.numpy()).sum(-1)
    np.testing.assert_allclose(rv.log_prob(counts).numpy(), expected, rtol=1e-5)

    params = torch.randn(3, 4)
    rv = tfpl.IndependentLogistic(2)(params)
    loc, scale = params[:, :2].numpy(), _softplus(params[:, 2:].numpy())
    expected = stats.logistic(loc, scale).logpdf(np.zeros((3, 2))).sum(-1)
    np.testing.assert_allclose(rv.log_prob(torch.zeros(3, 2)).numpy(), expected, rtol=1e-5)


def test_multivariate_normal_tril_covariance_and_log_prob():
    d = 3
    params = torch.randn(2, tfpl.MultivariateNormalTriL.params_size(d))
    params[:, d:] += 1.0  # a well-conditioned factor (float32 vs scipy's float64)
    rv = tfpl.MultivariateNormalTriL(d)(params)
    tril = dp.bijectors.FillScaleTriL(diag_shift=1e-5).forward(params[:, d:])
    cov = (tril @ tril.transpose(-1, -2)).numpy()
    np.testing.assert_allclose(rv.covariance().numpy(), cov, rtol=1e-5, atol=1e-6)
    y = np.random.default_rng(1).normal(size=(2, d))
    for i in range(2):
        ref = stats.multivariate_normal(params[i, :d].numpy(), cov[i]).logpdf(y[i])
        got = rv.log_prob(torch.tensor(y, dtype=torch.float32))[i].item()
        assert got == pytest.approx(ref, rel=1e-4)
    assert tfpl.MultivariateNormalTriL.params_size(2) == 5


def test_one_hot_categorical_and_mixtures():
    logits = torch.randn(4, 5)
    rv = tfpl.OneHotCategorical(5, convert_to_tensor_fn="mode")(logits)
    np.testing.assert_allclose(rv.mean().numpy(), torch.softmax(logits, -1).numpy(), rtol=1e-5)
    np.testing.assert_array_equal(rv._convert_to_tensor().numpy(),
                                  F.one_hot(logits.argmax(-1), 5).float().numpy())

    k = 3
    params = torch.randn(6, tfpl.MixtureNormal.params_size(k, [1]))
    rv = tfpl.MixtureNormal(k, [1])(params)
    y = torch.randn(6, 1)
    w = torch.log_softmax(params[:, :k], -1)
    comp = params[:, k:].reshape(6, k, 2)
    lp = stats.norm(comp[..., 0].numpy(), _softplus(comp[..., 1].numpy())).logpdf(y.numpy())
    expected = torch.logsumexp(w + torch.from_numpy(lp).float(), -1)
    np.testing.assert_allclose(rv.log_prob(y).numpy(), expected.numpy(), rtol=1e-5)

    params = torch.randn(2, tfpl.CategoricalMixtureOfOneHotCategorical.params_size(4, 2))
    rv = tfpl.CategoricalMixtureOfOneHotCategorical(4, 2)(params)
    w = torch.softmax(params[:, :2], -1)
    probs = torch.softmax(params[:, 2:].reshape(2, 2, 4), -1)
    np.testing.assert_allclose(rv.mean().numpy(), (w.unsqueeze(-1) * probs).sum(1).numpy(),
                               rtol=1e-5)


@pytest.mark.parametrize("fn", ["mean", tfd.Distribution.mean, lambda d: d.mean()])
def test_convert_to_tensor_fn_feeds_next_layer_and_predict(fn):
    model = dp.Sequential([
        dp.layers.Dense(2, input_shape=(3,)),
        tfpl.IndependentNormal(1, convert_to_tensor_fn=fn),
    ])
    x = np.random.default_rng(2).normal(size=(10, 3)).astype("float32")
    rv = model(torch.from_numpy(x))
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out, rv.mean().detach().numpy(), rtol=1e-5, atol=1e-6)


def test_sample_conversion_is_cached_once_per_forward():
    rv = tfpl.IndependentNormal(2)(torch.zeros(3, 4))
    a, b = rv._convert_to_tensor(), rv._convert_to_tensor()
    assert a is b  # the same draw for every consumer (decoder and KL test points)
    nxt = dp.layers.Dense(2)
    out = nxt(rv)
    torch.testing.assert_close(out, nxt(a))


def test_functional_model_with_distribution_output():
    x_in = dp.Input(shape=(3,))
    rv = tfpl.IndependentNormal(1)(dp.layers.Dense(2)(x_in))
    assert rv.is_object and rv.shape == (None, 1)
    model = dp.Model(x_in, rv)
    mean_model = dp.Model(x_in, rv.mean())
    x = torch.randn(4, 3)
    torch.testing.assert_close(mean_model(x), model(x).mean())
    # one Sequential: encoder -> distribution -> decoder (the distribution is sampled in between)
    seq = dp.Sequential([dp.layers.Dense(5, input_shape=(3,)), tfpl.MultivariateNormalTriL(2),
                         dp.layers.Dense(4), tfpl.IndependentBernoulli(4)])
    out = seq(x)
    assert out.batch_shape == (4,) and out.event_shape == (4,)


def test_fit_with_distribution_loss_and_history():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(256, 1)).astype("float32")
    y = (2 * x + 0.5 * rng.normal(size=(256, 1))).astype("float32")
    model = dp.Sequential([dp.layers.Dense(2, input_shape=(1,)), tfpl.IndependentNormal(1)])
    model.compile(optimizer=dp.optimizers.Adam(0.05), loss=lambda y, rv: -rv.log_prob(y))
    hist = model.fit(x, y, epochs=60, batch_size=32, verbose=0)
    assert list(hist.history) == ["loss"]  # no added losses: Keras's keys only
    rv = model(torch.from_numpy(x))
    assert float(rv.stddev().mean().detach()) == pytest.approx(0.5, rel=0.15)
    # the loss the trainer reports is the mean NLL of the data
    loss = model.evaluate(x, y, verbose=0, batch_size=256)
    assert loss == pytest.approx(float(-rv.log_prob(torch.from_numpy(y)).mean().detach()), rel=1e-4)


def test_bad_input_messages():
    with pytest.raises(ValueError, match=r"4 parameters.*received input of shape \(2, 3\)"):
        tfpl.IndependentNormal(2)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"5 parameters"):
        tfpl.MultivariateNormalTriL(2)(torch.zeros(2, 4))
    with pytest.raises(ValueError, match="convert_to_tensor_fn.*'mean'"):
        tfpl.IndependentNormal(1, convert_to_tensor_fn="meen")
    with pytest.raises(TypeError, match="must return a distribution"):
        tfpl.DistributionLambda(lambda t: t * 2)(torch.zeros(2))
    with pytest.raises(ValueError, match="event_shape"):
        tfpl.IndependentNormal((0, 2))


def test_learning_heteroscedastic_regression():  # learning test (~5 s)
    """Noise std grows with x: an IndependentNormal head tracks it (corr > 0.9) and its NLL
    beats the same network with a fixed (learned, constant) variance."""
    rng = np.random.default_rng(4)
    n = 2000
    x = rng.uniform(-1, 1, size=(n, 1)).astype("float32")
    true_std = (0.05 + 0.5 * (x + 1) / 2).astype("float32")
    y = (np.sin(3 * x) + true_std * rng.normal(size=(n, 1))).astype("float32")
    xv = np.linspace(-1, 1, 200, dtype="float32")[:, None]
    std_v = 0.05 + 0.5 * (xv + 1) / 2

    hetero = dp.Sequential([dp.layers.Dense(32, activation="tanh", input_shape=(1,)),
                            dp.layers.Dense(32, activation="tanh"),
                            dp.layers.Dense(tfpl.IndependentNormal.params_size(1)),
                            tfpl.IndependentNormal(1)])
    scale = tfpl.VariableLayer(1)

    class FixedVariance(dp.Model):
        def __init__(self):
            super().__init__()
            self.body = dp.Sequential([dp.layers.Dense(32, activation="tanh"),
                                       dp.layers.Dense(32, activation="tanh"),
                                       dp.layers.Dense(1)])
            self.scale = scale

        def call(self, t):
            return tfd.Independent(tfd.Normal(self.body(t), F.softplus(self.scale(t))), 1)

    homo = FixedVariance()
    for model in (hetero, homo):
        model.compile(optimizer=dp.optimizers.Adam(0.01), loss=lambda y, rv: -rv.log_prob(y))
        model.fit(x, y, epochs=40, batch_size=100, verbose=0)
    learned = hetero(torch.from_numpy(xv)).stddev().detach().numpy().ravel()
    corr = np.corrcoef(learned, std_v.ravel())[0, 1]
    assert corr > 0.9, corr
    yv = torch.from_numpy((np.sin(3 * xv) + std_v * rng.normal(size=xv.shape)).astype("float32"))
    nll_h = dp.uncertainty.nll(yv, hetero(torch.from_numpy(xv)))
    nll_f = dp.uncertainty.nll(yv, homo(torch.from_numpy(xv)))
    assert nll_h < nll_f - 0.1, (nll_h, nll_f)


def test_multivariate_normal_tril_layer_scale_equals_fill_scale_tril_bijector():
    """The layer fills the Cholesky factor by one gather: same values and gradients as TFP's
    FillScaleTriL(diag_shift=1e-5) bijector, with batch dimensions."""
    d = 4
    layer = dp.layers.MultivariateNormalTriL(d)
    params = torch.randn(3, 2, dp.layers.MultivariateNormalTriL.params_size(d),
                         requires_grad=True)
    dist = layer(params)
    ref = dp.bijectors.FillScaleTriL(diag_shift=1e-5).forward(params[..., d:])
    cov = dist.covariance()
    torch.testing.assert_close(cov, ref @ ref.transpose(-1, -2))
    torch.testing.assert_close(torch.linalg.cholesky(cov), ref, rtol=1e-4, atol=1e-5)
    w = torch.randn(3, 2, d)
    g_ours = torch.autograd.grad(dist.log_prob(w).sum(), params)[0]
    ref_dist = torch.distributions.MultivariateNormal(params[..., :d], scale_tril=ref)
    g_ref = torch.autograd.grad(ref_dist.log_prob(w).sum(), params)[0]
    torch.testing.assert_close(g_ours, g_ref, rtol=1e-4, atol=1e-5)

"""Variational layers: KL values vs closed forms, outputs vs hand computation with the sampled
weights, moments of Flipout / local reparameterization, and epistemic uncertainty."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import deepprob as dp
from deepprob.layers import probabilistic as tfpl

tfd = dp.distributions


def _course_prior(kernel_size, bias_size, dtype=None):
    n = kernel_size + bias_size
    return dp.Sequential([tfpl.DistributionLambda(
        lambda t: tfd.MultivariateNormalDiag(loc=torch.zeros(n), scale_diag=torch.ones(n)))])


def _course_posterior(kernel_size, bias_size, dtype=None):
    n = kernel_size + bias_size
    return dp.Sequential([
        tfpl.VariableLayer(tfpl.MultivariateNormalTriL.params_size(n), dtype=dtype,
                           initializer="random_normal"),
        tfpl.MultivariateNormalTriL(n),
    ])


def test_dense_variational_exact_kl_matches_closed_form():
    layer = tfpl.DenseVariational(2, _course_posterior, _course_prior, kl_weight=0.25,
                                  kl_use_exact=True)
    x = torch.randn(5, 3)
    layer(x)
    added = layer.losses
    n = 3 * 2 + 2
    q = layer._posterior(x)
    mu, cov = q.mean().detach().double(), q.covariance().detach().double()
    # KL(N(mu, S) || N(0, I)) = (tr S + mu'mu - n - log det S) / 2
    kl = 0.5 * (torch.trace(cov) + mu @ mu - n - torch.logdet(cov))
    assert len(added) == 1
    assert float(added[0]) == pytest.approx(0.25 * float(kl), rel=1e-4)


def test_dense_variational_output_uses_one_joint_sample():
    layer = tfpl.DenseVariational(2, tfpl.posterior_mean_field, tfpl.prior_trainable)
    x = torch.randn(4, 3)
    calls = []
    original = layer.__class__.kl_divergence

    def spy(self, q, r, w=None):
        calls.append(w)
        return original(self, q, r, w)

    layer.__class__.kl_divergence = spy
    try:
        out = layer(x)
    finally:
        layer.__class__.kl_divergence = original
    added = layer.losses
    w = calls[0]
    kernel, bias = w[:6].reshape(3, 2), w[6:]
    torch.testing.assert_close(out, x @ kernel + bias)
    # MC estimate at that sample: log q(w) - log p(w)
    q, r = layer._posterior(x), layer._prior(x)
    torch.testing.assert_close(added[0], q.log_prob(w) - r.log_prob(w))


def test_fixed_prior_is_cached_and_trainable_prior_is_not():
    fixed = tfpl.DenseVariational(2, tfpl.posterior_mean_field, _course_prior)
    fixed(torch.randn(4, 3))
    assert fixed._prior_cache is not None
    trainable = tfpl.DenseVariational(2, tfpl.posterior_mean_field, tfpl.prior_trainable)
    trainable(torch.randn(4, 3))
    assert trainable._prior_cache is None
    depends = tfpl.DenseVariational(2, tfpl.posterior_mean_field, lambda k, b, d: (
        lambda t: tfd.Independent(tfd.Normal(torch.zeros(k + b) + t.mean(), 1.0), 1)))
    depends(torch.randn(4, 3))
    assert depends._prior_cache is None


def test_dense_reparameterization_kl_and_output():
    layer = tfpl.DenseReparameterization(3, activation="relu")
    x = torch.randn(6, 4)
    out = layer(x)
    assert out.shape == (6, 3) and bool((out >= 0).all())
    loc = layer.kernel_posterior_loc
    scale = 1e-5 + F.softplus(layer.kernel_posterior_untransformed_scale)
    kl = (0.5 * (scale**2 + loc**2 - 1) - torch.log(scale)).sum()
    assert len(layer.losses) == 1  # the bias is a point estimate with no prior: no bias KL
    torch.testing.assert_close(layer.losses[0], kl)
    # a near-zero posterior scale makes it a plain Dense layer
    with torch.no_grad():
        layer.kernel_posterior_untransformed_scale.fill_(-30.0)
    expected = torch.relu(x @ loc + layer.bias_posterior_loc)
    torch.testing.assert_close(layer(x), expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("cls", [tfpl.DenseFlipout, tfpl.DenseLocalReparameterization,
                                 tfpl.DenseReparameterization])
def test_output_moments_match_the_posterior(cls):
    """Over fresh weight draws, the output of a fixed input has mean x @ loc + b and variance
    x^2 @ scale^2 (Flipout's sign flips and local reparameterization keep the marginals)."""
    layer = cls(2)
    x = torch.randn(1, 3)
    with torch.no_grad():
        layer(x)
        layer.kernel_posterior_untransformed_scale.fill_(math.log(math.expm1(0.5)))
        out = torch.cat([layer(x.repeat(8, 1)) for _ in range(1500)])
    loc = layer.kernel_posterior_loc
    mean = x[0] @ loc + layer.bias_posterior_loc
    std = torch.sqrt((x[0] ** 2) @ torch.full_like(loc, (0.5 + 1e-5) ** 2))
    n = out.shape[0]
    torch.testing.assert_close(out.mean(0), mean, atol=5 * float(std.max()) / math.sqrt(n / 8),
                               rtol=0)
    torch.testing.assert_close(out.std(0), std, rtol=0.08, atol=0)


def test_conv2d_reparameterization_matches_conv2d_when_deterministic():
    layer = tfpl.Convolution2DReparameterization(4, (3, 3), padding="same", strides=2,
                                                 activation="relu")
    x = torch.randn(2, 7, 7, 3)
    layer(x)
    with torch.no_grad():
        layer.kernel_posterior_untransformed_scale.fill_(-30.0)
    ref = dp.layers.Conv2D(4, (3, 3), padding="same", strides=2, activation="relu")
    ref(x)
    ref.set_weights([layer.kernel_posterior_loc.detach().numpy(),
                     layer.bias_posterior_loc.detach().numpy()])
    out = layer(x)
    assert len(layer.losses) == 1  # the kernel KL (the bias is a point estimate)
    torch.testing.assert_close(out, ref(x), atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("cls", [tfpl.Convolution1DFlipout, tfpl.Convolution1DReparameterization])
def test_conv1d_variational_mean(cls):
    layer = cls(2, 3)
    x = torch.randn(1, 6, 2)
    layer(x)
    with torch.no_grad():
        outs = torch.stack([layer(x) for _ in range(3000)])
    loc = layer.kernel_posterior_loc.detach()
    expected = F.conv1d(x.movedim(-1, 1), loc.permute(2, 1, 0)).movedim(1, -1) + \
        layer.bias_posterior_loc.detach()
    torch.testing.assert_close(outs.mean(0), expected, atol=0.02, rtol=0)


def test_learning_epistemic_uncertainty_grows_outside_training_range():  # learning test (~3 s)
    """Bayes by backprop on x in [-1, 1]: the epistemic std at |x| in [3, 4] is >= 3x inside."""
    rng = np.random.default_rng(0)
    n = 500
    x = rng.uniform(-1, 1, size=(n, 1)).astype("float32")
    y = (x**3 + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    model = dp.Sequential([
        tfpl.DenseVariational(16, tfpl.posterior_mean_field, _course_prior, kl_weight=1 / n,
                              activation="relu", input_shape=(1,)),
        tfpl.DenseVariational(2, tfpl.posterior_mean_field, _course_prior, kl_weight=1 / n),
        tfpl.DistributionLambda(lambda t: tfd.Independent(
            tfd.Normal(t[..., :1], 1e-3 + F.softplus(0.05 * t[..., 1:])), 1)),
    ])
    model.compile(optimizer=dp.optimizers.Adam(0.01), loss=lambda y, rv: -rv.log_prob(y))
    hist = model.fit(x, y, epochs=100, batch_size=100, verbose=0)
    assert set(hist.history) == {"loss", "nll", "kl"}
    inside = np.linspace(-1, 1, 50, dtype="float32")[:, None]
    outside = np.concatenate([np.linspace(-4, -3, 25), np.linspace(3, 4, 25)]).astype(
        "float32")[:, None]
    pin = dp.uncertainty.predictive(model, inside, samples=200)
    pout = dp.uncertainty.predictive(model, outside, samples=200)
    ratio = np.sqrt(pout.epistemic).mean() / np.sqrt(pin.epistemic).mean()
    assert ratio >= 3.0, ratio
    np.testing.assert_allclose(pin.total, pin.aleatoric + pin.epistemic, rtol=1e-6)


def _posterior_independent_normal(kernel_size, bias_size, dtype=None):
    n = kernel_size + bias_size
    return dp.Sequential([
        tfpl.VariableLayer(tfpl.IndependentNormal.params_size(n), dtype=dtype,
                           initializer="random_normal"),
        tfpl.IndependentNormal(n),
    ])


@pytest.mark.parametrize("make_posterior", [_course_posterior, _posterior_independent_normal])
def test_fast_posterior_path_equals_the_distribution_path(make_posterior):
    """The courses' posteriors are sampled from the variable directly: same weights, same KL
    value and same gradients as building the distribution and calling log_prob."""
    layer = tfpl.DenseVariational(2, make_posterior, _course_prior, kl_weight=0.5)
    x = torch.randn(5, 3)
    layer(x)
    assert layer._fast is not None
    n = 3 * 2 + 2
    variable = layer._posterior.layers[0].kernel
    torch.manual_seed(7)
    out = layer(x)
    (kl_fast,) = layer.losses
    grad_fast = torch.autograd.grad(kl_fast + out.sum(), variable)[0]
    torch.manual_seed(7)
    eps = torch.randn(n)
    q, r = layer._posterior(x), layer._prior(x)
    loc = q.mean()
    chol = torch.linalg.cholesky(q.covariance())
    w = loc + chol @ eps
    kl_ref = 0.5 * (q.log_prob(w) - r.log_prob(w))
    out_ref = x @ w[:6].reshape(3, 2) + w[6:]
    torch.testing.assert_close(out, out_ref, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(kl_fast, kl_ref, rtol=1e-5, atol=1e-5)
    grad_ref = torch.autograd.grad(kl_ref + out_ref.sum(), variable)[0]
    torch.testing.assert_close(grad_fast, grad_ref, rtol=1e-4, atol=1e-5)


def test_fast_path_not_taken_for_other_posteriors_or_exact_kl():
    custom = tfpl.DenseVariational(2, tfpl.posterior_mean_field, _course_prior)
    custom(torch.randn(4, 3))
    assert custom._fast is None
    mean = tfpl.DenseVariational(2, lambda k, b, dtype=None: dp.Sequential([
        tfpl.VariableLayer(2 * (k + b)), tfpl.IndependentNormal(k + b, convert_to_tensor_fn="mean")
    ]), _course_prior)
    out = mean(torch.ones(4, 3))
    assert mean._fast is None
    torch.testing.assert_close(out, torch.zeros(4, 2))  # the mean of zero parameters

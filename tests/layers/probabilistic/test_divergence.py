"""KL penalties: exact values, the batch-size division of activity regularizers, and the KL
counted once in the training objective (not twice as TFP + Keras 2, tfp#1215)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers import probabilistic as tfpl

tfd = dp.distributions


def _kl_normal_std(loc, scale):
    """KL(N(loc, scale) || N(0, 1)) summed over the last axis (closed form)."""
    return (0.5 * (scale**2 + loc**2 - 1) - torch.log(scale)).sum(-1)


def _encoder(prior, **reg_kwargs):
    return dp.Sequential([
        dp.layers.Dense(tfpl.IndependentNormal.params_size(2), input_shape=(3,)),
        tfpl.IndependentNormal(2, activity_regularizer=tfpl.KLDivergenceRegularizer(
            prior, **reg_kwargs)),
    ])


def test_activity_regularizer_exact_kl_divided_by_batch_once():
    prior = tfd.Independent(tfd.Normal(torch.zeros(2), 1.0), 1)
    model = _encoder(prior, use_exact_kl=True, weight=0.5)
    x = torch.randn(8, 3)
    rv = model(x)
    added = model.losses
    params = model.layers[0](x)
    loc, scale = params[:, :2], torch.nn.functional.softplus(params[:, 2:])
    expected = 0.5 * _kl_normal_std(loc, scale).sum() / 8
    assert len(added) == 1
    torch.testing.assert_close(added[0], expected)
    # the training objective: mean NLL + the KL once
    y = torch.randn(8, 2)
    model.compile(optimizer="sgd", loss=lambda y, rv: -rv.log_prob(y))
    logs = model.test_on_batch(x.numpy(), y.numpy(), return_dict=True)
    nll = float(-rv.log_prob(y).mean())
    assert logs["nll"] == pytest.approx(nll, rel=1e-5)
    assert logs["kl"] == pytest.approx(float(expected), rel=1e-5)
    assert logs["loss"] == pytest.approx(nll + float(expected), rel=1e-5)


def test_monte_carlo_kl_uses_the_sample_fed_forward():
    prior = tfd.Independent(tfd.Normal(torch.zeros(2), 1.0), 1)
    layer = tfpl.IndependentNormal(2, activity_regularizer=tfpl.KLDivergenceRegularizer(prior))
    params = torch.randn(5, 4)
    rv = layer(params)
    z = rv._convert_to_tensor()  # the cached sample, as the next layer receives it
    expected = (rv.log_prob(z) - prior.log_prob(z)).sum() / 5
    torch.testing.assert_close(layer.losses[0], expected)


def test_kl_divergence_add_loss_defaults_and_bad_input():
    prior = tfd.Independent(tfd.Normal(torch.zeros(2), 1.0), 1)
    loc, scale = torch.randn(4, 2), torch.rand(4, 2) + 0.5
    q = tfd.Independent(tfd.Normal(loc, scale), 1)
    exact = tfpl.KLDivergenceAddLoss(prior, use_exact_kl=True, weight=2.0)
    assert exact(q) is q  # passes the distribution through
    torch.testing.assert_close(exact.losses[0], 2.0 * _kl_normal_std(loc, scale).sum())
    mc = tfpl.KLDivergenceAddLoss(prior)  # TFP default: MC estimate averaged over the batch
    q2 = tfpl.IndependentNormal(2)(torch.randn(4, 4))
    mc(q2)
    z = q2._convert_to_tensor()
    torch.testing.assert_close(mc.losses[0], (q2.log_prob(z) - prior.log_prob(z)).mean())
    with pytest.raises(TypeError, match="distribution"):
        tfpl.KLDivergenceAddLoss(prior)(torch.zeros(3))
    with pytest.raises(TypeError, match="distribution_b"):
        tfpl.KLDivergenceAddLoss(torch.zeros(2) if False else 3.0)


def test_kl_add_loss_in_functional_model_trains_and_logs():
    prior = tfd.Independent(tfd.Normal(torch.zeros(2), 1.0), 1)
    x_in = dp.Input(shape=(3,))
    rv = tfpl.IndependentNormal(2)(dp.layers.Dense(4)(x_in))
    rv = tfpl.KLDivergenceAddLoss(prior, use_exact_kl=True, weight=1 / 64)(rv)
    model = dp.Model(x_in, rv)
    model.compile(optimizer="adam", loss=lambda y, rv: -rv.log_prob(y))
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    hist = model.fit(x, x[:, :2], epochs=2, batch_size=64, verbose=0)
    assert set(hist.history) == {"loss", "nll", "kl"}
    for a, b, c in zip(hist.history["loss"], hist.history["nll"], hist.history["kl"]):
        assert a == pytest.approx(b + c, rel=1e-5)

"""The BatchNormalization bijector: training and inference modes, moving statistics, log-dets."""

from __future__ import annotations

import math

import pytest
import torch

import deepprob as dp

tfb = dp.bijectors


def test_training_mode_normalizes_with_batch_statistics_and_updates_moving_averages():
    bn = tfb.BatchNormalization(momentum=0.9)
    y = torch.randn(500, 2) * torch.tensor([3.0, 0.5]) + torch.tensor([1.0, -2.0])
    x, ildj = bn.inverse_and_log_det_jacobian(y)  # builds lazily: gamma=1, beta=0
    var, mean = torch.var_mean(y, dim=0, correction=0)
    torch.testing.assert_close(x, (y - mean) / torch.sqrt(var + 1e-3))
    torch.testing.assert_close(ildj, -0.5 * torch.log(var + 1e-3).sum())
    torch.testing.assert_close(bn.inverse_log_det_jacobian(y), ildj)
    torch.testing.assert_close(bn.moving_mean, 0.1 * mean)
    torch.testing.assert_close(bn.moving_variance, 0.9 + 0.1 * var)
    assert sorted(n for n, _ in bn.named_parameters()) == ["beta", "gamma"]


def test_forward_uses_moving_statistics_and_eval_mode_inverts_it():
    bn = tfb.BatchNormalization(event_size=2)
    with torch.no_grad():
        bn.gamma.copy_(torch.tensor([2.0, 0.5]))
        bn.beta.copy_(torch.tensor([0.1, -0.2]))
        bn.moving_mean.copy_(torch.tensor([1.0, -1.0]))
        bn.moving_variance.copy_(torch.tensor([4.0, 9.0]))
    x = torch.randn(7, 2)
    sd = torch.sqrt(torch.tensor([4.0, 9.0]) + 1e-3)
    y = bn.forward(x)
    torch.testing.assert_close(y, (x - bn.beta) / bn.gamma * sd + bn.moving_mean)
    bn.eval()
    torch.testing.assert_close(bn.inverse(y), x)
    expected = -(math.log(2.0) + math.log(0.5)) + torch.log(sd).sum()
    torch.testing.assert_close(bn.forward_log_det_jacobian(x), expected.expand(()))
    before = bn.moving_mean.clone()
    bn.inverse(torch.randn(5, 2) + 10)
    torch.testing.assert_close(bn.moving_mean, before)  # eval mode: no update
    pinned = tfb.BatchNormalization(training=False, event_size=2)
    pinned.inverse(torch.randn(5, 2) + 10)
    torch.testing.assert_close(pinned.moving_mean, torch.zeros(2))


def test_gamma_gets_the_maximum_likelihood_gradient():
    bn = tfb.BatchNormalization(event_size=3)
    y = torch.randn(64, 3) * 2
    x, ildj = bn.inverse_and_log_det_jacobian(y)
    loss = -(-0.5 * (x ** 2).sum(-1) + ildj).mean()
    loss.backward()
    assert bn.gamma.grad is not None and torch.all(torch.isfinite(bn.gamma.grad))
    # d loss / d gamma = gamma * mean(xhat^2) - 1/gamma = 1 - 1 (xhat has unit variance)
    torch.testing.assert_close(bn.gamma.grad, torch.zeros(3), atol=2e-3, rtol=0)


def test_bad_input():
    with pytest.raises(ValueError, match="expected 2 features"):
        tfb.BatchNormalization(event_size=2).inverse(torch.zeros(4, 3))
    with pytest.raises(ValueError, match="momentum"):
        tfb.BatchNormalization(momentum=2.0)
    with pytest.raises(ValueError, match="batchnorm_layer"):
        tfb.BatchNormalization(batchnorm_layer=torch.nn.BatchNorm1d(2))


def test_symbolic_calls_build_but_do_not_update_moving_statistics():
    bn = tfb.BatchNormalization()
    x_ = dp.Input(shape=(3,))
    model = dp.Model(x_, bn.inverse(x_))  # shape inference builds gamma/beta on placeholders
    torch.testing.assert_close(bn.moving_mean, torch.zeros(3))
    torch.testing.assert_close(bn.moving_variance, torch.ones(3))
    owned = {id(p) for p in model.parameters()}
    assert id(bn.gamma) in owned and id(bn.beta) in owned
    y = torch.randn(50, 3) * 2 + 1
    out = model(y)
    var, mean = torch.var_mean(y, dim=0, correction=0)
    torch.testing.assert_close(out, (y - mean) / torch.sqrt(var + 1e-3))
    torch.testing.assert_close(bn.moving_mean, 0.01 * mean)  # real data updates them
    with tfb.bijector.frozen_statistics():
        bn.inverse(y)
    torch.testing.assert_close(bn.moving_mean, 0.01 * mean)

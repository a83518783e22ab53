"""dp.util.TransformedVariable: value, parameter, tensor behaviour, training through owners."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepprob as dp

tfb, tfd = dp.bijectors, dp.distributions


def test_value_is_bijector_of_unconstrained_parameter():
    tv = dp.util.TransformedVariable([0.5, 2.0], tfb.Softplus())
    torch.testing.assert_close(tv(), torch.tensor([0.5, 2.0]))
    raw = tv.pretransformed_input
    assert isinstance(raw, torch.nn.Parameter)
    torch.testing.assert_close(raw.detach(), torch.log(torch.expm1(torch.tensor([0.5, 2.0]))))
    assert [n for n, _ in tv.named_parameters()] == ["pretransformed_input"]
    assert tv.trainable_variables == (raw,)
    with torch.no_grad():
        raw.fill_(0.0)
    torch.testing.assert_close(tv(), torch.full((2,), np.log(2.0), dtype=torch.float32))


def test_acts_as_a_tensor():
    tv = dp.util.TransformedVariable(torch.tensor([1.0, 4.0]), tfb.Exp())
    value = torch.tensor([1.0, 4.0])
    torch.testing.assert_close(torch.sqrt(tv), torch.sqrt(value))
    torch.testing.assert_close(torch.stack([tv, value]), torch.stack([value, value]))
    torch.testing.assert_close(2 * tv, 2 * value)
    torch.testing.assert_close(tv / 2, value / 2)
    torch.testing.assert_close(1 - tv, 1 - value)
    torch.testing.assert_close(torch.tensor(3.0) * tv, 3 * value)
    torch.testing.assert_close(tv ** 2, value ** 2)
    torch.testing.assert_close(-tv, -value)
    torch.testing.assert_close(tv[1], value[1])
    np.testing.assert_allclose(tv.numpy(), [1.0, 4.0], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(tv), [1.0, 4.0], rtol=1e-6)
    assert tv.shape == (2,) and tv.dtype == torch.float32 and tv.ndim == 1
    assert float(dp.util.TransformedVariable(3.0, tfb.Exp())) == pytest.approx(3.0)
    # gradients reach the unconstrained parameter through torch functions on the variable
    torch.sum(torch.log(tv)).backward()
    torch.testing.assert_close(tv.pretransformed_input.grad, torch.ones(2))


def test_assign_and_dtype():
    tv = dp.util.TransformedVariable(1.0, tfb.Softplus(), dtype=torch.float64)
    assert tv.dtype == torch.float64
    tv.assign(3.0)
    assert tv().item() == pytest.approx(3.0)


def test_normal_with_transformed_variable_scale_fits_by_maximum_likelihood():
    torch.manual_seed(0)
    data = torch.randn(3000) * 2.5 - 1.0
    loc = torch.nn.Parameter(torch.tensor(0.0))
    scale = dp.util.TransformedVariable(1.0, tfb.Softplus())
    dist = tfd.Normal(loc=loc, scale=scale)
    names = sorted(n for n, _ in dist.named_parameters())
    assert names == ["loc", "scale.pretransformed_input"]
    opt = torch.optim.Adam(dist.parameters(), lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        loss = -dist.log_prob(data).mean()
        loss.backward()
        opt.step()
    assert abs(loc.item() - data.mean().item()) < 1e-2
    assert abs(scale.item() - data.std(correction=0).item()) < 1e-2
    assert scale().item() > 0


def test_bad_input():
    with pytest.raises(ValueError, match="outside the range of bijector 'softplus'"):
        dp.util.TransformedVariable(-1.0, tfb.Softplus())
    with pytest.raises(TypeError, match="`bijector`"):
        dp.util.TransformedVariable(1.0, torch.exp)
    with pytest.raises(TypeError, match="`initial_value`"):
        dp.util.TransformedVariable("one", tfb.Exp())

"""The Distribution base class: parameter protocol, module behaviour, TFP accessors, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.distributions import read_parameter, register_parameter

tfd = dp.distributions


class Softplused(torch.nn.Module):
    """A module returning a tensor when called (stands in for dp.util.TransformedVariable)."""

    def __init__(self, raw):
        super().__init__()
        self.raw = torch.nn.Parameter(torch.tensor(raw))

    def forward(self):
        return torch.nn.functional.softplus(self.raw)


def test_parameter_forms_and_dtype():
    for value in (1.5, [1.5], np.array([1.5]), np.float64(1.5), torch.tensor([1.5])):
        d = tfd.Normal(value, 1)
        assert d.mean().dtype == torch.float32
        assert float(d.mean().reshape(-1)[0]) == 1.5
    d = tfd.Normal(torch.zeros(2, dtype=torch.float64), 1.0)
    assert d.scale.dtype == torch.float64 and d.sample().dtype == torch.float64
    assert tfd.Normal(torch.tensor([1, 2]), 1.0).loc.dtype == torch.float32


def test_nn_parameter_and_module_parameters_are_registered_and_read_fresh():
    loc = torch.nn.Parameter(torch.tensor(0.0))
    scale = Softplused(0.0)
    d = tfd.Normal(loc, scale)
    names = sorted(n for n, _ in d.named_parameters())
    assert names == ["loc", "scale.raw"]
    assert d.trainable_variables == tuple(d.parameters())
    assert d.scale is scale  # as TFP returns the variable it was given
    before = d.stddev().detach().clone()
    with torch.no_grad():
        scale.raw.add_(1.0)
        loc.add_(2.0)
    assert d.stddev().item() == pytest.approx(float(torch.nn.functional.softplus(
        torch.tensor(1.0))))
    assert d.stddev().item() != float(before)
    assert d.mean().item() == 2.0


def test_constant_parameters_follow_module_but_stay_out_of_state_dict():
    d = tfd.Normal(torch.zeros(3), 1.0)
    assert d.state_dict() == {}
    assert d.to(torch.float64).loc.dtype == torch.float64


def test_register_and_read_parameter_helpers():
    m = torch.nn.Module()
    register_parameter(m, "a", [1.0, 2.0])
    register_parameter(m, "b", torch.nn.Parameter(torch.ones(2)))
    register_parameter(m, "c", Softplused(0.0))
    torch.testing.assert_close(read_parameter(m, "a"), torch.tensor([1.0, 2.0]))
    assert read_parameter(m, "b") is m.b
    torch.testing.assert_close(read_parameter(m, "c"), torch.tensor(np.log(2.0),
                                                                    dtype=torch.float32))
    with pytest.raises(TypeError, match="`d`"):
        register_parameter(m, "d", "text")


def test_broadcast_shapes_helper_matches_torch():
    from deepprob.distributions._params import broadcast_shapes, broadcast_shapes_or_raise, shape_of

    cases = [((), ()), ((3,), (3,)), ((3, 1), (4,)), ((1,), (2, 1, 5)), ((2, 3), (2, 3), (3,)),
             ((0,), (1,)), ((4, 1, 2), (1, 3, 1)), ((5,),)]
    for shapes in cases:
        shapes = [torch.Size(s) for s in shapes]
        assert broadcast_shapes(*shapes) == torch.broadcast_shapes(*shapes), shapes
    assert broadcast_shapes(torch.Size([3]), torch.Size([4])) is None
    assert broadcast_shapes(torch.Size([2, 3]), torch.Size([3, 3])) is None
    assert broadcast_shapes_or_raise(torch.Size([2, 1]), torch.Size([3])) == (2, 3)
    with pytest.raises(RuntimeError, match=r"\[2, 3\], \[3, 3\]"):  # as torch.broadcast_shapes
        broadcast_shapes_or_raise(torch.Size([2, 3]), torch.Size([3, 3]))
    with pytest.raises(ValueError, match="`loc` batch shape \\[3\\], `scale` batch shape \\[4\\]"):
        shape_of({"loc": torch.zeros(3), "scale": torch.ones(4)}, {})


def test_registered_constant_is_a_non_persistent_buffer_and_names_still_checked():
    class WithProperty(torch.nn.Module):
        @property
        def taken(self):
            return 1

    m = WithProperty()
    register_parameter(m, "a", torch.zeros(2))
    assert "a" in dict(m.named_buffers()) and m.state_dict() == {} and m.a is m._buffers["a"]
    with pytest.raises(KeyError, match="taken"):  # as nn.Module.register_buffer
        register_parameter(m, "taken", torch.zeros(2))


def test_parameters_dict_copy_and_name():
    d = tfd.Gamma(concentration=2.0, rate=3.0, name="g")
    params = d.parameters_dict
    assert params["concentration"] == 2.0 and params["rate"] == 3.0 and params["name"] == "g"
    c = d.copy(rate=6.0)
    assert isinstance(c, tfd.Gamma) and c.name == "g"
    assert float(c.mean()) == pytest.approx(2.0 / 6.0)
    assert "batch_shape=[]" in repr(d) and "Gamma" in repr(d)


def test_validate_args_errors_name_argument_and_value():
    with pytest.raises(ValueError, match=r"`scale`.*positive.*-1"):
        tfd.Normal(0.0, -1.0, validate_args=True)
    with pytest.raises(ValueError, match=r"`probs`.*\[0, 1\].*1.5"):
        tfd.Bernoulli(probs=1.5, validate_args=True)
    with pytest.raises(ValueError, match="`scale_tril`.*lower triangular"):
        tfd.MultivariateNormalTriL([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]], validate_args=True)
    with pytest.raises(ValueError, match="`covariance_matrix`"):
        tfd.MultivariateNormalFullCovariance([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]],
                                             validate_args=True)
    with pytest.raises(ValueError, match="`low` must be < `high`"):
        tfd.Uniform(2.0, 1.0, validate_args=True)
    with pytest.raises(ValueError, match="`probs`.*probability vector"):
        tfd.Categorical(probs=[0.5, 0.6], validate_args=True)
    with pytest.raises(ValueError, match="exactly one of `logits` and `probs`"):
        tfd.Bernoulli(logits=0.0, probs=0.5)
    # without validate_args the bad parameter is accepted (as TFP), values are not checked
    assert torch.isnan(tfd.Normal(0.0, -1.0).log_prob(0.0))


def test_validate_args_rechecks_trainable_parameters_at_each_call():
    scale = torch.nn.Parameter(torch.tensor(1.0))
    d = tfd.Normal(0.0, scale, validate_args=True)
    d.log_prob(0.0)
    with torch.no_grad():
        scale.fill_(-1.0)
    with pytest.raises(ValueError, match="`scale`"):
        d.log_prob(0.0)


def test_log_prob_value_validation():
    d = tfd.Poisson(2.0, validate_args=True)
    with pytest.raises(ValueError, match="value.*outside the support"):
        d.log_prob(-1.0)
    assert float(tfd.Poisson(2.0).log_prob(-1.0)) == -np.inf
    with pytest.raises(ValueError, match="quantile.*probability"):
        tfd.Normal(0.0, 1.0, validate_args=True).quantile(1.5)


def test_bernoulli_log_prob_is_cross_entropy_at_any_value():
    # TFP and torch.distributions (validate_args=False) compute x log p + (1 - x) log(1 - p) for
    # any real x (a VAE decoder on grayscale pixels); no support mask, no check.
    probs = torch.tensor([0.2, 0.7, 0.9], dtype=torch.float64)
    x = torch.tensor([0.5, 0.0, 2.0], dtype=torch.float64)
    expected = x * torch.log(probs) + (1 - x) * torch.log1p(-probs)
    lp = tfd.Bernoulli(probs=probs).log_prob(x)
    torch.testing.assert_close(lp, expected)
    torch.testing.assert_close(lp, torch.distributions.Bernoulli(
        probs=probs, validate_args=False).log_prob(x))
    logits = torch.logit(probs)
    torch.testing.assert_close(tfd.Bernoulli(logits=logits).log_prob(x), expected)
    torch.testing.assert_close(tfd.Independent(tfd.Bernoulli(logits=logits), 1).log_prob(x),
                               expected.sum())
    # 0/1 values: the probability mass
    torch.testing.assert_close(tfd.Bernoulli(probs=probs).prob(torch.tensor([1.0, 0.0, 1.0],
                                                                            dtype=torch.float64)),
                               torch.stack([probs[0], 1 - probs[1], probs[2]]))
    with pytest.raises(ValueError, match="value.*outside the support.*0 or 1"):
        tfd.Bernoulli(probs=probs, validate_args=True).log_prob(x)
    with pytest.raises(ValueError, match="value.*outside the support"):
        tfd.Independent(tfd.Bernoulli(logits=logits, validate_args=True), 1).log_prob(x)


def test_gradients_flow_from_network_outputs():
    net = torch.nn.Linear(2, 2)
    out = net(torch.ones(1, 2))
    d = tfd.Normal(out[:, 0], torch.nn.functional.softplus(out[:, 1]))
    d.log_prob(torch.tensor([0.3])).sum().backward()
    assert net.weight.grad is not None and torch.all(torch.isfinite(net.weight.grad))


def test_unimplemented_methods_raise_clearly():
    with pytest.raises(NotImplementedError, match="Poisson does not implement `entropy`"):
        tfd.Poisson(1.0).entropy()
    with pytest.raises(NotImplementedError, match="quantile"):
        tfd.Bernoulli(probs=0.5).quantile(0.5)


def test_value_methods_route_through_one_entry_point(monkeypatch):
    calls = []
    original = tfd.Distribution._call_value_method

    def spy(self, method, value, **kwargs):
        calls.append(method)
        return original(self, method, value, **kwargs)

    monkeypatch.setattr(tfd.Distribution, "_call_value_method", spy)
    d = tfd.Normal(0.0, 1.0)
    for m in ("log_prob", "prob", "cdf", "log_cdf", "survival_function",
              "log_survival_function", "quantile"):
        getattr(d, m)(0.5)
    assert calls == ["log_prob", "prob", "cdf", "log_cdf", "survival_function",
                     "log_survival_function", "quantile"]

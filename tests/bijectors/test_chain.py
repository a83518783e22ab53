"""Chain: TFP's order, event ranks, names, composition of log-dets."""

from __future__ import annotations

import math

import pytest
import torch

import deepprob as dp

tfb = dp.bijectors


def test_tfp_order():
    b1, b2 = tfb.Shift(1.0), tfb.Scale(3.0)
    x = torch.tensor([0.5, -2.0])
    torch.testing.assert_close(tfb.Chain([b1, b2]).forward(x), b1.forward(b2.forward(x)))
    torch.testing.assert_close(tfb.Chain([b1, b2]).inverse(x), b2.inverse(b1.inverse(x)))
    assert tfb.Chain([b1, b2]).name == "chain_of_shift_of_scale"


def test_log_det_is_sum_over_intermediates():
    chain = tfb.Chain([tfb.Exp(), tfb.Scale(2.0), tfb.Tanh()])
    x = torch.tensor([0.3, -0.7])
    t = torch.tanh(x)
    expected = torch.log(1 - t ** 2) + math.log(2.0) + 2 * t
    torch.testing.assert_close(chain.forward_log_det_jacobian(x), expected)


def test_min_event_ndims_and_shapes():
    chain = tfb.Chain([tfb.ScaleMatvecDiag([1.0, 2.0, 3.0, 4.0]), tfb.Exp()])
    assert (chain.forward_min_event_ndims, chain.inverse_min_event_ndims) == (1, 1)
    rank = tfb.Chain([tfb.Reshape([2, 2]), tfb.Exp()])
    assert (rank.forward_min_event_ndims, rank.inverse_min_event_ndims) == (1, 2)
    assert rank.forward_event_shape([4]) == (2, 2)
    assert rank.inverse_event_shape([2, 2]) == (4,)
    x = torch.randn(3, 4)
    torch.testing.assert_close(rank.forward_log_det_jacobian(x, event_ndims=1), x.sum(-1))
    torch.testing.assert_close(rank.inverse_log_det_jacobian(rank.forward(x), event_ndims=2),
                               -x.sum(-1))


def test_empty_chain_is_identity_and_params_train():
    empty = tfb.Chain()
    x = torch.randn(3)
    torch.testing.assert_close(empty.forward(x), x)
    torch.testing.assert_close(empty.forward_log_det_jacobian(x), torch.tensor(0.0))
    chain = tfb.Chain([tfb.Shift(torch.nn.Parameter(torch.tensor(0.0))),
                       tfb.Scale(torch.nn.Parameter(torch.tensor(1.0)))])
    assert len(list(chain.parameters())) == 2


def test_bad_input():
    with pytest.raises(TypeError, match="wrap it in a list"):
        tfb.Chain(tfb.Exp())
    with pytest.raises(TypeError, match="entry 1"):
        tfb.Chain([tfb.Exp(), torch.nn.Linear(2, 2)])


class Counting(tfb.Bijector):
    """Scale by a trainable factor, counting calls of each hook."""

    def __init__(self, name="counting"):
        super().__init__(forward_min_event_ndims=0, name=name)
        self.a = torch.nn.Parameter(torch.tensor(2.0))
        self.calls = {"forward": 0, "inverse": 0}

    def _forward(self, x, **kwargs):
        self.calls["forward"] += 1
        return self.a * x

    def _inverse(self, y, **kwargs):
        self.calls["inverse"] += 1
        return y / self.a

    def _forward_log_det_jacobian(self, x, **kwargs):
        return torch.log(torch.abs(self.a)).expand(x.shape)


def test_cache_reuses_intermediates_of_the_last_pass():
    inner = Counting()
    chain = tfb.Chain([tfb.Exp(), inner])
    x = torch.randn(5)
    y = chain.forward(x)
    assert inner.calls["forward"] == 1
    ldj = chain.forward_log_det_jacobian(x)
    assert inner.calls["forward"] == 1  # intermediates reused
    torch.testing.assert_close(ldj, 2 * x + math.log(2.0))
    assert chain.inverse(y) is x and inner.calls["inverse"] == 0  # TFP-style cached inverse
    torch.testing.assert_close(chain.inverse_log_det_jacobian(y), -ldj)
    assert inner.calls == {"forward": 1, "inverse": 0}


def test_log_prob_uses_the_cache_but_does_not_replace_it():
    # sample -> log_prob reuses the forward pass; log_prob's own inverse pass (whose base-space
    # point never leaves TransformedDistribution) is not recorded over the entry
    inner = Counting()
    chain = tfb.Chain([tfb.Exp(), inner])
    flow = dp.distributions.TransformedDistribution(dp.distributions.Normal(0.0, 1.0), chain)
    x = torch.randn(5)
    y = chain.forward(x)
    other = torch.rand(5) + 0.5
    lp_other = flow.log_prob(other)
    assert inner.calls["inverse"] == 1  # other was not cached: computed
    z = torch.log(other) / 2.0  # y = exp(2 x)
    torch.testing.assert_close(lp_other, dp.distributions.Normal(0.0, 1.0).log_prob(z)
                               - torch.log(other) - math.log(2.0))
    assert chain.inverse(y) is x  # the forward entry survived the log_prob call
    lp = flow.log_prob(y)
    assert inner.calls["inverse"] == 1  # served from the cache
    torch.testing.assert_close(lp, dp.distributions.Normal(0.0, 1.0).log_prob(x)
                               - 2.0 * x - math.log(2.0))


def test_cache_is_invalidated_by_parameter_updates_inplace_edits_and_kwargs():
    inner = Counting()
    chain = tfb.Chain([tfb.Exp(), inner])
    x = torch.randn(5)
    chain.forward(x)
    opt = torch.optim.SGD(chain.parameters(), lr=0.1)
    chain.forward_log_det_jacobian(x).sum().backward()
    opt.step()
    a = inner.a.item()
    assert a != 2.0
    ldj = chain.forward_log_det_jacobian(x)
    assert inner.calls["forward"] == 2
    torch.testing.assert_close(ldj, a * x + math.log(a))
    chain.forward(x)
    x.add_(1.0)
    torch.testing.assert_close(chain.forward_log_det_jacobian(x), a * x + math.log(a))
    with torch.no_grad():
        y = chain.forward(x)
    chain.inverse(y)
    assert inner.calls["inverse"] == 1  # grad mode changed: recomputed
    t1, t2 = torch.tensor(1.0), torch.tensor(1.0)
    y = chain.forward(x, counting={"context": t1})
    chain.inverse(y, counting={"context": t1})
    assert inner.calls["inverse"] == 1  # same keyword-argument objects: cached
    chain.inverse(y, counting={"context": t2})
    assert inner.calls["inverse"] == 2  # other objects: recomputed


def test_cache_is_not_part_of_the_state_and_can_be_disabled():
    import copy
    import pickle

    chain = tfb.Chain([tfb.Shift(torch.nn.Parameter(torch.tensor(1.0))), tfb.Exp()])
    chain.forward(torch.randn(3, requires_grad=True))
    clone = copy.deepcopy(chain)
    assert "_cache" not in clone.__dict__
    assert "_cache" not in pickle.loads(pickle.dumps(chain)).__dict__
    chain.cache_results = False
    chain.clear_cache()
    x = torch.randn(3)
    assert chain.inverse(chain.forward(x)) is not x


def test_cache_is_dropped_after_backward_through_it():
    chain = tfb.Chain([tfb.Exp(), tfb.Scale(torch.nn.Parameter(torch.tensor(2.0)))])
    x = torch.randn(4)
    for _ in range(3):  # the same input, repeated backward passes without optimizer steps
        y = chain.forward(x)
        ldj = chain.forward_log_det_jacobian(x)
        (y.sum() + ldj.sum()).backward()
    expected = 3 * (torch.exp(2 * x) * x).sum() + 3 * (x.numel() / 2.0 + x.sum())
    torch.testing.assert_close(chain.bijectors[1].scale.grad, expected)

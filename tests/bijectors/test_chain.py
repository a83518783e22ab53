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

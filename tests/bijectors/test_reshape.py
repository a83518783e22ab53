"""Permute and Reshape."""

from __future__ import annotations

import pytest
import torch

import deepprob as dp

tfb = dp.bijectors


def test_permute_matches_tfp_gather_semantics_and_is_saved():
    p = tfb.Permute([2, 0, 1])
    torch.testing.assert_close(p.forward(torch.tensor([10.0, 20.0, 30.0])),
                               torch.tensor([30.0, 10.0, 20.0]))
    assert torch.equal(p.state_dict()["permutation"], torch.tensor([2, 0, 1]))
    q = tfb.Permute([0, 1, 2])
    q.load_state_dict(p.state_dict())
    torch.testing.assert_close(q.inverse(q.forward(torch.arange(3.0))), torch.arange(3.0))
    torch.testing.assert_close(q.forward(torch.tensor([10.0, 20.0, 30.0])),
                               torch.tensor([30.0, 10.0, 20.0]))


def test_permute_inverse_follows_a_loaded_permutation():
    # the inverse permutation is cached; loading another permutation must refresh it
    q = tfb.Permute([0, 1, 2, 3])
    y = torch.tensor([10.0, 20.0, 30.0, 40.0])
    torch.testing.assert_close(q.inverse(y), y)
    q.load_state_dict(tfb.Permute([3, 0, 2, 1]).state_dict())
    # x[perm[i]] = y[i]  ->  x = [y1, y3, y2, y0]
    torch.testing.assert_close(q.inverse(y), torch.tensor([20.0, 40.0, 30.0, 10.0]))
    q.permutation.copy_(torch.tensor([1, 0, 2, 3]))
    torch.testing.assert_close(q.inverse(y), torch.tensor([20.0, 10.0, 30.0, 40.0]))


def test_reshape_resolves_minus_one_and_checks_shapes():
    r = tfb.Reshape([-1, 2], event_shape_in=[6])
    x = torch.arange(12.0).reshape(2, 6)
    assert r.forward(x).shape == (2, 3, 2)
    assert r.forward_event_shape([6]) == (3, 2)
    assert r.inverse_event_shape([3, 2]) == (6,)
    with pytest.raises(ValueError, match="cannot be reshaped"):
        tfb.Reshape([4]).forward(torch.zeros(6))
    with pytest.raises(ValueError, match="event_shape_in"):
        r.forward(torch.zeros(5))
    with pytest.raises(ValueError, match="at most one -1"):
        tfb.Reshape([-1, -1])


def test_permute_bad_input():
    with pytest.raises(ValueError, match="permutation of range"):
        tfb.Permute([0, 0, 1])
    with pytest.raises(ValueError, match="negative integer"):
        tfb.Permute([1, 0], axis=1)
    with pytest.raises(ValueError, match="expected size 2 on axis -1"):
        tfb.Permute([1, 0]).forward(torch.zeros(3))

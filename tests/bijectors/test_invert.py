"""Invert and Log."""

from __future__ import annotations

import torch

import deepprob as dp

tfb = dp.bijectors


def test_invert_swaps_directions_event_ranks_and_log_dets():
    ft = tfb.FillTriangular()
    inv = tfb.Invert(ft)
    assert (inv.forward_min_event_ndims, inv.inverse_min_event_ndims) == (2, 1)
    assert inv.name == "invert_fill_triangular"
    m = ft.forward(torch.arange(6.0))
    torch.testing.assert_close(inv.forward(m), torch.arange(6.0))
    assert inv.forward_event_shape([3, 3]) == (6,)
    sp = tfb.Invert(tfb.Softplus())
    y = torch.tensor([0.5, 2.0])
    torch.testing.assert_close(sp.forward_log_det_jacobian(y),
                               tfb.Softplus().inverse_log_det_jacobian(y))


def test_log_is_inverse_of_exp():
    y = torch.tensor([0.5, 2.0, 10.0])
    torch.testing.assert_close(tfb.Log().forward(y), torch.log(y))
    torch.testing.assert_close(tfb.Log().forward_log_det_jacobian(y), -torch.log(y))
    assert tfb.Log().name == "log"

"""Blockwise."""

from __future__ import annotations

import pytest
import torch

import deepprob as dp

tfb = dp.bijectors


def test_blocks_get_their_bijector_and_log_dets_add():
    b = tfb.Blockwise([tfb.Exp(), tfb.Scale(2.0)], block_sizes=[2, 1])
    x = torch.tensor([[0.0, 1.0, 3.0]])
    torch.testing.assert_close(b.forward(x), torch.tensor([[1.0, torch.e, 6.0]]))
    torch.testing.assert_close(b.forward_log_det_jacobian(x),
                               torch.tensor([1.0 + torch.log(torch.tensor(2.0)).item()]))
    assert b.name == "blockwise_of_exp_and_scale"
    default = tfb.Blockwise([tfb.Exp(), tfb.Identity()])
    assert default.block_sizes == [1, 1]


def test_bad_input():
    with pytest.raises(ValueError, match="block_sizes"):
        tfb.Blockwise([tfb.Exp()], block_sizes=[1, 2])
    with pytest.raises(ValueError, match="last dimension of 3"):
        tfb.Blockwise([tfb.Exp(), tfb.Exp()], [1, 2]).forward(torch.zeros(4))
    with pytest.raises(ValueError, match="scalars or vectors"):
        tfb.Blockwise([tfb.FillTriangular()], [3])

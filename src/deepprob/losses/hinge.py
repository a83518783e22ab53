"""Hinge losses for -1/1 (or 0/1) targets and for one-hot targets.

Example:
    >>> dp.losses.hinge(torch.tensor([[1.0]]), torch.tensor([[0.25]]))
    tensor([0.7500])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from deepprob.losses._utils import align


def _signed(y_true: torch.Tensor) -> torch.Tensor:
    # Keras maps 0/1 labels to -1/1; labels already in {-1, 1} are unchanged.
    return torch.where(y_true == 0, -torch.ones_like(y_true), y_true)


def hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; 0/1 targets become -1/1.

    Args:
        y_true: -1/1 or 0/1 targets.
        y_pred: scores.

    Example:
        >>> hinge(torch.tensor([[0.0]]), torch.tensor([[0.5]]))
        tensor([1.5000])
    """
    y_true, y_pred = align(y_true, y_pred)
    return F.relu(1.0 - _signed(y_true) * y_pred).mean(dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``; 0/1 targets become -1/1.

    Args:
        y_true: -1/1 or 0/1 targets.
        y_pred: scores.

    Example:
        >>> squared_hinge(torch.tensor([[0.0]]), torch.tensor([[0.5]]))
        tensor([2.2500])
    """
    y_true, y_pred = align(y_true, y_pred)
    return torch.square(F.relu(1.0 - _signed(y_true) * y_pred)).mean(dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` over the last axis.

    Args:
        y_true: one-hot targets.
        y_pred: scores.

    Example:
        >>> categorical_hinge(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, 0.6]]))
        tensor([0.7000])
    """
    y_true, y_pred = align(y_true, y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return F.relu(neg - pos + 1.0)

"""Per-sample regression and divergence losses (the mean over the last axis, as Keras).

Example:
    >>> dp.losses.mean_squared_error(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([0.5000])
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from deepprob.losses._utils import EPSILON, align


def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """``mean((y_true - y_pred) ** 2, axis=-1)``.

    Args:
        y_true: targets, shape ``(..., d)`` (or ``(...,)`` against a ``(..., 1)`` prediction).
        y_pred: predictions.

    Example:
        >>> mean_squared_error(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
        tensor([1.])
    """
    y_true, y_pred = align(y_true, y_pred)
    return torch.square(y_pred - y_true).mean(dim=-1)


def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``.

    Args:
        y_true: targets.
        y_pred: predictions.

    Example:
        >>> mean_absolute_error(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
        tensor([1.])
    """
    y_true, y_pred = align(y_true, y_pred)
    return (y_pred - y_true).abs().mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), 1e-7)), axis=-1)``.

    Args:
        y_true: targets.
        y_pred: predictions.

    Example:
        >>> mean_absolute_percentage_error(torch.tensor([[2.0]]), torch.tensor([[1.0]]))
        tensor([50.])
    """
    y_true, y_pred = align(y_true, y_pred)
    return 100.0 * ((y_true - y_pred).abs() / y_true.abs().clamp_min(EPSILON)).mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)``.

    Args:
        y_true: non-negative targets.
        y_pred: predictions.

    Example:
        >>> mean_squared_logarithmic_error(torch.tensor([[0.0]]), torch.tensor([[math.e - 1]]))
        tensor([1.])
    """
    y_true, y_pred = align(y_true, y_pred)
    diff = torch.log1p(y_pred.clamp_min(EPSILON)) - torch.log1p(y_true.clamp_min(EPSILON))
    return torch.square(diff).mean(dim=-1)


def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Huber loss: ``0.5 * x**2`` for ``|x| <= delta``, ``delta * |x| - 0.5 * delta**2`` above.

    Args:
        y_true: targets.
        y_pred: predictions.
        delta: where the loss turns from quadratic to linear.

    Example:
        >>> huber(torch.tensor([[0.0]]), torch.tensor([[3.0]]))
        tensor([2.5000])
    """
    y_true, y_pred = align(y_true, y_pred)
    return F.huber_loss(y_pred, y_true, reduction="none", delta=float(delta)).mean(dim=-1)


def log_cosh(y_true, y_pred) -> torch.Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow.

    Args:
        y_true: targets.
        y_pred: predictions.

    Example:
        >>> log_cosh(torch.tensor([[0.0]]), torch.tensor([[100.0]]))  # ~ 100 - log(2)
        tensor([99.3069])
    """
    y_true, y_pred = align(y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - math.log(2.0)).mean(dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """``mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)`` (Poisson NLL up to a constant).

    Args:
        y_true: counts.
        y_pred: predicted rates (positive).

    Example:
        >>> poisson(torch.tensor([[0.0]]), torch.tensor([[2.0]]))
        tensor([2.])
    """
    y_true, y_pred = align(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + EPSILON)).mean(dim=-1)


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[1e-7, 1]``.

    Args:
        y_true: target probabilities.
        y_pred: predicted probabilities.

    Example:
        >>> kl_divergence(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]]))  # log 2
        tensor([0.6931])
    """
    y_true, y_pred = align(y_true, y_pred)
    y_true = y_true.clamp(EPSILON, 1.0)
    return (y_true * torch.log(y_true / y_pred.clamp(EPSILON, 1.0))).sum(dim=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 when aligned (Keras's sign).

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: the axis of the vectors compared.

    Example:
        >>> cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 0.0]]))
        tensor([-1.])
    """
    y_true, y_pred = align(y_true, y_pred)
    # Keras divides by sqrt(max(sum(x**2), 1e-12)), i.e. by max(norm, 1e-6).
    return -(F.normalize(y_true, dim=axis, eps=1e-6)
             * F.normalize(y_pred, dim=axis, eps=1e-6)).sum(dim=axis)

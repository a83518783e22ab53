"""Point-forecast errors: ``mse``, ``rmse``, ``mae``, ``mape``, ``mase``.

They reduce over every value and return a 0-d torch tensor (``.numpy()`` and ``float()`` work,
as in the courses' ``keras.metrics.mean_absolute_error(x_valid, forecast).numpy()``). Shapes must
agree, up to trailing size-1 dimensions (``(n,)`` against ``(n, 1)`` is accepted instead of
silently broadcasting to ``(n, n)``).
"""

from __future__ import annotations

import numpy as np
import torch


def _pair(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    a = _tensor(y_true, "y_true")
    b = _tensor(y_pred, "y_pred")
    sa = tuple(d for d in a.shape)
    sb = tuple(d for d in b.shape)

    def core(s):
        s = list(s)
        while s and s[-1] == 1:
            s.pop()
        return tuple(s)

    if sa != sb:
        if core(sa) != core(sb):
            raise ValueError(
                f"Arguments `y_true` and `y_pred` must have the same shape; received {sa} and "
                f"{sb}."
            )
        a, b = a.reshape(core(sa)), b.reshape(core(sb))
    if a.numel() == 0:
        raise ValueError("Arguments `y_true` and `y_pred` are empty.")
    dtype = torch.promote_types(a.dtype, b.dtype)
    if not dtype.is_floating_point:
        dtype = torch.float32
    return a.to(dtype), b.to(dtype)


def _tensor(x, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.detach()
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Argument `{name}`: expected numbers, received dtype {arr.dtype}.")
    return torch.from_numpy(np.ascontiguousarray(arr))


def mse(y_true, y_pred) -> torch.Tensor:
    """Mean squared error.

    Args:
        y_true: actual values.
        y_pred: forecasts (same shape).

    Example:
        >>> float(mse([1.0, 2.0], [1.0, 4.0]))
        2.0
    """
    a, b = _pair(y_true, y_pred)
    return torch.mean((a - b) ** 2)


def rmse(y_true, y_pred) -> torch.Tensor:
    """Root mean squared error.

    Example:
        >>> float(rmse([0.0, 0.0], [3.0, 4.0])) == (12.5) ** 0.5
        True
    """
    return torch.sqrt(mse(y_true, y_pred))


def mae(y_true, y_pred) -> torch.Tensor:
    """Mean absolute error.

    Args:
        y_true: actual values.
        y_pred: forecasts.

    Example:
        >>> float(mae([1.0, 2.0], [2.0, 4.0]))
        1.5
    """
    a, b = _pair(y_true, y_pred)
    return torch.mean(torch.abs(a - b))


def mape(y_true, y_pred) -> torch.Tensor:
    """Mean absolute percentage error, ``100 * mean(|y - f| / max(|y|, eps))`` (Keras's form).

    Example:
        >>> round(float(mape([2.0, 4.0], [1.0, 5.0])), 6)
        37.5
    """
    a, b = _pair(y_true, y_pred)
    eps = torch.finfo(a.dtype).eps
    return 100.0 * torch.mean(torch.abs(a - b) / torch.clamp(torch.abs(a), min=eps))


def mase(y_true, y_pred, y_train, seasonality: int = 1) -> torch.Tensor:
    """Mean absolute scaled error: MAE divided by the in-sample MAE of the seasonal naive
    forecast on ``y_train`` (``mean |y_train[t] - y_train[t - seasonality]|``).

    Args:
        y_true: actual values.
        y_pred: forecasts.
        y_train: the training part of the series (1-D).
        seasonality: lag of the naive forecast used for scaling.

    Example:
        >>> float(mase([3.0], [4.0], y_train=[0.0, 2.0, 4.0]))
        0.5
    """
    train = _tensor(y_train, "y_train").reshape(-1)
    if isinstance(seasonality, bool) or int(seasonality) != seasonality or seasonality < 1:
        raise ValueError(
            f"Argument `seasonality`: expected an integer >= 1, received {seasonality!r}."
        )
    m = int(seasonality)
    if len(train) <= m:
        raise ValueError(
            f"Argument `y_train`: needs more than seasonality={m} values, received {len(train)}."
        )
    train = train.to(torch.float64 if train.dtype == torch.float64 else torch.float32)
    scale = torch.mean(torch.abs(train[m:] - train[:-m]))
    if float(scale) == 0.0:
        raise ValueError("Argument `y_train`: the in-sample naive error is zero; MASE is undefined.")
    err = mae(y_true, y_pred)
    return err / scale.to(err.dtype)

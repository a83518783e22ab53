"""Input checks and NumPy/torch round trips for the time-series helpers."""

from __future__ import annotations

import numpy as np
import torch


def as_series(series, argument: str = "series", min_length: int = 1) -> torch.Tensor:
    """A 1-D float tensor view of ``series`` (NumPy, torch, list), with clear errors."""
    if isinstance(series, torch.Tensor):
        t = series.detach()
    else:
        arr = np.asarray(series)
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"Argument `{argument}`: expected numbers, received an array of dtype {arr.dtype}."
            )
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if t.dim() != 1:
        raise ValueError(
            f"Argument `{argument}`: expected a 1-D series, received shape {tuple(t.shape)}."
        )
    if not t.is_floating_point():
        t = t.to(torch.float64)
    if len(t) < min_length:
        raise ValueError(
            f"Argument `{argument}`: expected at least {min_length} values, received {len(t)}."
        )
    return t


def like(reference, value: torch.Tensor):
    """Return ``value`` as NumPy when ``reference`` was not a tensor (the courses' NumPy)."""
    return value if isinstance(reference, torch.Tensor) else value.cpu().numpy()


def positive_int(value, argument: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"Argument `{argument}`: expected an integer >= {minimum}, received {value!r}."
        )
    return int(value)

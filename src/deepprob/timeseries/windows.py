"""Windows of a series for training (``windowed_dataset``) and forecasting (``model_forecast``)."""

from __future__ import annotations

import numpy as np
import torch

from deepprob import config
from deepprob.data import Dataset
from deepprob.timeseries._arrays import positive_int


def _values(series, argument: str = "series") -> torch.Tensor:
    if isinstance(series, torch.Tensor):
        t = series.detach()
    else:
        arr = np.asarray(series)
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"Argument `{argument}`: expected numbers, received an array of dtype {arr.dtype}."
            )
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if t.dim() == 0:
        raise ValueError(f"Argument `{argument}`: expected a series (time first), received a scalar.")
    return t.to(config.floatx())


def windowed_dataset(series, window_size: int, batch_size: int = 32, shuffle_buffer: int = 1000,
                     seed: int | None = None) -> Dataset:
    """The courses' training pipeline: windows of ``window_size`` values labelled with the next
    value, shuffled through a buffer and batched.

    Same elements as the course's
    ``from_tensor_slices(series).window(w + 1, shift=1, drop_remainder=True)
    .flat_map(lambda w: w.batch(w + 1)).shuffle(b).map(lambda w: (w[:-1], w[-1])).batch(bs)``,
    run as strided views. Values are cast to ``float32`` (``floatx``).

    Args:
        series: 1-D series, or ``(time, features)``.
        window_size: input steps per window (``window_size + 1 <= len(series)``).
        batch_size: windows per batch.
        shuffle_buffer: shuffle buffer size.
        seed: shuffle seed (``None``: from torch's global generator).

    Example:
        >>> ds = windowed_dataset(np.arange(30.0), window_size=5, batch_size=4, shuffle_buffer=10)
        >>> x, y = next(iter(ds))
        >>> tuple(x.shape), tuple(y.shape)
        ((4, 5), (4,))
    """
    window_size = positive_int(window_size, "window_size")
    batch_size = positive_int(batch_size, "batch_size")
    shuffle_buffer = positive_int(shuffle_buffer, "shuffle_buffer")
    values = _values(series)
    if window_size + 1 > len(values):
        raise ValueError(
            f"Argument `window_size`: windows of {window_size} inputs plus 1 label need at least "
            f"{window_size + 1} values, but the series has {len(values)}."
        )
    ds = Dataset.from_tensor_slices(values)
    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size + 1))
    ds = ds.shuffle(shuffle_buffer, seed=seed).map(lambda w: (w[:-1], w[-1]))
    return ds.batch(batch_size).prefetch(1)


def windows(series, window_size: int) -> torch.Tensor:
    """All ``len(series) - window_size + 1`` windows as one strided view (no copy).

    Args:
        series: 1-D series, or ``(time, features)``.
        window_size: steps per window.

    Example:
        >>> windows(np.arange(4.0), 3).tolist()
        [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]]
    """
    window_size = positive_int(window_size, "window_size")
    values = _values(series)
    if window_size > len(values):
        raise ValueError(
            f"Argument `window_size`: {window_size} is larger than the series "
            f"({len(values)} values)."
        )
    return values.unfold(0, window_size, 1).movedim(-1, 1)


def model_forecast(model, series, window_size: int, batch_size: int = 32) -> np.ndarray:
    """The course's ``model_forecast``: the model's prediction for every window of
    ``window_size`` consecutive values (``len(series) - window_size + 1`` rows), batched through
    ``model.predict`` without a per-window Python loop.

    Args:
        model: anything with ``predict(x, batch_size=..., verbose=0)`` (a deepprob model).
        series: 1-D series, or ``(time, features)``.
        window_size: steps per window.
        batch_size: windows per predict batch.

    Example:
        >>> forecast = model_forecast(model, series, 30, 32)  # doctest: +SKIP
        >>> forecast = forecast[split_time - 30:-1, 0]  # doctest: +SKIP
    """
    batch_size = positive_int(batch_size, "batch_size")
    x = windows(series, window_size)
    return model.predict(x, batch_size=batch_size, verbose=0)

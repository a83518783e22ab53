"""Forecast baselines from the courses: naive, seasonal naive, moving averages, differencing.

Each takes the whole series and returns one-step-ahead forecasts (NumPy in, NumPy out; torch in,
torch out), computed as strided views (``Tensor.unfold``) rather than Python loops.
"""

from __future__ import annotations

from deepprob.timeseries._arrays import as_series, like, positive_int


def _split(split_time, n: int, lowest: int) -> int:
    if split_time is None:
        return lowest
    split = positive_int(split_time, "split_time", minimum=0)
    if not lowest <= split <= n:
        raise ValueError(
            f"Argument `split_time`: expected a value in [{lowest}, {n}] for a series of {n} "
            f"values, received {split}."
        )
    return split


def naive_forecast(series, split_time: int | None = None):
    """Tomorrow equals today: forecasts of ``series[t]`` for ``t >= split_time`` are
    ``series[t - 1]`` (the course's ``series[split_time - 1:-1]``).

    Args:
        series: 1-D series.
        split_time: first forecast step (default 1: forecast everything forecastable).

    Example:
        >>> naive_forecast(np.array([1.0, 2.0, 4.0]), split_time=1).tolist()
        [1.0, 2.0]
    """
    s = as_series(series, min_length=2)
    split = _split(split_time, len(s), 1)
    return like(series, s[split - 1:-1])


def seasonal_naive_forecast(series, period: int, split_time: int | None = None):
    """Forecast ``series[t]`` by ``series[t - period]`` for ``t >= split_time``.

    Args:
        series: 1-D series.
        period: season length (e.g. 365 for daily data with a yearly season).
        split_time: first forecast step (default ``period``).

    Example:
        >>> seasonal_naive_forecast(np.arange(6.0), period=2, split_time=4).tolist()
        [2.0, 3.0]
    """
    period = positive_int(period, "period")
    s = as_series(series, min_length=period + 1)
    split = _split(split_time, len(s), period)
    return like(series, s[split - period:len(s) - period])


def moving_average_forecast(series, window_size: int):
    """The course's moving average: ``len(series) - window_size`` forecasts, the ``i``-th the
    mean of ``series[i:i + window_size]`` (so it forecasts step ``i + window_size``).

    Args:
        series: 1-D series.
        window_size: values averaged (<= ``len(series)``).

    Example:
        >>> moving_average_forecast(np.array([1.0, 3.0, 5.0, 7.0]), 2).tolist()
        [2.0, 4.0]
    """
    window_size = positive_int(window_size, "window_size")
    s = as_series(series)
    if window_size > len(s):
        raise ValueError(
            f"Argument `window_size`: {window_size} is larger than the series ({len(s)} values)."
        )
    means = s.unfold(0, window_size, 1).mean(dim=-1)
    return like(series, means[:-1])


def centered_moving_average(series, window_size: int):
    """Centred moving average: value ``j`` is the mean of ``series[j:j + window_size]``, the
    smoothed value at step ``j + window_size // 2`` (``len(series) - window_size + 1`` values).

    Args:
        series: 1-D series.
        window_size: values averaged.

    Example:
        >>> centered_moving_average(np.array([1.0, 2.0, 6.0]), 3).tolist()
        [3.0]
    """
    window_size = positive_int(window_size, "window_size")
    s = as_series(series)
    if window_size > len(s):
        raise ValueError(
            f"Argument `window_size`: {window_size} is larger than the series ({len(s)} values)."
        )
    return like(series, s.unfold(0, window_size, 1).mean(dim=-1))


def difference(series, period: int = 1):
    """``series[t] - series[t - period]`` for ``t >= period`` (removes trend and season).

    Args:
        series: 1-D series.
        period: lag (365 removes a yearly season from daily data).

    Example:
        >>> difference(np.array([1.0, 4.0, 9.0]), 1).tolist()
        [3.0, 5.0]
    """
    period = positive_int(period, "period")
    s = as_series(series, min_length=period + 1)
    return like(series, s[period:] - s[:-period])


def differenced_moving_average_forecast(series, split_time: int, period: int = 365,
                                        window_size: int = 50,
                                        smooth_past_window: int | None = None):
    """The course's best statistical forecast: a moving average of the differenced series plus
    the value one period back, ``forecast[t] = MA(diff)[t] + series[t - period]``.

    The moving average covers ``diff[t - period - window_size: t - period]`` (differences of
    steps before ``t``). With ``smooth_past_window = k`` the past value is replaced by the mean
    of ``series[t - period - k // 2: t - period - k // 2 + k]`` (the course: ``k = 10``).

    Args:
        series: 1-D series.
        split_time: first forecast step (needs ``split_time >= period + window_size``).
        period: differencing lag.
        window_size: moving-average window over the differences.
        smooth_past_window: optional centred smoothing of the past values.

    Example:
        >>> s = np.tile(np.arange(4.0), 5)  # period 4, no noise
        >>> differenced_moving_average_forecast(s, 12, period=4, window_size=2).tolist()
        [0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0]
    """
    period = positive_int(period, "period")
    window_size = positive_int(window_size, "window_size")
    s = as_series(series)
    n = len(s)
    split = positive_int(split_time, "split_time", minimum=0)
    lowest = period + window_size
    if smooth_past_window is not None:
        k = positive_int(smooth_past_window, "smooth_past_window")
        lowest = max(lowest, period + k // 2)
        if n - period - k // 2 + k > n:
            raise ValueError(
                f"Argument `smooth_past_window`: {k} reaches past the end of the series."
            )
    if not lowest <= split <= n:
        raise ValueError(
            f"Argument `split_time`: expected a value in [{lowest}, {n}] (period + window_size "
            f"values are needed before the first forecast), received {split}."
        )
    diff = s[period:] - s[:-period]  # diff[i] = s[i + period] - s[i]
    # forecast for t uses diff indices (t - period - window_size) .. (t - period - 1)
    means = diff.unfold(0, window_size, 1).mean(dim=-1)  # means[j] = mean(diff[j:j+w])
    ma = means[split - period - window_size: n - period - window_size]
    if smooth_past_window is None:
        past = s[split - period: n - period]
    else:
        k = smooth_past_window
        smooth = s.unfold(0, k, 1).mean(dim=-1)  # smooth[j] = mean(s[j:j+k])
        past = smooth[split - period - k // 2: n - period - k // 2]
    return like(series, ma + past)

"""The courses' synthetic series, value for value as their NumPy code makes them.

Functions take a ``time`` array (the courses use ``np.arange(4 * 365 + 1, dtype="float32")``)
and return NumPy arrays, so results equal the course notebooks' exactly.
"""

from __future__ import annotations

import numpy as np


def _time(time, argument: str = "time") -> np.ndarray:
    arr = np.asarray(time.detach().cpu().numpy() if hasattr(time, "detach") else time)
    if arr.ndim != 1 or arr.dtype.kind not in "iuf":
        raise ValueError(
            f"Argument `{argument}`: expected a 1-D numeric array of time steps, received "
            f"{'an array of shape ' + str(arr.shape) if arr.ndim != 1 else 'dtype ' + str(arr.dtype)}."
        )
    return arr


def trend(time, slope: float = 0.0) -> np.ndarray:
    """A straight line ``slope * time``.

    Args:
        time: 1-D array of time steps.
        slope: the slope.

    Example:
        >>> trend(np.arange(3.0), 0.5).tolist()
        [0.0, 0.5, 1.0]
    """
    return slope * _time(time)


def seasonal_pattern(season_time) -> np.ndarray:
    """The courses' arbitrary pattern: a cosine for the first 40% of a season, then a decay.

    Args:
        season_time: position inside the season, in ``[0, 1)``.

    Example:
        >>> float(seasonal_pattern(np.array([0.0]))[0])
        1.0
    """
    season_time = np.asarray(season_time)
    return np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time))


def seasonality(time, period: float, amplitude: float = 1.0, phase: float = 0) -> np.ndarray:
    """The seasonal pattern repeated every ``period`` steps, scaled by ``amplitude``.

    Args:
        time: 1-D array of time steps.
        period: season length (> 0).
        amplitude: scale.
        phase: shift of the pattern in time steps.

    Example:
        >>> [round(v, 3) for v in seasonality(np.arange(2.0), period=2, amplitude=3)]
        [3.0, 0.669]
    """
    if not period > 0:
        raise ValueError(f"Argument `period`: expected a positive number, received {period!r}.")
    season_time = ((_time(time) + phase) % period) / period
    return amplitude * seasonal_pattern(season_time)


def noise(time, noise_level: float = 1.0, seed: int | None = None) -> np.ndarray:
    """Gaussian noise ``RandomState(seed).randn(len(time)) * noise_level`` (the courses').

    Args:
        time: 1-D array of time steps (only its length is used).
        noise_level: standard deviation.
        seed: NumPy ``RandomState`` seed.

    Example:
        >>> noise(np.arange(3), 0.0, seed=1).tolist()
        [0.0, -0.0, -0.0]
    """
    rnd = np.random.RandomState(seed)
    return rnd.randn(len(_time(time))) * noise_level


def autocorrelation(time, amplitude: float = 1.0, seed: int | None = None,
                    phis: dict[int, float] | None = None, initial: float | None = None) -> np.ndarray:
    """An autoregressive series ``ar[t] = e[t] + sum_lag phi_lag * ar[t - lag]``, as the course.

    With the defaults it is the course's AR(1) (``phi = 0.8``); ``phis={50: 0.5, 33: -0.1},
    initial=100`` is the course's other version (its first 50 values set to 100).

    Args:
        time: 1-D array of time steps.
        amplitude: scale of the result.
        seed: NumPy ``RandomState`` seed of the innovations ``e``.
        phis: ``{lag: coefficient}``; default ``{1: 0.8}``.
        initial: value given to the ``max(lag)`` warm-up steps before ``time[0]``.

    Example:
        >>> autocorrelation(np.arange(5), 1.0, seed=42).shape
        (5,)
    """
    phis = {1: 0.8} if phis is None else dict(phis)
    if not phis or any(int(k) < 1 for k in phis):
        raise ValueError(f"Argument `phis`: expected positive integer lags, received {phis!r}.")
    n = len(_time(time))
    lag_max = max(int(k) for k in phis)
    rnd = np.random.RandomState(seed)
    ar = rnd.randn(n + lag_max)
    if initial is not None:
        ar[:lag_max] = initial
    for step in range(lag_max, n + lag_max):
        for lag, phi in phis.items():
            ar[step] += phi * ar[step - int(lag)]
    return ar[lag_max:] * amplitude


def impulses(time, num_impulses: int, amplitude: float = 1.0, seed: int | None = None) -> np.ndarray:
    """Zeros with ``num_impulses`` random spikes of height ``U(0, 1) * amplitude``.

    (The course's version always draws 10 positions whatever ``num_impulses``; here the
    argument is honoured.)

    Args:
        time: 1-D array of time steps.
        num_impulses: number of spikes (positions may repeat, adding up).
        amplitude: largest spike height.
        seed: NumPy ``RandomState`` seed.

    Example:
        >>> int((impulses(np.arange(100), 3, seed=0) > 0).sum()) <= 3
        True
    """
    n = len(_time(time))
    if isinstance(num_impulses, bool) or int(num_impulses) != num_impulses or num_impulses < 0:
        raise ValueError(
            f"Argument `num_impulses`: expected a non-negative integer, received {num_impulses!r}."
        )
    rnd = np.random.RandomState(seed)
    indices = rnd.randint(n, size=int(num_impulses))
    series = np.zeros(n)
    for index in indices:
        series[index] += rnd.rand() * amplitude
    return series


def synthetic_series(periods: int = 4, baseline: float = 10, slope: float = 0.05,
                     amplitude: float = 40, noise_level: float = 5, period: float = 365,
                     seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """The courses' 4-year daily series ``(time, series)`` (1,461 float32 values; the courses
    split it at ``split_time = 1000``).

    ``time = np.arange(4 * 365 + 1, dtype="float32")``;
    ``series = baseline + trend(time, slope) + seasonality(time, 365, amplitude)``, then
    ``series += noise(time, noise_level, seed=42)``.

    Args:
        periods: number of years.
        baseline, slope, amplitude, noise_level, period, seed: the course's settings.

    Example:
        >>> time, series = synthetic_series()
        >>> series.shape, series.dtype
        ((1461,), dtype('float32'))
    """
    time = np.arange(periods * int(period) + 1, dtype="float32")
    series = baseline + trend(time, slope) + seasonality(time, period=period, amplitude=amplitude)
    series += noise(time, noise_level, seed=seed)
    return time, series


SPLIT_TIME = 1000

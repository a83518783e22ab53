"""Plots of the time-series toolkit: series with forecasts, residuals, the LR sweep."""

from __future__ import annotations

import numpy as np


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(10, 6))
    return ax


def _np(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def plot_series(time, series, format: str = "-", start: int = 0, end: int | None = None,
                label: str | None = None, ax=None):
    """The courses' ``plot_series``: one or more series against time.

    Args:
        time: time steps.
        series: a series, or a tuple of series to draw together.
        format: matplotlib line format.
        start, end: the slice of the series to draw.
        label: legend label (one series).
        ax: axes to draw on (default: a new figure).

    Example:
        >>> ax = plot_series(np.arange(5), np.arange(5) ** 2)
    """
    ax = _axes(ax)
    t = _np(time)
    group = series if isinstance(series, tuple) else (series,)
    for s in group:
        ax.plot(t[start:end], _np(s)[start:end], format, label=label)
    ax.set_xlabel("Time")
    ax.set_ylabel("Value")
    ax.grid(True)
    if label:
        ax.legend()
    return ax


def plot_forecast(time, actual, forecasts: dict, ax=None):
    """Actual values with one or more named forecasts over the same time steps.

    Args:
        time: time steps of the forecast period.
        actual: actual values there.
        forecasts: ``{name: forecast}``.
        ax: axes to draw on.

    Example:
        >>> ax = plot_forecast(np.arange(3), [1, 2, 3], {"naive": [0, 1, 2]})
    """
    ax = _axes(ax)
    t = _np(time)
    ax.plot(t, _np(actual), "-", label="actual")
    for name, f in forecasts.items():
        f = _np(f).reshape(-1)
        if len(f) != len(t):
            raise ValueError(
                f"Argument `forecasts`[{name!r}]: {len(f)} values for {len(t)} time steps."
            )
        ax.plot(t, f, "-", label=name)
    ax.set_xlabel("Time")
    ax.set_ylabel("Value")
    ax.grid(True)
    ax.legend()
    return ax


def plot_residuals(time, actual, forecast, ax=None):
    """Forecast errors ``actual - forecast`` over time, with their mean.

    Example:
        >>> ax = plot_residuals(np.arange(3), [1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    """
    ax = _axes(ax)
    a, f = _np(actual).reshape(-1), _np(forecast).reshape(-1)
    if a.shape != f.shape:
        raise ValueError(
            f"Arguments `actual` and `forecast` must have the same length; received {len(a)} "
            f"and {len(f)}."
        )
    resid = a - f
    ax.plot(_np(time), resid, "-", label="residual")
    ax.axhline(float(resid.mean()), color="k", linestyle="--", label="mean")
    ax.set_xlabel("Time")
    ax.set_ylabel("Residual")
    ax.grid(True)
    ax.legend()
    return ax


def plot_lr_sweep(sweep, ax=None):
    """Loss against learning rate on a log axis, marking the suggested rate.

    Args:
        sweep: a :class:`~deepprob.timeseries.lr_sweep.SweepResult`.
        ax: axes to draw on.
    """
    ax = _axes(ax)
    ax.semilogx(sweep.learning_rates, sweep.losses)
    ax.axvline(sweep.suggested, color="r", linestyle="--", label=f"suggested {sweep.suggested:.2e}")
    ax.set_xlabel("Learning rate")
    ax.set_ylabel("Loss")
    ax.grid(True)
    ax.legend()
    return ax

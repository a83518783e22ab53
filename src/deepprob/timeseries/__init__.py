"""``dp.timeseries``: the courses' time-series toolkit.

Synthetic series (``trend``, ``seasonality``, ``noise``, ``synthetic_series`` ...), baselines
(``naive_forecast``, ``moving_average_forecast``, differencing), errors (``mae``, ``mse`` ...) and
the window pipelines (``windowed_dataset``, ``model_forecast``).

Example:
    >>> import deepprob as dp
    >>> time, series = dp.timeseries.synthetic_series()
    >>> naive = dp.timeseries.naive_forecast(series, split_time=1000)
    >>> round(float(dp.timeseries.mae(series[1000:], naive)), 2)  # doctest: +SKIP
"""

from deepprob.timeseries.baselines import (
    centered_moving_average,
    difference,
    differenced_moving_average_forecast,
    moving_average_forecast,
    naive_forecast,
    seasonal_naive_forecast,
)
from deepprob.timeseries.lr_sweep import SweepResult, learning_rate_sweep, suggest_learning_rate
from deepprob.timeseries.metrics import mae, mape, mase, mse, rmse
from deepprob.timeseries.plots import plot_forecast, plot_lr_sweep, plot_residuals, plot_series
from deepprob.timeseries.synthetic import (
    SPLIT_TIME,
    autocorrelation,
    impulses,
    noise,
    seasonal_pattern,
    seasonality,
    synthetic_series,
    trend,
)
from deepprob.timeseries.windows import model_forecast, windowed_dataset, windows

__all__ = [
    "SPLIT_TIME", "SweepResult", "autocorrelation", "centered_moving_average", "difference",
    "differenced_moving_average_forecast", "impulses", "learning_rate_sweep", "mae", "mape",
    "mase", "model_forecast", "moving_average_forecast", "mse", "naive_forecast", "noise",
    "plot_forecast", "plot_lr_sweep", "plot_residuals", "plot_series", "rmse",
    "seasonal_naive_forecast", "seasonal_pattern", "seasonality", "suggest_learning_rate",
    "synthetic_series", "trend", "windowed_dataset", "windows",
]

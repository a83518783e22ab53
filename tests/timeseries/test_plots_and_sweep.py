"""Plot helpers draw the given data; the LR suggestion rule on known loss curves."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deepprob as dp  # noqa: E402

ts = dp.timeseries


def test_plots_draw_the_data():
    time = np.arange(10)
    series = np.arange(10.0) ** 2
    ax = ts.plot_series(time, (series, series + 1), start=2, end=8)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), time[2:8])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), series[2:8] + 1)
    ax = ts.plot_forecast(time, series, {"naive": series - 1})
    assert [line.get_label() for line in ax.lines] == ["actual", "naive"]
    ax = ts.plot_residuals(time, series, series - 2)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), np.full(10, 2.0))
    with pytest.raises(ValueError, match="`forecasts`"):
        ts.plot_forecast(time, series, {"bad": series[:3]})
    sweep = ts.SweepResult(np.logspace(-6, -1, 6), np.array([5, 4, 3, 2, 4, 9.0]), 1e-4, None)
    ax = sweep.plot()
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.logspace(-6, -1, 6))
    assert ax.get_xscale() == "log"
    plt.close("all")


def test_suggest_learning_rate():
    lrs = np.logspace(-8, -2, 61)
    # a valley at 1e-5 then divergence to NaN
    loss = (np.log10(lrs) + 5) ** 2 + 1.0
    loss[50:] = np.nan
    assert ts.suggest_learning_rate(lrs, loss, smoothing=1) == pytest.approx(1e-6)
    assert ts.suggest_learning_rate(lrs, loss, smoothing=5) == pytest.approx(1e-6)
    with pytest.raises(ValueError, match="no finite loss"):
        ts.suggest_learning_rate([1e-3], [np.inf])
    with pytest.raises(ValueError, match="equal length"):
        ts.suggest_learning_rate([1e-3, 1e-2], [1.0])

"""Baselines and errors on synthetic_series() against NumPy written in the test, and the
figures the course prints."""

import numpy as np
import pytest
import torch

import deepprob as dp

ts = dp.timeseries
SPLIT = 1000


@pytest.fixture(scope="module")
def series():
    return ts.synthetic_series()[1]


def np_mae(a, b):
    return float(np.mean(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def np_mse(a, b):
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def test_naive_forecast(series):
    f = ts.naive_forecast(series, SPLIT)
    np.testing.assert_array_equal(f, series[SPLIT - 1:-1])
    valid = series[SPLIT:]
    assert float(ts.mae(valid, f)) == pytest.approx(np_mae(valid, f), rel=1e-5)
    assert float(ts.mse(valid, f)) == pytest.approx(np_mse(valid, f), rel=1e-5)
    # the course prints 61.827538 and 5.9379086
    assert float(ts.mse(valid, f)) == pytest.approx(61.8275, abs=1e-3)
    assert float(ts.mae(valid, f)) == pytest.approx(5.93791, abs=1e-4)
    sn = ts.seasonal_naive_forecast(series, 365, SPLIT)
    np.testing.assert_array_equal(sn, series[SPLIT - 365:-365])


def test_moving_average_forecast(series):
    f = ts.moving_average_forecast(series, 30)
    ref = np.array([series[t:t + 30].mean() for t in range(len(series) - 30)])
    assert f.shape == ref.shape
    np.testing.assert_allclose(f, ref, rtol=1e-5)
    valid = series[SPLIT:]
    assert float(ts.mae(valid, f[SPLIT - 30:])) == pytest.approx(7.1424, abs=1e-3)  # course
    c = ts.centered_moving_average(series, 11)
    np.testing.assert_allclose(c, [series[j:j + 11].mean() for j in range(len(series) - 10)],
                               rtol=1e-5)
    with pytest.raises(ValueError, match="`window_size`: 2000 is larger"):
        ts.moving_average_forecast(series, 2000)
    torch_in = ts.moving_average_forecast(torch.arange(5.0), 2)
    assert isinstance(torch_in, torch.Tensor) and torch_in.tolist() == [0.5, 1.5, 2.5]


def test_differencing_and_restoration(series):
    diff = ts.difference(series, 365)
    np.testing.assert_array_equal(diff, series[365:] - series[:-365])
    # the course's cells, typed out
    diff_ma = np.array([diff[t:t + 50].mean() for t in range(len(diff) - 50)])[SPLIT - 415:]
    past = series[SPLIT - 365:-365]
    ref = past + diff_ma
    got = ts.differenced_moving_average_forecast(series, SPLIT, 365, 50)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4)
    smooth = np.array([series[SPLIT - 370:-360][t:t + 10].mean()
                       for t in range(len(series[SPLIT - 370:-360]) - 10)])
    got_s = ts.differenced_moving_average_forecast(series, SPLIT, 365, 50, smooth_past_window=10)
    np.testing.assert_allclose(got_s, smooth + diff_ma, rtol=1e-5, atol=1e-4)
    valid = series[SPLIT:]
    assert float(ts.mae(valid, got)) == pytest.approx(5.8393, abs=1e-3)  # course: 5.839336
    assert float(ts.mae(valid, got_s)) == pytest.approx(4.5694, abs=1e-3)  # course: 4.569442
    assert float(ts.mae(valid, got_s)) < float(ts.mae(valid, ts.naive_forecast(series, SPLIT)))
    with pytest.raises(ValueError, match="`split_time`"):
        ts.differenced_moving_average_forecast(series, 100, 365, 50)


def test_metrics_against_numpy():
    rng = np.random.default_rng(0)
    y, f = rng.normal(size=50) + 3, rng.normal(size=50) + 3
    assert float(ts.mse(y, f)) == pytest.approx(np_mse(y, f))
    assert float(ts.rmse(y, f)) == pytest.approx(np.sqrt(np_mse(y, f)))
    assert float(ts.mae(y, f)) == pytest.approx(np_mae(y, f))
    assert float(ts.mape(y, f)) == pytest.approx(100 * np.mean(np.abs(y - f) / np.abs(y)))
    train = rng.normal(size=30)
    scale = np.mean(np.abs(train[7:] - train[:-7]))
    assert float(ts.mase(y, f, train, seasonality=7)) == pytest.approx(np_mae(y, f) / scale)
    # (n,) against (n, 1) compares value to value instead of broadcasting to (n, n)
    assert float(ts.mae(y, f[:, None])) == pytest.approx(np_mae(y, f))
    with pytest.raises(ValueError, match=r"same shape.*\(50,\).*\(49,\)"):
        ts.mae(y, f[:-1])
    with pytest.raises(ValueError, match="`seasonality`"):
        ts.mase(y, f, train, seasonality=0)

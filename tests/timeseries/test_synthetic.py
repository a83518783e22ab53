"""The synthetic series equal the course's NumPy code, value for value."""

import numpy as np
import pytest

import deepprob as dp

ts = dp.timeseries


def course_series():
    # the course notebook's code, typed out
    time = np.arange(4 * 365 + 1, dtype="float32")
    season_time = ((time + 0) % 365) / 365
    pattern = np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi),
                       1 / np.exp(3 * season_time))
    series = 10 + 0.05 * time + 40 * pattern
    series += np.random.RandomState(42).randn(len(time)) * 5
    return time, series


def test_synthetic_series_value_for_value():
    time, series = ts.synthetic_series()
    ref_time, ref_series = course_series()
    assert series.dtype == ref_series.dtype == np.float32
    np.testing.assert_array_equal(time, ref_time)
    np.testing.assert_array_equal(series, ref_series)
    assert ts.SPLIT_TIME == 1000 and len(series) == 1461


def test_components():
    t = np.arange(10.0)
    np.testing.assert_allclose(ts.trend(t, 0.3), 0.3 * t)
    s = ts.seasonality(t, period=4, amplitude=2.0, phase=1)
    frac = ((t + 1) % 4) / 4
    np.testing.assert_allclose(s, 2.0 * np.where(frac < 0.4, np.cos(2 * np.pi * frac),
                                                 np.exp(-3 * frac)))
    np.testing.assert_array_equal(ts.noise(t, 2.0, seed=3), np.random.RandomState(3).randn(10) * 2)
    with pytest.raises(ValueError, match="`period`"):
        ts.seasonality(t, period=0)
    with pytest.raises(ValueError, match="`time`.*1-D"):
        ts.trend(np.zeros((2, 2)), 1.0)


def test_autocorrelation_recurrences():
    t = np.arange(300)
    ar = ts.autocorrelation(t, amplitude=2.0, seed=5)
    e = np.random.RandomState(5).randn(301)
    # ar[t] / amplitude - 0.8 * ar[t - 1] / amplitude is the course's innovation sequence
    np.testing.assert_allclose(ar[1:] / 2 - 0.8 * ar[:-1] / 2, e[2:], atol=1e-12)
    np.testing.assert_allclose(ar[0] / 2, e[1] + 0.8 * e[0])
    two = ts.autocorrelation(t, 1.0, seed=5, phis={50: 0.5, 33: -0.1}, initial=100)
    x = np.random.RandomState(5).randn(350)
    x[:50] = 100
    for step in range(50, 350):
        x[step] += 0.5 * x[step - 50]
        x[step] += -0.1 * x[step - 33]
    np.testing.assert_array_equal(two, x[50:])


def test_impulses():
    imp = ts.impulses(np.arange(200), 5, amplitude=3.0, seed=1)
    rnd = np.random.RandomState(1)
    idx = rnd.randint(200, size=5)
    ref = np.zeros(200)
    for i in idx:
        ref[i] += rnd.rand() * 3.0
    np.testing.assert_array_equal(imp, ref)
    assert 0 < (imp > 0).sum() <= 5
    with pytest.raises(ValueError, match="`num_impulses`"):
        ts.impulses(np.arange(5), -1)

"""Models trained on windows: a dense forecaster beats the naive forecast on the synthetic
series; a small dense net reaches the course's sunspots accuracy; the LR sweep.

These need the training engine (``dp.Sequential``, ``fit``, losses)."""

import numpy as np
import pytest
import torch

import deepprob as dp

pytest.importorskip("deepprob.losses", reason="the training engine's losses have not landed yet")

ts = dp.timeseries


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny dense nets gain nothing from intra-op threads, and on a shared 2-core machine the
    second thread's waits dominate the step time."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def dense(sizes, window):
    layers = [dp.layers.Dense(sizes[0], activation="relu", input_shape=[window])]
    layers += [dp.layers.Dense(s, activation="relu") for s in sizes[1:]]
    return dp.Sequential(layers + [dp.layers.Dense(1)])


def test_dense_forecaster_beats_naive_on_synthetic_series():
    dp.utils.set_random_seed(0)
    time, series = ts.synthetic_series()
    split, window = ts.SPLIT_TIME, 20
    train = ts.windowed_dataset(series[:split], window, 32, 1000, seed=0)
    model = dense([10, 10], window)
    model.compile(loss="mse", optimizer=dp.optimizers.SGD(learning_rate=1e-6, momentum=0.9))
    model.fit(train, epochs=100, verbose=0)
    forecast = ts.model_forecast(model, series[split - window:-1], window, 32)[:, 0]
    valid = series[split:]
    model_mae = float(ts.mae(valid, forecast))
    naive_mae = float(ts.mae(valid, ts.naive_forecast(series, split)))
    assert model_mae < naive_mae, (model_mae, naive_mae)


def test_sunspots_dense_net_reaches_course_accuracy(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))  # the bundled copy is the full file
    dp.utils.set_random_seed(0)
    _, series = dp.datasets.sunspots.load_data()
    split, window = dp.datasets.sunspots.SPLIT_TIME, 30
    train = ts.windowed_dataset(series[:split], window, 32, 1000, seed=0)
    model = dense([30, 10], window)
    model.compile(loss="mse", optimizer=dp.optimizers.SGD(learning_rate=1e-7, momentum=0.9))
    model.fit(train, epochs=100, verbose=0)
    forecast = ts.model_forecast(model, series[split - window:-1], window, 32)[:, 0]
    assert float(ts.mae(series[split:], forecast)) <= 15.5  # the course reports 15.08


def test_learning_rate_sweep_records_rates_and_losses():
    dp.utils.set_random_seed(0)
    _, series = ts.synthetic_series()
    train = ts.windowed_dataset(series[:1000], 20, 32, 1000, seed=0)
    model = dense([10], 20)
    sweep = ts.learning_rate_sweep(model, train, start=1e-8, factor=10 ** (1 / 4), epochs=24,
                                   loss="mse")
    n = len(sweep.losses)
    assert 12 <= n <= 24 and sweep.learning_rates.shape == (n,)
    np.testing.assert_allclose(sweep.learning_rates, 1e-8 * 10 ** (np.arange(n) / 4))
    assert np.isfinite(sweep.losses[:10]).all() and sweep.losses[9] < sweep.losses[0]
    if n < 24:  # stopped where training diverged (the rates here blow up near 1e-4)
        assert np.isnan(sweep.losses[-1])
    assert sweep.suggested == pytest.approx(ts.suggest_learning_rate(sweep.learning_rates,
                                                                     sweep.losses))
    assert 1e-8 <= sweep.suggested < sweep.learning_rates[-1]

"""Models trained on windows: a dense forecaster beats the naive forecast on the synthetic
series; a small dense net reaches the course's sunspots accuracy; model_forecast and the LR sweep.

These need the training engine (``dp.Sequential``, ``fit``, losses)."""

import numpy as np
import pytest
import torch

import deepprob as dp

pytest.importorskip("deepprob.losses", reason="the training engine's losses have not landed yet")

ts = dp.timeseries


def dense(sizes, window):
    layers = [dp.layers.Dense(sizes[0], activation="relu", input_shape=[window])]
    layers += [dp.layers.Dense(s, activation="relu") for s in sizes[1:]]
    return dp.Sequential(layers + [dp.layers.Dense(1)])


def test_model_forecast_is_predict_on_every_window():
    model = dense([4], 5)
    series = np.linspace(0.0, 1.0, 40).astype(np.float32)
    out = ts.model_forecast(model, series, 5, batch_size=8)
    assert out.shape == (36, 1)
    windows = torch.from_numpy(np.stack([series[i:i + 5] for i in range(36)]))
    with torch.no_grad():
        expected = model(windows).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="`window_size`: 50 is larger"):
        ts.model_forecast(model, series, 50, 8)


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
    assert float(ts.mae(series[split:], forecast)) <= 15.5


def test_learning_rate_sweep_records_rates_and_losses():
    dp.utils.set_random_seed(0)
    _, series = ts.synthetic_series()
    train = ts.windowed_dataset(series[:1000], 20, 32, 1000, seed=0)
    model = dense([10], 20)
    sweep = ts.learning_rate_sweep(model, train, start=1e-8, factor=10 ** (1 / 4), epochs=24,
                                   loss="mse")
    np.testing.assert_allclose(sweep.learning_rates, 1e-8 * 10 ** (np.arange(24) / 4))
    assert sweep.losses.shape == (24,)
    assert np.isfinite(sweep.losses[:10]).all() and sweep.losses[8] < sweep.losses[0]
    assert sweep.suggested == pytest.approx(ts.suggest_learning_rate(sweep.learning_rates,
                                                                     sweep.losses))

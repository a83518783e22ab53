"""windowed_dataset: the course's pipeline, its elements, and its input checks."""

import numpy as np
import pytest
import torch

import deepprob as dp

ts = dp.timeseries


def test_windowed_dataset_elements():
    series = np.arange(100, dtype=np.float64) * 0.5
    ds = ts.windowed_dataset(series, window_size=20, batch_size=32, shuffle_buffer=1000, seed=0)
    batches = list(ds)
    assert [len(x) for x, _ in batches] == [32, 32, 16]
    x = torch.cat([b[0] for b in batches])
    y = torch.cat([b[1] for b in batches])
    assert x.dtype == torch.float32 and x.shape == (80, 20) and y.shape == (80,)
    starts = (x[:, 0] / 0.5).round().long()
    assert sorted(starts.tolist()) == list(range(80))
    expected = torch.from_numpy(series).float()[starts[:, None] + torch.arange(21)]
    torch.testing.assert_close(torch.cat([x, y[:, None]], 1), expected)
    assert ds.cardinality() == 3


def test_windows_view_and_bad_input():
    w = ts.windows(np.arange(6.0), 4)
    assert w.tolist() == [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]
    with pytest.raises(ValueError, match="`window_size`.*at least 11 values.*has 10"):
        ts.windowed_dataset(np.arange(10.0), 10, 4, 10)
    with pytest.raises(ValueError, match="`batch_size`"):
        ts.windowed_dataset(np.arange(10.0), 3, 0, 10)
    with pytest.raises(ValueError, match="`window_size`: 7 is larger"):
        ts.windows(np.arange(5.0), 7)
    with pytest.raises(TypeError, match="`series`"):
        ts.windowed_dataset(np.array(["a", "b"]), 1, 1, 1)


def test_model_forecast_is_predict_on_every_window():
    model = dp.Sequential([dp.layers.Dense(4, activation="relu", input_shape=[5]),
                           dp.layers.Dense(1)])
    series = np.linspace(0.0, 1.0, 40).astype(np.float32)
    out = ts.model_forecast(model, series, 5, batch_size=8)
    assert isinstance(out, np.ndarray) and out.shape == (36, 1)
    windows = torch.from_numpy(np.stack([series[i:i + 5] for i in range(36)]))
    with torch.no_grad():
        expected = model(windows).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    # the course's version: predict over window().flat_map(batch).batch() gives the same rows
    ds = dp.data.Dataset.from_tensor_slices(series).window(5, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(5)).batch(8).prefetch(1)
    np.testing.assert_allclose(model.predict(ds, verbose=0), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="`window_size`: 50 is larger"):
        ts.model_forecast(model, series, 50, 8)

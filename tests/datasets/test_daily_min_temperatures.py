"""dp.datasets.daily_min_temperatures: bundled copy, course parsing, lookup order."""

import numpy as np

import deepprob as dp


def test_bundled_values(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    time, series, dates = dp.datasets.daily_min_temperatures.load_data(return_dates=True)
    assert len(series) == 3650 and time.tolist()[-1] == 3649
    assert series[:4].tolist() == [20.7, 17.9, 18.8, 14.6]
    assert str(dates[0]) == "1981-01-01" and str(dates[-1]) == "1990-12-31"
    assert 0.0 <= series.min() and series.max() < 30.0


def test_home_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DEEPPROB_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / ".deepprob" / "datasets" / "daily_min_temperatures"
    folder.mkdir(parents=True)
    (folder / "daily-min-temperatures.csv").write_text('"Date","Temp"\n"1981-01-01",1.5')
    assert dp.datasets.daily_min_temperatures.load_data()[1].tolist() == [1.5]


def test_bundled_copy_equals_shared_file(shared_data, monkeypatch, tmp_path):
    import csv

    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    _, bundled = dp.datasets.daily_min_temperatures.load_data()
    path = shared_data / "daily_min_temperatures" / "daily-min-temperatures.csv"
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    np.testing.assert_array_equal(bundled, np.array([float(r[1]) for r in rows]))

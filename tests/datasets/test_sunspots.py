"""dp.datasets.sunspots: the bundled copy equals the course file; path lookup order."""

import numpy as np
import pytest

import deepprob as dp


def test_bundled_values_and_layout(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    time, series, dates = dp.datasets.sunspots.load_data(return_dates=True)
    assert len(series) == 3235 and series.dtype == np.float64
    np.testing.assert_array_equal(time, np.arange(3235))
    assert series[:3].tolist() == [96.7, 104.3, 116.7] and series[-1] == 1.6
    assert str(dates[0]) == "1749-01-31" and str(dates[-1]) == "2018-07-31"


def test_reads_deepprob_data_and_reports_bad_cells(monkeypatch, tmp_path):
    folder = tmp_path / "sunspots"
    folder.mkdir()
    (folder / "Sunspots.csv").write_text(",Date,Monthly\n0,2000-01-31,5.5\n1,2000-02-29,7\n")
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    time, series = dp.datasets.sunspots.load_data()
    assert series.tolist() == [5.5, 7.0] and time.tolist() == [0, 1]
    bad = tmp_path / "bad.csv"
    bad.write_text(",Date,Monthly\n0,2000-01-31,n/a\n")
    with pytest.raises(ValueError, match=r"line 2, column 2.*expected a number, found 'n/a'"):
        dp.datasets.sunspots.load_data(path=bad)
    with pytest.raises(FileNotFoundError, match="`path`"):
        dp.datasets.sunspots.load_data(path=tmp_path / "missing.csv")


def test_bundled_copy_equals_shared_file(shared_data, monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    _, bundled = dp.datasets.sunspots.load_data()
    _, full = dp.datasets.sunspots.load_data(path=shared_data / "sunspots" / "Sunspots.csv")
    np.testing.assert_array_equal(bundled, full)
    import csv

    with open(shared_data / "sunspots" / "Sunspots.csv") as f:
        rows = list(csv.reader(f))[1:]
    assert full.tolist() == [float(r[2]) for r in rows]

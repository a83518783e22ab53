import csv

import numpy as np
import pytest
from _cb_helpers import make_data, make_model

import deepprob as dp


def read(path, sep=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=sep))


def test_rows_equal_the_history(tmp_path):
    x, y = make_data()
    model = make_model(metrics=["mae"])
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[dp.callbacks.CSVLogger(path)])
    rows = read(path)
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    for j, key in enumerate(rows[0][1:], start=1):
        np.testing.assert_allclose([float(r[j]) for r in rows[1:]], history.history[key],
                                   rtol=1e-12)


def test_append_reuses_the_header_and_separator(tmp_path):
    x, y = make_data()
    model = make_model()
    path = tmp_path / "log.tsv"
    logger = dp.callbacks.CSVLogger(path, separator="\t", append=True)
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[logger])
    model.fit(x, y, epochs=3, initial_epoch=2, verbose=0, validation_split=0.25,
              callbacks=[logger])
    rows = read(path, "\t")
    assert rows[0] == ["epoch", "loss", "val_loss"] and len(rows) == 4
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    overwrite = dp.callbacks.CSVLogger(path)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[overwrite])
    rows = read(path)
    # No validation in the first epoch: val_ columns are added and marked NA, as Keras does.
    assert rows == [["epoch", "loss", "val_loss"], ["0", rows[1][1], "NA"]]
    assert float(rows[1][1]) > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="`separator`"):
        dp.callbacks.CSVLogger("a.csv", separator=";;")
    with pytest.raises(ValueError, match="`filename`"):
        dp.callbacks.CSVLogger("")

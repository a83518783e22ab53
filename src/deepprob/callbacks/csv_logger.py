"""``CSVLogger``: one CSV row per epoch."""

from __future__ import annotations

import csv
import os

import numpy as np

from deepprob.callbacks.base import Callback


class CSVLogger(Callback):
    """Write each epoch's logs as a CSV row: ``epoch`` (0-based, as Keras) then the keys sorted.

    When the first epoch has no ``val_`` keys (validation every few epochs with
    ``validation_freq``, or none), ``val_`` columns are added for every key and filled with
    ``NA`` where absent, as Keras does. With ``append=True`` rows are added to an existing file;
    unlike Keras, its header is reused, so the columns stay aligned. The file is flushed after
    every row, so it can be read while training runs.

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: add to an existing file instead of overwriting it.

    Example:
        >>> model.fit(x, y, epochs=5, callbacks=[dp.callbacks.CSVLogger("training.csv")])
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)) or not os.fspath(filename):
            raise ValueError(
                f"Argument `filename` of CSVLogger: expected a path, received {filename!r}.")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                "Argument `separator` of CSVLogger: expected a one-character string, received "
                f"{separator!r}.")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = bool(append)
        self.keys: list[str] | None = None
        self.writer = None
        self.csv_file = None
        self._write_header = True

    def on_train_begin(self, logs=None):
        self.on_train_end()  # a previous fit that died left its file open
        self.keys = None
        self.writer = None
        self._write_header = True
        mode = "w"
        if self.append and os.path.isfile(self.filename):
            with open(self.filename, newline="") as f:
                header = next(csv.reader(f, delimiter=self.sep), None)
            if header:
                self._write_header = False
                self.keys = [k for k in header if k != "epoch"]
            mode = "a"
        folder = os.path.dirname(self.filename)
        if folder and not os.path.isdir(folder):
            raise FileNotFoundError(
                f"CSVLogger: the folder of filename {self.filename!r} does not exist.")
        self.csv_file = open(self.filename, mode, newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(k.startswith("val_") for k in self.keys):
                self.keys += ["val_" + k for k in self.keys]
        if self.writer is None:
            self.writer = csv.writer(self.csv_file, delimiter=self.sep)
            if self._write_header:
                self.writer.writerow(["epoch"] + self.keys)
        self.writer.writerow([epoch] + [_cell(logs.get(k, "NA")) for k in self.keys])
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(map(str, value)) + "]"
    return value

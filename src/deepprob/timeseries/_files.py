"""Finding and reading the real series' CSV files (used by ``dp.datasets.sunspots`` etc.)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np

from deepprob.datasets._idx import bundled, data_dirs


def find_csv(name: str, filename: str, bundled_name: str, path=None) -> Path:
    """``path`` if given, else ``$DEEPPROB_DATA/<name>/<filename>``,
    ``~/.deepprob/datasets/<name>/<filename>``, else the bundled copy."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"Argument `path`: no such file {str(p)!r}.")
        return p
    for folder in data_dirs(name):
        if (folder / filename).is_file():
            return folder / filename
    return bundled(bundled_name)


def read_columns(path: Path, value_column: int, date_column: int) -> tuple[np.ndarray, np.ndarray]:
    """``(dates as str, values as float64)`` of a CSV with one header line."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    reader = csv.reader(io.StringIO(raw.decode("utf-8")))
    header = next(reader, None)
    if header is None:
        raise ValueError(f"{path}: the file is empty.")
    dates, values = [], []
    for line_no, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) <= max(value_column, date_column):
            raise ValueError(
                f"{path}, line {line_no}: expected at least {max(value_column, date_column) + 1} "
                f"fields, found {len(row)}."
            )
        cell = row[value_column].strip()
        try:
            values.append(float(cell))
        except ValueError:
            raise ValueError(
                f"{path}, line {line_no}, column {value_column} ({header[value_column]!r}): "
                f"expected a number, found {cell!r}."
            ) from None
        dates.append(row[date_column])
    return np.array(dates), np.array(values, dtype=np.float64)

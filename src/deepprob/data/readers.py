"""File sources: ``list_files``, ``TextLineDataset`` and ``CsvDataset`` (tf.data semantics).

Text lines are Python ``str`` elements (tf.data yields byte strings). ``CsvDataset`` parses the
files once per iteration into column tensors, so what follows it runs vectorized.
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import os
from pathlib import Path

import numpy as np
import torch

from deepprob.data import structure as st
from deepprob.data.dataset import Dataset
from deepprob.data.index import tensor_index


def _filenames(filenames, argument: str = "filenames") -> list[str]:
    if isinstance(filenames, Dataset):
        return [str(f) for f in filenames]
    if isinstance(filenames, (str, os.PathLike)):
        return [os.fspath(filenames)]
    if isinstance(filenames, (list, tuple)) and all(
            isinstance(f, (str, os.PathLike)) for f in filenames):
        return [os.fspath(f) for f in filenames]
    raise TypeError(
        f"Argument `{argument}`: expected a file name, a list of them or a Dataset of them, "
        f"received {type(filenames).__name__}."
    )


def _open_text(path: str, compression_type: str | None):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No such file: {path!r}.")
    if compression_type in (None, "", "NONE"):
        return open(path, encoding="utf-8", newline="")
    if compression_type == "GZIP":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    from deepprob._errors import unknown

    raise unknown("compression type", compression_type, ["", "GZIP"],
                  argument="compression_type")


class _FileNames(Dataset):
    def __init__(self, names: list[str], shuffle: bool, seed):
        self._names = names
        self._shuffle = shuffle
        self._gen = torch.Generator().manual_seed(
            int(torch.randint(0, 2**62, (1,)).item()) if seed is None else int(seed))

    def _elements(self):
        names = list(self._names)
        if self._shuffle:
            order = torch.randperm(len(names), generator=self._gen).tolist()
            names = [names[i] for i in order]
        return iter(names)

    def _cardinality(self) -> int:
        return len(self._names)

    def _spec(self):
        return st.TensorSpec((), "string")


def list_files(file_pattern, shuffle: bool | None = None, seed: int | None = None) -> Dataset:
    """``Dataset.list_files``: matching file names (sorted, then shuffled unless ``shuffle=False``).

    Args:
        file_pattern: glob pattern or list of patterns.
        shuffle: shuffle each iteration (default True).
        seed: seed for the shuffle.

    Example:
        >>> names = list_files("*.csv", shuffle=False)  # doctest: +SKIP
    """
    patterns = _filenames(file_pattern, "file_pattern")
    names = sorted({p for pat in patterns for p in glob.glob(pat)})
    if not names:
        raise FileNotFoundError(
            f"Argument `file_pattern`: no files match {patterns if len(patterns) > 1 else patterns[0]!r}."
        )
    return _FileNames(names, True if shuffle is None else bool(shuffle), seed)


class TextLineDataset(Dataset):
    """The lines of one or more text files, without line endings (``str`` elements).

    Args:
        filenames: a file name, a list of them or a Dataset of them.
        compression_type: ``None`` / ``""`` or ``"GZIP"``.
        buffer_size, num_parallel_reads, name: accepted for compatibility.

    Example:
        >>> lines = TextLineDataset("poem.txt")  # doctest: +SKIP
    """

    def __init__(self, filenames, compression_type: str | None = None, buffer_size=None,
                 num_parallel_reads=None, name: str | None = None):
        self._files = _filenames(filenames)
        self._compression = compression_type

    def _elements(self):
        for path in self._files:
            with _open_text(path, self._compression) as f:
                for line in f:
                    yield line.rstrip("\r\n")

    def _spec(self):
        return st.TensorSpec((), "string")


_TYPES = {torch.float32: float, torch.float64: float, torch.int32: int, torch.int64: int,
          float: float, int: int, str: str}


class CsvDataset(Dataset):
    """Records of CSV files as tuples of scalars (tf.data.experimental.CsvDataset).

    Args:
        filenames: file name(s) or a Dataset of them.
        record_defaults: one entry per selected column: a type (``torch.float32``,
            ``torch.int64``, ``float``, ``int``, ``str``; the column is then required) or a
            one-item list with the default for empty cells (``[0.0]``, ``[""]``).
        compression_type: ``None`` or ``"GZIP"``.
        header: skip the first line of every file.
        field_delim: the delimiter.
        use_quote_delim: treat ``"`` as the quote character.
        na_value: the cell text that means "missing" (uses the default).
        select_cols: indices of the columns to read (sorted); default all.
        exclude_cols: indices of columns to skip (instead of ``select_cols``).
        buffer_size, name: accepted for compatibility.

    Example:
        >>> ds = CsvDataset("Sunspots.csv", [int, str, float], header=True)  # doctest: +SKIP
    """

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None,
                 header: bool = False, field_delim: str = ",", use_quote_delim: bool = True,
                 na_value: str = "", select_cols=None, exclude_cols=None, name=None):
        self._files = _filenames(filenames)
        if not isinstance(record_defaults, (list, tuple)) or not record_defaults:
            raise TypeError(
                "Argument `record_defaults`: expected a non-empty list (one type or [default] "
                f"per column), received {record_defaults!r}."
            )
        self._columns = [self._parse_default(d, i) for i, d in enumerate(record_defaults)]
        if select_cols is not None and exclude_cols is not None:
            raise ValueError("Arguments `select_cols` and `exclude_cols` cannot both be given.")
        if select_cols is not None:
            select_cols = [int(c) for c in select_cols]
            if sorted(set(select_cols)) != select_cols:
                raise ValueError(
                    f"Argument `select_cols`: expected increasing column indices, received "
                    f"{select_cols}."
                )
            if len(select_cols) != len(self._columns):
                raise ValueError(
                    f"Argument `select_cols` has {len(select_cols)} columns but "
                    f"`record_defaults` has {len(self._columns)}."
                )
        self._select = select_cols
        self._exclude = set(int(c) for c in exclude_cols) if exclude_cols is not None else None
        self._header = bool(header)
        self._delim = field_delim
        self._quote = use_quote_delim
        self._na = na_value
        self._compression = compression_type
        self._parsed = None

    @staticmethod
    def _parse_default(d, i):
        if isinstance(d, (type, torch.dtype)) and d in _TYPES:
            kind = d if isinstance(d, torch.dtype) else {float: torch.float32, int: torch.int64,
                                                          str: str}[d]
            return kind, None
        if isinstance(d, (list, tuple)) and len(d) == 1:
            v = d[0]
        elif isinstance(d, (torch.Tensor, np.ndarray)) and np.size(d) == 1:
            v = d.reshape(-1)[0].item()
        else:
            v = d
        if isinstance(v, str):
            return str, v
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(
                f"Argument `record_defaults`[{i}]: expected a type or a one-item list with a "
                f"number or string, received {d!r}."
            )
        return (torch.int64 if isinstance(v, int) else torch.float32), v

    def _parse(self):
        columns: list[list] = [[] for _ in self._columns]
        for path in self._files:
            with _open_text(path, self._compression) as f:
                reader = csv.reader(f, delimiter=self._delim,
                                    quoting=csv.QUOTE_MINIMAL if self._quote else csv.QUOTE_NONE)
                for line_no, row in enumerate(reader, start=1):
                    if line_no == 1 and self._header:
                        continue
                    if not row:
                        continue
                    cells = self._pick(row, path, line_no)
                    for j, (cell, (kind, default)) in enumerate(zip(cells, self._columns)):
                        columns[j].append(self._convert(cell, kind, default, path, line_no, j))
        out = []
        for (kind, _), values in zip(self._columns, columns):
            if kind is str:
                out.append(np.array(values, dtype=str))
            else:
                out.append(torch.tensor(values, dtype=kind))
        return tuple(out)

    def _pick(self, row, path, line_no):
        if self._select is not None:
            if self._select[-1] >= len(row):
                raise ValueError(
                    f"CsvDataset: {path}, line {line_no} has {len(row)} fields but "
                    f"`select_cols` asks for column {self._select[-1]}."
                )
            return [row[c] for c in self._select]
        if self._exclude is not None:
            row = [c for i, c in enumerate(row) if i not in self._exclude]
        if len(row) != len(self._columns):
            raise ValueError(
                f"CsvDataset: {path}, line {line_no} has {len(row)} fields but "
                f"`record_defaults` describes {len(self._columns)}."
            )
        return row

    def _convert(self, cell: str, kind, default, path, line_no, j):
        text = cell.strip() if kind is not str else cell
        if text == "" or text == self._na:
            if default is None:
                raise ValueError(
                    f"CsvDataset: {path}, line {line_no}, column {j}: the cell is empty and the "
                    "column is required (give a default in `record_defaults`)."
                )
            return default
        if kind is str:
            return text
        try:
            return int(text) if kind in (torch.int32, torch.int64) else float(text)
        except ValueError:
            expected = "an integer" if kind in (torch.int32, torch.int64) else "a number"
            raise ValueError(
                f"CsvDataset: {path}, line {line_no}, column {j}: expected {expected}, "
                f"found {cell!r}."
            ) from None

    def _columns_data(self):
        if self._parsed is None:
            self._parsed = self._parse()
        return self._parsed

    def _index(self):
        data = self._columns_data()
        if not all(isinstance(v, torch.Tensor) for v in data):
            return None
        return tensor_index(data, len(data[0]))

    def _elements(self):
        return iter(st.unstack(self._columns_data()))

    def _cardinality(self) -> int:
        return st.UNKNOWN_CARDINALITY


def read_csv_column(path: str | Path, column: int, header: bool = True,
                    dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """One numeric CSV column as a tensor (helper for the series loaders).

    Args:
        path: the file.
        column: the column index.
        header: skip the first line.
        dtype: result dtype.
    """
    ds = CsvDataset(str(path), [dtype], header=header, select_cols=[column])
    return ds._columns_data()[0].to(dtype)

"""Reading the IDX files MNIST and Fashion-MNIST ship in (``*-ubyte.gz``), with clear errors."""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzip-compressed or not) into a NumPy array.

    Args:
        path: the file, e.g. ``t10k-images-idx3-ubyte.gz``.

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: the file is corrupted or truncated (named in the message).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{path}: not a readable gzip file ({err}); the file is corrupted or "
                         "truncated — delete it and download it again.") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()}).")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header.")
    dims = struct.unpack(">" + "I" * ndim, raw[4:header])
    dtype = np.dtype(_DTYPES[raw[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path}: the header announces shape {dims} ({expected} bytes of data) but the file "
            f"holds {len(raw) - header} bytes; it is truncated or corrupted."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def data_dirs(name: str) -> list[Path]:
    """Where a dataset's files are looked for: ``$DEEPPROB_DATA/<name>``, ``~/.deepprob/datasets/<name>``."""
    dirs = []
    env = os.environ.get("DEEPPROB_DATA")
    if env:
        dirs.append(Path(env) / name)
    dirs.append(Path.home() / ".deepprob" / "datasets" / name)
    return dirs


def bundled(filename: str) -> Path:
    return Path(__file__).resolve().parent / "_bundled" / filename

"""IMDB movie-review sentiment (25,000 + 25,000 reviews as word-index lists), as
``keras.datasets.imdb``.

``load_data()`` reads Keras's ``imdb.npz`` and ``get_word_index()`` reads ``imdb_word_index.json``
(the files Keras downloads from ``https://storage.googleapis.com/tensorflow/tf-keras-datasets/``)
from ``$DEEPPROB_DATA/imdb/`` or ``~/.deepprob/datasets/imdb/``; nothing is downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from deepprob.datasets._idx import data_dirs

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def _find(filename) -> Path:
    p = Path(filename)
    if p.is_file():
        return p
    for folder in data_dirs("imdb"):
        if (folder / p.name).is_file():
            return folder / p.name
    tried = "\n".join(f"  {d}" for d in data_dirs("imdb"))
    raise FileNotFoundError(
        f"IMDB file {p.name!r} not found. Download {ORIGIN}{p.name} (the file Keras uses) and "
        f"put it into one of:\n{tried}\n(or set DEEPPROB_DATA to a folder holding an 'imdb' "
        "subfolder, or pass path= the file).")


def _check_int(value, name: str, low: int, allow_none: bool = True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Argument `{name}`: expected an integer{' or None' if allow_none else ''}"
                        f", received {type(value).__name__} ({value!r}).")
    if value < low:
        raise ValueError(f"Argument `{name}`: expected an integer >= {low}, received {value}.")
    return int(value)


def _object_array(lists) -> np.ndarray:
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def load_data(
    path="imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """``(x_train, y_train), (x_test, y_test)`` with Keras's exact semantics.

    Both splits are shuffled with ``np.random.RandomState(seed)`` (train first, then test, one
    generator); word indices are shifted by ``index_from`` and each review starts with
    ``start_char``; with ``maxlen`` only reviews *shorter* than ``maxlen`` (start character
    included) are kept; indices ``>= num_words`` or ``< skip_top`` become ``oov_char`` (or are
    dropped when ``oov_char`` is None). As in Keras, ``num_words=None`` means "below the largest
    index", so that one largest index also becomes ``oov_char``. ``x_*`` are object arrays of
    Python int lists (as Keras 2 returns them), ``y_*`` int arrays of 0/1.

    Args:
        path: file name looked up in the data folders (default ``"imdb.npz"``), or a path to it.
        num_words: keep indices below this (the most frequent words); None keeps all.
        skip_top: indices below this become ``oov_char``.
        maxlen: drop reviews of length ``>= maxlen``; None keeps all.
        seed: shuffling seed.
        start_char: index marking the start of every review (None: no marker).
        oov_char: index for cut-out words (None: drop them).
        index_from: added to every word index of the file.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = dp.datasets.imdb.load_data(num_words=10000)
    """
    num_words = _check_int(num_words, "num_words", 1)
    skip_top = _check_int(skip_top, "skip_top", 0, allow_none=False)
    maxlen = _check_int(maxlen, "maxlen", 1)
    index_from = _check_int(index_from, "index_from", 0, allow_none=False)
    file = _find(path)
    with np.load(file, allow_pickle=True) as f:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
        if missing:
            raise ValueError(f"{file}: not Keras's imdb.npz (missing arrays {sorted(missing)}).")
        x_train, labels_train = f["x_train"], f["y_train"]
        x_test, labels_test = f["x_test"], f["y_test"]

    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = x_train[order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = x_test[order], labels_test[order]

    head = [start_char] if start_char is not None else []
    x_train = [head + [int(w) + index_from for w in x] for x in x_train]
    x_test = [head + [int(w) + index_from for w in x] for x in x_test]

    if maxlen:
        keep = [i for i, x in enumerate(x_train) if len(x) < maxlen]
        x_train, labels_train = [x_train[i] for i in keep], labels_train[keep]
        keep = [i for i, x in enumerate(x_test) if len(x) < maxlen]
        x_test, labels_test = [x_test[i] for i in keep], labels_test[keep]
        if not x_train or not x_test:
            raise ValueError(f"Argument `maxlen`: after keeping reviews shorter than "
                             f"maxlen={maxlen}, no review was kept. Increase maxlen.")

    xs = x_train + x_test
    if not num_words:
        num_words = max(max(x) for x in xs if x)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    n = len(x_train)
    return ((_object_array(xs[:n]), np.asarray(labels_train)),
            (_object_array(xs[n:]), np.asarray(labels_test)))


def get_word_index(path="imdb_word_index.json") -> dict[str, int]:
    """The word -> index dictionary of the IMDB data (add ``index_from`` to match ``load_data``).

    Args:
        path: file name looked up in the data folders (default ``"imdb_word_index.json"``), or a
            path to it.

    Example:
        >>> word_index = dp.datasets.imdb.get_word_index()
        >>> reverse = {i + 3: w for w, i in word_index.items()}
    """
    with open(_find(path), encoding="utf-8") as f:
        return json.load(f)

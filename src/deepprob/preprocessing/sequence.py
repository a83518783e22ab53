"""Sequence preprocessing as in ``tf.keras.preprocessing.sequence``: ``pad_sequences``.

``pad_sequences`` returns exactly what Keras returns (same shape, dtype, values), but pads all
sequences with a few vectorized NumPy operations instead of one assignment per sequence.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from deepprob._errors import unknown

__all__ = ["pad_sequences"]

_SIDES = ("pre", "post")


def _check_maxlen(maxlen):
    if maxlen is None:
        return None
    if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)):
        raise TypeError(f"Argument `maxlen`: expected None or a positive integer, received "
                        f"{type(maxlen).__name__} ({maxlen!r}).")
    if maxlen <= 0:
        raise ValueError(f"Argument `maxlen`: expected a positive integer, received {maxlen}.")
    return int(maxlen)


def _is_text_dtype(dtype) -> bool:
    try:
        kind = np.dtype(dtype).kind
    except TypeError:
        return False
    return kind in "OUS"


def pad_sequences(
    sequences,
    maxlen: int | None = None,
    dtype="int32",
    padding: str = "pre",
    truncating: str = "pre",
    value=0.0,
) -> np.ndarray:
    """Pad (and truncate) sequences to one length, as Keras: a ``(len(sequences), maxlen)`` array.

    Sequences shorter than ``maxlen`` are filled with ``value`` on the ``padding`` side; longer
    ones lose elements on the ``truncating`` side. ``maxlen`` defaults to the longest sequence.
    Sequences of vectors give ``(len(sequences), maxlen, *vector_shape)``.

    Args:
        sequences: a list of sequences (lists, tuples or 1-D arrays of numbers; or a 2-D array).
        maxlen: the output length (positive), or ``None`` for the longest sequence's length.
        dtype: output dtype (default ``"int32"``); ``object`` or a string dtype for strings.
        padding: ``"pre"`` or ``"post"``: where to pad.
        truncating: ``"pre"`` or ``"post"``: where to cut sequences longer than ``maxlen``.
        value: the padding value (cast to ``dtype``).

    Returns:
        A NumPy array.

    Example:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
        array([[0, 1],
               [2, 3],
               [5, 6]], dtype=int32)
    """
    if padding not in _SIDES:
        raise unknown("padding side", padding, _SIDES, argument="padding")
    if truncating not in _SIDES:
        raise unknown("truncating side", truncating, _SIDES, argument="truncating")
    maxlen = _check_maxlen(maxlen)
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"Argument `sequences`: expected a list of sequences, received "
                        f"{type(sequences).__name__}.")
    text_dtype = _is_text_dtype(dtype)
    if isinstance(value, str) and not text_dtype:
        raise ValueError(f"Argument `value`: the string {value!r} does not fit `dtype` {dtype}; "
                         "use dtype=object for variable-length strings.")

    if isinstance(sequences, np.ndarray) and sequences.ndim == 2 and sequences.dtype != object:
        return _pad_matrix(sequences, maxlen, dtype, padding, truncating, value)

    lengths, sample_shape = [], ()
    found_first = False
    for i, seq in enumerate(sequences):
        try:
            n = len(seq)
        except TypeError:
            raise TypeError(f"Argument `sequences`: element {i} is a {type(seq).__name__} "
                            f"({seq!r:.40}), not a sequence; expected a list of sequences."
                            ) from None
        lengths.append(n)
        if not found_first and n:
            sample_shape = np.asarray(seq).shape[1:]
            found_first = True
    num = len(lengths)
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    lengths_arr = np.asarray(lengths, dtype=np.int64)
    # Long rows (> 100 kept items on average): one NumPy copy per row is already cheap; many short
    # rows: one vectorized scatter beats per-row Python overhead (5x on 20,000 rows of < 20).
    short_rows = num and int(np.minimum(lengths_arr, maxlen).sum()) <= 100 * num
    if not sample_shape and not text_dtype and short_rows:
        out = _pad_flat(sequences, lengths_arr, maxlen, dtype, padding,
                        truncating, value)
        if out is not None:
            return out
    return _pad_loop(sequences, maxlen, sample_shape, dtype, padding, truncating, value)


def _pad_matrix(arr, maxlen, dtype, padding, truncating, value):
    n, width = arr.shape
    maxlen = width if maxlen is None else maxlen
    x = np.full((n, maxlen), value, dtype=dtype)
    if width == 0:
        return x
    kept = arr[:, -maxlen:] if truncating == "pre" else arr[:, :maxlen]
    k = kept.shape[1]
    if padding == "pre":
        x[:, maxlen - k:] = kept
    else:
        x[:, :k] = kept
    return x


def _kept(sequences, lengths, maxlen: int, truncating: str):
    """Each sequence cut to its last (``"pre"``) or first (``"post"``) ``maxlen`` items."""
    for seq, n in zip(sequences, lengths):
        if n <= maxlen:
            yield seq
        else:
            yield seq[n - maxlen:] if truncating == "pre" else seq[:maxlen]


def _pad_flat(sequences, lengths, maxlen, dtype, padding, truncating, value):
    """Vectorized padding of flat numeric sequences; None when they are not flat numbers."""
    kind = np.dtype(dtype).kind
    if kind not in "biufc":
        return None
    num = len(lengths)
    kept = np.minimum(lengths, maxlen)
    n_kept = int(kept.sum())
    x = np.full((num, maxlen), value, dtype=dtype)
    if n_kept == 0:
        return x
    pieces = _kept(sequences, lengths.tolist(), maxlen, truncating)
    try:
        if all(isinstance(s, np.ndarray) and s.ndim == 1 for s in sequences):
            flat = np.concatenate(list(pieces))
        else:
            # fromiter casts like np.asarray(..., dtype): floats truncate toward zero into ints
            work = {"f": np.float64, "c": np.complex128}.get(kind, np.int64)
            flat = np.fromiter(chain.from_iterable(pieces), dtype=work, count=n_kept)
    except (TypeError, ValueError, OverflowError):
        return None
    if flat.ndim != 1 or flat.size != n_kept or flat.dtype.kind not in "biufc":
        return None
    rows = np.repeat(np.arange(num), kept)
    offsets = np.arange(n_kept) - np.repeat(np.cumsum(kept) - kept, kept)
    cols = offsets + np.repeat(maxlen - kept, kept) if padding == "pre" else offsets
    x[rows, cols] = flat
    return x


def _pad_loop(sequences, maxlen, sample_shape, dtype, padding, truncating, value):
    x = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq):
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(f"Argument `sequences`: element {i} has items of shape "
                             f"{kept.shape[1:]}, but the first non-empty sequence has items of "
                             f"shape {tuple(sample_shape)}.")
        if padding == "post":
            x[i, :len(kept)] = kept
        else:
            x[i, maxlen - len(kept):] = kept
    return x

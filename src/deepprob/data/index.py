"""Random-access views of a dataset pass: the vectorized core of ``dp.data``.

An :class:`Index` knows its length and returns any set of elements as one block
(``gather``), or a contiguous run (``slice``, usually zero-copy views). Pipelines whose nodes
all offer an Index (tensor slices, ranges, windows of them, vmappable maps, batches, take/skip,
zip, enumerate, finite repeat) never touch elements one by one in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch

from deepprob.data import structure as st

CHUNK_NUMEL = 1 << 18  # scalars per block streamed out of an Index


class Index:
    """Random access to the ``n`` elements of one pass.

    Args:
        n: number of elements.
        gather: ``LongTensor -> block``.
        slice_fn: ``(start, stop) -> block``; defaults to gathering ``arange(start, stop)``.
        window_view: optional ``(size, shift, stride) -> Index`` of windows built from views.
    """

    def __init__(self, n: int, gather: Callable[[torch.Tensor], Any],
                 slice_fn: Callable[[int, int], Any] | None = None,
                 window_view: Callable[[int, int, int], Index | None] | None = None):
        self.n = int(n)
        self._gather = gather
        self._slice = slice_fn
        self._window_view = window_view
        self._numel: int | None = None

    def gather(self, idx: torch.Tensor) -> Any:
        return self._gather(idx)

    def slice(self, start: int, stop: int) -> Any:
        if self._slice is not None:
            return self._slice(start, stop)
        return self._gather(torch.arange(start, stop))

    def window_view(self, size: int, shift: int, stride: int) -> Index | None:
        return self._window_view(size, shift, stride) if self._window_view else None

    def numel_per_element(self) -> int:
        if self._numel is None:
            self._numel = st.numel_per_element(self.slice(0, 1)) if self.n else 1
        return self._numel

    def chunk(self) -> int:
        return max(1, CHUNK_NUMEL // self.numel_per_element())

    def blocks(self, start: int = 0, stop: int | None = None) -> Iterator[Any]:
        stop = self.n if stop is None else min(stop, self.n)
        step = self.chunk()
        for s in range(start, stop, step):
            yield self.slice(s, min(stop, s + step))


def tensor_index(data, n: int) -> Index:
    """The Index of ``from_tensor_slices(data)`` (``data``: block of leaves of length ``n``)."""

    def gather(idx):
        return st.take(data, idx)

    def slice_(start, stop):
        return st.take(data, slice(start, stop))

    def window_view(size, shift, stride):
        leaves = st.flatten(data)
        if not all(isinstance(v, torch.Tensor) for v in leaves):
            return None
        span = (size - 1) * stride + 1
        if n < span:
            return Index(0, gather, slice_)
        # unfold puts the window dimension last; move it next to the window index
        views = [v.unfold(0, span, shift).movedim(-1, 1)[:, ::stride] for v in leaves]
        windows = st.pack_as(data, views)
        count = int(views[0].shape[0])
        return tensor_index(windows, count)

    return Index(n, gather, slice_, window_view)


def map_index(parent: Index, fn: Callable[[Any, int], Any]) -> Index:
    """An Index whose blocks are ``fn(block, first_position)`` of the parent's blocks."""

    def gather(idx):
        offset = int(idx[0]) if len(idx) else 0
        return fn(parent.gather(idx), offset)

    def slice_(start, stop):
        return fn(parent.slice(start, stop), start)

    return Index(parent.n, gather, slice_)


def offset_index(parent: Index, start: int, stop: int) -> Index:
    """Elements ``start..stop`` of the parent."""

    def gather(idx):
        return parent.gather(idx + start)

    def slice_(a, b):
        return parent.slice(a + start, b + start)

    return Index(max(0, stop - start), gather, slice_)


def concat_index(parts: list[Index]) -> Index:
    """The parts one after the other (parts must have elements of the same shapes)."""
    sizes = [p.n for p in parts]
    offsets = torch.tensor([0] + sizes).cumsum(0)
    total = int(offsets[-1])

    def gather(idx):
        which = torch.searchsorted(offsets[1:], idx, right=True)
        if len(idx) and bool((which == which[0]).all()):
            k = int(which[0])
            return parts[k].gather(idx - offsets[k])
        pieces, where = [], []
        for k in torch.unique(which).tolist():
            mask = which == k
            pieces.append(parts[k].gather(idx[mask] - offsets[k]))
            where.append(torch.nonzero(mask).flatten())
        block = st.concat(pieces)
        inverse = torch.argsort(torch.cat(where))
        return st.take(block, inverse)

    def slice_(start, stop):
        pieces = []
        for k, p in enumerate(parts):
            lo, hi = int(offsets[k]), int(offsets[k + 1])
            a, b = max(start, lo), min(stop, hi)
            if a < b:
                pieces.append(p.slice(a - lo, b - lo))
        if not pieces:
            return parts[0].slice(0, 0)
        return st.concat(pieces)

    return Index(total, gather, slice_)

"""``window``, ``flat_map`` and ``interleave``: datasets of datasets, and how they flatten.

``ds.window(size, shift, stride, drop_remainder)`` yields window datasets, exactly as tf.data.
``flat_map`` recognises the courses' ``lambda w: w.batch(n)`` (optionally followed by ``map``
calls) by calling the function once on a placeholder window; that chain is then computed as
strided views of the input (``Tensor.unfold``) with batched gathers, never window by window.
Any other function takes the general per-window path.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable

import torch

from deepprob.data import structure as st
from deepprob.data.dataset import Dataset
from deepprob.data.functions import ElementFunction
from deepprob.data.index import Index
from deepprob.data.sources import ListDataset, TensorSlicesDataset
from deepprob.data.transforms import BatchDataset, MapDataset, PrefetchDataset

INF, UNKNOWN = st.INFINITE_CARDINALITY, st.UNKNOWN_CARDINALITY


def _window_counts(n: int, size: int, shift: int, stride: int) -> tuple[int, int]:
    """(number of full windows, number of windows including the shorter last ones)."""
    span = (size - 1) * stride + 1
    full = (n - span) // shift + 1 if n >= span else 0
    return full, math.ceil(n / shift)


class WindowDataset(Dataset):
    """``Dataset.window``: each element is a dataset (a structure of them for structured input)."""

    def __init__(self, input_dataset: Dataset, size: int, shift: int, stride: int, drop: bool):
        self._input = input_dataset
        self.size, self.shift, self.stride, self.drop = size, shift, stride, drop

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        if n < 0:
            return n
        full, total = _window_counts(n, self.size, self.shift, self.stride)
        return full if self.drop else total

    def _spec(self):
        inner = self._input.element_spec
        return st.map_structure(lambda s: st.DatasetSpec(s), inner)

    def _window_of(self, block):
        return st.map_structure(_slices, block)

    def _elements(self):
        parent = self._input._index()
        if parent is not None:
            full, total = _window_counts(parent.n, self.size, self.shift, self.stride)
            count = full if self.drop else total
            for k in range(count):
                start = k * self.shift
                pos = torch.arange(start, min(parent.n, start + (self.size - 1) * self.stride + 1),
                                   self.stride)
                yield self._window_of(parent.gather(pos))
            return
        yield from self._stream()

    def _stream(self):
        """Windows over an input seen once, element by element (bounded memory)."""
        span = (self.size - 1) * self.stride + 1
        buf: collections.deque = collections.deque()
        base = 0  # absolute position of buf[0]
        it = iter(self._input)
        exhausted = False
        start = 0
        while True:
            while not exhausted and base + len(buf) < start + span:
                try:
                    buf.append(next(it))
                except StopIteration:
                    exhausted = True
            while base < start and buf:
                buf.popleft()
                base += 1
            if start >= base + len(buf):
                if exhausted:
                    return
                # shift larger than the buffer: skip input elements
                try:
                    next(it)
                except StopIteration:
                    return
                base += 1
                continue
            items = [buf[j] for j in range(start - base, min(len(buf), start - base + span),
                                           self.stride)]
            if len(items) < self.size and self.drop:
                return
            if len(items) and isinstance(items[0], (tuple, dict)):
                columns = list(zip(*[st.flatten(x) for x in items]))
                yield st.pack_as(items[0], [ListDataset(list(c)) for c in columns])
            else:
                yield ListDataset(items)
            start += self.shift


def _slices(leaf):
    return TensorSlicesDataset(leaf)


class _WindowTemplate(Dataset):
    """A placeholder window given to the flat_map function once, to read what it builds."""

    def _elements(self):
        raise RuntimeError("placeholder window")

    def _index(self):
        raise RuntimeError("placeholder window")

    def _blocks(self):
        raise RuntimeError("placeholder window")

    def _spec(self):
        raise RuntimeError("placeholder window")


def flat_map(dataset: Dataset, fn: Callable) -> Dataset:
    """``dataset.flat_map(fn)``, vectorized for ``window(...).flat_map(lambda w: w.batch(k))``."""
    if not callable(fn):
        raise TypeError(f"Dataset.flat_map: expected a callable, received {type(fn).__name__}.")
    if isinstance(dataset, WindowDataset):
        recognised = _recognise(dataset, fn)
        if recognised is not None:
            return recognised
    return FlatMapDataset(dataset, fn)


def _recognise(windows: WindowDataset, fn: Callable) -> Dataset | None:
    template = _WindowTemplate()
    try:
        result = fn(template)
    except Exception:  # noqa: BLE001 - not the recognised pattern: general path
        return None
    maps = []
    node = result
    while isinstance(node, (MapDataset, PrefetchDataset)):
        if isinstance(node, MapDataset):
            maps.append(node._fn.fn)
        node = node._input
    if not (isinstance(node, BatchDataset) and node._input is template
            and node._size >= windows.size):
        return None
    out: Dataset = WindowBatchDataset(windows, node._size, node._drop, fn)
    for m in reversed(maps):
        out = MapDataset(out, m)
    return out


class WindowBatchDataset(Dataset):
    """``window(size, shift, stride, drop).flat_map(lambda w: w.batch(k))`` with ``k >= size``:
    each window becomes one tensor; computed from strided views."""

    def __init__(self, windows: WindowDataset, batch_size: int, inner_drop: bool, fn: Callable):
        self._windows = windows
        self._k = batch_size
        self._inner_drop = inner_drop
        self._fn = fn

    def _counts(self, n: int) -> tuple[int, int]:
        """(full windows kept, shorter windows kept)."""
        w = self._windows
        full, total = _window_counts(n, w.size, w.shift, w.stride)
        if self._inner_drop and self._k > w.size:
            return 0, 0
        if w.drop or self._inner_drop:
            return full, 0
        return full, total - full

    def _cardinality(self) -> int:
        n = self._windows._input.cardinality()
        if n < 0:
            return n
        full, partial = self._counts(n)
        return full + partial

    def _spec(self):
        size = self._windows.size if not self._counts_unknown_partial() else None
        return st.map_structure(lambda s: st.TensorSpec((size,) + tuple(s.shape), s.dtype),
                                self._windows._input.element_spec)

    def _counts_unknown_partial(self) -> bool:
        n = self._windows._input.cardinality()
        return n < 0 or self._counts(n)[1] > 0

    def _full_index(self, parent: Index) -> Index:
        w = self._windows
        full, _ = self._counts(parent.n)
        view = parent.window_view(w.size, w.shift, w.stride)
        if view is not None:
            view.n = min(view.n, full)
            return view
        offsets = torch.arange(w.size) * w.stride

        def gather(idx):
            rows = (idx[:, None] * w.shift + offsets).reshape(-1)
            return st.reshape_leading(parent.gather(rows), len(idx), w.size)

        return Index(full, gather)

    def _index(self):
        parent = self._windows._input._index()
        if parent is None:
            return None
        if self._counts(parent.n)[1]:
            return None
        return self._full_index(parent)

    def _blocks(self):
        parent = self._windows._input._index()
        if parent is None:
            return None
        return self._with_partials(parent)

    def _with_partials(self, parent: Index):
        w = self._windows
        full, partial = self._counts(parent.n)
        yield from self._full_index(parent).blocks()
        for k in range(full, full + partial):
            start = k * w.shift
            pos = torch.arange(start, parent.n, w.stride)[: w.size]
            yield st.map_structure(lambda v: v.unsqueeze(0), parent.gather(pos))

    def _elements(self):
        return iter(FlatMapDataset(self._windows, self._fn))


class FlatMapDataset(Dataset):
    """``Dataset.flat_map`` (general path): chain the datasets the function returns."""

    def __init__(self, input_dataset: Dataset, fn: Callable):
        self._input = input_dataset
        self._fn = ElementFunction(fn, "Dataset.flat_map")

    def _elements(self):
        for i, e in enumerate(self._input):
            try:
                ds = self._fn.call(e)
            except Exception as err:  # noqa: BLE001
                from deepprob.data.functions import reraise

                reraise(err, "Dataset.flat_map", self._fn.fn, i, e)
            if not isinstance(ds, Dataset):
                raise TypeError(
                    f"Dataset.flat_map: the function must return a Dataset; for element {i} it "
                    f"returned {type(ds).__name__}."
                )
            yield from ds

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        return 0 if n == 0 else UNKNOWN


class InterleaveDataset(Dataset):
    """``Dataset.interleave`` with tf.data's cycle order (element path)."""

    def __init__(self, input_dataset: Dataset, fn: Callable, cycle_length: int,
                 block_length: int):
        self._input = input_dataset
        self._fn = ElementFunction(fn, "Dataset.interleave")
        self._cycle = cycle_length
        self._block = block_length

    def _cardinality(self) -> int:
        return 0 if self._input.cardinality() == 0 else UNKNOWN

    def _open(self, element, i: int):
        try:
            ds = self._fn.call(element)
        except Exception as err:  # noqa: BLE001
            from deepprob.data.functions import reraise

            reraise(err, "Dataset.interleave", self._fn.fn, i, element)
        if not isinstance(ds, Dataset):
            raise TypeError(
                f"Dataset.interleave: the function must return a Dataset; for element {i} it "
                f"returned {type(ds).__name__}."
            )
        return iter(ds)

    def _elements(self):
        source = iter(self._input)
        slots: list = [None] * self._cycle
        end_of_input = False
        num_open = 0
        cycle_index = 0
        block_index = 0
        consumed = 0
        while not end_of_input or num_open > 0:
            current = slots[cycle_index]
            if current is not None:
                try:
                    value = next(current)
                except StopIteration:
                    slots[cycle_index] = None
                    num_open -= 1
                    cycle_index, block_index = (cycle_index + 1) % self._cycle, 0
                    continue
                block_index += 1
                if block_index == self._block:
                    cycle_index, block_index = (cycle_index + 1) % self._cycle, 0
                yield value
            elif not end_of_input:
                try:
                    element = next(source)
                except StopIteration:
                    end_of_input = True
                    continue
                slots[cycle_index] = self._open(element, consumed)
                consumed += 1
                num_open += 1
            else:
                cycle_index, block_index = (cycle_index + 1) % self._cycle, 0

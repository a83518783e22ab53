"""Element-wise and structural transformations of ``dp.data.Dataset``."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator

import numpy as np
import torch

from deepprob.data import structure as st
from deepprob.data.dataset import Dataset
from deepprob.data.functions import ElementFunction
from deepprob.data.index import Index, concat_index, map_index, offset_index, tensor_index
from deepprob.data.shuffling import buffer_shuffle_elements, buffer_shuffle_indices

INF, UNKNOWN = st.INFINITE_CARDINALITY, st.UNKNOWN_CARDINALITY


class _Unary(Dataset):
    def __init__(self, input_dataset: Dataset):
        self._input = input_dataset

    def _cardinality(self) -> int:
        return self._input.cardinality()


# ---------------------------------------------------------------------------------------------
class MapDataset(_Unary):
    """``Dataset.map``: vmapped over blocks when possible, else per element."""

    def __init__(self, input_dataset: Dataset, fn: Callable):
        super().__init__(input_dataset)
        self._fn = ElementFunction(fn, "Dataset.map")

    def _probe(self, sample) -> bool:
        return self._fn.probe(sample)

    def _index(self):
        if self._fn.vectorizable is False:
            return None
        parent = self._input._index()
        if parent is None:
            return None
        if parent.n and not self._probe(parent.slice(0, min(parent.n, 2))):
            return None
        return map_index(parent, self._fn.on_block)

    def _blocks(self):
        if self._fn.vectorizable is False:
            return None
        index = self._index()
        if index is not None:
            return index.blocks()
        if self._fn.vectorizable is False:
            return None
        blocks = self._input._blocks()
        return None if blocks is None else self._map_blocks(blocks)

    def _map_blocks(self, blocks):
        offset = 0
        for block in blocks:
            if not st.block_len(block):
                continue
            if self._fn.vectorizable is None and not self._probe(block):
                # not vmappable: finish this pass per element, stacking each block
                yield from self._per_element_blocks(block, blocks, offset)
                return
            yield self._fn.on_block(block, offset)
            offset += st.block_len(block)

    def _per_element_blocks(self, block, rest, offset):
        for b in _chain_first(block, rest):
            outs = [self._fn.on_element(e, offset + i) for i, e in enumerate(st.unstack(b))]
            offset += len(outs)
            try:
                yield st.stack(outs)
            except (ValueError, TypeError):
                for o in outs:
                    yield st.map_structure(_unsqueeze_any, o)

    def _elements(self):
        for i, e in enumerate(self._input):
            yield self._fn.on_element(e, i)


def _chain_first(first, rest):
    yield first
    yield from rest


def _unsqueeze_any(v):
    if isinstance(v, torch.Tensor):
        return v.unsqueeze(0)
    if isinstance(v, np.ndarray):
        return v[None]
    return np.array([v])


# ---------------------------------------------------------------------------------------------
class FilterDataset(_Unary):
    """``Dataset.filter``: a boolean mask per block (vmapped predicate) or per element."""

    def __init__(self, input_dataset: Dataset, predicate: Callable):
        super().__init__(input_dataset)
        self._fn = ElementFunction(predicate, "Dataset.filter")

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        return INF if n == INF else (0 if n == 0 else UNKNOWN)

    def _keep(self, value, index: int, element) -> bool:
        if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dim() == 0:
            if value.dtype != torch.bool:
                self._bad(value, index)
            return bool(value)
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        self._bad(value, index)

    def _bad(self, value, index):
        raise TypeError(
            f"Dataset.filter: the predicate must return a scalar boolean; for element {index} "
            f"it returned {st._short(value)}."
        )

    def _blocks(self):
        if self._fn.vectorizable is False:
            return None
        blocks = self._input._blocks()
        return None if blocks is None else self._filter_blocks(blocks)

    def _filter_blocks(self, blocks):
        offset = 0
        for block in blocks:
            n = st.block_len(block)
            if not n:
                continue
            if self._fn.vectorizable is None:
                ok = self._fn.probe(block)
                if ok:
                    mask = self._fn.on_block(block, offset)
                    ok = (isinstance(mask, torch.Tensor) and mask.dtype == torch.bool
                          and mask.shape == (n,))
                    self._fn.vectorizable = ok
                if not ok:
                    for b in _chain_first(block, blocks):
                        keep = [i for i, e in enumerate(st.unstack(b))
                                if self._keep(self._fn.on_element(e, offset + i), offset + i, e)]
                        offset += st.block_len(b)
                        if keep:
                            yield st.take(b, torch.tensor(keep, dtype=torch.long))
                    return
            mask = self._fn.on_block(block, offset)
            offset += n
            if bool(mask.all()):
                yield block
            elif bool(mask.any()):
                yield st.take(block, torch.nonzero(mask).flatten())

    def _elements(self):
        for i, e in enumerate(self._input):
            if self._keep(self._fn.on_element(e, i), i, e):
                yield e

    def _spec(self):
        return self._input.element_spec


# ---------------------------------------------------------------------------------------------
class BatchDataset(_Unary):
    """``Dataset.batch``: reshapes of gathered blocks; per-element stacking as the fallback."""

    def __init__(self, input_dataset: Dataset, batch_size: int, drop_remainder: bool):
        super().__init__(input_dataset)
        self._size = batch_size
        self._drop = drop_remainder

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        if n < 0:
            return n
        return n // self._size if self._drop else math.ceil(n / self._size)

    def _spec(self):
        lead = self._size if self._drop else None

        def spec(s):
            if isinstance(s, st.TensorSpec):
                return st.TensorSpec((lead,) + tuple(s.shape), s.dtype)
            raise TypeError("Dataset.batch: cannot batch datasets (windows); use flat_map first.")

        return st.map_structure(spec, self._input.element_spec)

    def _index(self):
        parent = self._input._index()
        if parent is None:
            return None
        b = self._size
        if not self._drop and parent.n % b:
            return None  # a smaller last batch: stream blocks instead
        arange = torch.arange(b)

        def gather(idx):
            rows = (idx[:, None] * b + arange).reshape(-1)
            return st.reshape_leading(parent.gather(rows), len(idx), b)

        def slice_(start, stop):
            return st.reshape_leading(parent.slice(start * b, stop * b), stop - start, b)

        return Index(parent.n // b, gather, slice_)

    def _blocks(self):
        index = self._index()
        if index is not None:
            return index.blocks()
        parent = self._input._index()
        if parent is not None:
            return self._index_blocks(parent)
        blocks = self._input._blocks()
        return None if blocks is None else self._rebatch(blocks)

    def _index_blocks(self, parent: Index):
        b = self._size
        full = parent.n // b
        per = max(1, parent.chunk() // b)
        for s in range(0, full, per):
            e = min(full, s + per)
            yield st.reshape_leading(parent.slice(s * b, e * b), e - s, b)
        if parent.n % b and not self._drop:
            tail = parent.slice(full * b, parent.n)
            yield st.reshape_leading(tail, 1, parent.n - full * b)

    def _rebatch(self, blocks):
        b = self._size
        pending: list = []
        count = 0
        for block in blocks:
            n = st.block_len(block)
            if not n:
                continue
            pending.append(block)
            count += n
            if count >= b:
                whole = st.concat(pending) if len(pending) > 1 else pending[0]
                k = count // b
                yield st.reshape_leading(st.take(whole, slice(0, k * b)), k, b)
                rest = count - k * b
                pending = [st.take(whole, slice(k * b, count))] if rest else []
                count = rest
        if count and not self._drop:
            whole = st.concat(pending)
            yield st.reshape_leading(whole, 1, count)

    def _elements(self):
        buf: list = []
        for e in self._input:
            buf.append(e)
            if len(buf) == self._size:
                yield st.stack(buf)
                buf = []
        if buf and not self._drop:
            yield st.stack(buf)


# ---------------------------------------------------------------------------------------------
class PaddedBatchDataset(_Unary):
    """``Dataset.padded_batch`` (element path)."""

    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(input_dataset)
        self._size = batch_size
        self._shapes = padded_shapes
        self._values = padding_values
        self._drop = drop_remainder

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        if n < 0:
            return n
        return n // self._size if self._drop else math.ceil(n / self._size)

    def _elements(self):
        buf: list = []
        for e in self._input:
            buf.append(e)
            if len(buf) == self._size:
                yield self._pad(buf)
                buf = []
        if buf and not self._drop:
            yield self._pad(buf)

    def _per_leaf(self, value, structure, n: int, what: str) -> list:
        if value is None:
            return [None] * n
        if isinstance(structure, (tuple, dict)):
            try:
                leaves = st.flatten(st.pack_as(structure, st.flatten(value)))
                if isinstance(value, (tuple, dict)):
                    return leaves
            except Exception:  # noqa: BLE001
                pass
            if isinstance(value, (tuple, dict)):
                raise ValueError(f"Argument `{what}` does not match the element structure.")
        if what == "padded_shapes" and not isinstance(value, (tuple, dict)):
            return [value] * n
        return [value] * n

    def _pad(self, elements: list):
        first = elements[0]
        columns = list(zip(*[st.flatten(e) for e in elements]))
        n = len(columns)
        shapes = self._shape_list(first, n)
        values = self._per_leaf(self._values, first, n, "padding_values")
        out = []
        for j, column in enumerate(columns):
            if not isinstance(column[0], torch.Tensor):
                out.append(np.array(column))
                continue
            ndim = column[0].dim()
            for k, c in enumerate(column):
                if c.dim() != ndim:
                    raise ValueError(
                        f"Dataset.padded_batch: element {k} has rank {c.dim()} but element 0 "
                        f"has rank {ndim}; padding only changes dimension sizes."
                    )
            longest = [max(int(c.shape[d]) for c in column) for d in range(ndim)]
            target = longest
            if shapes[j] is not None:
                target = []
                spec = list(shapes[j])
                if len(spec) != ndim:
                    raise ValueError(
                        f"Argument `padded_shapes`: shape {tuple(spec)} has rank {len(spec)} "
                        f"but the component has rank {ndim}."
                    )
                for d, s in enumerate(spec):
                    if s is None or s == -1:
                        target.append(longest[d])
                    elif s < longest[d]:
                        raise ValueError(
                            f"Argument `padded_shapes`: dimension {d} is {s}, smaller than an "
                            f"element's size {longest[d]} in that dimension."
                        )
                    else:
                        target.append(int(s))
            fill = 0 if values[j] is None else values[j]
            batch = torch.full([len(column)] + target, fill, dtype=column[0].dtype)
            for k, c in enumerate(column):
                batch[(k,) + tuple(slice(0, s) for s in c.shape)] = c
            out.append(batch)
        return st.pack_as(first, out)

    def _shape_list(self, first, n):
        shapes = self._shapes
        if shapes is None:
            return [None] * n
        if isinstance(shapes, int) or isinstance(shapes, torch.Size):
            return [(shapes,) if isinstance(shapes, int) else tuple(shapes)] * n
        if isinstance(shapes, list):
            return [tuple(shapes)] * n
        if isinstance(shapes, tuple) and all(s is None or isinstance(s, int) for s in shapes) \
                and not isinstance(first, tuple):
            return [shapes] * n
        flat = st.flatten(st.pack_as(first, st.flatten(shapes))) if isinstance(
            shapes, dict) else list(shapes)
        if len(flat) != n:
            raise ValueError(
                f"Argument `padded_shapes`: expected {n} shapes (one per component), "
                f"received {len(flat)}."
            )
        return [None if s is None else ((s,) if isinstance(s, int) else tuple(s)) for s in flat]


# ---------------------------------------------------------------------------------------------
class UnbatchDataset(_Unary):
    """``Dataset.unbatch``: merge the two leading dimensions of blocks."""

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        if n in (0, INF):
            return n
        try:
            spec = self._input.element_spec
        except Exception:  # noqa: BLE001
            return UNKNOWN
        lead = {s.shape[0] for s in st.flatten(spec)
                if isinstance(s, st.TensorSpec) and len(s.shape)}
        if n > 0 and len(lead) == 1 and None not in lead:
            return n * lead.pop()
        return UNKNOWN

    def _blocks(self):
        blocks = self._input._blocks()
        if blocks is None:
            return None
        return (self._merge(b) for b in blocks)

    @staticmethod
    def _merge(block):
        def merge(v):
            if v.ndim < 2:
                raise ValueError(
                    "Dataset.unbatch: every component needs at least one dimension to unbatch."
                )
            return v.reshape((-1,) + tuple(v.shape[2:]))

        return st.map_structure(merge, block)

    def _elements(self):
        for i, e in enumerate(self._input):
            leaves = st.flatten(e)
            if any(getattr(v, "ndim", 0) == 0 for v in leaves):
                raise ValueError(
                    f"Dataset.unbatch: element {i} has a scalar component; nothing to unbatch."
                )
            sizes = {int(v.shape[0]) for v in leaves}
            if len(sizes) > 1:
                raise ValueError(
                    f"Dataset.unbatch: the components of element {i} have different first "
                    f"dimensions {sorted(sizes)}."
                )
            yield from st.unstack(e)


# ---------------------------------------------------------------------------------------------
class ShuffleDataset(_Unary):
    """``Dataset.shuffle``: a vectorized buffer-order index stream over random-access input."""

    def __init__(self, input_dataset: Dataset, buffer_size: int, seed, reshuffle: bool):
        super().__init__(input_dataset)
        self._buffer = buffer_size
        if seed is None:
            seed = int(torch.randint(0, 2**62, (1,)).item())
        elif isinstance(seed, bool) or not isinstance(seed, int) and not hasattr(seed, "__index__"):
            raise TypeError(f"Argument `seed`: expected an integer or None, received {seed!r}.")
        self._seed = int(seed)
        self._reshuffle = reshuffle
        self._seeds = torch.Generator().manual_seed(self._seed)

    def _pass_seed(self) -> int:
        if not self._reshuffle:
            return self._seed
        return int(torch.randint(0, 2**62, (1,), generator=self._seeds).item())

    def _blocks(self):
        parent = self._input._index()
        if parent is None:
            return None
        gen = torch.Generator().manual_seed(self._pass_seed())
        chunk = parent.chunk()
        return (parent.gather(idx)
                for idx in buffer_shuffle_indices(parent.n, self._buffer, gen, chunk))

    def _elements(self):
        return buffer_shuffle_elements(iter(self._input), self._buffer, self._pass_seed())

    def _spec(self):
        return self._input.element_spec


# ---------------------------------------------------------------------------------------------
class RepeatDataset(_Unary):
    """``Dataset.repeat``: each repetition is a fresh pass (shuffles reshuffle)."""

    def __init__(self, input_dataset: Dataset, count: int):
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        if self._count == 0 or n == 0:
            return 0
        if self._count == -1:
            return INF if n != UNKNOWN else UNKNOWN
        return n if n < 0 else n * self._count

    def _passes(self):
        k = 0
        while self._count == -1 or k < self._count:
            yield k
            k += 1

    def _index(self):
        if self._count == -1:
            return None
        if self._count == 0:
            return Index(0, lambda idx: None)
        parts = []
        for _ in range(self._count):
            p = self._input._index()
            if p is None:
                return None
            parts.append(p)
        return concat_index(parts) if len(parts) > 1 else parts[0]

    def _blocks(self):
        if self._count != -1:
            index = self._index()
            return None if index is None else index.blocks()
        first = self._input._blocks()
        if first is None:
            return None
        return self._forever(first)

    def _forever(self, first):
        blocks = first
        while True:
            produced = False
            for b in blocks:
                produced = True
                yield b
            if not produced:
                return
            blocks = self._input._blocks()

    def _elements(self):
        for _ in self._passes():
            produced = False
            for e in self._input:
                produced = True
                yield e
            if not produced:
                return

    def _spec(self):
        return self._input.element_spec


# ---------------------------------------------------------------------------------------------
class TakeDataset(_Unary):
    """``Dataset.take``."""

    def __init__(self, input_dataset: Dataset, count: int):
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        if self._count == -1:
            return n
        if n == INF:
            return self._count
        if n == UNKNOWN:
            return UNKNOWN
        return min(n, self._count)

    def _index(self):
        parent = self._input._index()
        if parent is None:
            return None
        stop = parent.n if self._count == -1 else min(parent.n, self._count)
        return offset_index(parent, 0, stop)

    def _blocks(self):
        index = self._index()
        if index is not None:
            return index.blocks()
        blocks = self._input._blocks()
        return None if blocks is None else self._truncate(blocks)

    def _truncate(self, blocks):
        left = self._count
        if left == -1:
            yield from blocks
            return
        if left == 0:
            return
        for b in blocks:
            n = st.block_len(b)
            if n >= left:
                yield st.take(b, slice(0, left))
                return
            left -= n
            yield b

    def _elements(self):
        if self._count == -1:
            yield from self._input
            return
        if self._count == 0:
            return
        for i, e in enumerate(self._input):
            yield e
            if i + 1 >= self._count:
                return

    def _spec(self):
        return self._input.element_spec


class SkipDataset(_Unary):
    """``Dataset.skip``."""

    def __init__(self, input_dataset: Dataset, count: int):
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self) -> int:
        n = self._input.cardinality()
        if self._count == -1:
            return 0 if n != INF else INF
        if n < 0:
            return n
        return max(0, n - self._count)

    def _index(self):
        parent = self._input._index()
        if parent is None:
            return None
        start = parent.n if self._count == -1 else min(parent.n, self._count)
        return offset_index(parent, start, parent.n)

    def _blocks(self):
        index = self._index()
        if index is not None:
            return index.blocks()
        blocks = self._input._blocks()
        return None if blocks is None else self._drop(blocks)

    def _drop(self, blocks):
        left = self._count
        for b in blocks:
            if left == -1:
                continue
            n = st.block_len(b)
            if left >= n:
                left -= n
                continue
            yield st.take(b, slice(left, n)) if left else b
            left = 0

    def _elements(self):
        for i, e in enumerate(self._input):
            if self._count != -1 and i >= self._count:
                yield e

    def _spec(self):
        return self._input.element_spec


# ---------------------------------------------------------------------------------------------
class PrefetchDataset(_Unary):
    """``Dataset.prefetch``: the input unchanged (blocks are computed ahead already)."""

    def _index(self):
        return self._input._index()

    def _blocks(self):
        return self._input._blocks()

    def _elements(self):
        return iter(self._input)

    def _spec(self):
        return self._input.element_spec


# ---------------------------------------------------------------------------------------------
class CacheDataset(_Unary):
    """``Dataset.cache``: the first complete pass is stored (in memory or a file) and replayed."""

    def __init__(self, input_dataset: Dataset, filename: str):
        super().__init__(input_dataset)
        self._filename = str(filename) if filename else ""
        self._store = None  # list of blocks, or ("elements", list)

    def _load(self):
        if self._store is None and self._filename and os.path.exists(self._filename):
            self._store = torch.load(self._filename, weights_only=False)
        return self._store

    def _save(self, store):
        self._store = store
        if self._filename:
            torch.save(store, self._filename)

    def _index(self):
        store = self._load()
        if store is None or store[0] != "blocks":
            return None
        blocks = store[1]
        if not blocks:
            return None
        try:
            whole = st.concat(blocks)
        except (ValueError, TypeError):
            return None
        if not all(isinstance(v, torch.Tensor) for v in st.flatten(whole)):
            return None
        return tensor_index(whole, st.block_len(whole))

    def _blocks(self):
        store = self._load()
        if store is not None:
            return iter(store[1]) if store[0] == "blocks" else None
        blocks = self._input._blocks()
        return None if blocks is None else self._record(blocks)

    def _record(self, blocks):
        kept = []
        for b in blocks:
            kept.append(b)
            yield b
        self._save(("blocks", kept))

    def _elements(self):
        store = self._load()
        if store is not None:
            if store[0] == "blocks":
                for b in store[1]:
                    yield from st.unstack(b)
            else:
                yield from store[1]
            return
        kept = []
        for e in self._input:
            kept.append(e)
            yield e
        self._save(("elements", kept))

    def _spec(self):
        return self._input.element_spec


# ---------------------------------------------------------------------------------------------
class EnumerateDataset(_Unary):
    """``Dataset.enumerate``."""

    def __init__(self, input_dataset: Dataset, start: int):
        super().__init__(input_dataset)
        self._start = start

    def _index(self):
        parent = self._input._index()
        if parent is None:
            return None
        s = self._start

        def gather(idx):
            return (idx + s, parent.gather(idx))

        def slice_(a, b):
            return (torch.arange(a + s, b + s), parent.slice(a, b))

        return Index(parent.n, gather, slice_)

    def _blocks(self):
        index = self._index()
        if index is not None:
            return index.blocks()
        blocks = self._input._blocks()
        return None if blocks is None else self._count_blocks(blocks)

    def _count_blocks(self, blocks):
        pos = self._start
        for b in blocks:
            n = st.block_len(b)
            yield (torch.arange(pos, pos + n), b)
            pos += n

    def _elements(self):
        for i, e in enumerate(self._input, start=self._start):
            yield (torch.tensor(i), e)

    def _spec(self):
        return (st.TensorSpec((), torch.int64), self._input.element_spec)


# ---------------------------------------------------------------------------------------------
class ZipDataset(Dataset):
    """``Dataset.zip``: element-wise tuples (or dicts) of several datasets."""

    def __init__(self, structure):
        if isinstance(structure, Dataset):
            structure = (structure,)
        leaves = st.flatten(structure)
        for leaf in leaves:
            if not isinstance(leaf, Dataset):
                raise TypeError(
                    "Argument `datasets`: expected a tuple or dict of Datasets, received an "
                    f"item of type {type(leaf).__name__}."
                )
        self._structure = structure
        self._inputs = leaves

    def _cardinality(self) -> int:
        ns = [d.cardinality() for d in self._inputs]
        finite = [n for n in ns if n >= 0]
        if finite:
            return min(finite) if UNKNOWN not in ns or min(finite) == 0 else UNKNOWN
        return UNKNOWN if UNKNOWN in ns else INF

    def _index(self):
        parts = [d._index() for d in self._inputs]
        if any(p is None for p in parts):
            return None
        n = min(p.n for p in parts)
        structure = self._structure

        def gather(idx):
            return st.pack_as(structure, [p.gather(idx) for p in parts])

        def slice_(a, b):
            return st.pack_as(structure, [p.slice(a, b) for p in parts])

        return Index(n, gather, slice_)

    def _elements(self):
        for values in zip(*self._inputs):
            yield st.pack_as(self._structure, values)

    def _spec(self):
        return st.pack_as(self._structure, [d.element_spec for d in self._inputs])


class ConcatenateDataset(Dataset):
    """``Dataset.concatenate``."""

    def __init__(self, first: Dataset, second: Dataset):
        self._first, self._second = first, second

    def _cardinality(self) -> int:
        a, b = self._first.cardinality(), self._second.cardinality()
        if INF in (a, b):
            return INF
        if UNKNOWN in (a, b):
            return UNKNOWN
        return a + b

    def _index(self):
        a, b = self._first._index(), self._second._index()
        if a is None or b is None:
            return None
        if a.n and b.n:
            sa = st.spec_of(st.take(a.slice(0, 1), 0))
            sb = st.spec_of(st.take(b.slice(0, 1), 0))
            if sa != sb:
                return None
        return concat_index([a, b])

    def _blocks(self):
        index = self._index()
        if index is not None:
            return index.blocks()
        a = self._first._blocks()
        if a is None:
            return None
        return _chain_lazy(a, self._second)

    def _elements(self):
        yield from self._first
        yield from self._second


def _chain_lazy(first: Iterator, second: Dataset):
    yield from first
    blocks = second._blocks()
    yield from (blocks if blocks is not None else (st.map_structure(_unsqueeze_any, e)
                                                   for e in second))


"""``dp.data.Dataset``: tf.data's Dataset API and semantics on torch tensors.

Every transformation returns a new lazy Dataset. Iterating runs the pipeline along the fastest
path its nodes allow:

* **Index path** — sources, windows, vmappable maps, batches, take/skip, zip, enumerate and
  finite repeats give random access (:class:`~deepprob.data.index.Index`); elements are
  fetched as blocks by strided views and batched gathers.
* **Block path** — shuffle (as a vectorized buffer index stream), filter, unbatch, repeat and
  maps over streams move blocks of consecutive elements.
* **Element path** — everything else (generators, interleave, padded_batch, functions vmap
  cannot run) goes element by element, exactly as tf.data does.

Elements are ``torch.Tensor`` structures (tuples and dicts as given; Python lists given to
``from_tensor_slices`` become tensors, as in tf.data); text components are Python ``str``.
``as_numpy_iterator()`` gives NumPy. Every path yields the same elements in the same order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import torch

from deepprob.data import structure as st
from deepprob.data.index import Index

AUTOTUNE = -1


def _check_int(value, argument: str, minimum: int, allow: tuple = ()) -> int:
    if value in allow and not isinstance(value, bool):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise TypeError(f"Argument `{argument}`: expected an integer, received {value!r}.")
    value = int(value)
    if value < minimum:
        extra = f" (or {', '.join(map(str, allow))})" if allow else ""
        raise ValueError(
            f"Argument `{argument}`: expected an integer >= {minimum}{extra}, received {value}."
        )
    return value


class Dataset:
    """A lazy, re-iterable sequence of elements with tf.data's transformations.

    Create one with :meth:`from_tensor_slices`, :meth:`from_tensors`, :meth:`range`,
    :meth:`from_generator`, :meth:`zip`, :meth:`list_files` or the readers in ``dp.data``.
    Iterating yields elements (tuples / dicts of torch tensors); ``fit`` accepts a dataset of
    ``(x, y)`` or ``(x, y, sample_weight)`` batches.

    Example:
        >>> ds = Dataset.range(10).window(5, shift=1, drop_remainder=True)
        >>> ds = ds.flat_map(lambda w: w.batch(5)).map(lambda w: (w[:-1], w[-1]))
        >>> [(x.tolist(), y.item()) for x, y in ds.take(2)]
        [([0, 1, 2, 3], 4), ([1, 2, 3, 4], 5)]
    """

    # ---- hooks implemented by the nodes --------------------------------------------------
    def _elements(self) -> Iterator:
        raise NotImplementedError

    def _index(self) -> Index | None:
        """Random access for one pass, or ``None``."""
        return None

    def _blocks(self) -> Iterator | None:
        """Blocks of consecutive elements for one pass, or ``None``."""
        index = self._index()
        return None if index is None else index.blocks()

    def _cardinality(self) -> int:
        return st.UNKNOWN_CARDINALITY

    def _spec(self):
        first = next(iter(self), None)
        if first is None:
            raise ValueError(f"element_spec of an empty {type(self).__name__} is unknown.")
        return st.spec_of(first)

    # ---- iteration -----------------------------------------------------------------------
    def __iter__(self) -> Iterator:
        blocks = self._blocks()
        if blocks is None:
            return self._elements()
        return _unstack_all(blocks)

    def as_numpy_iterator(self) -> Iterator:
        """Iterate with NumPy arrays in place of tensors.

        Example:
            >>> [int(v) for v in Dataset.range(3).as_numpy_iterator()]
            [0, 1, 2]
        """
        return (st.to_numpy(e) for e in self)

    def cardinality(self) -> int:
        """Number of elements: an int, ``INFINITE_CARDINALITY`` (-1) or ``UNKNOWN_CARDINALITY``
        (-2), as tf.data reports it (a Python int here, not a tensor).

        Example:
            >>> Dataset.range(10).batch(3).cardinality()
            4
        """
        return self._cardinality()

    def __len__(self) -> int:
        n = self.cardinality()
        if n == st.INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == st.UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True

    @property
    def element_spec(self):
        """The :class:`~deepprob.data.TensorSpec` structure of one element."""
        return self._spec()

    def __repr__(self) -> str:
        n = self.cardinality()
        size = {st.INFINITE_CARDINALITY: "infinite", st.UNKNOWN_CARDINALITY: "unknown"}.get(n, n)
        return f"<{type(self).__name__} cardinality={size}>"

    # ---- sources ---------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name: str | None = None) -> Dataset:
        """Elements are the slices of ``tensors`` along their first dimension.

        Args:
            tensors: an array / tensor / list, or a tuple or dict (possibly nested) of them,
                all with the same first dimension.
            name: unused (tf.data compatibility).

        Example:
            >>> [e.item() for e in Dataset.from_tensor_slices([1, 2, 3])]
            [1, 2, 3]
        """
        from deepprob.data.sources import TensorSlicesDataset

        return TensorSlicesDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name: str | None = None) -> Dataset:
        """A dataset with a single element, ``tensors``.

        Args:
            tensors: an array / tensor, or a tuple or dict of them.
            name: unused.

        Example:
            >>> [e.tolist() for e in Dataset.from_tensors([1, 2])]
            [[1, 2]]
        """
        from deepprob.data.sources import TensorsDataset

        return TensorsDataset(tensors)

    @staticmethod
    def range(*args, dtype: torch.dtype = torch.int64, name: str | None = None) -> Dataset:
        """``range(stop)``, ``range(start, stop)`` or ``range(start, stop, step)`` as scalars.

        Args:
            *args: as Python's ``range``.
            dtype: element dtype (default ``torch.int64``).
            name: unused.

        Example:
            >>> [e.item() for e in Dataset.range(1, 8, 3)]
            [1, 4, 7]
        """
        from deepprob.data.sources import RangeDataset

        return RangeDataset(*args, dtype=dtype)

    @staticmethod
    def from_generator(generator: Callable, output_types=None, output_shapes=None,
                       args: tuple | None = None, output_signature=None,
                       name: str | None = None) -> Dataset:
        """Elements produced by calling ``generator(*args)`` (again for every iteration).

        Args:
            generator: a callable returning an iterable.
            output_types, output_shapes, output_signature: accepted for compatibility; shapes
                given in ``output_signature`` (``TensorSpec``) are checked.
            args: arguments for ``generator``.
            name: unused.

        Example:
            >>> def gen():
            ...     yield from range(3)
            >>> [e.item() for e in Dataset.from_generator(gen)]
            [0, 1, 2]
        """
        from deepprob.data.sources import GeneratorDataset

        return GeneratorDataset(generator, args or (), output_signature)

    @staticmethod
    def zip(*datasets, name: str | None = None) -> Dataset:
        """Combine datasets element-wise: ``zip((a, b))``, ``zip(a, b)`` or a dict of datasets.

        Args:
            *datasets: one structure of datasets, or several datasets.
            name: unused.

        Example:
            >>> ds = Dataset.zip((Dataset.range(3), Dataset.range(3, 6)))
            >>> [(a.item(), b.item()) for a, b in ds]
            [(0, 3), (1, 4), (2, 5)]
        """
        from deepprob.data.transforms import ZipDataset

        structure = datasets[0] if len(datasets) == 1 else tuple(datasets)
        return ZipDataset(structure)

    @staticmethod
    def list_files(file_pattern, shuffle: bool | None = None, seed: int | None = None,
                   name: str | None = None) -> Dataset:
        """File names matching a glob pattern (or list of patterns), as ``str`` elements.

        Args:
            file_pattern: a glob pattern or a list of them.
            shuffle: shuffle the names each iteration (default ``True``, as tf.data).
            seed: shuffle seed.
            name: unused.

        Example:
            >>> files = Dataset.list_files("data/*.csv", shuffle=False)  # doctest: +SKIP
        """
        from deepprob.data.readers import list_files

        return list_files(file_pattern, shuffle=shuffle, seed=seed)

    # ---- transformations ---------------------------------------------------------------
    def map(self, map_func: Callable, num_parallel_calls: int | None = None,
            deterministic: bool | None = None, name: str | None = None) -> Dataset:
        """Apply ``map_func`` to every element (tuple elements are unpacked into arguments).

        Written for one element; run on whole blocks through ``torch.func.vmap`` when it can be.

        Args:
            map_func: the function.
            num_parallel_calls, deterministic: accepted (the vectorized path needs no threads).
            name: unused.

        Example:
            >>> [e.item() for e in Dataset.range(3).map(lambda x: x * 2)]
            [0, 2, 4]
        """
        from deepprob.data.transforms import MapDataset

        return MapDataset(self, map_func)

    def filter(self, predicate: Callable, name: str | None = None) -> Dataset:
        """Keep the elements for which ``predicate`` returns a true scalar.

        Args:
            predicate: element -> scalar boolean tensor (or bool).
            name: unused.

        Example:
            >>> [e.item() for e in Dataset.range(6).filter(lambda x: x % 2 == 0)]
            [0, 2, 4]
        """
        from deepprob.data.transforms import FilterDataset

        return FilterDataset(self, predicate)

    def batch(self, batch_size: int, drop_remainder: bool = False,
              num_parallel_calls: int | None = None, deterministic: bool | None = None,
              name: str | None = None) -> Dataset:
        """Stack consecutive elements into batches of ``batch_size``.

        Args:
            batch_size: elements per batch (> 0).
            drop_remainder: drop a last, smaller batch.
            num_parallel_calls, deterministic, name: accepted for compatibility.

        Example:
            >>> [b.tolist() for b in Dataset.range(5).batch(2)]
            [[0, 1], [2, 3], [4]]
        """
        from deepprob.data.transforms import BatchDataset

        return BatchDataset(self, _check_int(batch_size, "batch_size", 1), bool(drop_remainder))

    def padded_batch(self, batch_size: int, padded_shapes=None, padding_values=None,
                     drop_remainder: bool = False, name: str | None = None) -> Dataset:
        """Batch elements of different shapes, padding each component to a common shape.

        Args:
            batch_size: elements per batch.
            padded_shapes: shape (or structure of shapes) to pad to; ``None`` / ``-1``
                dimensions pad to the longest in the batch. Default: all longest.
            padding_values: scalar (or structure of scalars); default 0 (``""`` for text).
            drop_remainder: drop a last, smaller batch.
            name: unused.

        Example:
            >>> ds = Dataset.range(1, 4).map(lambda x: torch.full((int(x),), int(x)))
            >>> [b.tolist() for b in ds.padded_batch(2)]
            [[[1, 0], [2, 2]], [[3, 3, 3]]]
        """
        from deepprob.data.transforms import PaddedBatchDataset

        return PaddedBatchDataset(self, _check_int(batch_size, "batch_size", 1), padded_shapes,
                                  padding_values, bool(drop_remainder))

    def unbatch(self, name: str | None = None) -> Dataset:
        """Split every element along its first dimension (inverse of ``batch``).

        Example:
            >>> [e.item() for e in Dataset.range(4).batch(3).unbatch()]
            [0, 1, 2, 3]
        """
        from deepprob.data.transforms import UnbatchDataset

        return UnbatchDataset(self)

    def shuffle(self, buffer_size: int, seed: int | None = None,
                reshuffle_each_iteration: bool | None = None, name: str | None = None) -> Dataset:
        """Shuffle with tf.data's buffer: each output is drawn uniformly from a buffer of the
        next ``buffer_size`` elements (``buffer_size >= cardinality`` is a full shuffle).

        Args:
            buffer_size: buffer size (>= 1).
            seed: seed; ``None`` draws one from torch's global generator.
            reshuffle_each_iteration: new order on every iteration (default ``True``).
            name: unused.

        Example:
            >>> sorted(e.item() for e in Dataset.range(5).shuffle(5, seed=1))
            [0, 1, 2, 3, 4]
        """
        from deepprob.data.transforms import ShuffleDataset

        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return ShuffleDataset(self, _check_int(buffer_size, "buffer_size", 1), seed, reshuffle)

    def repeat(self, count: int | None = None, name: str | None = None) -> Dataset:
        """Repeat the dataset ``count`` times (``None`` or -1: forever).

        Example:
            >>> [e.item() for e in Dataset.range(2).repeat(2)]
            [0, 1, 0, 1]
        """
        from deepprob.data.transforms import RepeatDataset

        count = -1 if count is None else _check_int(count, "count", 0, allow=(-1,))
        return RepeatDataset(self, count)

    def take(self, count: int, name: str | None = None) -> Dataset:
        """The first ``count`` elements (-1: all).

        Example:
            >>> [e.item() for e in Dataset.range(10).take(3)]
            [0, 1, 2]
        """
        from deepprob.data.transforms import TakeDataset

        return TakeDataset(self, _check_int(count, "count", 0, allow=(-1,)))

    def skip(self, count: int, name: str | None = None) -> Dataset:
        """All but the first ``count`` elements (-1: skip everything).

        Example:
            >>> [e.item() for e in Dataset.range(5).skip(3)]
            [3, 4]
        """
        from deepprob.data.transforms import SkipDataset

        return SkipDataset(self, _check_int(count, "count", 0, allow=(-1,)))

    def cache(self, filename: str = "", name: str | None = None) -> Dataset:
        """Keep the elements of the first complete iteration and replay them afterwards.

        Args:
            filename: ``""`` caches in memory; a path saves the cache there (``torch.save``)
                and later datasets with the same path read it back.
            name: unused.

        Example:
            >>> ds = Dataset.range(3).map(lambda x: x + 1).cache()
            >>> [e.item() for e in ds] == [e.item() for e in ds]
            True
        """
        from deepprob.data.transforms import CacheDataset

        return CacheDataset(self, filename)

    def prefetch(self, buffer_size: int, name: str | None = None) -> Dataset:
        """Accepted for compatibility; returns the same elements (blocks are already ahead).

        Args:
            buffer_size: an integer >= 0 or ``AUTOTUNE``.
            name: unused.

        Example:
            >>> Dataset.range(3).prefetch(1).cardinality()
            3
        """
        from deepprob.data.transforms import PrefetchDataset

        _check_int(buffer_size, "buffer_size", 0, allow=(AUTOTUNE,))
        return PrefetchDataset(self)

    def window(self, size: int, shift: int | None = None, stride: int = 1,
               drop_remainder: bool = False, name: str | None = None) -> Dataset:
        """Windows of ``size`` elements, each a Dataset (flatten with ``flat_map``).

        Window ``k`` holds input elements ``k*shift + j*stride`` (``j < size``); the last
        windows are shorter unless ``drop_remainder``. A window longer than the data yields
        no full window (tf.data's behaviour).

        Args:
            size: elements per window (> 0).
            shift: step between window starts (> 0; default ``size``).
            stride: step between elements inside a window (> 0).
            drop_remainder: drop windows shorter than ``size``.
            name: unused.

        Example:
            >>> ds = Dataset.range(5).window(3, shift=1, drop_remainder=True)
            >>> [[e.item() for e in w] for w in ds]
            [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
        """
        from deepprob.data.windowing import WindowDataset

        size = _check_int(size, "size", 1)
        shift = size if shift is None else _check_int(shift, "shift", 1)
        stride = _check_int(stride, "stride", 1)
        return WindowDataset(self, size, shift, stride, bool(drop_remainder))

    def flat_map(self, map_func: Callable, name: str | None = None) -> Dataset:
        """Map every element to a dataset and chain their elements.

        ``window(...).flat_map(lambda w: w.batch(n))`` runs vectorized (strided views).

        Args:
            map_func: element -> Dataset.
            name: unused.

        Example:
            >>> ds = Dataset.range(3).flat_map(lambda x: Dataset.range(x))
            >>> [e.item() for e in ds]
            [0, 0, 1]
        """
        from deepprob.data.windowing import flat_map

        return flat_map(self, map_func)

    def interleave(self, map_func: Callable, cycle_length: int | None = None,
                   block_length: int | None = None, num_parallel_calls: int | None = None,
                   deterministic: bool | None = None, name: str | None = None) -> Dataset:
        """Map elements to datasets and interleave them, ``block_length`` elements at a time
        from ``cycle_length`` open datasets (tf.data's order).

        Args:
            map_func: element -> Dataset.
            cycle_length: datasets open at once (default: the CPU count, as tf.data).
            block_length: consecutive elements from each (default 1).
            num_parallel_calls, deterministic, name: accepted for compatibility.

        Example:
            >>> ds = Dataset.range(1, 3).interleave(
            ...     lambda x: Dataset.from_tensors(x).repeat(2), cycle_length=2)
            >>> [e.item() for e in ds]
            [1, 2, 1, 2]
        """
        import os

        from deepprob.data.windowing import InterleaveDataset

        if cycle_length is None or cycle_length == AUTOTUNE:
            cycle_length = os.cpu_count() or 1
        cycle_length = _check_int(cycle_length, "cycle_length", 1)
        block_length = 1 if block_length is None else _check_int(block_length, "block_length", 1)
        return InterleaveDataset(self, map_func, cycle_length, block_length)

    def enumerate(self, start: int = 0, name: str | None = None) -> Dataset:
        """Pair elements with their position: ``(index, element)``.

        Example:
            >>> [(i.item(), e.item()) for i, e in Dataset.range(5, 7).enumerate()]
            [(0, 5), (1, 6)]
        """
        from deepprob.data.transforms import EnumerateDataset

        return EnumerateDataset(self, int(start))

    def concatenate(self, dataset: Dataset, name: str | None = None) -> Dataset:
        """This dataset's elements followed by ``dataset``'s.

        Example:
            >>> [e.item() for e in Dataset.range(2).concatenate(Dataset.range(5, 6))]
            [0, 1, 5]
        """
        from deepprob.data.transforms import ConcatenateDataset

        if not isinstance(dataset, Dataset):
            raise TypeError(
                f"Argument `dataset`: expected a Dataset, received {type(dataset).__name__}."
            )
        return ConcatenateDataset(self, dataset)

    def reduce(self, initial_state, reduce_func: Callable):
        """Fold the elements: ``state = reduce_func(state, element)``.

        Example:
            >>> Dataset.range(5).reduce(0, lambda s, x: s + x).item()
            10
        """
        state = st.normalize(initial_state)
        for e in self:
            state = st.normalize(reduce_func(state, e))
        return state


def _unstack_all(blocks: Iterator) -> Iterator:
    """Elements of the blocks. Blocks are computed on one intra-op thread: their gathers and
    sorts are small and memory-bound, and on a busy machine waiting for a second thread costs
    more than it saves; the caller's thread setting is restored before each element is yielded."""
    it = iter(blocks)
    while True:
        threads = torch.get_num_threads()
        if threads != 1:
            torch.set_num_threads(1)
        try:
            block = next(it)
        except StopIteration:
            return
        finally:
            if threads != 1:
                torch.set_num_threads(threads)
        yield from st.unstack(block)


def islice(iterable, stop: int | None):
    return iter(iterable) if stop is None else itertools.islice(iterable, stop)

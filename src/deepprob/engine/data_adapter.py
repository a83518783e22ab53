"""Turning what users pass to ``fit`` / ``evaluate`` / ``predict`` into device batches.

Arrays (NumPy, torch, lists, dicts of them) are converted and moved to the device once; batches
are then views or index selections by a random permutation, with no per-step copies from the
host. Iterables (``dp.data.Dataset``, generators, ``ImageDataGenerator`` iterators, DataLoaders)
yield ``x``, ``(x, y)`` or ``(x, y, sample_weight)`` per batch, moved to the device as they come.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from deepprob import config
from deepprob.engine.symbolic import flatten, map_structure


def to_tensor(value, device: torch.device, name: str, target: bool = False):
    """Convert one array-like to a tensor on ``device`` with deepprob's dtype rules.

    Floats become ``float32`` (``floatx``); ``uint8`` / ``bool`` features become ``float32``
    (images); other integers become ``int64`` (labels, token ids).
    """
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        t = value
    else:
        if isinstance(value, (list, tuple)) or np.isscalar(value):
            value = np.asarray(value)
        if isinstance(value, np.ndarray):
            if value.dtype == object or value.dtype.kind in "USO":
                if value.dtype.kind in "US":
                    return value  # raw strings (TextVectorization) stay NumPy
                raise TypeError(
                    f"Argument `{name}`: expected numeric data, received an array of dtype "
                    f"{value.dtype} (ragged lists must be padded, e.g. with pad_sequences)."
                )
            t = torch.from_numpy(np.ascontiguousarray(value))
        elif hasattr(value, "__array__"):
            t = torch.from_numpy(np.ascontiguousarray(np.asarray(value)))
        else:
            raise TypeError(
                f"Argument `{name}`: expected an array, a tensor, a list or a dict of them, "
                f"received {type(value).__name__}."
            )
    if t.is_floating_point():
        if t.dtype != config.floatx() and t.dtype not in (torch.float16, torch.bfloat16):
            t = t.to(config.floatx())
    elif t.dtype in (torch.uint8, torch.bool) and not target:
        t = t.to(config.floatx())
    elif t.dtype == torch.bool:
        t = t.to(config.floatx())
    elif not t.is_complex() and t.dtype != torch.int64:
        t = t.to(torch.int64)
    if t.dim() == 1:
        # Keras 2 semantics: a 1-D array is one feature / target per sample, shape (n, 1).
        t = t.unsqueeze(-1)
    if t.device != device:
        t = t.to(device, non_blocking=True)
    return t


def structure_to_device(structure, device, name: str, target: bool = False):
    return map_structure(lambda v: to_tensor(v, device, name, target), structure)


def num_samples(structure, name: str) -> int:
    leaves = [v for v in flatten(structure) if v is not None]
    if not leaves:
        raise ValueError(f"Argument `{name}` is empty.")
    sizes = {int(v.shape[0]) if hasattr(v, "shape") and len(v.shape) else -1 for v in leaves}
    if -1 in sizes:
        raise ValueError(f"Argument `{name}`: every array needs a leading sample dimension.")
    if len(sizes) > 1:
        raise ValueError(f"Argument `{name}`: its arrays have different lengths {sorted(sizes)}.")
    return sizes.pop()


def _take_leaf(v, index):
    if isinstance(index, torch.Tensor) and isinstance(v, torch.Tensor) and v.dim():
        return torch.index_select(v, 0, index)  # ~4x cheaper than advanced indexing v[index]
    return v[index]


def take(structure, index):
    """``structure[index]`` on every leaf (a slice or an index tensor)."""
    if isinstance(structure, torch.Tensor):
        return _take_leaf(structure, index)
    return map_structure(lambda v: None if v is None else _take_leaf(v, index), structure)


def is_array_like(x) -> bool:
    if isinstance(x, (np.ndarray, torch.Tensor)):
        return True
    if isinstance(x, dict):
        return all(is_array_like(v) or v is None for v in x.values())
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(
            is_array_like(v) or isinstance(v, (int, float, list, tuple)) for v in x)
    return False


class ArrayData:
    """In-memory data on the device, batched by index.

    Args:
        x, y, sample_weight: array-likes with the same number of samples.
        batch_size: samples per batch.
        shuffle: reshuffle every epoch (``True``), keep order (``False``).
        device: where the tensors live.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size: int = 32,
                 shuffle: bool = False, device: torch.device | None = None):
        self.device = device or config.get_device()
        self.x = structure_to_device(x, self.device, "x")
        self.y = structure_to_device(y, self.device, "y", target=True) if y is not None else None
        if y is x and isinstance(self.x, torch.Tensor) and isinstance(self.y, torch.Tensor) \
                and self.y.dtype == self.x.dtype and self.y.shape == self.x.shape:
            self.y = self.x  # fit(x, x) (autoencoders, VAEs): one gather per batch serves both
        self.sample_weight = (to_tensor(sample_weight, self.device, "sample_weight")
                              if sample_weight is not None else None)
        self.n = num_samples(self.x, "x")
        if self.n == 0:
            raise ValueError("Argument `x` is empty: it has 0 samples.")
        for name, value in (("y", self.y), ("sample_weight", self.sample_weight)):
            if value is not None:
                m = num_samples(value, name)
                if m != self.n:
                    raise ValueError(
                        f"Arguments `x` and `{name}` must have the same number of samples; "
                        f"received x with {self.n} samples and {name} with {m}."
                    )
        if self.sample_weight is not None and self.sample_weight.dim() > 1:
            self.sample_weight = self.sample_weight.reshape(self.n, -1).squeeze(-1)
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def split(self, fraction: float) -> tuple[ArrayData, ArrayData]:
        """Keras's ``validation_split``: the last ``fraction`` of samples, taken before shuffling."""
        cut = int(self.n * (1.0 - fraction))
        if cut <= 0 or cut >= self.n:
            raise ValueError(
                f"Argument `validation_split`={fraction} leaves "
                f"{'no training' if cut <= 0 else 'no validation'} samples out of {self.n}."
            )
        parts = []
        for index in (slice(0, cut), slice(cut, self.n)):
            part = ArrayData.__new__(ArrayData)
            part.__dict__.update(self.__dict__)
            part.x, part.y, part.sample_weight = self._batch(index)
            part.n = index.stop - index.start
            parts.append(part)
        return parts[0], parts[1]

    def batches(self) -> Iterator[tuple[Any, Any, Any]]:
        bs, n = self.batch_size, self.n
        if self.shuffle:
            perm = torch.randperm(n, device=self.device)
            for start in range(0, n, bs):
                idx = perm[start:start + bs]
                yield self._batch(idx)
        else:
            for start in range(0, n, bs):
                yield self._batch(slice(start, start + bs))

    def _batch(self, index) -> tuple[Any, Any, Any]:
        x = take(self.x, index)
        y = x if self.y is self.x else take(self.y, index) if self.y is not None else None
        return x, y, self.sample_weight[index] if self.sample_weight is not None else None


class IterableData:
    """Batches from an iterable: re-iterated every epoch, or consumed on if it is an iterator.

    Args:
        data: a ``dp.data.Dataset``, generator, DataLoader, Keras-style Sequence, ...
        steps: batches per epoch (``steps_per_epoch``); ``None`` runs until the data ends.
        device: where batches are moved.
    """

    def __init__(self, data, steps: int | None = None, device: torch.device | None = None):
        self.data = data
        self.steps = steps
        self.device = device or config.get_device()
        self._iterator = None
        self.one_shot = isinstance(data, Iterator)
        if self.one_shot:
            self._iterator = data
            if steps is None and hasattr(data, "__len__"):
                # An endless iterator that knows its epoch length (ImageDataGenerator's
                # iterators, Keras Sequences): one epoch is len(data) batches, as in Keras.
                try:
                    self.steps = int(len(data)) or None
                except TypeError:
                    pass

    def __len__(self) -> int | None:
        if self.steps is not None:
            return self.steps
        try:
            return len(self.data)
        except TypeError:
            return None

    def _iter(self):
        if self.one_shot:
            return self._iterator
        if self.steps is not None and self._iterator is not None:
            return self._iterator  # continue an infinite iterable across epochs
        it = iter(self.data)
        if self.steps is not None:
            self._iterator = it
        return it

    def batches(self) -> Iterator[tuple[Any, Any, Any]]:
        it = self._iter()
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(it)
            except StopIteration:
                if self.steps is not None and not self.one_shot and count > 0:
                    # A finite iterable with steps_per_epoch: start over, as Keras does.
                    it = self._iterator = iter(self.data)
                    continue
                if self.steps is not None and count < self.steps and self.one_shot:
                    import warnings

                    warnings.warn(
                        f"The data ran out after {count} batches of the {self.steps} requested "
                        "(steps_per_epoch / steps); training stops early.", stacklevel=3)
                    self.exhausted = True
                return
            count += 1
            yield unpack(batch, self.device)


def unpack(batch, device):
    """``x`` | ``(x,)`` | ``(x, y)`` | ``(x, y, sample_weight)`` -> device tensors."""
    if isinstance(batch, tuple) and 1 <= len(batch) <= 3:
        x = batch[0]
        y = batch[1] if len(batch) > 1 else None
        sw = batch[2] if len(batch) > 2 else None
    elif isinstance(batch, list) and len(batch) in (2, 3) and not all(
            isinstance(v, (int, float)) for v in batch):
        x, y = batch[0], batch[1]
        sw = batch[2] if len(batch) > 2 else None
    else:
        x, y, sw = batch, None, None
    x = structure_to_device(x, device, "x")
    y = structure_to_device(y, device, "y", target=True) if y is not None else None
    sw = to_tensor(sw, device, "sample_weight") if sw is not None else None
    return x, y, sw


def make_data(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None,
              device=None, name: str = "x"):
    """ArrayData for array-likes, IterableData for everything else."""
    if x is None:
        raise ValueError(f"Argument `{name}` is required, received None.")
    if is_array_like(x):
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                       or batch_size <= 0):
            raise ValueError(
                f"Argument `batch_size`: expected a positive integer, received {batch_size!r}."
            )
        return ArrayData(x, y, sample_weight, batch_size or 32, shuffle, device)
    if y is not None:
        raise ValueError(
            f"Argument `y` must not be given when `{name}` is a dataset, generator or iterable "
            f"(it yields (x, y) batches itself); received y of type {type(y).__name__}."
        )
    if not hasattr(x, "__iter__") and not hasattr(x, "__getitem__"):
        raise TypeError(
            f"Argument `{name}`: expected arrays, tensors, a dict/list of them, a dataset or an "
            f"iterable of batches, received {type(x).__name__}."
        )
    return IterableData(x, steps, device)

"""Element structures of a Dataset: nesting (tuples, dicts), leaves, specs and conversions.

An element is a leaf or a nest of tuples / namedtuples / dicts of leaves. Leaves are
``torch.Tensor`` (numbers), NumPy arrays or Python ``str`` (text), or ``Dataset`` (windows).
A *block* is a structure whose leaves carry one extra leading dimension: a run of consecutive
elements stored together, which is how the vectorized paths move data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


@dataclass(frozen=True)
class TensorSpec:
    """Shape and dtype of one element component (``None`` marks an unknown dimension).

    Args:
        shape: tuple of ints or ``None``.
        dtype: a ``torch.dtype``, or ``"string"`` for text components.
        name: optional name.

    Example:
        >>> TensorSpec((None, 3), torch.float32)
        TensorSpec(shape=(None, 3), dtype=torch.float32, name=None)
    """

    shape: tuple
    dtype: Any
    name: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """The spec of a component that is itself a dataset (the windows of ``Dataset.window``).

    Args:
        element_spec: the spec of the inner dataset's elements.
    """

    element_spec: Any


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def flatten(structure) -> list:
    """The leaves of a structure in a fixed order (dict keys sorted, as ``tf.nest`` does)."""
    out: list = []
    _flatten_into(structure, out)
    return out


def _flatten_into(s, out: list) -> None:
    if isinstance(s, dict):
        for k in sorted(s):
            _flatten_into(s[k], out)
    elif isinstance(s, tuple):
        for v in s:
            _flatten_into(v, out)
    else:
        out.append(s)


def pack_as(structure, leaves) -> Any:
    """Inverse of :func:`flatten`: rebuild ``structure`` with ``leaves`` in its places."""
    it = iter(leaves)
    return _pack(structure, it)


def _pack(s, it):
    if isinstance(s, dict):
        vals = {k: _pack(s[k], it) for k in sorted(s)}
        return {k: vals[k] for k in s}
    if _is_namedtuple(s):
        return type(s)(*[_pack(v, it) for v in s])
    if isinstance(s, tuple):
        return tuple(_pack(v, it) for v in s)
    return next(it)


def map_structure(fn: Callable, structure) -> Any:
    """Apply ``fn`` to every leaf, keeping the nesting."""
    return pack_as(structure, [fn(v) for v in flatten(structure)])


def normalize(value, what: str = "element") -> Any:
    """Turn user values into element structures: lists and arrays become tensors, lists of
    structures inside a returned value become tuples, strings stay Python ``str``."""
    if isinstance(value, dict):
        return {k: normalize(v, what) for k, v in value.items()}
    if _is_namedtuple(value):
        return type(value)(*[normalize(v, what) for v in value])
    if isinstance(value, tuple):
        return tuple(normalize(v, what) for v in value)
    return to_leaf(value, what)


def to_leaf(value, what: str = "element"):
    """One leaf as deepprob stores it (a tensor, a NumPy string array, a ``str`` or a Dataset)."""
    from deepprob.data.dataset import Dataset

    if isinstance(value, (torch.Tensor, Dataset, str, bytes)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "USO":
            return value
        if not value.flags.writeable:
            value = value.copy()
        return torch.from_numpy(value)
    if isinstance(value, np.generic):
        if isinstance(value, (np.str_, np.bytes_)):
            return value.item()
        return torch.from_numpy(np.asarray(value))
    if isinstance(value, list):
        try:
            arr = np.asarray(value)
        except ValueError:
            arr = np.empty(0, dtype=object)
        if arr.dtype == object:
            raise ValueError(
                f"Cannot convert the list given as {what} to a tensor: its items have different "
                f"lengths or types (received {_short(value)})."
            )
        return to_leaf(arr if arr.dtype.kind in "US" else torch.as_tensor(value), what)
    if isinstance(value, (bool, int, float)):
        return torch.as_tensor(value)
    if hasattr(value, "__array__"):
        return to_leaf(np.asarray(value), what)
    raise TypeError(
        f"Unsupported {what} component of type {type(value).__name__}: expected a tensor, an "
        f"array, a number, a string or a tuple / dict of them."
    )


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def spec_of_leaf(leaf) -> TensorSpec | DatasetSpec:
    from deepprob.data.dataset import Dataset

    if isinstance(leaf, torch.Tensor):
        return TensorSpec(tuple(leaf.shape), leaf.dtype)
    if isinstance(leaf, np.ndarray):
        return TensorSpec(tuple(leaf.shape), "string")
    if isinstance(leaf, (str, bytes)):
        return TensorSpec((), "string")
    if isinstance(leaf, Dataset):
        return DatasetSpec(leaf.element_spec)
    return TensorSpec((), type(leaf).__name__)


def spec_of(element) -> Any:
    """The :class:`TensorSpec` structure describing one element."""
    return map_structure(spec_of_leaf, element)


# ---------------------------------------------------------------------------------------------
# blocks: leaves with a leading "elements" dimension

def leaf_len(leaf) -> int:
    return int(leaf.shape[0])


def block_len(block) -> int:
    return leaf_len(flatten(block)[0])


def take_leaf(leaf, index):
    """``leaf[index]`` for a tensor or NumPy leaf (``index``: slice or LongTensor)."""
    if isinstance(leaf, np.ndarray) and isinstance(index, torch.Tensor):
        return leaf[index.numpy()]
    return leaf[index]


def take(block, index) -> Any:
    return map_structure(lambda v: take_leaf(v, index), block)


def unstack(block) -> list:
    """Split a block into its elements (views, no copies)."""
    if type(block) is tuple and all(isinstance(v, torch.Tensor) for v in block):
        return list(zip(*[v.unbind(0) for v in block]))  # the common (x, y) case
    leaves = flatten(block)
    if len(leaves) == 1 and not isinstance(block, (tuple, dict)):
        return list(_unbind(leaves[0]))
    parts = [_unbind(v) for v in leaves]
    return [pack_as(block, vals) for vals in zip(*parts)]


def _unbind(leaf):
    if isinstance(leaf, torch.Tensor):
        return leaf.unbind(0)
    if leaf.ndim == 1:
        return [v.item() if isinstance(v, (np.str_, np.bytes_)) else v for v in leaf]
    return list(leaf)


def stack(elements: list, what: str = "Dataset.batch") -> Any:
    """Stack elements into a block; elements of different shapes raise a clear error."""
    first = elements[0]
    leaves = [flatten(e) for e in elements]
    out = []
    for j, leaf0 in enumerate(leaves[0]):
        column = [lv[j] for lv in leaves]
        if isinstance(leaf0, torch.Tensor):
            shapes = {tuple(c.shape) for c in column}
            if len(shapes) > 1:
                shape_list = [tuple(c.shape) for c in column]
                k = next(i for i, s in enumerate(shape_list) if s != shape_list[0])
                raise ValueError(
                    f"{what}: cannot batch elements of different shapes: element 0 has shape "
                    f"{shape_list[0]} and element {k} has shape {shape_list[k]}. Use "
                    f"padded_batch() to pad them, or map() them to one shape first."
                )
            out.append(torch.stack(column))
        elif isinstance(leaf0, (str, bytes, np.ndarray)):
            out.append(np.array(column))
        else:
            raise TypeError(f"{what}: cannot batch components of type {type(leaf0).__name__}.")
    return pack_as(first, out)


def concat(blocks: list) -> Any:
    """Concatenate blocks along the element dimension."""
    if len(blocks) == 1:
        return blocks[0]
    leaves = [flatten(b) for b in blocks]
    out = []
    for j, leaf0 in enumerate(leaves[0]):
        column = [lv[j] for lv in leaves]
        if isinstance(leaf0, torch.Tensor):
            shapes = {tuple(c.shape[1:]) for c in column}
            if len(shapes) > 1:
                raise ValueError(
                    f"Dataset.batch: cannot batch elements of different shapes {sorted(shapes)}. "
                    "Use padded_batch() to pad them, or map() them to one shape first."
                )
            out.append(torch.cat(column))
        else:
            out.append(np.concatenate(column))
    return pack_as(blocks[0], out)


def reshape_leading(block, k: int, size: int) -> Any:
    """``(k * size, ...)`` leaves to ``(k, size, ...)``."""
    return map_structure(lambda v: v.reshape((k, size) + tuple(v.shape[1:])), block)


def numel_per_element(block) -> int:
    total = 0
    for v in flatten(block):
        n = leaf_len(v)
        total += (int(np.prod(v.shape)) // n) if n else 1
    return max(1, total)


def to_numpy(element) -> Any:
    """Tensors to NumPy (for ``as_numpy_iterator``)."""
    from deepprob.data.dataset import Dataset

    def conv(v):
        if isinstance(v, torch.Tensor):
            arr = v.detach().cpu().numpy()
            return arr[()] if arr.ndim == 0 else arr
        if isinstance(v, Dataset):
            raise TypeError(
                "as_numpy_iterator() does not support datasets whose elements are datasets "
                "(the windows of Dataset.window); iterate the windows and call "
                "as_numpy_iterator() on each, or flat_map(lambda w: w.batch(size)) first."
            )
        return v

    return map_structure(conv, element)

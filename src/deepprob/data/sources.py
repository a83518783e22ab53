"""Dataset sources: tensor slices, single tensors, ranges, Python generators, element lists."""

from __future__ import annotations

from collections.abc import Callable

import torch

from deepprob.data import structure as st
from deepprob.data.dataset import Dataset
from deepprob.data.index import Index, tensor_index


class TensorSlicesDataset(Dataset):
    """``Dataset.from_tensor_slices``: slices along the first dimension (views, no copies).

    Args:
        tensors: array-like or tuple / dict structure of them with equal first dimensions.
    """

    def __init__(self, tensors):
        data = st.normalize(tensors, "from_tensor_slices input")
        leaves = st.flatten(data)
        if not leaves:
            raise ValueError("Argument `tensors`: expected at least one array, received none.")
        lengths = []
        for leaf in leaves:
            if isinstance(leaf, Dataset) or isinstance(leaf, (str, bytes)) or leaf.ndim == 0:
                raise ValueError(
                    "Argument `tensors`: from_tensor_slices needs arrays with at least one "
                    f"dimension to slice, received {st._short(leaf)}."
                )
            lengths.append(int(leaf.shape[0]))
        if len(set(lengths)) > 1:
            paths = _leaf_paths(tensors)
            desc = ", ".join(f"{p}: {n}" for p, n in zip(paths, lengths))
            raise ValueError(
                "Argument `tensors`: all components must have the same first dimension; "
                f"received lengths {desc}."
            )
        self._data = data
        self._n = lengths[0]

    def _index(self) -> Index:
        return tensor_index(self._data, self._n)

    def _elements(self):
        return iter(st.unstack(self._data))

    def _cardinality(self) -> int:
        return self._n

    def _spec(self):
        def spec(v):
            s = st.spec_of_leaf(v)
            return st.TensorSpec(s.shape[1:], s.dtype)

        return st.map_structure(spec, self._data)


def _leaf_paths(structure, prefix: str = "") -> list[str]:
    if isinstance(structure, dict):
        out = []
        for k in sorted(structure):
            out += _leaf_paths(structure[k], f"{prefix}[{k!r}]")
        return out
    if isinstance(structure, tuple):
        out = []
        for i, v in enumerate(structure):
            out += _leaf_paths(v, f"{prefix}[{i}]")
        return out
    return [prefix or "tensors"]


class TensorsDataset(Dataset):
    """``Dataset.from_tensors``: one element."""

    def __init__(self, tensors):
        self._element = st.normalize(tensors, "from_tensors input")
        self._block = st.map_structure(_unsqueeze, self._element)

    def _index(self):
        if any(not isinstance(v, torch.Tensor) for v in st.flatten(self._element)):
            return None
        return tensor_index(self._block, 1)

    def _elements(self):
        return iter([self._element])

    def _cardinality(self) -> int:
        return 1

    def _spec(self):
        return st.spec_of(self._element)


def _unsqueeze(v):
    return v.unsqueeze(0) if isinstance(v, torch.Tensor) else v


class RangeDataset(Dataset):
    """``Dataset.range``: arithmetic progressions, computed per block."""

    def __init__(self, *args, dtype: torch.dtype = torch.int64):
        if not 1 <= len(args) <= 3:
            raise TypeError(f"Dataset.range takes 1 to 3 integers, received {len(args)}.")
        for a in args:
            if isinstance(a, bool) or not isinstance(a, int) and not hasattr(a, "__index__"):
                raise TypeError(f"Dataset.range: expected integers, received {a!r}.")
        r = range(*[int(a) for a in args])
        self._range = r
        self._dtype = dtype

    def _index(self) -> Index:
        r, dtype = self._range, self._dtype

        def gather(idx):
            return (r.start + idx * r.step).to(dtype)

        def slice_(a, b):
            return torch.arange(r.start + a * r.step, r.start + b * r.step, r.step,
                                dtype=torch.int64)[: b - a].to(dtype)

        return Index(len(r), gather, slice_)

    def _elements(self):
        return (torch.tensor(v, dtype=self._dtype) for v in self._range)

    def _cardinality(self) -> int:
        return len(self._range)

    def _spec(self):
        return st.TensorSpec((), self._dtype)


class GeneratorDataset(Dataset):
    """``Dataset.from_generator``: one call of the generator per iteration."""

    def __init__(self, generator: Callable, args: tuple, signature=None):
        if not callable(generator):
            raise TypeError(
                "Argument `generator`: expected a callable returning an iterator (pass the "
                f"generator function, not a generator object), received {type(generator).__name__}."
            )
        self._generator = generator
        self._args = tuple(args)
        self._signature = signature

    def _elements(self):
        for i, value in enumerate(self._generator(*self._args)):
            element = st.normalize(value, "generator output")
            if self._signature is not None:
                _check_signature(element, self._signature, i)
            yield element

    def _spec(self):
        if self._signature is not None:
            return self._signature
        return super()._spec()


def _check_signature(element, signature, i: int) -> None:
    try:
        leaves, specs = st.flatten(element), st.flatten(signature)
    except Exception:  # noqa: BLE001
        return
    if len(leaves) != len(specs):
        raise ValueError(
            f"Dataset.from_generator: element {i} has {len(leaves)} components but "
            f"output_signature describes {len(specs)}."
        )
    for leaf, spec in zip(leaves, specs):
        if isinstance(spec, st.TensorSpec) and isinstance(leaf, torch.Tensor):
            shape = tuple(spec.shape)
            if len(shape) != leaf.ndim or any(
                    s is not None and s != d for s, d in zip(shape, leaf.shape)):
                raise ValueError(
                    f"Dataset.from_generator: element {i} has shape {tuple(leaf.shape)}, "
                    f"which does not match output_signature shape {shape}."
                )


class ListDataset(Dataset):
    """A finite list of elements (the windows of ``Dataset.window`` on the element path)."""

    def __init__(self, elements: list):
        self._list = elements
        self._stacked = None

    def _index(self):
        if not self._list:
            return None
        if self._stacked is None:
            try:
                self._stacked = st.stack(self._list)
            except (ValueError, TypeError):
                self._stacked = False
        if self._stacked is False:
            return None
        if any(not isinstance(v, torch.Tensor) for v in st.flatten(self._stacked)):
            return None
        return tensor_index(self._stacked, len(self._list))

    def _elements(self):
        return iter(self._list)

    def _cardinality(self) -> int:
        return len(self._list)

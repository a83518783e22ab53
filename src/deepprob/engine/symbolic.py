"""Symbolic tensors: the values that flow through a functional graph before data does.

``dp.Input(shape=(28, 28))`` returns a :class:`KerasTensor`. Calling a layer on it, applying a torch
function (``torch.unsqueeze(x, -1)``), an operator (``x * 100.0``, ``x[:, 0]``), a tensor method
(``x.mean(dim=1)``) or a method of any object that routes through :func:`symbolic_call` (a
distribution's ``log_prob``) records a :class:`Node` and returns new symbolic tensors.
``dp.Model(inputs, outputs)`` then replays the recorded nodes on real tensors.

Shapes are inferred by running each op once on placeholder tensors on the ``meta`` device (no memory,
no compute), falling back to small real zero tensors for ops the meta device does not support.
Unknown dimensions (``None``, always the batch) are found by running twice with different
placeholder sizes.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import sys
from collections.abc import Callable
from typing import Any

import torch

_PLACEHOLDER_SIZES = (2, 3)
_uid = itertools.count()


class Node:
    """One recorded operation: ``op(*args, **kwargs)`` whose arguments may hold symbolic tensors.

    Args:
        op: the callable (a Layer, a torch function, a bound method ...).
        args: positional arguments, possibly nested lists/tuples/dicts holding KerasTensors.
        kwargs: keyword arguments, same rules.
        owners: modules the op uses (a distribution whose method was called); a Model built from
            the graph registers them so their parameters train.
    """

    def __init__(self, op: Callable, args: tuple, kwargs: dict, owners: tuple = ()):
        self.op = op
        self.args = args
        self.kwargs = kwargs
        self.owners = tuple(owners)
        self.outputs: Any = None
        self.id = next(_uid)

    @property
    def inbound_tensors(self) -> list[KerasTensor]:
        return [t for t in flatten((self.args, self.kwargs)) if isinstance(t, KerasTensor)]

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return [t for t in flatten(self.outputs) if isinstance(t, KerasTensor)]

    def __repr__(self) -> str:
        return f"<Node {getattr(self.op, 'name', getattr(self.op, '__name__', self.op))}>"


class KerasTensor:
    """A symbolic tensor: a shape with ``None`` for unknown sizes, a dtype and the node making it.

    Torch functions, operators and methods applied to it are recorded as graph nodes.

    Args:
        shape: the full shape including the batch dimension (``None`` for unknown sizes).
        dtype: the torch dtype of the values.
        node: the producing :class:`Node` (``None`` only while it is being made).
        name: an optional name (the input name for ``dp.Input``).
    """

    def __init__(self, shape, dtype=torch.float32, node: Node | None = None, name: str | None = None,
                 example: Any = None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.node = node
        self.name = name
        # What the op returned on placeholders: a meta/zero tensor, or another object (a
        # distribution) whose methods can be called symbolically.
        self._example = example

    # -- shape helpers -------------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    def dim(self) -> int:
        return len(self.shape)

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def __len__(self):
        raise TypeError("A symbolic tensor has no length before data flows (its batch size is None).")

    def __bool__(self):
        raise TypeError(
            "A symbolic tensor has no truth value: Python control flow (`if`, `and`, `while`) on it "
            "cannot be recorded in a graph. Use torch.where, or a Lambda layer / subclassed Model."
        )

    def __iter__(self):
        raise TypeError("A symbolic tensor cannot be iterated before data flows.")

    def __repr__(self) -> str:
        what = type(self._example).__name__ if self.is_object else str(self.dtype).replace("torch.", "")
        made_by = f", made by {self.node!r}" if self.node is not None else ""
        return f"<KerasTensor shape={self.shape}, {what}{made_by}>"

    @property
    def is_object(self) -> bool:
        """True when the symbolic value is not a tensor (a distribution, for instance)."""
        return self._example is not None and not isinstance(self._example, torch.Tensor)

    # -- recording -----------------------------------------------------------------------------
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return symbolic_call(func, args, kwargs or {})

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        example = self.__dict__.get("_example")
        if example is not None and not isinstance(example, torch.Tensor):
            target = getattr(example, name, None)
            if target is None:
                raise AttributeError(f"{type(example).__name__} has no attribute {name!r}")
            if not callable(target):
                return target
        elif not hasattr(torch.Tensor, name):
            raise AttributeError(f"'KerasTensor' (symbolic torch.Tensor) has no attribute {name!r}")
        return _MethodRecorder(self, name)

    def __getitem__(self, index):
        return symbolic_call(operator.getitem, (self, index), {})


class _MethodRecorder:
    """``kt.method`` before the call: calling it records ``value.method(*args, **kwargs)``."""

    def __init__(self, tensor: KerasTensor, name: str):
        self.tensor = tensor
        self.name = name

    def __call__(self, *args, **kwargs):
        return symbolic_call(MethodCall(self.name), (self.tensor, *args), kwargs)


class MethodCall:
    """A picklable ``lambda obj, *a, **k: getattr(obj, name)(*a, **k)``."""

    def __init__(self, name: str):
        self.name = name
        self.__name__ = name

    def __call__(self, obj, *args, **kwargs):
        return getattr(obj, self.name)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"MethodCall({self.name!r})"


def _binary(op, reflected=False):
    if reflected:
        def method(self, other):
            return symbolic_call(op, (other, self), {})
    else:
        def method(self, other):
            return symbolic_call(op, (self, other), {})
    return method


for _name, _op in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv),
                   ("mod", operator.mod), ("pow", operator.pow), ("matmul", operator.matmul),
                   ("and", operator.and_), ("or", operator.or_), ("xor", operator.xor)]:
    setattr(KerasTensor, f"__{_name}__", _binary(_op))
    setattr(KerasTensor, f"__r{_name}__", _binary(_op, reflected=True))
for _name, _op in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt),
                   ("ge", operator.ge)]:
    setattr(KerasTensor, f"__{_name}__", _binary(_op))
KerasTensor.__neg__ = lambda self: symbolic_call(operator.neg, (self,), {})
KerasTensor.__pos__ = lambda self: self
KerasTensor.__abs__ = lambda self: symbolic_call(operator.abs, (self,), {})
KerasTensor.__invert__ = lambda self: symbolic_call(operator.invert, (self,), {})


# -- nested structures ---------------------------------------------------------------------------
def flatten(structure) -> list:
    """Leaves of nested lists / tuples / dicts (dicts in insertion order)."""
    out: list = []
    _flatten_into(structure, out)
    return out


def _flatten_into(s, out):
    if isinstance(s, (list, tuple)):
        for item in s:
            _flatten_into(item, out)
    elif isinstance(s, dict):
        for item in s.values():
            _flatten_into(item, out)
    else:
        out.append(s)


def map_structure(fn: Callable, s):
    """Apply ``fn`` to every leaf, keeping the list / tuple / dict structure."""
    if isinstance(s, list):
        return [map_structure(fn, x) for x in s]
    if isinstance(s, tuple):
        return tuple(map_structure(fn, x) for x in s)
    if isinstance(s, dict):
        return {k: map_structure(fn, v) for k, v in s.items()}
    return fn(s)


def is_symbolic(structure) -> bool:
    """True if any leaf of ``structure`` is a :class:`KerasTensor`."""
    if isinstance(structure, KerasTensor):
        return True
    if isinstance(structure, (list, tuple, dict)):
        return any(isinstance(x, KerasTensor) for x in flatten(structure))
    return False


# -- shape inference -----------------------------------------------------------------------------
def _placeholder(kt: KerasTensor, size: int, device: str):
    if kt.is_object:
        # A distribution (or other object) output: the example made for this placeholder size,
        # so batch sizes agree with the other placeholders of the same run.
        examples = kt.__dict__.get("_examples")
        if examples is not None:
            return examples[_PLACEHOLDER_SIZES.index(size)]
        return kt._example
    shape = tuple(size if d is None else d for d in kt.shape)
    return torch.zeros(shape, dtype=kt.dtype, device=device)


def _spec(value, reference, other) -> Any:
    """Turn the op's output on placeholders into KerasTensors, marking dims that vary as None."""
    if isinstance(value, (list, tuple, dict)):
        if isinstance(value, dict):
            return {k: _spec(v, reference, other[k] if other is not None else None)
                    for k, v in value.items()}
        others = other if other is not None else [None] * len(value)
        specs = [_spec(v, reference, o) for v, o in zip(value, others)]
        return tuple(specs) if isinstance(value, tuple) else specs
    if isinstance(value, torch.Tensor):
        shape = list(value.shape)
        if isinstance(other, torch.Tensor):
            if other.dim() != value.dim():
                raise ValueError("the number of dimensions depends on the batch size")
            shape = [d if d == o else None for d, o in zip(value.shape, other.shape)]
        example = value if value.device.type == "meta" else value.detach().to("meta")
        return KerasTensor(shape, value.dtype, example=example)
    if value is None or isinstance(value, (int, float, bool, str)):
        return value
    shape = ()
    batch_shape = getattr(value, "batch_shape", None)
    event_shape = getattr(value, "event_shape", None)
    if batch_shape is not None and event_shape is not None:
        shape = tuple(batch_shape) + tuple(event_shape)
        if shape:
            shape = (None,) + shape[1:]
    kt = KerasTensor(shape, torch.float32, example=value)
    if other is not None and type(other) is type(value):
        kt._examples = (value, other)
    return kt


def infer_outputs(op: Callable, args: tuple, kwargs: dict) -> Any:
    """Run ``op`` on placeholders for the symbolic leaves of ``args``/``kwargs`` and return specs.

    Tries the meta device first; ops that fail there (mixed with real parameters, data-dependent
    shapes) run on small zero tensors on the CPU.
    """
    errors = []
    for device in ("meta", "cpu"):
        try:
            with torch.no_grad(), _frozen_statistics():
                results = []
                for size in _PLACEHOLDER_SIZES:
                    def sub(x, size=size, device=device):
                        return _placeholder(x, size, device) if isinstance(x, KerasTensor) else x
                    results.append(op(*map_structure(sub, args), **map_structure(sub, kwargs)))
            return _spec(results[0], None, results[1])
        except Exception as err:  # noqa: BLE001 - report every attempt below
            errors.append(f"{device}: {type(err).__name__}: {err}")
    name = getattr(op, "name", None) or getattr(op, "__name__", None) or repr(op)
    raise ValueError(
        f"Could not apply {name!r} to symbolic inputs "
        f"{[t for t in flatten((args, kwargs)) if isinstance(t, KerasTensor)]}: "
        + " | ".join(errors)
    )


def _frozen_statistics():
    """Placeholder runs must not move running statistics (the BatchNormalization bijector)."""
    module = sys.modules.get("deepprob.bijectors.bijector")
    if module is not None:
        return module.frozen_statistics()
    return contextlib.nullcontext()


def symbolic_call(op: Callable, args: tuple, kwargs: dict, owners: tuple = (),
                  outputs: Any = None) -> Any:
    """Record ``op(*args, **kwargs)`` as a graph node and return its symbolic outputs.

    Args:
        op: the callable to record.
        args: positional arguments holding at least one KerasTensor.
        kwargs: keyword arguments.
        owners: modules whose parameters ``op`` uses; models built on the output own them.
        outputs: precomputed output specs (layers pass their own); inferred when ``None``.

    Example:
        >>> x = dp.Input(shape=(3,))
        >>> y = symbolic_call(torch.unsqueeze, (x, -1), {})   # what torch.unsqueeze(x, -1) does
    """
    if outputs is None:
        outputs = infer_outputs(op, args, kwargs)
    node = Node(op, args, kwargs, owners)
    for t in flatten(outputs):
        if isinstance(t, KerasTensor):
            t.node = node
    node.outputs = outputs
    return outputs


def to_tensor(value):
    """Convert a layer's output for the next layer or for ``predict``.

    Tensors pass through; objects with ``_convert_to_tensor()`` (probabilistic layers' outputs)
    are converted by it; other distributions give a sample.
    """
    if isinstance(value, torch.Tensor):
        return value
    convert = getattr(value, "_convert_to_tensor", None)
    if convert is not None:
        return convert()
    if hasattr(value, "sample"):
        return value.sample()
    return value

"""The parameter protocol shared by distributions and bijectors.

A *parameter* (``loc``, ``scale``, ``shift`` ...) may be given as

- a Python number or (nested) list, or a NumPy array: converted to a constant tensor of the
  common floating dtype of the other tensor parameters (``torch.get_default_dtype()``, float32,
  when there is none);
- a ``torch.Tensor``: kept as is (an integer tensor is cast to the floating dtype); it may carry
  an autograd graph (the output of a network), gradients then flow back through every method;
- a ``torch.nn.Parameter``: registered as a parameter of the owning module, so
  ``owner.parameters()`` hands it to any torch optimizer;
- a ``torch.nn.Module`` that returns a tensor when called with no argument (for example
  ``dp.util.TransformedVariable``): registered as a submodule (its parameters train) and *called at
  every use*, so the value read after an optimizer step is always the current one.

Constant tensors are registered as non-persistent buffers (they follow ``.to(device)`` but are
construction arguments, not state, so they stay out of ``state_dict``).

Use :func:`register_parameter` to store a value on a module under its name, and
:func:`read_parameter` to read its current tensor value.

Example:
    >>> import torch
    >>> owner = torch.nn.Module()
    >>> _ = register_parameter(owner, "scale", 2.0)
    >>> read_parameter(owner, "scale")
    tensor(2.)
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import torch

__all__ = [
    "ParameterLike",
    "common_dtype",
    "to_tensor",
    "register_parameter",
    "read_parameter",
    "is_parameter_like",
    "describe",
]

ParameterLike = Any  # number | list | np.ndarray | torch.Tensor | nn.Parameter | nn.Module


def is_parameter_like(value: Any) -> bool:
    """Whether ``value`` follows the parameter protocol (see module docstring)."""
    return isinstance(value, (numbers.Number, list, tuple, np.ndarray, np.generic, torch.Tensor,
                              torch.nn.Module))


def _module_value(module: torch.nn.Module, name: str) -> torch.Tensor:
    try:
        value = module()
    except TypeError as err:
        raise TypeError(
            f"Argument `{name}`: a torch.nn.Module given as a parameter must return a tensor when "
            f"called with no argument (like dp.util.TransformedVariable); calling "
            f"{type(module).__name__}() failed: {err}"
        ) from err
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"Argument `{name}`: calling the module {type(module).__name__} must return a "
            f"torch.Tensor; received {type(value).__name__}."
        )
    return value


def common_dtype(values: Iterable[Any], default: torch.dtype | None = None) -> torch.dtype:
    """The floating dtype shared by the tensor-valued entries of ``values``.

    Python numbers, lists and NumPy arrays do not vote (they adopt the result). Modules are called
    once to read their dtype.

    Args:
        values: parameters in any form of the protocol (``None`` entries are skipped).
        default: dtype when no entry is a floating tensor (``torch.get_default_dtype()``).

    Example:
        >>> common_dtype([1.0, torch.zeros(2, dtype=torch.float64)])
        torch.float64
    """
    for value in values:
        if isinstance(value, torch.nn.Module):
            value = _module_value(value, "parameter")
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return value.dtype
    return default or torch.get_default_dtype()


def to_tensor(value: Any, dtype: torch.dtype | None = None, device=None,
              name: str = "value") -> torch.Tensor:
    """Convert a number, list, NumPy array or tensor to a floating tensor.

    Tensors keep their dtype and autograd graph when already floating; other inputs become
    ``dtype`` (default ``torch.get_default_dtype()``).

    Args:
        value: the value to convert.
        dtype: floating dtype for non-tensor input and integer tensors.
        device: device for non-tensor input.
        name: argument name used in error messages.

    Example:
        >>> to_tensor([1, 2])
        tensor([1., 2.])
    """
    dtype = dtype or torch.get_default_dtype()
    if isinstance(value, torch.Tensor):
        if not value.is_floating_point():
            return value.to(dtype)
        return value
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        if value.dtype == object:
            raise TypeError(f"Argument `{name}`: expected a numeric array; received dtype=object.")
        return torch.as_tensor(np.asarray(value), device=device).to(dtype)
    if isinstance(value, (numbers.Number, list, tuple)):
        try:
            return torch.tensor(value, dtype=dtype, device=device)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"Argument `{name}`: expected a number, a (nested) list of numbers, a NumPy array "
                f"or a tensor; received {value!r} ({err})."
            ) from err
    raise TypeError(
        f"Argument `{name}`: expected a number, list, NumPy array, torch.Tensor, "
        f"torch.nn.Parameter or a torch.nn.Module returning a tensor; received "
        f"{type(value).__name__}."
    )


def register_parameter(owner: torch.nn.Module, name: str, value: Any,
                       dtype: torch.dtype | None = None, device=None) -> torch.Tensor:
    """Store ``value`` on ``owner`` under ``name`` following the parameter protocol.

    ``nn.Parameter`` -> registered parameter; ``nn.Module`` -> submodule (called at each read);
    anything else -> converted with :func:`to_tensor` and registered as a non-persistent buffer.
    ``owner.<name>`` then returns the stored object (tensor, Parameter or module), as TFP returns
    the variable it was given.

    Args:
        owner: the module (a Distribution or Bijector); ``nn.Module.__init__`` must have run.
        name: attribute name, e.g. ``"loc"``.
        value: the parameter, in any form of the protocol.
        dtype: floating dtype for converted values.
        device: device for converted values.

    Returns:
        The parameter's current tensor value.

    Example:
        >>> m = torch.nn.Module()
        >>> _ = register_parameter(m, "loc", torch.nn.Parameter(torch.zeros(2)))
        >>> [n for n, _ in m.named_parameters()]
        ['loc']
    """
    if isinstance(value, torch.nn.Parameter):
        owner.register_parameter(name, value)
        return value
    if isinstance(value, torch.nn.Module):
        current = _module_value(value, name)  # fail early with a clear message
        owner.add_module(name, value)
        return current
    tensor = to_tensor(value, dtype, device, name)
    if (type(tensor) is torch.Tensor and name not in owner.__dict__
            and not hasattr(type(owner), name)
            and name not in owner._parameters and name not in owner._modules
            and not torch.nn.modules.module._global_buffer_registration_hooks):
        # What register_buffer(..., persistent=False) does, without its checks (the name is a
        # known identifier) - it runs at every forward pass of a distribution layer.
        owner._buffers[name] = tensor
        owner._non_persistent_buffers_set.add(name)
    else:
        owner.register_buffer(name, tensor, persistent=False)
    return tensor


def read_parameter(owner: torch.nn.Module, name: str) -> torch.Tensor | None:
    """The current tensor value of the parameter ``name`` of ``owner`` (``None`` if unset).

    Modules are called at every read, so values are never stale after an optimizer step.

    Args:
        owner: the module holding the parameter.
        name: the parameter's name.

    Example:
        >>> m = torch.nn.Module(); _ = register_parameter(m, "rate", [1.0, 2.0])
        >>> read_parameter(m, "rate")
        tensor([1., 2.])
    """
    stored = owner._parameters.get(name)
    if stored is not None:
        return stored
    stored = owner._buffers.get(name)
    if stored is not None:
        return stored
    module = owner._modules.get(name)
    if module is not None:
        return _module_value(module, name)
    return getattr(owner, name, None)


def describe(value: torch.Tensor, limit: int = 6) -> str:
    """A short printable form of a tensor for error messages (first ``limit`` entries)."""
    if not isinstance(value, torch.Tensor):
        return repr(value)
    flat = value.detach().reshape(-1)
    shown = ", ".join(f"{v:.4g}" for v in flat[:limit].tolist())
    more = ", ..." if flat.numel() > limit else ""
    return f"[{shown}{more}] (shape {list(value.shape)})" if value.ndim else shown


def shape_of(values: Mapping[str, torch.Tensor], event_ndims: Mapping[str, int]) -> torch.Size:
    """Broadcast the batch parts of parameter shapes (each minus its ``event_ndims`` dims).

    Raises a ValueError naming every argument and its shape when they do not broadcast.
    """
    shapes = {}
    for name, v in values.items():
        if v is None:
            continue
        k = event_ndims.get(name, 0)
        shapes[name] = v.shape[: v.ndim - k] if k else v.shape
    result = broadcast_shapes(*shapes.values())
    if result is None:
        listed = ", ".join(f"`{n}` batch shape {list(s)}" for n, s in shapes.items())
        raise ValueError(f"Parameter shapes do not broadcast: {listed}.")
    return result


def broadcast_shapes_or_raise(*shapes: torch.Size) -> torch.Size:
    """:func:`broadcast_shapes`, raising ``RuntimeError`` as ``torch.broadcast_shapes`` does when
    the shapes do not broadcast (a drop-in replacement, ~50x cheaper).

    Example:
        >>> broadcast_shapes_or_raise(torch.Size([2, 1]), torch.Size([3]))
        torch.Size([2, 3])
    """
    result = broadcast_shapes(*shapes)
    if result is None:
        raise RuntimeError(f"Shape mismatch: shapes {[list(s) for s in shapes]} cannot be "
                           f"broadcast to a single shape.")
    return result


def broadcast_shapes(*shapes: torch.Size) -> torch.Size | None:
    """The broadcast of ``shapes`` (``torch.broadcast_shapes``), or None if they do not broadcast.

    Pure Python: ``torch.broadcast_shapes`` costs ~50 us per call, too much for a path run at
    every forward pass; equal shapes (the usual case) return at once.

    Example:
        >>> broadcast_shapes(torch.Size([3, 1]), torch.Size([4]))
        torch.Size([3, 4])
    """
    if not shapes:
        return torch.Size()
    first = shapes[0]
    if all(s == first for s in shapes):
        return torch.Size(first)
    ndim = max(len(s) for s in shapes)
    out = [1] * ndim
    for s in shapes:
        offset = ndim - len(s)
        for i, d in enumerate(s):
            cur = out[offset + i]
            if d == cur or d == 1:
                continue
            if cur != 1:
                return None
            out[offset + i] = d
    return torch.Size(out)

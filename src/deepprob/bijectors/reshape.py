"""Volume-preserving rearrangements: ``Permute`` and ``Reshape``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from deepprob.bijectors.bijector import Bijector

__all__ = ["Permute", "Reshape"]


def _zero(x: torch.Tensor) -> torch.Tensor:
    return torch.zeros((), dtype=x.dtype, device=x.device)


class Permute(Bijector):
    """Permute the entries along ``axis``: ``y[..., i] = x[..., permutation[i]]``.

    The permutation is a persistent buffer, so a random permutation is saved with the model's
    ``state_dict`` and restored on load.

    Args:
        permutation: a permutation of ``range(n)`` (list, array or integer tensor).
        axis: the (negative) axis to permute; ``forward_min_event_ndims == -axis``.
        validate_args: unused (the permutation is always checked).
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Permute([1, 0]).forward(torch.tensor([1.0, 2.0]))
        tensor([2., 1.])
    """

    def __init__(self, permutation: Any, axis: int = -1, validate_args: bool = False,
                 name: str = "permute"):
        if isinstance(axis, bool) or not isinstance(axis, int) or axis >= 0:
            raise ValueError(f"Argument `axis`: expected a negative integer (an axis counted "
                             f"from the end, as TFP requires), received {axis!r}.")
        super().__init__(forward_min_event_ndims=-axis, is_constant_jacobian=True,
                         validate_args=validate_args, name=name)
        perm = torch.as_tensor(np.asarray(
            permutation.detach().cpu() if isinstance(permutation, torch.Tensor) else permutation))
        if perm.ndim != 1 or perm.dtype.is_floating_point and not torch.all(perm == perm.round()):
            raise ValueError(f"Argument `permutation`: expected a 1-D sequence of integers, "
                             f"received {permutation!r}.")
        perm = perm.long()
        if not torch.equal(torch.sort(perm).values, torch.arange(perm.numel())):
            raise ValueError(f"Argument `permutation`: expected a permutation of "
                             f"range({perm.numel()}), received {perm.tolist()}.")
        self.axis = axis
        self.register_buffer("permutation", perm)
        self._inverse_cache: tuple[Any, torch.Tensor] | None = None

    def _inverse_permutation(self) -> torch.Tensor:
        # argsort once per permutation state: the key changes when the buffer is replaced, moved
        # or written in place (load_state_dict copies into it, bumping its version).
        perm = self.permutation
        if torch.compiler.is_compiling():  # inside a compiled graph the argsort is free
            return torch.argsort(perm)
        key = (perm.data_ptr(), perm._version, perm.device)
        cache = self._inverse_cache
        if cache is None or cache[0] != key:
            cache = self._inverse_cache = (key, torch.argsort(perm))
        return cache[1]

    def _check(self, x, arg):
        if x.ndim < -self.axis or x.shape[self.axis] != self.permutation.numel():
            raise ValueError(f"Argument `{arg}`: expected size {self.permutation.numel()} on axis "
                             f"{self.axis}, received shape {list(x.shape)}.")

    def _forward(self, x, **kwargs):
        self._check(x, "x")
        return torch.index_select(x, self.axis, self.permutation)

    def _inverse(self, y, **kwargs):
        self._check(y, "y")
        return torch.index_select(y, self.axis, self._inverse_permutation())

    def _forward_log_det_jacobian(self, x, **kwargs):
        return _zero(x)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return _zero(y)


def _check_shape(shape: Any, argument: str) -> tuple[int, ...]:
    if isinstance(shape, torch.Tensor):
        shape = shape.tolist()
    try:
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Argument `{argument}`: expected a sequence of integers, received "
                        f"{shape!r}.") from err
    if sum(d == -1 for d in shape) > 1 or any(d < -1 for d in shape):
        raise ValueError(f"Argument `{argument}`: expected non-negative sizes with at most one "
                         f"-1, received {list(shape)}.")
    return shape


def _resolve(target: tuple[int, ...], size: int, argument: str, source) -> tuple[int, ...]:
    if -1 not in target:
        if math.prod(target) != size:
            raise ValueError(f"Reshape: an event of shape {list(source)} ({size} elements) cannot "
                             f"be reshaped to `{argument}`={list(target)}.")
        return target
    known = math.prod(d for d in target if d != -1)
    if known == 0 or size % known:
        raise ValueError(f"Reshape: an event of shape {list(source)} ({size} elements) cannot be "
                         f"reshaped to `{argument}`={list(target)}.")
    return tuple(size // known if d == -1 else d for d in target)


def _matches(shape: tuple[int, ...], pattern: tuple[int, ...]) -> bool:
    return len(shape) == len(pattern) and all(p in (-1, s) for s, p in zip(shape, pattern))


class Reshape(Bijector):
    """Reshape the rightmost dims from ``event_shape_in`` to ``event_shape_out``.

    Args:
        event_shape_out: the output event shape (one entry may be -1).
        event_shape_in: the input event shape (default ``(-1,)``: any vector).
        validate_args: unused (shapes are always checked).
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Reshape([2, 2]).forward(torch.arange(8.0).reshape(2, 4)).shape
        torch.Size([2, 2, 2])
    """

    def __init__(self, event_shape_out: Any, event_shape_in: Any = (-1,),
                 validate_args: bool = False, name: str = "reshape"):
        out = _check_shape(event_shape_out, "event_shape_out")
        inp = _check_shape(event_shape_in, "event_shape_in")
        super().__init__(forward_min_event_ndims=len(inp), inverse_min_event_ndims=len(out),
                         is_constant_jacobian=True, validate_args=validate_args, name=name)
        self.event_shape_out = out
        self.event_shape_in = inp

    def _map(self, shape, source, target, src_name, tgt_name):
        shape = tuple(shape)
        k = len(source)
        event = shape[len(shape) - k:] if k else ()
        if len(shape) < k or not _matches(event, source):
            raise ValueError(f"Reshape: expected an input whose rightmost dims match "
                             f"`{src_name}`={list(source)}, received shape {list(shape)}.")
        return shape[: len(shape) - k] + _resolve(target, math.prod(event), tgt_name, event)

    def _forward(self, x, **kwargs):
        return x.reshape(self._map(x.shape, self.event_shape_in, self.event_shape_out,
                                   "event_shape_in", "event_shape_out"))

    def _inverse(self, y, **kwargs):
        return y.reshape(self._map(y.shape, self.event_shape_out, self.event_shape_in,
                                   "event_shape_out", "event_shape_in"))

    def _forward_log_det_jacobian(self, x, **kwargs):
        return _zero(x)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return _zero(y)

    def _forward_event_shape(self, input_shape):
        return self._map(input_shape, self.event_shape_in, self.event_shape_out,
                         "event_shape_in", "event_shape_out")

    def _inverse_event_shape(self, output_shape):
        return self._map(output_shape, self.event_shape_out, self.event_shape_in,
                         "event_shape_out", "event_shape_in")

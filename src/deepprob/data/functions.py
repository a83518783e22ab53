"""Applying user functions written for one element: per element, or on a whole block at once.

``ElementFunction`` calls ``fn(*element)`` for tuple elements and ``fn(element)`` otherwise (as
tf.data does). On a block it first tries ``torch.func.vmap`` (checked once against a direct call
on the block's first element); functions vmap cannot run (Python branching on values, ``.item()``,
random ops, data-dependent shapes, non-tensor outputs) fall back to the per-element path.
Failures are re-raised naming the transformation and the index of the element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from deepprob.data import structure as st


class ElementFunctionError(RuntimeError):
    """A user function raised on one element (the message names the transformation and index)."""


def _describe(fn: Callable) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


def reraise(err: BaseException, transformation: str, fn: Callable, index: int, element) -> None:
    msg = (
        f"{transformation}: the function {_describe(fn)!r} failed on input element {index} "
        f"({st._short(element)}): {type(err).__name__}: {err}"
    )
    try:
        new = type(err)(msg)
    except Exception:  # exception types with unusual constructors
        new = ElementFunctionError(msg)
    raise new from err


class ElementFunction:
    """``fn`` as tf.data calls it, with a vectorized path for blocks.

    Args:
        fn: the user function (written for one element).
        transformation: name used in errors, e.g. ``"Dataset.map"``.
    """

    def __init__(self, fn: Callable, transformation: str):
        if not callable(fn):
            raise TypeError(
                f"{transformation}: expected a callable, received {type(fn).__name__}."
            )
        self.fn = fn
        self.transformation = transformation
        self.vectorizable: bool | None = None  # decided on the first block

    def call(self, element) -> Any:
        if isinstance(element, tuple) and not st._is_namedtuple(element):
            return self.fn(*element)
        return self.fn(element)

    def output(self, element) -> Any:
        """The function's result as an element (a returned list is a tuple, as in tf.data)."""
        out = self.call(element)
        if isinstance(out, list):
            out = tuple(out)
        return st.normalize(out, f"{self.transformation} output")

    def on_element(self, element, index: int) -> Any:
        try:
            return self.output(element)
        except Exception as err:  # noqa: BLE001 - re-raised with context
            reraise(err, self.transformation, self.fn, index, element)

    def _vmapped(self, block):
        def one(e):
            out = self.output(e)
            for leaf in st.flatten(out):
                if not isinstance(leaf, torch.Tensor):
                    raise TypeError("non-tensor output")
            return out

        return torch.func.vmap(one, in_dims=0, out_dims=0, randomness="error")(block)

    def probe(self, block) -> bool:
        """Decide (once) whether vmap reproduces the per-element results on ``block``."""
        if self.vectorizable is not None:
            return self.vectorizable
        ok = False
        leaves = st.flatten(block)
        if leaves and all(isinstance(v, torch.Tensor) for v in leaves) and st.block_len(block):
            try:
                batched = self._vmapped(block)
                first = st.unstack(st.take(block, slice(0, 1)))[0]
                direct = self.output(first)
                ok = _same(st.unstack(st.take(batched, slice(0, 1)))[0], direct)
            except Exception:  # noqa: BLE001 - any failure means: use the per-element path
                ok = False
        self.vectorizable = ok
        return ok

    def on_block(self, block, offset: int) -> Any:
        """Apply to every element of a probed, vectorizable block (``offset``: first index)."""
        try:
            return self._vmapped(block)
        except Exception:  # noqa: BLE001 - find and report the failing element
            for i, e in enumerate(st.unstack(block)):
                self.on_element(e, offset + i)
            raise


def _same(a, b) -> bool:
    la, lb = st.flatten(a), st.flatten(b)
    if len(la) != len(lb):
        return False
    try:
        if st.pack_as(a, [0] * len(la)) != st.pack_as(b, [0] * len(lb)):
            return False
    except Exception:  # noqa: BLE001
        return False
    for x, y in zip(la, lb):
        if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
            return False
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        if x.is_floating_point() or x.is_complex():
            if not torch.allclose(x, y, rtol=1e-5, atol=1e-6, equal_nan=True):
                return False
        elif not torch.equal(x, y):
            return False
    return True

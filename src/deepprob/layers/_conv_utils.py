"""Argument checking and Keras's size rules shared by convolution, pooling and reshaping layers.

Spatial layers take channels-last inputs ``(batch, *spatial, channels)`` by default. They hand
torch a *permuted view* ``(batch, channels, *spatial)`` of that tensor: for 2-D inputs the view is
an NCHW tensor in ``torch.channels_last`` memory format, so torch's kernels run on it without a
copy and the result permutes back to a contiguous channels-last tensor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from deepprob._errors import unknown

_FORMATS = ("channels_last", "channels_first")


def normalize_tuple(value, n: int, name: str, layer: str, allow_zero: bool = False
                    ) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints, each positive (or >= 0), as a tuple of ``n`` ints."""
    items = (value,) * n if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        items = tuple(items)
    except TypeError:
        items = None
    low = 0 if allow_zero else 1
    if (items is None or len(items) != n
            or any(isinstance(v, bool) or not isinstance(v, int) or v < low for v in items)):
        what = "non-negative" if allow_zero else "positive"
        raise ValueError(
            f"Argument `{name}` of {layer}: expected a {what} integer or a tuple of {n} {what} "
            f"integers, received {value!r}."
        )
    return items


def normalize_padding(padding, layer: str, allowed: Sequence[str] = ("valid", "same")) -> str:
    """``"valid"`` / ``"same"`` (case-insensitive, as Keras), with a suggestion otherwise."""
    if not isinstance(padding, str) or padding.lower() not in allowed:
        raise unknown("padding", padding, allowed, argument=f"padding` of `{layer}")
    return padding.lower()


def normalize_data_format(data_format, layer: str) -> str:
    if data_format is None:
        return "channels_last"
    if data_format not in _FORMATS:
        raise unknown("data_format", data_format, _FORMATS, argument=f"data_format` of `{layer}")
    return data_format


def conv_output_length(length: int | None, kernel: int, padding: str, stride: int,
                       dilation: int = 1) -> int | None:
    """Keras's output length of a convolution or pooling window along one axis."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    out = length if padding in ("same", "causal") else length - span + 1
    return (out + stride - 1) // stride


def same_pads(length: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's "same" padding of one axis: ``(before, after)``, the extra one at the end."""
    span = (kernel - 1) * dilation + 1
    total = max((math.ceil(length / stride) - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


def to_channels_first(x: torch.Tensor, data_format: str) -> torch.Tensor:
    """The ``(batch, channels, *spatial)`` view of ``x`` (no copy)."""
    if data_format == "channels_first":
        return x
    return x.movedim(-1, 1)


def to_data_format(y: torch.Tensor, data_format: str) -> torch.Tensor:
    """Back from ``(batch, channels, *spatial)`` to the layer's data format (a view)."""
    if data_format == "channels_first":
        return y
    return y.movedim(1, -1)


def channels_last_format(rank: int):
    """torch's channels-last memory format for ``rank`` spatial dims (None for 1-D)."""
    return {2: torch.channels_last, 3: torch.channels_last_3d}.get(rank)


def pad_for(x: torch.Tensor, pads: Sequence[tuple[int, int]], value: float = 0.0) -> torch.Tensor:
    """``F.pad`` of the trailing spatial dims of a channels-first tensor with per-axis pads."""
    spec = []
    for before, after in reversed(list(pads)):
        spec += [before, after]
    if not any(spec):
        return x
    return F.pad(x, spec, value=value)


def split_same(pads: Sequence[tuple[int, int]]) -> tuple[tuple[int, ...], list[tuple[int, int]]]:
    """Split asymmetric pads into a symmetric part (for the kernel's own ``padding``) and the
    extra part at the end (padded explicitly)."""
    sym = tuple(min(b, a) for b, a in pads)
    extra = [(b - s, a - s) for (b, a), s in zip(pads, sym)]
    return sym, extra


def check_rank(x: torch.Tensor, rank: int, layer) -> None:
    """Clear error for an input of the wrong rank (``rank`` spatial dims + batch + channels)."""
    if x.dim() != rank + 2:
        raise ValueError(
            f"Input to layer {layer.name!r} ({type(layer).__name__}) is incompatible: expected "
            f"ndim={rank + 2} (batch, {'spatial, ' * rank}channels), received ndim={x.dim()} "
            f"(full shape {tuple(x.shape)})."
        )

"""``Blockwise``: different bijectors on consecutive blocks of a vector."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from deepprob.bijectors.bijector import Bijector
from deepprob.bijectors.chain import check_bijectors, route_kwargs

__all__ = ["Blockwise"]


class Blockwise(Bijector):
    """Split the last axis into blocks and apply one bijector per block.

    Keyword arguments are routed by bijector name, as in :class:`Chain`.

    Args:
        bijectors: bijectors acting on scalars or vectors (min event ndims 0 or 1); each must keep
            its block's size.
        block_sizes: the size of each block (default: 1 per bijector).
        validate_args: unused.
        maybe_changes_size: unused (TFP compatibility; sizes must be kept).
        name: defaults to ``"blockwise_of_" + "_and_".join(names)``.

    Example:
        >>> b = dp.bijectors.Blockwise([dp.bijectors.Exp(), dp.bijectors.Identity()], [1, 2])
        >>> b.forward(torch.zeros(3))
        tensor([1., 0., 0.])
    """

    def __init__(self, bijectors: Iterable[Bijector], block_sizes: Any = None,
                 validate_args: bool = False, maybe_changes_size: bool = True,
                 name: str | None = None):
        bijectors = check_bijectors(bijectors)
        if not bijectors:
            raise ValueError("Argument `bijectors`: expected at least one bijector.")
        for b in bijectors:
            if b.forward_min_event_ndims > 1 or b.inverse_min_event_ndims != \
                    b.forward_min_event_ndims:
                raise ValueError(f"Argument `bijectors`: {b.name!r} must act on scalars or "
                                 f"vectors and keep the rank, for use in Blockwise.")
        if block_sizes is None:
            block_sizes = [1] * len(bijectors)
        if isinstance(block_sizes, torch.Tensor):
            block_sizes = block_sizes.tolist()
        block_sizes = [int(s) for s in block_sizes]
        if len(block_sizes) != len(bijectors) or any(s <= 0 for s in block_sizes):
            raise ValueError(f"Argument `block_sizes`: expected {len(bijectors)} positive sizes "
                             f"(one per bijector), received {block_sizes}.")
        for b, s in zip(bijectors, block_sizes):
            if b.forward_min_event_ndims == 1 and list(b.forward_event_shape([s])) != [s]:
                raise ValueError(f"Argument `bijectors`: {b.name!r} changes the size of its "
                                 f"block ({s}); Blockwise needs size-preserving bijectors.")
        super().__init__(forward_min_event_ndims=1,
                         is_constant_jacobian=all(b.is_constant_jacobian for b in bijectors),
                         validate_args=validate_args,
                         name=name or "blockwise_of_" + "_and_".join(b.name for b in bijectors))
        self.bijectors = torch.nn.ModuleList(bijectors)
        self.block_sizes = block_sizes

    def _split(self, x, arg):
        if x.ndim < 1 or x.shape[-1] != sum(self.block_sizes):
            raise ValueError(f"Argument `{arg}`: expected a last dimension of "
                             f"{sum(self.block_sizes)} (block_sizes={self.block_sizes}), "
                             f"received shape {list(x.shape)}.")
        return torch.split(x, self.block_sizes, dim=-1)

    def _forward(self, x, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        parts = self._split(x, "x")
        return torch.cat([b.forward(p, **kwargs.get(b.name, {}))
                          for b, p in zip(self.bijectors, parts)], dim=-1)

    def _inverse(self, y, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        parts = self._split(y, "y")
        return torch.cat([b.inverse(p, **kwargs.get(b.name, {}))
                          for b, p in zip(self.bijectors, parts)], dim=-1)

    def _forward_log_det_jacobian(self, x, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        total = None
        for b, p in zip(self.bijectors, self._split(x, "x")):
            ldj = b._call_fldj(p, 1, kwargs.get(b.name, {}))
            total = ldj if total is None else total + ldj
        return total

    def _inverse_log_det_jacobian(self, y, **kwargs):
        route_kwargs(self, self.bijectors, kwargs)
        total = None
        for b, p in zip(self.bijectors, self._split(y, "y")):
            ldj = b._call_ildj(p, 1, kwargs.get(b.name, {}))
            total = ldj if total is None else total + ldj
        return total

    def _batch_shape_at(self, extra):
        shape = torch.Size()
        for b in self.bijectors:
            shape = torch.broadcast_shapes(
                shape, b._batch_shape_at(extra + 1 - b.forward_min_event_ndims))
        return shape

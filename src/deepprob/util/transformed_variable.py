"""``TransformedVariable``: a trainable value living in a bijector's range (TFP's
``tfp.util.TransformedVariable``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["TransformedVariable"]


def _unwrap(value: Any) -> Any:
    if isinstance(value, TransformedVariable):
        return value()
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


class TransformedVariable(torch.nn.Module):
    """A variable whose value is ``bijector.forward(unconstrained)``; the optimizer moves the
    unconstrained ``nn.Parameter`` (``pretransformed_input``), the value stays in the bijector's
    range (positive under ``Softplus``/``Exp``, in (0, 1) under ``Sigmoid`` ...).

    It follows the shared parameter protocol: pass it as a distribution's or bijector's
    parameter (``Normal(loc, scale=TransformedVariable(1.0, Softplus()))``) and that owner
    trains it and re-reads its value at every use. Calling it (``tv()``) returns the current
    value as a tensor (with gradient to the parameter). It also behaves as a tensor, as TFP's
    ``DeferredTensor``: torch functions (``torch.exp(tv)``), arithmetic (``2 * tv``), indexing,
    ``.numpy()``, ``.shape``, ``.dtype``, ``float(tv)`` all use its current value.

    Args:
        initial_value: the initial value, in the bijector's range (number, list, array, tensor).
        bijector: a ``dp.bijectors.Bijector`` mapping unconstrained reals to the value.
        dtype: dtype of the variable (default: the tensor's, else float32).
        name: a name (informational).
        trainable: ``False`` freezes the underlying parameter.

    Example:
        >>> scale = dp.util.TransformedVariable(1.0, dp.bijectors.Softplus())
        >>> dist = dp.distributions.Normal(loc=0.0, scale=scale)
        >>> [p.shape for p in dist.parameters()]     # the unconstrained parameter trains
        [torch.Size([])]
    """

    def __init__(self, initial_value: Any, bijector: Any, dtype: torch.dtype | None = None,
                 name: str | None = None, trainable: bool = True):
        super().__init__()
        from deepprob.bijectors.bijector import Bijector

        if not isinstance(bijector, Bijector):
            raise TypeError(f"Argument `bijector`: expected a dp.bijectors.Bijector, received "
                            f"{type(bijector).__name__}.")
        if isinstance(initial_value, torch.nn.Module):
            initial_value = initial_value()
        if isinstance(initial_value, torch.Tensor):
            value = initial_value.detach()
            if dtype is not None or not value.is_floating_point():
                value = value.to(dtype or torch.get_default_dtype())
        else:
            try:
                value = torch.as_tensor(np.asarray(initial_value),
                                        dtype=dtype or torch.get_default_dtype())
            except (TypeError, ValueError) as err:
                raise TypeError(f"Argument `initial_value`: expected a number, list, array or "
                                f"tensor, received {type(initial_value).__name__} ({err}).") \
                    from err
        with torch.no_grad():
            raw = bijector.inverse(value)
        if not torch.all(torch.isfinite(raw)):
            raise ValueError(
                f"Argument `initial_value`: {value.tolist() if value.numel() <= 8 else value} is "
                f"outside the range of bijector {bijector.name!r} (its inverse is not finite).")
        self.bijector = bijector
        self.pretransformed_input = torch.nn.Parameter(raw.clone(), requires_grad=trainable)
        self._shape = torch.Size(value.shape)
        self.name = name or "transformed_variable"

    # -- value ----------------------------------------------------------------------------------
    def forward(self) -> torch.Tensor:
        """The current value ``bijector.forward(pretransformed_input)``."""
        return self.bijector.forward(self.pretransformed_input)

    def assign(self, value: Any) -> TransformedVariable:
        """Set the value (in the bijector's range) by assigning the unconstrained parameter.

        Args:
            value: the new value, broadcastable to :attr:`shape`.

        Example:
            >>> tv = dp.util.TransformedVariable(1.0, dp.bijectors.Exp()); tv.assign(2.0)
        """
        p = self.pretransformed_input
        value = torch.as_tensor(_unwrap(value), dtype=p.dtype, device=p.device)
        with torch.no_grad():
            p.copy_(self.bijector.inverse(value).expand_as(p))
        return self

    @property
    def trainable_variables(self) -> tuple[torch.nn.Parameter, ...]:
        """The trainable parameters (the unconstrained variable and any bijector parameters)."""
        return tuple(p for p in self.parameters() if p.requires_grad)

    @property
    def shape(self) -> torch.Size:
        """Shape of the value."""
        return self._shape

    @property
    def dtype(self) -> torch.dtype:
        """Dtype of the value."""
        return self.pretransformed_input.dtype

    @property
    def device(self) -> torch.device:
        """Device of the value."""
        return self.pretransformed_input.device

    @property
    def ndim(self) -> int:
        """Rank of the value."""
        return len(self._shape)

    def numpy(self) -> np.ndarray:
        """The current value as a NumPy array."""
        return self().detach().cpu().numpy()

    def detach(self) -> torch.Tensor:
        """The current value, detached from the autograd graph."""
        return self().detach()

    def item(self) -> float:
        """The current value of a one-element variable as a Python number."""
        return self().item()

    def size(self, dim: int | None = None):
        """As ``torch.Tensor.size``."""
        return self._shape if dim is None else self._shape[dim]

    def dim(self) -> int:
        """As ``torch.Tensor.dim``."""
        return len(self._shape)

    def __array__(self, dtype=None, copy=None):
        out = self.numpy()
        return out.astype(dtype) if dtype is not None else out

    def __float__(self) -> float:
        return float(self().item())

    def __int__(self) -> int:
        return int(self().item())

    def __getitem__(self, index):
        return self()[index]

    def __repr__(self) -> str:
        with torch.no_grad():
            value = self()
        return (f"<TransformedVariable {self.name!r} shape={list(self._shape)} "
                f"dtype={self.dtype} bijector={self.bijector.name!r} value={value}>")

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return func(*_unwrap(tuple(args)), **_unwrap(kwargs or {}))


def _binary(op: str):
    def method(self, other):
        return getattr(self(), op)(_unwrap(other))

    method.__name__ = op
    return method


for _op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
            "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__pow__", "__rpow__",
            "__matmul__", "__rmatmul__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(TransformedVariable, _op, _binary(_op))

TransformedVariable.__neg__ = lambda self: -self()
TransformedVariable.__pos__ = lambda self: self()
TransformedVariable.__abs__ = lambda self: torch.abs(self())

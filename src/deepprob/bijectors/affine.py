"""Affine bijectors: ``Identity``, ``Shift``, ``Scale``, ``ScaleMatvecDiag``, ``ScaleMatvecTriL``."""

from __future__ import annotations

from typing import Any

import torch

from deepprob.bijectors import _params
from deepprob.bijectors.bijector import Bijector

__all__ = ["Identity", "Shift", "Scale", "ScaleMatvecDiag", "ScaleMatvecTriL"]


def _zero(x: torch.Tensor) -> torch.Tensor:
    return torch.zeros((), dtype=x.dtype, device=x.device)


class Identity(Bijector):
    """``y = x``.

    Args:
        validate_args: unused (TFP compatibility).
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Identity().forward(torch.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """

    def __init__(self, validate_args: bool = False, name: str = "identity"):
        super().__init__(forward_min_event_ndims=0, is_constant_jacobian=True,
                         validate_args=validate_args, name=name)

    def _forward(self, x, **kwargs):
        return x

    def _inverse(self, y, **kwargs):
        return y

    def _forward_log_det_jacobian(self, x, **kwargs):
        return _zero(x)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return _zero(y)

    def _is_increasing(self, **kwargs):
        return True


class Shift(Bijector):
    """``y = x + shift``.

    Args:
        shift: the shift; a number, tensor, ``nn.Parameter`` (trained) or value module.
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> b = dp.bijectors.Shift(torch.nn.Parameter(torch.tensor(1.0)))
        >>> b.forward(torch.tensor([0.0, 1.0]))
        tensor([1., 2.], grad_fn=<AddBackward0>)
    """

    _param_event_ndims = {"shift": 0}

    def __init__(self, shift: Any, validate_args: bool = False, name: str = "shift"):
        super().__init__(forward_min_event_ndims=0, is_constant_jacobian=True,
                         validate_args=validate_args, name=name)
        _params.register(self, "shift", shift)

    def _forward(self, x, **kwargs):
        return x + _params.read(self, "shift")

    def _inverse(self, y, **kwargs):
        return y - _params.read(self, "shift")

    def _forward_log_det_jacobian(self, x, **kwargs):
        return _zero(x)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return _zero(y)

    def _is_increasing(self, **kwargs):
        return True


class Scale(Bijector):
    """``y = scale * x`` (elementwise), given ``scale`` or ``log_scale``.

    Args:
        scale: the multiplier (non-zero); number, tensor, ``nn.Parameter`` or value module.
        log_scale: alternatively, its logarithm (``scale = exp(log_scale)``).
        validate_args: check that ``scale`` has no zero.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.Scale(2.0).forward_log_det_jacobian(torch.zeros(3), event_ndims=1)
        tensor(2.0794)
    """

    _param_event_ndims = {"scale": 0, "log_scale": 0}

    def __init__(self, scale: Any = None, log_scale: Any = None, validate_args: bool = False,
                 name: str = "scale"):
        super().__init__(forward_min_event_ndims=0, is_constant_jacobian=True,
                         validate_args=validate_args, name=name)
        if (scale is None) == (log_scale is None):
            raise ValueError("Scale: give exactly one of `scale` and `log_scale`; received "
                             f"scale={scale!r}, log_scale={log_scale!r}.")
        self._use_log = scale is None
        if self._use_log:
            _params.register(self, "log_scale", log_scale)
        else:
            _params.register(self, "scale", scale)
            if validate_args and torch.any(_params.read(self, "scale") == 0):
                raise ValueError("Argument `scale`: must be non-zero, received "
                                 f"{_params.read(self, 'scale')}.")

    def _scale(self):
        if self._use_log:
            return torch.exp(_params.read(self, "log_scale"))
        return _params.read(self, "scale")

    def _forward(self, x, **kwargs):
        return x * self._scale()

    def _inverse(self, y, **kwargs):
        return y / self._scale()

    def _forward_log_det_jacobian(self, x, **kwargs):
        if self._use_log:
            return _params.read(self, "log_scale")
        return torch.log(torch.abs(_params.read(self, "scale")))

    def _is_increasing(self, **kwargs):
        return True if self._use_log else _params.read(self, "scale") > 0


class ScaleMatvecDiag(Bijector):
    """``y = diag(scale_diag) @ x`` for vector events.

    Args:
        scale_diag: the diagonal, shape ``batch + [d]``.
        adjoint: use the adjoint (the same for a diagonal).
        validate_args: check that the diagonal has no zero.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.ScaleMatvecDiag([1.0, 2.0]).forward(torch.ones(2))
        tensor([1., 2.])
    """

    _param_event_ndims = {"scale_diag": 1}

    def __init__(self, scale_diag: Any, adjoint: bool = False, validate_args: bool = False,
                 name: str = "scale_matvec_diag"):
        super().__init__(forward_min_event_ndims=1, is_constant_jacobian=True,
                         validate_args=validate_args, name=name)
        _params.register(self, "scale_diag", scale_diag)
        self.adjoint = bool(adjoint)
        diag = _params.read(self, "scale_diag")
        if diag.ndim < 1:
            raise ValueError("Argument `scale_diag`: expected at least 1 dimension, received "
                             f"shape {list(diag.shape)}.")
        if validate_args and torch.any(diag == 0):
            raise ValueError(f"Argument `scale_diag`: must be non-zero, received {diag}.")

    def _forward(self, x, **kwargs):
        return x * _params.read(self, "scale_diag")

    def _inverse(self, y, **kwargs):
        return y / _params.read(self, "scale_diag")

    def _forward_log_det_jacobian(self, x, **kwargs):
        return torch.log(torch.abs(_params.read(self, "scale_diag"))).sum(-1)


class ScaleMatvecTriL(Bijector):
    """``y = L @ x`` with ``L`` lower triangular (only its lower triangle is read).

    Args:
        scale_tril: the matrix ``L``, shape ``batch + [d, d]``, non-zero diagonal.
        adjoint: apply ``L^T`` instead.
        validate_args: check that ``scale_tril`` is square, lower triangular, with a non-zero
            diagonal.
        name: the bijector's name.

    Example:
        >>> b = dp.bijectors.ScaleMatvecTriL([[1.0, 0.0], [1.0, 2.0]])
        >>> b.forward(torch.tensor([1.0, 1.0]))
        tensor([1., 3.])
    """

    _param_event_ndims = {"scale_tril": 2}

    def __init__(self, scale_tril: Any, adjoint: bool = False, validate_args: bool = False,
                 name: str = "scale_matvec_tril"):
        super().__init__(forward_min_event_ndims=1, is_constant_jacobian=True,
                         validate_args=validate_args, name=name)
        _params.register(self, "scale_tril", scale_tril)
        self.adjoint = bool(adjoint)
        tril = _params.read(self, "scale_tril")
        if tril.ndim < 2 or tril.shape[-1] != tril.shape[-2]:
            raise ValueError("Argument `scale_tril`: expected a square matrix of shape "
                             f"batch + [d, d], received shape {list(tril.shape)}.")
        if validate_args:
            if not torch.equal(tril, torch.tril(tril)):
                raise ValueError("Argument `scale_tril`: expected a lower-triangular matrix; "
                                 f"received {tril}.")
            if torch.any(torch.diagonal(tril, dim1=-2, dim2=-1) == 0):
                raise ValueError(f"Argument `scale_tril`: diagonal must be non-zero, "
                                 f"received {tril}.")

    def _matrix(self):
        tril = torch.tril(_params.read(self, "scale_tril"))
        return tril.mT if self.adjoint else tril

    def _forward(self, x, **kwargs):
        m = self._matrix()
        if m.ndim == 2:
            return x @ m.mT
        return (m @ x.unsqueeze(-1)).squeeze(-1)

    def _inverse(self, y, **kwargs):
        m = self._matrix()
        upper = self.adjoint
        if m.ndim == 2 and y.ndim >= 1:
            # solve x @ m^T = y for all rows at once (no broadcast copy of m)
            flat = y.reshape(-1, y.shape[-1])
            x = torch.linalg.solve_triangular(m.mT, flat, upper=not upper, left=False)
            return x.reshape(y.shape)
        batch = torch.broadcast_shapes(m.shape[:-2], y.shape[:-1])
        m = m.expand(batch + m.shape[-2:])
        rhs = y.expand(batch + y.shape[-1:]).unsqueeze(-1)
        return torch.linalg.solve_triangular(m, rhs, upper=upper).squeeze(-1)

    def _forward_log_det_jacobian(self, x, **kwargs):
        diag = torch.diagonal(_params.read(self, "scale_tril"), dim1=-2, dim2=-1)
        return torch.log(torch.abs(diag)).sum(-1)

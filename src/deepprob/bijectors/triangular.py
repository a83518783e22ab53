"""Matrix bijectors: ``FillTriangular``, ``TransformDiagonal``, ``FillScaleTriL``,
``CholeskyOuterProduct``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from deepprob.bijectors.affine import Shift
from deepprob.bijectors.bijector import Bijector
from deepprob.bijectors.chain import Chain
from deepprob.bijectors.elementwise import Softplus

__all__ = ["FillTriangular", "TransformDiagonal", "FillScaleTriL", "CholeskyOuterProduct"]

_INDEX_CACHE: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray, int]] = {}
_DEVICE_INDEX: dict[tuple, torch.Tensor] = {}


def _on(device: torch.device, key: tuple, array: np.ndarray) -> torch.Tensor:
    """The index array as a tensor on ``device`` (copied there once)."""
    k = key + (str(device),)
    t = _DEVICE_INDEX.get(k)
    if t is None:
        t = _DEVICE_INDEX[k] = torch.as_tensor(array, device=device)
    return t


def _side(m: int) -> int:
    n = int(math.isqrt(8 * m + 1) - 1) // 2
    if n * (n + 1) // 2 != m or m == 0:
        raise ValueError(f"FillTriangular: the last dimension ({m}) must be a triangular number "
                         f"n * (n + 1) / 2 (1, 3, 6, 10, ...).")
    return n


def _indices(m: int, upper: bool):
    """Gather indices (TFP's packing order) for vector -> matrix and matrix -> vector."""
    key = (m, upper)
    if key not in _INDEX_CACHE:
        n = _side(m)
        x = np.arange(m)
        flat = np.concatenate([x, x[n:][::-1]]) if upper else np.concatenate([x[n:], x[::-1]])
        mat = flat.reshape(n, n)
        mask = np.triu(np.ones((n, n), bool)) if upper else np.tril(np.ones((n, n), bool))
        to_matrix = np.where(mask, mat, m).reshape(-1)  # index m reads an appended zero
        rows, cols = np.nonzero(mask)
        order = np.argsort(mat[rows, cols])
        to_vector = (rows * n + cols)[order]
        _INDEX_CACHE[key] = (to_matrix, to_vector, n)
    return _INDEX_CACHE[key]


class FillTriangular(Bijector):
    """Pack a vector of ``n(n+1)/2`` entries into an ``n x n`` triangular matrix (TFP's order).

    ``FillTriangular().forward([1, 2, 3, 4, 5, 6]) == [[4, 0, 0], [6, 5, 0], [3, 2, 1]]``, exactly
    as ``tfp.math.fill_triangular``. The map is a permutation: its log-det is 0.

    Args:
        upper: fill the upper triangle instead of the lower.
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.FillTriangular().forward(torch.arange(1.0, 4.0))
        tensor([[3., 0.],
                [2., 1.]])
    """

    def __init__(self, upper: bool = False, validate_args: bool = False,
                 name: str = "fill_triangular"):
        super().__init__(forward_min_event_ndims=1, inverse_min_event_ndims=2,
                         is_constant_jacobian=True, validate_args=validate_args, name=name)
        self.upper = bool(upper)

    def _forward(self, x, **kwargs):
        to_matrix, _, n = _indices(x.shape[-1], self.upper)
        padded = torch.cat([x, x.new_zeros(x.shape[:-1] + (1,))], dim=-1)
        idx = _on(x.device, (x.shape[-1], self.upper, "m"), to_matrix)
        return padded[..., idx].reshape(x.shape[:-1] + (n, n))

    def _inverse(self, y, **kwargs):
        if y.ndim < 2 or y.shape[-1] != y.shape[-2]:
            raise ValueError(f"FillTriangular.inverse: expected square matrices, received shape "
                             f"{list(y.shape)}.")
        n = y.shape[-1]
        _, to_vector, _ = _indices(n * (n + 1) // 2, self.upper)
        idx = _on(y.device, (n * (n + 1) // 2, self.upper, "v"), to_vector)
        return y.reshape(y.shape[:-2] + (n * n,))[..., idx]

    def _forward_log_det_jacobian(self, x, **kwargs):
        return torch.zeros((), dtype=x.dtype, device=x.device)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return torch.zeros((), dtype=y.dtype, device=y.device)

    def _forward_event_shape(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError("FillTriangular: the input event must be a vector, received shape "
                             f"{list(input_shape)}.")
        n = _side(input_shape[-1])
        return input_shape[:-1] + (n, n)

    def _inverse_event_shape(self, output_shape):
        if len(output_shape) < 2 or output_shape[-1] != output_shape[-2]:
            raise ValueError("FillTriangular: the output event must be a square matrix, "
                             f"received shape {list(output_shape)}.")
        n = output_shape[-1]
        return output_shape[:-2] + (n * (n + 1) // 2,)


class TransformDiagonal(Bijector):
    """Apply ``diag_bijector`` to the diagonal of a matrix, leaving the rest unchanged.

    Args:
        diag_bijector: an elementwise or vector bijector for the diagonal (its parameters
            train).
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> b = dp.bijectors.TransformDiagonal(dp.bijectors.Exp())
        >>> b.forward(torch.zeros(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """

    def __init__(self, diag_bijector: Bijector, validate_args: bool = False,
                 name: str = "transform_diagonal"):
        if not isinstance(diag_bijector, Bijector):
            raise TypeError(f"Argument `diag_bijector`: expected a dp.bijectors.Bijector, "
                            f"received {type(diag_bijector).__name__}.")
        if diag_bijector.forward_min_event_ndims > 1 or diag_bijector.inverse_min_event_ndims != \
                diag_bijector.forward_min_event_ndims:
            raise ValueError("Argument `diag_bijector`: expected a bijector acting on vectors "
                             "(min event ndims 0 or 1, keeping the rank), received "
                             f"{diag_bijector.name!r}.")
        super().__init__(forward_min_event_ndims=2, is_constant_jacobian=(
            diag_bijector.is_constant_jacobian), validate_args=validate_args, name=name)
        self.diag_bijector = diag_bijector

    @staticmethod
    def _diag(x):
        return torch.diagonal(x, dim1=-2, dim2=-1)

    def _forward(self, x, **kwargs):
        return torch.diagonal_scatter(x, self.diag_bijector.forward(self._diag(x), **kwargs),
                                      dim1=-2, dim2=-1)

    def _inverse(self, y, **kwargs):
        return torch.diagonal_scatter(y, self.diag_bijector.inverse(self._diag(y), **kwargs),
                                      dim1=-2, dim2=-1)

    def _forward_log_det_jacobian(self, x, **kwargs):
        return self.diag_bijector._call_fldj(self._diag(x), 1, kwargs)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return self.diag_bijector._call_ildj(self._diag(y), 1, kwargs)

    def _batch_shape_at(self, extra):
        return self.diag_bijector._batch_shape_at(extra + 1 - self.diag_bijector
                                                  .forward_min_event_ndims)


class FillScaleTriL(Chain):
    """Vector -> lower-triangular matrix with a positive diagonal (a Cholesky factor).

    ``Chain([TransformDiagonal(Chain([Shift(diag_shift), diag_bijector])), FillTriangular()])``,
    as TFP.

    Args:
        diag_bijector: maps the diagonal to positive values (default ``Softplus()``).
        diag_shift: added to the diagonal after ``diag_bijector`` (default 1e-5; ``None``: none).
        validate_args: unused.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.FillScaleTriL().forward(torch.zeros(3)).shape
        torch.Size([2, 2])
    """

    def __init__(self, diag_bijector: Bijector | None = None, diag_shift: Any = 1e-5,
                 validate_args: bool = False, name: str = "fill_scale_tril"):
        diag = diag_bijector if diag_bijector is not None else Softplus(
            validate_args=validate_args)
        if diag_shift is not None:
            diag = Chain([Shift(diag_shift, validate_args=validate_args), diag])
        super().__init__([TransformDiagonal(diag, validate_args=validate_args),
                          FillTriangular(validate_args=validate_args)],
                         validate_args=validate_args, name=name)


class CholeskyOuterProduct(Bijector):
    """``Y = L @ L^T`` for lower-triangular ``L`` with a positive diagonal; inverse: Cholesky.

    Args:
        validate_args: check that ``L`` is lower triangular with a positive diagonal.
        name: the bijector's name.

    Example:
        >>> dp.bijectors.CholeskyOuterProduct().forward(torch.tensor([[1.0, 0.0], [1.0, 2.0]]))
        tensor([[1., 1.],
                [1., 5.]])
    """

    def __init__(self, validate_args: bool = False, name: str = "cholesky_outer_product"):
        super().__init__(forward_min_event_ndims=2, validate_args=validate_args, name=name)

    def _forward(self, x, **kwargs):
        if self.validate_args:
            if not torch.equal(x, torch.tril(x)):
                raise ValueError(f"Argument `x`: expected lower-triangular matrices, "
                                 f"received {x}.")
            if torch.any(torch.diagonal(x, dim1=-2, dim2=-1) <= 0):
                raise ValueError(f"Argument `x`: expected a positive diagonal, received {x}.")
        return x @ x.mT

    def _inverse(self, y, **kwargs):
        return torch.linalg.cholesky(y)

    def _forward_log_det_jacobian(self, x, **kwargs):
        n = x.shape[-1]
        diag = torch.diagonal(x, dim1=-2, dim2=-1)
        powers = torch.arange(n, 0, -1, dtype=x.dtype, device=x.device)
        return n * math.log(2.0) + (powers * torch.log(torch.abs(diag))).sum(-1)

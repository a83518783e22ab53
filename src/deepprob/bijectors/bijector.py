"""The ``Bijector`` base class: an invertible, differentiable, trainable transform (TFP semantics).

A bijector is a ``torch.nn.Module``. Its trainable numbers (``nn.Parameter`` arguments, or modules
such as ``dp.util.TransformedVariable``) appear in ``parameters()`` and train with any torch
optimizer.

Writing your own bijector is done exactly as in TensorFlow Probability: subclass :class:`Bijector`
and override ``_forward``, ``_inverse`` and ``_forward_log_det_jacobian`` (optionally
``_inverse_log_det_jacobian``; otherwise it is derived as ``-fldj(inverse(y))``, and conversely).
The log-det hooks return the log-determinant at ``forward_min_event_ndims`` (one value per
smallest event); the public methods sum it over any further event dimensions.

Porting note (the one difference with TFP): a bijector is an ``nn.Module``, and ``nn.Module``
normally requires ``super().__init__()`` before trainable attributes (``nn.Parameter``,
sub-modules) are assigned. :class:`Bijector` lifts that rule (it initialises the module on the
first attribute assignment), so course code that assigns ``self.a = ...`` *before* calling
``super().__init__(...)`` works unchanged; calling ``super().__init__(...)`` first is still the
recommended PyTorch style.

A bijector whose value and log-det come out of one computation (an autoregressive network's
shift and log-scale) may also override ``_call_forward_and_fldj(x, event_ndims, kwargs)`` and
``_call_inverse_and_ildj(y, event_ndims, kwargs)``: ``TransformedDistribution.log_prob`` and
``sample_and_log_prob`` use those joint paths (returning ``(value, log_det)`` summed over
``event_ndims``; see :func:`reduce_log_det`).

Keyword arguments given to ``forward`` / ``inverse`` / the log-det methods (for example
``conditional_input=c`` for conditional flows) reach the ``_forward`` ... hooks. A
:class:`~deepprob.bijectors.Chain` routes them per bijector *name*, as TFP does:
``chain.forward(x, maf1={"conditional_input": c})``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import torch

__all__ = ["Bijector"]

_HOOKS = ("_forward_log_det_jacobian", "_inverse_log_det_jacobian")


def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def as_tensor(value: Any, name: str, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Convert ``value`` (tensor, number, list, array, value-module) to a floating tensor."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, torch.nn.Module):  # e.g. dp.util.TransformedVariable
        return value()
    try:
        return torch.as_tensor(value, dtype=dtype or torch.get_default_dtype())
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"Argument `{name}`: expected a tensor, number, list or NumPy array; received "
            f"{type(value).__name__} ({err})."
        ) from err


_FROZEN = [0]


@contextlib.contextmanager
def frozen_statistics() -> Iterator[None]:
    """Within this block, bijectors keep their running statistics unchanged (the
    ``BatchNormalization`` bijector does not update its moving averages). Used while the
    functional graph infers shapes by running methods on placeholder tensors.

    Example:
        >>> with frozen_statistics():
        ...     bn.inverse(torch.zeros(2, 3))   # moving statistics untouched
    """
    _FROZEN[0] += 1
    try:
        yield
    finally:
        _FROZEN[0] -= 1


def statistics_frozen() -> bool:
    """Whether :func:`frozen_statistics` is active."""
    return _FROZEN[0] > 0


def symbolic(value: Any, kwargs: dict) -> bool:
    """Whether ``value`` or a keyword argument is a symbolic tensor of the functional graph
    (``dp.Input``); such calls are recorded as graph nodes instead of computed."""
    if isinstance(value, torch.Tensor) and not kwargs:
        return False
    from deepprob.engine.symbolic import is_symbolic

    return is_symbolic((value, kwargs))


def record(bijector: Bijector, method: str, value: Any, kwargs: dict) -> Any:
    """Record ``bijector.method(value, **kwargs)`` on symbolic inputs (the model built from
    the graph then owns and trains the bijector's parameters)."""
    from deepprob.engine.symbolic import symbolic_call

    with frozen_statistics():  # shape inference runs the method on placeholders
        return symbolic_call(getattr(bijector, method), (value,), dict(kwargs),
                             owners=(bijector,))


def _check_ndims(value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
            return _check_ndims(int(value), argument)
        raise ValueError(f"Argument `{argument}`: expected a non-negative integer, "
                         f"received {value!r}.")
    return value


def reduce_log_det(ldj: torch.Tensor, shape: torch.Size, event_ndims: int,
                   min_event_ndims: int) -> torch.Tensor:
    """Sum a log-det computed at ``min_event_ndims`` over the further ``event_ndims`` dims.

    ``ldj`` is aligned (broadcast-style, from the right) with ``shape[:len(shape) - min]``. A
    log-det that is constant over some of the reduced dims (a scalar, say) counts once per element
    of those dims, as TFP's reduction does.

    Args:
        ldj: the log-det at the bijector's minimal event rank.
        shape: shape of the input the log-det belongs to.
        event_ndims: number of rightmost dims of ``shape`` forming one event.
        min_event_ndims: the bijector's minimal event rank for that input.
    """
    n = event_ndims - min_event_ndims
    if n == 0:
        return ldj
    stop = len(shape) - min_event_ndims
    want = tuple(shape[stop - n: stop])
    if ldj.ndim < n:
        ldj = ldj.reshape((1,) * (n - ldj.ndim) + tuple(ldj.shape))
    have = tuple(ldj.shape[ldj.ndim - n:])
    dims = tuple(range(-n, 0))
    if have == want:
        return ldj.sum(dim=dims)
    factor = 1
    for h, w in zip(have, want):
        if h == 1:
            factor *= w
        elif h != w:
            raise ValueError(
                f"The log-det-Jacobian of shape {list(ldj.shape)} does not broadcast against the "
                f"event dims {list(want)} of an input of shape {list(shape)}.")
    out = ldj.sum(dim=dims)
    return out * factor if factor != 1 else out


class Bijector(torch.nn.Module):
    """Base class of invertible transforms ``y = f(x)`` with tractable log-det-Jacobians.

    Args:
        graph_parents: ignored (TFP compatibility).
        is_constant_jacobian: whether the Jacobian does not depend on the input (affine maps).
        validate_args: check inputs and parameters (slower).
        dtype: dtype the bijector works in (informational; ``None`` means any).
        forward_min_event_ndims: rank of the smallest input ``forward`` acts on as a unit
            (0 for elementwise maps, 1 for vector maps, 2 for matrix maps). At least one of the two
            ``*_min_event_ndims`` must be given; the other defaults to it.
        inverse_min_event_ndims: rank of the smallest input ``inverse`` acts on.
        parameters: ignored (TFP compatibility; use ``parameters()`` for trainable tensors).
        name: name used to route keyword arguments inside a ``Chain``; defaults to the class
            name in snake case (``"exp"``, ``"scale_matvec_tri_l"`` ...).

    Example:
        >>> class Cubic(dp.bijectors.Bijector):
        ...     def __init__(self, a, b, validate_args=False, name="Cubic"):
        ...         super().__init__(validate_args=validate_args, forward_min_event_ndims=0,
        ...                          name=name)
        ...         self.a = torch.nn.Parameter(torch.as_tensor(a))
        ...         self.b = torch.as_tensor(b)
        ...     def _forward(self, x):
        ...         return (self.a * x + self.b) ** 3
        ...     def _inverse(self, y):
        ...         return (torch.sign(y) * torch.abs(y) ** (1 / 3) - self.b) / self.a
        ...     def _forward_log_det_jacobian(self, x):
        ...         return torch.log(3 * torch.abs(self.a)) + 2 * torch.log(torch.abs(self.a * x + self.b))
        >>> Cubic(0.25, -1.0).forward(torch.tensor([1.0, 2.0]))
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:  # assignment before super().__init__ (TFP style)
            torch.nn.Module.__init__(self)
        super().__setattr__(name, value)

    def __init__(self, graph_parents: Any = None, is_constant_jacobian: bool = False,
                 validate_args: bool = False, dtype: torch.dtype | None = None,
                 forward_min_event_ndims: int | None = None,
                 inverse_min_event_ndims: int | None = None, parameters: Any = None,
                 name: str | None = None):
        if "_parameters" not in self.__dict__:
            torch.nn.Module.__init__(self)
        if forward_min_event_ndims is None and inverse_min_event_ndims is None:
            raise ValueError(
                f"{type(self).__name__}: must specify at least one of `forward_min_event_ndims` "
                f"and `inverse_min_event_ndims` (0 for an elementwise bijector).")
        if forward_min_event_ndims is None:
            forward_min_event_ndims = inverse_min_event_ndims
        if inverse_min_event_ndims is None:
            inverse_min_event_ndims = forward_min_event_ndims
        self._forward_min_event_ndims = _check_ndims(forward_min_event_ndims,
                                                     "forward_min_event_ndims")
        self._inverse_min_event_ndims = _check_ndims(inverse_min_event_ndims,
                                                     "inverse_min_event_ndims")
        self._is_constant_jacobian = bool(is_constant_jacobian)
        self._validate_args = bool(validate_args)
        self._dtype = dtype
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument `name`: expected a string, received {name!r}.")
        self._name = name or _snake_case(type(self).__name__)

    # -- properties -----------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The bijector's name (used by ``Chain`` to route keyword arguments)."""
        return self._name

    @property
    def forward_min_event_ndims(self) -> int:
        """Rank of the smallest input ``forward`` acts on as a unit."""
        return self._forward_min_event_ndims

    @property
    def inverse_min_event_ndims(self) -> int:
        """Rank of the smallest input ``inverse`` acts on as a unit."""
        return self._inverse_min_event_ndims

    @property
    def is_constant_jacobian(self) -> bool:
        """Whether the Jacobian is the same at every input."""
        return self._is_constant_jacobian

    @property
    def validate_args(self) -> bool:
        """Whether inputs and parameters are checked."""
        return self._validate_args

    @property
    def dtype(self) -> torch.dtype | None:
        """The dtype given at construction (``None``: any floating dtype)."""
        return self._dtype

    @property
    def trainable_variables(self) -> tuple[torch.nn.Parameter, ...]:
        """The trainable parameters, as Keras/TFP's ``trainable_variables`` (a tuple)."""
        return tuple(p for p in self.parameters() if p.requires_grad)

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    # -- batch shape ----------------------------------------------------------------------------
    #: parameter name -> number of its rightmost dims that belong to one minimal event; parameters
    #: not listed here do not add batch dimensions (network weights, for example).
    _param_event_ndims: dict[str, int] = {}

    def experimental_batch_shape(self, x_event_ndims: int | None = None) -> torch.Size:
        """The batch shape the bijector's parameters add for inputs of event rank
        ``x_event_ndims`` (default ``forward_min_event_ndims``), as TFP.

        Example:
            >>> dp.bijectors.Shift([1.0, 2.0]).experimental_batch_shape()
            torch.Size([2])
            >>> dp.bijectors.Shift([1.0, 2.0]).experimental_batch_shape(x_event_ndims=1)
            torch.Size([])
        """
        n = self.forward_min_event_ndims if x_event_ndims is None else x_event_ndims
        n = _check_ndims(n, "x_event_ndims")
        if n < self.forward_min_event_ndims:
            raise ValueError(f"Argument `x_event_ndims`: expected an integer >= "
                             f"forward_min_event_ndims={self.forward_min_event_ndims} of bijector "
                             f"{self.name!r}, received {n}.")
        return self._batch_shape_at(n - self.forward_min_event_ndims)

    def _batch_shape_at(self, extra: int) -> torch.Size:
        """Batch shape for inputs with ``extra`` event dims beyond the minimum."""
        from deepprob.bijectors import _params

        shapes = []
        for pname, k in self._param_event_ndims.items():
            value = _params.read_optional(self, pname)
            if value is None:
                continue
            shapes.append(value.shape[: max(0, value.ndim - k - extra)])
        if not shapes:
            return torch.Size()
        try:
            return torch.broadcast_shapes(*shapes)
        except RuntimeError as err:
            listed = ", ".join(f"{list(s)}" for s in shapes)
            raise ValueError(f"Bijector {self.name!r}: parameter batch shapes {listed} do not "
                             f"broadcast.") from err

    # -- monotonicity (for cdf / quantile of transformed scalars) -------------------------------
    def _is_increasing(self, **kwargs: Any) -> Any:
        """``True`` / ``False`` (or a bool tensor) when the scalar map is increasing /
        decreasing; subclasses that know override it (used by ``TransformedDistribution.cdf``)."""
        raise NotImplementedError(f"Bijector {self.name!r} does not declare whether it is "
                                  f"monotonically increasing (needed for cdf/quantile).")

    # -- calling ------------------------------------------------------------------------------
    def __call__(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        """``bijector(x)``: ``forward(x)`` on a tensor; on a Distribution, the
        ``TransformedDistribution``; on a Bijector, the ``Chain([self, value])``."""
        if isinstance(value, Bijector):
            from deepprob.bijectors.chain import Chain
            return Chain([self, value])
        if not isinstance(value, torch.Tensor) and hasattr(value, "log_prob") \
                and hasattr(value, "event_shape"):
            from deepprob.distributions.transformed import TransformedDistribution
            return TransformedDistribution(value, self, *args, **kwargs)
        return self.forward(value, *args, **kwargs)

    def forward(self, x: Any, name: str | None = None, **kwargs: Any) -> torch.Tensor:
        """The forward map ``y = f(x)``.

        Args:
            x: input tensor (numbers, lists and arrays are converted).
            name: ignored (TFP compatibility).
            **kwargs: passed to ``_forward`` (e.g. ``conditional_input``).

        Example:
            >>> dp.bijectors.Exp().forward(torch.tensor([0.0, 1.0]))
            tensor([1.0000, 2.7183])
        """
        if symbolic(x, kwargs):
            return record(self, "forward", x, kwargs)
        return self._forward(as_tensor(x, "x"), **kwargs)

    def inverse(self, y: Any, name: str | None = None, **kwargs: Any) -> torch.Tensor:
        """The inverse map ``x = f^{-1}(y)``.

        Args:
            y: input tensor.
            name: ignored (TFP compatibility).
            **kwargs: passed to ``_inverse``.

        Example:
            >>> dp.bijectors.Exp().inverse(torch.tensor([1.0]))
            tensor([0.])
        """
        if symbolic(y, kwargs):
            return record(self, "inverse", y, kwargs)
        return self._inverse(as_tensor(y, "y"), **kwargs)

    def forward_log_det_jacobian(self, x: Any, event_ndims: int | None = None,
                                 name: str | None = None, **kwargs: Any) -> torch.Tensor:
        """``log |det J_f(x)|``, summed over the rightmost ``event_ndims`` dims of ``x``.

        Args:
            x: input tensor.
            event_ndims: number of rightmost dims of ``x`` forming one event (at least
                ``forward_min_event_ndims``, its default).
            name: ignored (TFP compatibility).
            **kwargs: passed to the hooks.

        Example:
            >>> dp.bijectors.Exp().forward_log_det_jacobian(torch.ones(4, 3), event_ndims=1)
            tensor([3., 3., 3., 3.])
        """
        if symbolic(x, kwargs):
            return record(self, "forward_log_det_jacobian", x, dict(kwargs, event_ndims=event_ndims))
        x = as_tensor(x, "x")
        n = self._event_ndims(event_ndims, self.forward_min_event_ndims, x, "x",
                              "forward_min_event_ndims")
        return self._call_fldj(x, n, kwargs)

    def inverse_log_det_jacobian(self, y: Any, event_ndims: int | None = None,
                                 name: str | None = None, **kwargs: Any) -> torch.Tensor:
        """``log |det J_{f^{-1}}(y)|``, summed over the rightmost ``event_ndims`` dims of ``y``.

        Args:
            y: input tensor.
            event_ndims: number of rightmost dims of ``y`` forming one event (at least
                ``inverse_min_event_ndims``, its default).
            name: ignored (TFP compatibility).
            **kwargs: passed to the hooks.

        Example:
            >>> dp.bijectors.Exp().inverse_log_det_jacobian(torch.tensor([1.0, 2.0]))
            tensor([-0.0000, -0.6931])
        """
        if symbolic(y, kwargs):
            return record(self, "inverse_log_det_jacobian", y, dict(kwargs, event_ndims=event_ndims))
        y = as_tensor(y, "y")
        n = self._event_ndims(event_ndims, self.inverse_min_event_ndims, y, "y",
                              "inverse_min_event_ndims")
        return self._call_ildj(y, n, kwargs)

    def forward_and_log_det_jacobian(self, x: Any, event_ndims: int | None = None,
                                     **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """``(forward(x), forward_log_det_jacobian(x, event_ndims))`` in one pass.

        A deepprob extension (TFP gets the same saving from its cache): a ``Chain`` reuses each
        intermediate value instead of recomputing it.

        Args:
            x: input tensor.
            event_ndims: as in :meth:`forward_log_det_jacobian`.
            **kwargs: passed to the hooks.

        Example:
            >>> y, ldj = dp.bijectors.Exp().forward_and_log_det_jacobian(torch.zeros(2))
        """
        x = as_tensor(x, "x")
        n = self._event_ndims(event_ndims, self.forward_min_event_ndims, x, "x",
                              "forward_min_event_ndims")
        return self._call_forward_and_fldj(x, n, kwargs)

    def inverse_and_log_det_jacobian(self, y: Any, event_ndims: int | None = None,
                                     **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """``(inverse(y), inverse_log_det_jacobian(y, event_ndims))`` in one pass.

        Used by ``TransformedDistribution.log_prob``.

        Args:
            y: input tensor.
            event_ndims: as in :meth:`inverse_log_det_jacobian`.
            **kwargs: passed to the hooks.

        Example:
            >>> x, ildj = dp.bijectors.Exp().inverse_and_log_det_jacobian(torch.ones(2))
        """
        y = as_tensor(y, "y")
        n = self._event_ndims(event_ndims, self.inverse_min_event_ndims, y, "y",
                              "inverse_min_event_ndims")
        return self._call_inverse_and_ildj(y, n, kwargs)

    # -- event shapes ---------------------------------------------------------------------------
    def forward_event_shape(self, input_shape: Any) -> torch.Size:
        """Shape of ``forward``'s output event given the input event shape.

        Example:
            >>> dp.bijectors.FillTriangular().forward_event_shape([6])
            torch.Size([3, 3])
        """
        shape = _as_shape(input_shape, "input_shape")
        if self._overrides("_forward_event_shape_tensor") and \
                not self._overrides("_forward_event_shape"):
            return _as_shape(self._forward_event_shape_tensor(
                torch.tensor(list(shape), dtype=torch.int64)), "_forward_event_shape_tensor")
        return torch.Size(self._forward_event_shape(shape))

    def inverse_event_shape(self, output_shape: Any) -> torch.Size:
        """Shape of ``inverse``'s output event given the output event shape.

        Example:
            >>> dp.bijectors.FillTriangular().inverse_event_shape([3, 3])
            torch.Size([6])
        """
        shape = _as_shape(output_shape, "output_shape")
        if self._overrides("_inverse_event_shape_tensor") and \
                not self._overrides("_inverse_event_shape"):
            return _as_shape(self._inverse_event_shape_tensor(
                torch.tensor(list(shape), dtype=torch.int64)), "_inverse_event_shape_tensor")
        return torch.Size(self._inverse_event_shape(shape))

    def forward_event_shape_tensor(self, input_shape: Any) -> torch.Tensor:
        """:meth:`forward_event_shape` as an int64 tensor."""
        return torch.tensor(list(self.forward_event_shape(input_shape)), dtype=torch.int64)

    def inverse_event_shape_tensor(self, output_shape: Any) -> torch.Tensor:
        """:meth:`inverse_event_shape` as an int64 tensor."""
        return torch.tensor(list(self.inverse_event_shape(output_shape)), dtype=torch.int64)

    def forward_event_ndims(self, event_ndims: int) -> int:
        """Rank of the output event for an input event of rank ``event_ndims``."""
        return event_ndims + self.inverse_min_event_ndims - self.forward_min_event_ndims

    def inverse_event_ndims(self, event_ndims: int) -> int:
        """Rank of the inverse's output event for an event of rank ``event_ndims``."""
        return event_ndims + self.forward_min_event_ndims - self.inverse_min_event_ndims

    # -- hooks for subclasses -------------------------------------------------------------------
    def _forward(self, x: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement `_forward`.")

    def _inverse(self, y: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement `_inverse`.")

    def _forward_log_det_jacobian(self, x: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        raise NotImplementedError

    def _inverse_log_det_jacobian(self, y: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        raise NotImplementedError

    def _forward_event_shape(self, input_shape: torch.Size) -> torch.Size:
        return input_shape

    def _inverse_event_shape(self, output_shape: torch.Size) -> torch.Size:
        return output_shape

    def _forward_event_shape_tensor(self, input_shape: torch.Tensor) -> torch.Tensor:
        return input_shape

    def _inverse_event_shape_tensor(self, output_shape: torch.Tensor) -> torch.Tensor:
        return output_shape

    # -- machinery ------------------------------------------------------------------------------
    def _overrides(self, hook: str) -> bool:
        return getattr(type(self), hook) is not getattr(Bijector, hook)

    def _missing_ldj(self) -> NotImplementedError:
        return NotImplementedError(
            f"{type(self).__name__} must override `_forward_log_det_jacobian` or "
            f"`_inverse_log_det_jacobian`.")

    def _event_ndims(self, event_ndims: Any, minimum: int, value: torch.Tensor, arg: str,
                     what: str) -> int:
        if event_ndims is None:
            event_ndims = minimum
        event_ndims = _check_ndims(event_ndims, "event_ndims")
        if event_ndims < minimum:
            raise ValueError(
                f"Argument `event_ndims`: expected an integer >= {what}={minimum} of bijector "
                f"{self.name!r}, received {event_ndims}.")
        if event_ndims > value.ndim:
            raise ValueError(
                f"Argument `event_ndims`: {event_ndims} exceeds the rank of `{arg}` "
                f"(shape {list(value.shape)}) for bijector {self.name!r}.")
        return event_ndims

    def _raw_fldj(self, x: torch.Tensor, kwargs: dict, y: torch.Tensor | None = None):
        if self._overrides("_forward_log_det_jacobian"):
            ldj = self._forward_log_det_jacobian(x, **kwargs)
        elif self._overrides("_inverse_log_det_jacobian"):
            if y is None:
                y = self._forward(x, **kwargs)
            ldj = -_ldj_tensor(self._inverse_log_det_jacobian(y, **kwargs), x)
        else:
            raise self._missing_ldj()
        return _ldj_tensor(ldj, x)

    def _raw_ildj(self, y: torch.Tensor, kwargs: dict, x: torch.Tensor | None = None):
        if self._overrides("_inverse_log_det_jacobian"):
            ldj = self._inverse_log_det_jacobian(y, **kwargs)
        elif self._overrides("_forward_log_det_jacobian"):
            if x is None:
                x = self._inverse(y, **kwargs)
            ldj = -_ldj_tensor(self._forward_log_det_jacobian(x, **kwargs), y)
        else:
            raise self._missing_ldj()
        return _ldj_tensor(ldj, y)

    def _call_fldj(self, x: torch.Tensor, event_ndims: int, kwargs: dict) -> torch.Tensor:
        ldj = self._raw_fldj(x, kwargs)
        return reduce_log_det(ldj, x.shape, event_ndims, self.forward_min_event_ndims)

    def _call_ildj(self, y: torch.Tensor, event_ndims: int, kwargs: dict) -> torch.Tensor:
        ldj = self._raw_ildj(y, kwargs)
        return reduce_log_det(ldj, y.shape, event_ndims, self.inverse_min_event_ndims)

    def _call_forward_and_fldj(self, x: torch.Tensor, event_ndims: int, kwargs: dict):
        y = self._forward(x, **kwargs)
        ldj = self._raw_fldj(x, kwargs, y=y)
        return y, reduce_log_det(ldj, x.shape, event_ndims, self.forward_min_event_ndims)

    def _call_inverse_and_ildj(self, y: torch.Tensor, event_ndims: int, kwargs: dict):
        x = self._inverse(y, **kwargs)
        ldj = self._raw_ildj(y, kwargs, x=x)
        return x, reduce_log_det(ldj, y.shape, event_ndims, self.inverse_min_event_ndims)


def _ldj_tensor(ldj: Any, like: torch.Tensor) -> torch.Tensor:
    if isinstance(ldj, torch.Tensor):
        return ldj
    return torch.as_tensor(ldj, dtype=like.dtype, device=like.device)


def _as_shape(shape: Any, argument: str) -> torch.Size:
    if isinstance(shape, torch.Tensor):
        shape = shape.tolist()
    try:
        return torch.Size([int(d) for d in shape])
    except (TypeError, ValueError) as err:
        raise TypeError(f"Argument `{argument}`: expected a sequence of integers, received "
                        f"{shape!r}.") from err

"""The ``Distribution`` base class: TensorFlow Probability's interface as a ``torch.nn.Module``.

Every distribution is an ``nn.Module``: trainable parameters (``nn.Parameter`` arguments, and the
parameters of module arguments such as ``dp.util.TransformedVariable``) appear in
``dist.parameters()`` and train with any torch optimizer.

Parameter protocol (shared with ``dp.bijectors``; implemented in :mod:`._params`): a parameter
may be a Python number, list, NumPy array, ``torch.Tensor`` (float32 by default), an
``nn.Parameter``, or an ``nn.Module`` returning a tensor when called with no argument. Its current
value is read at each method call (nothing is cached, so values are never stale after an
optimizer step). ``dist.loc`` returns the object stored (tensor, Parameter or module) as TFP
returns the variable it was given.

Differences from TFP kept on purpose:

- ``dist.parameters_dict`` is TFP's ``dist.parameters`` (the constructor arguments); the name
  ``parameters`` belongs to ``nn.Module.parameters()`` (the trainable tensors).
- ``trainable_variables`` is a tuple of the trainable ``nn.Parameter`` objects, as ``tf.Module``.
- ``seed=`` in ``sample`` is an int; sampling with it does not disturb the global torch RNG.

Writing a distribution: subclass, list tensor parameters in ``_param_event_ndims`` (name -> number
of rightmost dims that belong to one event, e.g. ``{"loc": 1, "scale_tril": 2}``), their checks in
``_param_constraints`` (name -> ``torch.distributions.constraints`` object), call
``super().__init__(parameters=dict(locals()), reparameterization_type=..., ...)`` and implement
the hooks you have math for: ``_log_prob``, ``_prob``, ``_cdf``, ``_log_cdf``,
``_survival_function``, ``_quantile``, ``_sample(sample_shape)``, ``_mean``, ``_mode``,
``_stddev``, ``_variance``, ``_covariance``, ``_entropy``, ``_event_shape`` and, when the batch
shape is not the broadcast of the parameters', ``_batch_shape``. Read parameters with
``self._value("loc")``. Composite distributions (holding other distributions) register them as
submodules and pass ``parameters=`` with the distribution objects in it.

Example:
    >>> import torch
    >>> import deepprob as dp
    >>> d = dp.distributions.Normal(loc=torch.nn.Parameter(torch.zeros(())), scale=1.0)
    >>> opt = torch.optim.SGD(d.parameters(), lr=0.1)
    >>> loss = -d.log_prob(torch.tensor([1.0, 2.0])).mean(); loss.backward(); opt.step()
    >>> round(d.loc.item(), 3)
    0.15
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import torch
from torch.distributions import constraints

from ._params import common_dtype as _common_dtype
from ._params import describe, read_parameter, register_parameter, shape_of

__all__ = [
    "Distribution",
    "ReparameterizationType",
    "FULLY_REPARAMETERIZED",
    "NOT_REPARAMETERIZED",
]


class ReparameterizationType:
    """Whether samples are differentiable functions of the parameters (TFP's enum).

    Args:
        rep_type: ``"FULLY_REPARAMETERIZED"`` or ``"NOT_REPARAMETERIZED"``.

    Example:
        >>> FULLY_REPARAMETERIZED == FULLY_REPARAMETERIZED
        True
    """

    def __init__(self, rep_type: str):
        self._rep_type = rep_type

    def __repr__(self) -> str:
        return f"<Reparameterization Type: {self._rep_type}>"

    def __eq__(self, other) -> bool:
        return self is other

    def __hash__(self) -> int:
        return hash(self._rep_type)


FULLY_REPARAMETERIZED = ReparameterizationType("FULLY_REPARAMETERIZED")
NOT_REPARAMETERIZED = ReparameterizationType("NOT_REPARAMETERIZED")

_CONSTRAINT_TEXT = {
    constraints.positive: "positive (> 0)",
    constraints.nonnegative: "non-negative (>= 0)",
    constraints.unit_interval: "in [0, 1]",
    constraints.simplex: "a probability vector (non-negative, summing to 1 on the last axis)",
    constraints.lower_cholesky: "lower triangular with a positive diagonal",
    constraints.lower_triangular: "lower triangular",
    constraints.positive_definite: "symmetric positive definite",
    constraints.nonnegative_integer: "a non-negative integer",
    constraints.boolean: "0 or 1",
    constraints.real: "finite or infinite real",
    constraints.real_vector: "a real vector",
}


def constraint_text(constraint) -> str:
    """Human-readable description of a ``torch.distributions.constraints`` object."""
    text = _CONSTRAINT_TEXT.get(constraint)
    if text is not None:
        return text
    if isinstance(constraint, constraints.independent):
        return constraint_text(constraint.base_constraint) + " in every entry"
    return repr(constraint)


def _as_sample_shape(sample_shape) -> torch.Size:
    if isinstance(sample_shape, torch.Size):
        return sample_shape
    if isinstance(sample_shape, int):
        return torch.Size((sample_shape,))
    if isinstance(sample_shape, torch.Tensor):
        return torch.Size(int(s) for s in sample_shape.reshape(-1).tolist())
    try:
        return torch.Size(int(s) for s in sample_shape)
    except TypeError as err:
        raise TypeError(
            f"Argument `sample_shape`: expected an int or a sequence of ints; received "
            f"{sample_shape!r}."
        ) from err


@contextlib.contextmanager
def seeded(seed: int | None, device: torch.device | None = None):
    """Run the block with the torch RNG seeded by ``seed`` (restored afterwards); no-op if None."""
    if seed is None:
        yield
        return
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"Argument `seed`: expected an int or None; received {seed!r}.")
    devices = [device] if device is not None and device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class Distribution(torch.nn.Module):
    """Base class of all distributions (TensorFlow Probability's ``tfd.Distribution``).

    Subclasses call this constructor with their constructor arguments; see the module docstring
    for the hooks to implement.

    Args:
        parameters: the subclass's constructor arguments (``dict(locals())`` is fine: ``self`` and
            ``__class__`` are dropped). Kept as ``parameters_dict`` and used by ``copy``.
        reparameterization_type: ``FULLY_REPARAMETERIZED`` when ``sample`` is differentiable with
            respect to the parameters, else ``NOT_REPARAMETERIZED``.
        validate_args: check parameters (at construction, and at each call when they are
            trainable) and values given to ``log_prob``/``cdf``...; errors name the argument.
        allow_nan_stats: when False, undefined statistics (the mean of a Cauchy) raise instead of
            returning NaN.
        name: the distribution's name (default: the class name).
        dtype: dtype of samples (default: the floating dtype of the parameters).

    Example:
        >>> d = dp.distributions.Normal(0.0, [1.0, 2.0])
        >>> d.sample(3).shape, d.batch_shape, d.event_shape
        (torch.Size([3, 2]), torch.Size([2]), torch.Size([]))
    """

    _param_event_ndims: dict[str, int] = {}
    _param_constraints: dict[str, Any] = {}
    _support: Any = None  # a torch constraint; None means "all reals" (no check)
    # Whether log_prob/prob put -inf/0 outside the support when validate_args is False. False
    # where the formula extends past the support as TFP and torch define it (Bernoulli's
    # cross-entropy at a fractional value): no check at all then, as torch.distributions.
    _mask_outside_support: bool = True

    def __init__(self, *, parameters: dict, reparameterization_type: ReparameterizationType,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str | None = None, dtype: torch.dtype | None = None):
        super().__init__()
        params = {k: v for k, v in parameters.items() if k not in ("self", "__class__")}
        kwargs = params.pop("kwargs", None)
        if kwargs:
            params.update(kwargs)
        # Plain attributes go straight into __dict__: a distribution is built at every forward
        # pass of a distribution layer, and nn.Module.__setattr__ costs microseconds per call.
        attrs = self.__dict__
        attrs["_parameters_dict"] = params
        attrs["name"] = name or type(self).__name__
        attrs["validate_args"] = bool(validate_args)
        attrs["allow_nan_stats"] = bool(allow_nan_stats)
        attrs["_reparameterization_type"] = reparameterization_type
        tensor_params = {k: params[k] for k in self._param_event_ndims
                         if params.get(k) is not None}
        fdtype = _common_dtype(tensor_params.values(),
                               dtype if dtype is not None and dtype.is_floating_point else None)
        device = None
        for v in tensor_params.values():
            if isinstance(v, torch.Tensor):
                device = v.device
                break
        mutable = False
        for k in self._param_event_ndims:
            if params.get(k) is None and not hasattr(type(self), k):
                attrs[k] = None  # TFP: an omitted parameter reads as None
        values = {}
        for k, v in tensor_params.items():
            values[k] = register_parameter(self, k, v, fdtype, device)
            if isinstance(v, torch.nn.Module) or (isinstance(v, torch.Tensor) and v.requires_grad):
                mutable = True
        attrs["_mutable_params"] = mutable
        attrs["_float_dtype"] = fdtype
        attrs["_dtype"] = dtype if dtype is not None else fdtype
        # shape errors are raised always, with the shapes involved
        attrs["_static_batch_shape"] = shape_of(values, self._param_event_ndims) \
            if tensor_params else None
        if validate_args:
            self._check_parameters()

    # ------------------------------------------------------------------ parameters
    def _value(self, name: str) -> torch.Tensor | None:
        """Current tensor value of parameter ``name`` (``None`` if not given)."""
        return read_parameter(self, name)

    def _check_parameters(self) -> None:
        """Raise a ValueError naming the argument when a parameter violates its constraint."""
        for pname, constraint in self._param_constraints.items():
            v = self._value(pname)
            if v is None:
                continue
            ok = constraint.check(v.detach())
            if not bool(torch.all(ok)):
                raise ValueError(
                    f"{self.name}: argument `{pname}` must be {constraint_text(constraint)}; "
                    f"received {describe(v)}."
                )
        self._check_parameters_extra()

    def _check_parameters_extra(self) -> None:
        """Hook for checks involving several parameters (``low < high``)."""

    def _revalidate(self) -> None:
        if self.validate_args and self._mutable_params:
            self._check_parameters()

    # ------------------------------------------------------------------ properties
    @property
    def parameters_dict(self) -> dict:
        """TFP's ``Distribution.parameters``: the constructor arguments, by name.

        Named ``parameters_dict`` because ``parameters()`` is ``nn.Module``'s iterator of
        trainable tensors.
        """
        return dict(self._parameters_dict)

    @property
    def trainable_variables(self) -> tuple:
        """The trainable ``nn.Parameter`` objects this distribution owns (as ``tf.Module``)."""
        return tuple(p for p in self.parameters() if p.requires_grad)

    @property
    def dtype(self) -> torch.dtype:
        """dtype of samples."""
        return self._dtype

    @property
    def reparameterization_type(self) -> ReparameterizationType:
        """``FULLY_REPARAMETERIZED`` or ``NOT_REPARAMETERIZED``."""
        return self._reparameterization_type

    @property
    def has_rsample(self) -> bool:
        """torch's name: whether ``sample`` is differentiable with respect to the parameters."""
        return self._reparameterization_type is FULLY_REPARAMETERIZED

    @property
    def batch_shape(self) -> torch.Size:
        """Shape of the batch of independent, non-identical distributions."""
        return self._batch_shape()

    @property
    def event_shape(self) -> torch.Size:
        """Shape of a single sample (of one distribution of the batch)."""
        return self._event_shape()

    def batch_shape_tensor(self) -> torch.Tensor:
        """``batch_shape`` as an int64 tensor (TFP's dynamic-shape accessor)."""
        return torch.tensor(list(self.batch_shape), dtype=torch.int64)

    def event_shape_tensor(self) -> torch.Tensor:
        """``event_shape`` as an int64 tensor (TFP's dynamic-shape accessor)."""
        return torch.tensor(list(self.event_shape), dtype=torch.int64)

    def _batch_shape(self) -> torch.Size:
        if self._static_batch_shape is None:
            values = {k: self._value(k) for k in self._param_event_ndims}
            self._static_batch_shape = shape_of(values, self._param_event_ndims)
        return self._static_batch_shape

    def _event_shape(self) -> torch.Size:
        return torch.Size()

    def is_scalar_event(self) -> bool:
        """Whether ``event_shape`` is ``[]``."""
        return len(self.event_shape) == 0

    def is_scalar_batch(self) -> bool:
        """Whether ``batch_shape`` is ``[]``."""
        return len(self.batch_shape) == 0

    # ------------------------------------------------------------------ value methods
    def _call_value_method(self, method: str, value: Any, **kwargs) -> torch.Tensor:
        """The single entry point of every public method that takes a value.

        ``log_prob``, ``prob``, ``cdf``, ``log_cdf``, ``survival_function``,
        ``log_survival_function`` and ``quantile`` all route here, so one hook (recording the call
        on symbolic tensors of the functional graph) can be added in this one place.

        On a symbolic tensor (``x_ = dp.Input(...)``) the call is recorded as a graph node and a
        symbolic tensor is returned; a ``dp.Model`` built on it owns this distribution, so its
        parameters (a flow's bijectors) train with ``fit``.
        """
        if type(value) is torch.Tensor and not kwargs:  # the common case: no graph to record
            return self._evaluate(method, value)
        from deepprob.engine.symbolic import KerasTensor, MethodCall, is_symbolic, symbolic_call

        if isinstance(value, KerasTensor) or (kwargs and is_symbolic(kwargs)):
            return symbolic_call(MethodCall(method), (self, value), kwargs, owners=(self,))
        return self._evaluate(method, value, **kwargs)

    def _evaluate(self, method: str, value: Any, **kwargs) -> torch.Tensor:
        self._revalidate()
        value = self._convert_value(value, method)
        return getattr(self, "_eval_" + method)(value, **kwargs)

    def _convert_value(self, value: Any, method: str) -> torch.Tensor:
        if not isinstance(value, torch.Tensor):
            from ._params import to_tensor

            value = to_tensor(value, self._float_dtype, name="value")
        elif not value.is_floating_point() and method != "quantile":
            value = value.to(self._float_dtype)
        if method != "quantile":
            self._check_value_shape(value, method)
        return value

    def _check_value_shape(self, value: torch.Tensor, method: str) -> None:
        full = self.batch_shape + self.event_shape
        event_ndims = len(self.event_shape)
        # broadcastability checked by hand: torch.broadcast_shapes costs ~50 us per call
        ok = value.ndim >= event_ndims and all(
            a == b or a == 1 or b == 1 for a, b in zip(reversed(value.shape), reversed(full)))
        if not ok:
            raise ValueError(
                f"{self.name}.{method}: argument `value` of shape {list(value.shape)} does not "
                f"broadcast with batch_shape {list(self.batch_shape)} + event_shape "
                f"{list(self.event_shape)}."
            )

    def _support_mask(self, value: torch.Tensor) -> torch.Tensor | None:
        """Boolean mask (batch shape of ``value``) of values inside the support; None: all."""
        if self._support is None:
            return None
        return self._support.check(value)

    def _outside_support(self, value: torch.Tensor, method: str) -> torch.Tensor | None:
        if not (self._mask_outside_support or self.validate_args):
            return None
        mask = self._support_mask(value)
        if mask is None:
            return None
        if self.validate_args and not bool(torch.all(mask)):
            bad = value[~mask] if mask.shape == value.shape else value
            raise ValueError(
                f"{self.name}.{method}: argument `value` is outside the support "
                f"({self._support_description()}); received {describe(bad)}."
            )
        return mask if self._mask_outside_support else None

    def _log_prob_of_checked(self, value: torch.Tensor, **kwargs) -> torch.Tensor:
        """``log_prob(value)`` for a wrapper (``Independent``) that has already converted
        ``value`` and checked its shape against the same ``batch_shape + event_shape``: the
        conversion and shape check are not repeated."""
        cls = type(self)
        if (cls.log_prob is not Distribution.log_prob or cls._evaluate is not Distribution._evaluate
                or cls._call_value_method is not Distribution._call_value_method
                or cls._convert_value is not Distribution._convert_value
                or not value.is_floating_point()):
            return self.log_prob(value, **kwargs)
        self._revalidate()
        return self._eval_log_prob(value, **kwargs)

    def _support_description(self) -> str:
        return constraint_text(self._support) if self._support is not None else "reals"

    def _eval_log_prob(self, value, **kwargs):
        mask = self._outside_support(value, "log_prob")
        lp = self._log_prob_or_default(value, **kwargs)
        if mask is not None:
            lp = torch.where(mask, lp, torch.full((), -float("inf"), dtype=lp.dtype,
                                                  device=lp.device))
        return lp

    def _eval_prob(self, value, **kwargs):
        if self._overrides("_prob"):
            mask = self._outside_support(value, "prob")
            p = self._prob(value, **kwargs)
            return p if mask is None else torch.where(mask, p, torch.zeros_like(p))
        return torch.exp(self._eval_log_prob(value, **kwargs))

    def _log_prob_or_default(self, value, **kwargs):
        if self._overrides("_log_prob"):
            return self._log_prob(value, **kwargs)
        if self._overrides("_prob"):
            return torch.log(self._prob(value, **kwargs))
        raise self._not_implemented("log_prob")

    def _eval_cdf(self, value, **kwargs):
        if self._overrides("_cdf"):
            return self._cdf(value, **kwargs)
        if self._overrides("_log_cdf"):
            return torch.exp(self._log_cdf(value, **kwargs))
        raise self._not_implemented("cdf")

    def _eval_log_cdf(self, value, **kwargs):
        if self._overrides("_log_cdf"):
            return self._log_cdf(value, **kwargs)
        if self._overrides("_cdf"):
            return torch.log(self._cdf(value, **kwargs))
        raise self._not_implemented("log_cdf")

    def _eval_survival_function(self, value, **kwargs):
        if self._overrides("_survival_function"):
            return self._survival_function(value, **kwargs)
        return 1.0 - self._eval_cdf(value, **kwargs)

    def _eval_log_survival_function(self, value, **kwargs):
        if self._overrides("_log_survival_function"):
            return self._log_survival_function(value, **kwargs)
        return torch.log(self._eval_survival_function(value, **kwargs))

    def _eval_quantile(self, value, **kwargs):
        if not value.is_floating_point():
            value = value.to(self._float_dtype)
        if self.validate_args and not bool(torch.all((value >= 0) & (value <= 1))):
            raise ValueError(
                f"{self.name}.quantile: argument `value` must be a probability in [0, 1]; "
                f"received {describe(value)}."
            )
        if self._overrides("_quantile"):
            return self._quantile(value, **kwargs)
        raise self._not_implemented("quantile")

    def log_prob(self, value, name: str = "log_prob", **kwargs) -> torch.Tensor:
        """Log probability density/mass of ``value``, summed over event dims.

        Values outside the support give ``-inf`` (an error under ``validate_args``), except
        where TFP and torch extend the formula past the support (``Bernoulli``: the
        cross-entropy at a fractional value) - no check is made there unless ``validate_args``.

        Args:
            value: tensor (or number/list/array) of shape ``[...] + batch_shape + event_shape``
                (broadcasting allowed).
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Normal(0.0, 1.0).log_prob(0.0)
            tensor(-0.9189)
        """
        return self._call_value_method("log_prob", value, **kwargs)

    def prob(self, value, name: str = "prob", **kwargs) -> torch.Tensor:
        """Probability density/mass of ``value`` (``exp(log_prob)``).

        Args:
            value: as in ``log_prob``.
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Bernoulli(probs=0.3).prob(1)
            tensor(0.3000)
        """
        return self._call_value_method("prob", value, **kwargs)

    def cdf(self, value, name: str = "cdf", **kwargs) -> torch.Tensor:
        """Cumulative distribution function ``P[X <= value]``.

        Args:
            value: as in ``log_prob``.
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Normal(0.0, 1.0).cdf(0.0)
            tensor(0.5000)
        """
        return self._call_value_method("cdf", value, **kwargs)

    def log_cdf(self, value, name: str = "log_cdf", **kwargs) -> torch.Tensor:
        """Log of the cumulative distribution function.

        Args:
            value: as in ``log_prob``.
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Exponential(1.0).log_cdf(1.0)
            tensor(-0.4587)
        """
        return self._call_value_method("log_cdf", value, **kwargs)

    def survival_function(self, value, name: str = "survival_function",
                          **kwargs) -> torch.Tensor:
        """``P[X > value] = 1 - cdf(value)``.

        Args:
            value: as in ``log_prob``.
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Exponential(1.0).survival_function(1.0)
            tensor(0.3679)
        """
        return self._call_value_method("survival_function", value, **kwargs)

    def log_survival_function(self, value, name: str = "log_survival_function",
                              **kwargs) -> torch.Tensor:
        """Log of ``survival_function``.

        Args:
            value: as in ``log_prob``.
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Exponential(2.0).log_survival_function(1.0)
            tensor(-2.)
        """
        return self._call_value_method("log_survival_function", value, **kwargs)

    def quantile(self, value, name: str = "quantile", **kwargs) -> torch.Tensor:
        """Inverse cdf: the ``x`` with ``cdf(x) == value``.

        Args:
            value: probabilities in ``[0, 1]``.
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Normal(0.0, 1.0).quantile(0.5)
            tensor(0.)
        """
        return self._call_value_method("quantile", value, **kwargs)

    # ------------------------------------------------------------------ sampling
    def sample(self, sample_shape: int | Sequence[int] | torch.Size = (), seed: int | None = None,
               name: str = "sample", **kwargs) -> torch.Tensor:
        """Draw samples of shape ``sample_shape + batch_shape + event_shape``.

        Reparameterized (differentiable with respect to the parameters) when
        ``reparameterization_type is FULLY_REPARAMETERIZED``.

        Args:
            sample_shape: int or sequence of ints.
            seed: optional int making the draw reproducible (the global RNG is left untouched).
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Normal(0.0, 1.0).sample([2, 3]).shape
            torch.Size([2, 3])
        """
        self._revalidate()
        shape = _as_sample_shape(sample_shape)
        if seed is None:
            return self._sample(shape, **kwargs)
        with seeded(seed, self._device()):
            return self._sample(shape, **kwargs)

    def _device(self) -> torch.device | None:
        for t in self.buffers():
            return t.device
        for t in self.parameters():
            return t.device
        return None

    def _sample(self, sample_shape: torch.Size, **kwargs) -> torch.Tensor:
        raise self._not_implemented("sample")

    # ------------------------------------------------------------------ statistics
    def _full_shape(self, x: torch.Tensor) -> torch.Tensor:
        shape = self.batch_shape + self.event_shape
        return x if x.shape == shape else x.expand(shape)

    def _stat(self, method: str, **kwargs) -> torch.Tensor:
        self._revalidate()
        if not self._overrides("_" + method):
            raise self._not_implemented(method)
        return getattr(self, "_" + method)(**kwargs)

    def mean(self, name: str = "mean", **kwargs) -> torch.Tensor:
        """Mean, of shape ``batch_shape + event_shape``.

        Args:
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Exponential([1.0, 2.0]).mean()
            tensor([1.0000, 0.5000])
        """
        return self._full_shape(self._stat("mean", **kwargs))

    def mode(self, name: str = "mode", **kwargs) -> torch.Tensor:
        """Mode, of shape ``batch_shape + event_shape``.

        Args:
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Normal([1.0, 2.0], 1.0).mode()
            tensor([1., 2.])
        """
        return self._full_shape(self._stat("mode", **kwargs))

    def variance(self, name: str = "variance", **kwargs) -> torch.Tensor:
        """Variance (elementwise), of shape ``batch_shape + event_shape``.

        Args:
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Normal(0.0, 2.0).variance()
            tensor(4.)
        """
        self._revalidate()
        if self._overrides("_variance"):
            return self._full_shape(self._variance(**kwargs))
        if self._overrides("_stddev"):
            return self._full_shape(torch.square(self._stddev(**kwargs)))
        raise self._not_implemented("variance")

    def stddev(self, name: str = "stddev", **kwargs) -> torch.Tensor:
        """Standard deviation, of shape ``batch_shape + event_shape``.

        Args:
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Normal(0.0, 2.0).stddev()
            tensor(2.)
        """
        self._revalidate()
        if self._overrides("_stddev"):
            return self._full_shape(self._stddev(**kwargs))
        return torch.sqrt(self.variance(**kwargs))

    def covariance(self, name: str = "covariance", **kwargs) -> torch.Tensor:
        """Covariance: ``variance`` for scalar events, else ``batch_shape + [k, k]``.

        Args:
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.MultivariateNormalDiag([0.0, 0.0], [1.0, 2.0]).covariance()
            tensor([[1., 0.],
                    [0., 4.]])
        """
        self._revalidate()
        if self._overrides("_covariance"):
            return self._covariance(**kwargs)
        ndims = len(self.event_shape)
        if ndims == 0:
            return self.variance(**kwargs)
        if ndims == 1:
            return torch.diag_embed(self.variance(**kwargs))
        raise self._not_implemented("covariance")

    def entropy(self, name: str = "entropy", **kwargs) -> torch.Tensor:
        """Shannon entropy (nats), of shape ``batch_shape``.

        Args:
            name: unused, for TFP compatibility.
            **kwargs: passed to the subclass hook.

        Example:
            >>> dp.distributions.Uniform(0.0, 2.0).entropy()
            tensor(0.6931)
        """
        ent = self._stat("entropy", **kwargs)
        shape = self.batch_shape
        return ent if ent.shape == shape else ent.expand(shape)

    def kl_divergence(self, other: Distribution, name: str = "kl_divergence",
                      **kwargs) -> torch.Tensor:
        """``KL(self || other)``; see :func:`deepprob.distributions.kl_divergence`.

        Args:
            other: the second distribution.
            name: unused, for TFP compatibility.
            **kwargs: ``allow_nan_stats``, ``num_samples`` (Monte-Carlo fallback), ``seed``.

        Example:
            >>> p = dp.distributions.Normal(0.0, 1.0)
            >>> p.kl_divergence(dp.distributions.Normal(1.0, 1.0))
            tensor(0.5000)
        """
        from .kullback_leibler import kl_divergence

        return kl_divergence(self, other, **kwargs)

    def cross_entropy(self, other: Distribution, name: str = "cross_entropy",
                      **kwargs) -> torch.Tensor:
        """``H[self, other] = entropy(self) + KL(self || other)``.

        Args:
            other: the second distribution.
            name: unused, for TFP compatibility.
            **kwargs: as in ``kl_divergence``.

        Example:
            >>> p = dp.distributions.Normal(0.0, 1.0)
            >>> p.cross_entropy(p)
            tensor(1.4189)
        """
        return self.entropy() + self.kl_divergence(other, **kwargs)

    def copy(self, **override_parameters_kwargs) -> Distribution:
        """A new distribution of the same class with some constructor arguments replaced.

        Args:
            **override_parameters_kwargs: constructor arguments to replace.

        Example:
            >>> dp.distributions.Normal(0.0, 1.0).copy(loc=3.0).mean()
            tensor(3.)
        """
        params = self.parameters_dict
        params.update(override_parameters_kwargs)
        return type(self)(**params)

    # ------------------------------------------------------------------ helpers
    def _overrides(self, hook: str) -> bool:
        return getattr(type(self), hook) is not getattr(Distribution, hook)

    def _not_implemented(self, method: str) -> NotImplementedError:
        return NotImplementedError(f"{type(self).__name__} does not implement `{method}`.")

    def _nan_or_raise(self, value: torch.Tensor, undefined: torch.Tensor, statistic: str):
        """Put NaN where ``undefined`` (or raise when ``allow_nan_stats`` is False)."""
        if not self.allow_nan_stats:
            if bool(torch.any(undefined)):
                raise ValueError(
                    f"{self.name}: the {statistic} is undefined for these parameters "
                    f"(allow_nan_stats=False)."
                )
            return value
        return torch.where(undefined, torch.full((), float("nan"), dtype=value.dtype,
                                                 device=value.device), value)

    def __repr__(self) -> str:
        return (
            f"<deepprob.distributions.{type(self).__name__} {self.name!r} "
            f"batch_shape={list(self.batch_shape)} event_shape={list(self.event_shape)} "
            f"dtype={str(self.dtype).replace('torch.', '')}>"
        )

    # Default hooks: subclasses override the ones they have math for.
    def _log_prob(self, value, **kwargs):
        raise self._not_implemented("log_prob")

    def _prob(self, value, **kwargs):
        raise self._not_implemented("prob")

    def _cdf(self, value, **kwargs):
        raise self._not_implemented("cdf")

    def _log_cdf(self, value, **kwargs):
        raise self._not_implemented("log_cdf")

    def _survival_function(self, value, **kwargs):
        raise self._not_implemented("survival_function")

    def _log_survival_function(self, value, **kwargs):
        raise self._not_implemented("log_survival_function")

    def _quantile(self, value, **kwargs):
        raise self._not_implemented("quantile")

    def _mean(self, **kwargs):
        raise self._not_implemented("mean")

    def _mode(self, **kwargs):
        raise self._not_implemented("mode")

    def _variance(self, **kwargs):
        raise self._not_implemented("variance")

    def _stddev(self, **kwargs):
        raise self._not_implemented("stddev")

    def _covariance(self, **kwargs):
        raise self._not_implemented("covariance")

    def _entropy(self, **kwargs):
        raise self._not_implemented("entropy")

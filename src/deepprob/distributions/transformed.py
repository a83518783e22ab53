"""``TransformedDistribution``: the distribution of ``Y = bijector(X)`` for ``X ~ distribution``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import torch

from deepprob.bijectors.chain import skip_recording

from .distribution import Distribution

__all__ = ["TransformedDistribution"]


def _default_kwargs_split_fn(kwargs: dict) -> tuple[dict, dict]:
    """TFP's default: ``distribution_kwargs=`` go to the base, ``bijector_kwargs=`` to the
    bijector."""
    unknown = set(kwargs) - {"distribution_kwargs", "bijector_kwargs"}
    if unknown:
        raise TypeError(
            f"TransformedDistribution: unexpected keyword argument(s) {sorted(unknown)}; pass "
            f"`bijector_kwargs={{...}}` (for a Chain: {{bijector_name: {{...}}}}) and/or "
            f"`distribution_kwargs={{...}}`.")
    return kwargs.get("distribution_kwargs") or {}, kwargs.get("bijector_kwargs") or {}


class TransformedDistribution(Distribution):
    """The distribution of ``bijector.forward(X)`` for ``X ~ distribution`` (TFP semantics).

    ``sample`` draws from the base and applies ``forward`` (reparameterized whenever the base
    is); ``log_prob(y) = base.log_prob(inverse(y)) + inverse_log_det_jacobian(y)`` with the
    log-det summed over the event dims. The base's and the bijector's parameters are trainable
    (they appear in ``parameters()``).

    Shapes follow TFP: ``event_shape = bijector.forward_event_shape(base.event_shape)`` and
    ``batch_shape`` is the base's broadcast with the batch shape of the bijector's parameters
    (``Scale([1., 2.])(Normal(0., 1.))`` has batch shape ``[2]``). The base's event rank must be
    at least the bijector's ``forward_min_event_ndims`` (wrap a scalar base in
    ``dp.distributions.Sample`` or ``Independent`` first, as current TFP requires).

    ``mean``, ``stddev``/``variance``/``covariance`` and ``entropy`` are given for bijectors with
    a constant Jacobian (affine maps), ``cdf``/``quantile`` for monotone scalar bijectors, as TFP.

    Keyword arguments for the bijector and the base pass through ``sample`` and ``log_prob``
    (conditional flows): ``flow.log_prob(x, bijector_kwargs={"maf": {"conditional_input": c}})``.

    Args:
        distribution: the base distribution (a ``dp.distributions.Distribution``).
        bijector: a ``dp.bijectors.Bijector``.
        kwargs_split_fn: maps the extra keyword arguments of a method to
            ``(distribution_kwargs, bijector_kwargs)``; the default reads those two names.
        validate_args: check values given to ``log_prob`` etc.
        parameters: ignored (TFP compatibility).
        name: default ``bijector.name + distribution.name`` (``"expNormal"``).

    Example:
        >>> log_normal = dp.distributions.TransformedDistribution(
        ...     dp.distributions.Normal(0.0, 1.0), dp.bijectors.Exp())
        >>> log_normal.log_prob(1.0)
        tensor(-0.9189)
    """

    def __init__(self, distribution: Distribution, bijector: Any,
                 kwargs_split_fn: Callable[[dict], tuple[dict, dict]] = _default_kwargs_split_fn,
                 validate_args: bool = False, parameters: Any = None, name: str | None = None):
        from deepprob.bijectors.bijector import Bijector

        if not isinstance(distribution, Distribution):
            raise TypeError(f"Argument `distribution`: expected a dp.distributions.Distribution, "
                            f"received {type(distribution).__name__}.")
        if not isinstance(bijector, Bijector):
            raise TypeError(f"Argument `bijector`: expected a dp.bijectors.Bijector, received "
                            f"{type(bijector).__name__}.")
        base_event = distribution.event_shape
        if len(base_event) < bijector.forward_min_event_ndims:
            raise ValueError(
                f"Argument `bijector`: {bijector.name!r} acts on events of rank >= "
                f"{bijector.forward_min_event_ndims}, but the base distribution "
                f"{distribution.name!r} has event shape {list(base_event)}; wrap the base in "
                f"dp.distributions.Sample(...) or Independent(...) to give it vector events.")
        params = {"distribution": distribution, "bijector": bijector,
                  "kwargs_split_fn": kwargs_split_fn, "validate_args": validate_args,
                  "name": name}
        super().__init__(parameters=params,
                         reparameterization_type=distribution.reparameterization_type,
                         validate_args=validate_args, allow_nan_stats=distribution.allow_nan_stats,
                         name=name or bijector.name + distribution.name,
                         dtype=distribution.dtype)
        self.distribution = distribution
        self.bijector = bijector
        self._kwargs_split_fn = kwargs_split_fn
        self._base_event_ndims = len(base_event)
        self._event = bijector.forward_event_shape(base_event)
        self.batch_shape  # noqa: B018 - raise now when the bijector's batch does not broadcast

    # -- shapes ---------------------------------------------------------------------------------
    def _event_shape(self) -> torch.Size:
        return self._event

    def _batch_shape(self) -> torch.Size:
        base = self.distribution.batch_shape
        extra = self.bijector.experimental_batch_shape(x_event_ndims=self._base_event_ndims)
        if not extra:
            return base
        try:
            return torch.broadcast_shapes(base, extra)
        except RuntimeError as err:
            raise ValueError(f"{self.name}: the base distribution's batch shape {list(base)} does "
                             f"not broadcast with the bijector's batch shape {list(extra)}.") \
                from err

    def _split(self, kwargs: dict) -> tuple[dict, dict]:
        return self._kwargs_split_fn(kwargs)

    # -- sampling and density -------------------------------------------------------------------
    def _sample(self, sample_shape, **kwargs):
        dist_kw, bij_kw = self._split(kwargs)
        base_batch = self.distribution.batch_shape
        batch = self.batch_shape
        if batch != base_batch:
            # draw one base sample per member of the (larger) batch
            lead = len(batch) - len(base_batch)
            if tuple(batch[lead:]) != tuple(base_batch):
                raise NotImplementedError(
                    f"{self.name}.sample: the base batch shape {list(base_batch)} must equal the "
                    f"trailing dims of the batch shape {list(batch)} (size-1 base batch dims "
                    f"broadcast by the bijector are not supported).")
            sample_shape = sample_shape + batch[:lead]
        x = self.distribution.sample(sample_shape, **dist_kw)
        return self.bijector.forward(x, **bij_kw)

    def _log_prob(self, value, **kwargs):
        dist_kw, bij_kw = self._split(kwargs)
        # x stays inside: a chain's cache entry for this pass could never be used (compiled
        # graphs record nothing anyway, and leave the module-level flag alone)
        with nullcontext() if torch.compiler.is_compiling() else skip_recording():
            x, ildj = self.bijector.inverse_and_log_det_jacobian(
                value, event_ndims=len(self._event), **bij_kw)
        lp = self.distribution.log_prob(x, **dist_kw) + ildj
        return self._outside_range_to_minus_inf(value, x, lp)

    def _outside_range_to_minus_inf(self, y, x, lp):
        """A value outside the bijector's range (its inverse is NaN: ``log(-1)``) has density 0:
        ``-inf`` instead of NaN (an error under ``validate_args``)."""
        if x.device.type == "cpu" and not torch.compiler.is_compiling() \
                and not bool(torch.isnan(x).any()):
            return lp  # the common case, decided at once (a CPU read does not stall a queue)
        nan = torch.isnan(x)
        if self._base_event_ndims:
            nan = nan.flatten(-self._base_event_ndims).any(-1)
        if len(self._event):
            finite_y = ~torch.isnan(y).flatten(-len(self._event)).any(-1)
        else:
            finite_y = ~torch.isnan(y)
        outside = nan & finite_y
        if self.validate_args and bool(outside.any()):
            raise ValueError(f"{self.name}.log_prob: argument `value` is outside the range of "
                             f"bijector {self.bijector.name!r} (its inverse is NaN).")
        return torch.where(outside, torch.full((), -float("inf"), dtype=lp.dtype,
                                               device=lp.device), lp)

    def _prob(self, value, **kwargs):
        return torch.exp(self._log_prob(value, **kwargs))

    def sample_and_log_prob(self, sample_shape: Any = (), seed: int | None = None,
                            **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Samples and their log-density in one pass (no inverse: the base sample is known).

        A deepprob extension (TFP: ``experimental_sample_and_log_prob``); the fast path for
        inverse autoregressive flows, whose inverse is slow.

        Args:
            sample_shape: as in ``sample``.
            seed: as in ``sample``.
            **kwargs: ``bijector_kwargs`` / ``distribution_kwargs``.

        Example:
            >>> d = dp.bijectors.Exp()(dp.distributions.Normal(0.0, 1.0))
            >>> y, lp = d.sample_and_log_prob(5)
        """
        from .distribution import _as_sample_shape, seeded

        dist_kw, bij_kw = self._split(kwargs)
        shape = _as_sample_shape(sample_shape)
        with seeded(seed, self._device()):
            base_batch, batch = self.distribution.batch_shape, self.batch_shape
            if batch != base_batch:
                shape = shape + batch[: len(batch) - len(base_batch)]
            x = self.distribution.sample(shape, **dist_kw)
        y, fldj = self.bijector.forward_and_log_det_jacobian(
            x, event_ndims=self._base_event_ndims, **bij_kw)
        return y, self.distribution.log_prob(x, **dist_kw) - fldj

    experimental_sample_and_log_prob = sample_and_log_prob

    # -- cdf and quantile (monotone scalar bijectors) -------------------------------------------
    def _monotone(self, method: str, bij_kw: dict):
        if self._base_event_ndims != 0 or len(self._event) != 0:
            raise NotImplementedError(f"{self.name}.{method} is defined for scalar events only.")
        return self.bijector._is_increasing(**bij_kw)

    def _cdf(self, value, **kwargs):
        dist_kw, bij_kw = self._split(kwargs)
        increasing = self._monotone("cdf", bij_kw)
        x = self.bijector.inverse(value, **bij_kw)
        if increasing is True:
            return self.distribution.cdf(x, **dist_kw)
        sf = self.distribution.survival_function(x, **dist_kw)
        if increasing is False:
            return sf
        return torch.where(increasing, self.distribution.cdf(x, **dist_kw), sf)

    def _log_cdf(self, value, **kwargs):
        dist_kw, bij_kw = self._split(kwargs)
        increasing = self._monotone("log_cdf", bij_kw)
        x = self.bijector.inverse(value, **bij_kw)
        if increasing is True:
            return self.distribution.log_cdf(x, **dist_kw)
        lsf = self.distribution.log_survival_function(x, **dist_kw)
        if increasing is False:
            return lsf
        return torch.where(increasing, self.distribution.log_cdf(x, **dist_kw), lsf)

    def _survival_function(self, value, **kwargs):
        dist_kw, bij_kw = self._split(kwargs)
        increasing = self._monotone("survival_function", bij_kw)
        x = self.bijector.inverse(value, **bij_kw)
        if increasing is True:
            return self.distribution.survival_function(x, **dist_kw)
        cdf = self.distribution.cdf(x, **dist_kw)
        if increasing is False:
            return cdf
        return torch.where(increasing, self.distribution.survival_function(x, **dist_kw), cdf)

    def _quantile(self, value, **kwargs):
        dist_kw, bij_kw = self._split(kwargs)
        increasing = self._monotone("quantile", bij_kw)
        if increasing is True:
            q = value
        elif increasing is False:
            q = 1.0 - value
        else:
            q = torch.where(increasing, value, 1.0 - value)
        return self.bijector.forward(self.distribution.quantile(q, **dist_kw), **bij_kw)

    # -- statistics (constant-Jacobian bijectors) -----------------------------------------------
    def _affine(self, statistic: str, same_rank: bool = False):
        if not self.bijector.is_constant_jacobian:
            raise NotImplementedError(
                f"{self.name}.{statistic} is only available for bijectors with a constant "
                f"Jacobian (affine maps), as in TFP; {self.bijector.name!r} is not one. Estimate "
                f"it from samples instead.")
        if same_rank and self._base_event_ndims != len(self._event):
            raise NotImplementedError(f"{self.name}.{statistic}: the bijector changes the event "
                                      f"rank.")

    def _mean(self, **kwargs):
        self._affine("mean")
        dist_kw, bij_kw = self._split(kwargs)
        return self.bijector.forward(self.distribution.mean(**dist_kw), **bij_kw)

    def _linear_part(self, bij_kw: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """Columns ``J e_i`` of the (constant) Jacobian, for one flattened event."""
        base = torch.zeros(self.distribution.batch_shape + self.distribution.event_shape,
                           dtype=self.dtype, device=self._device())
        f0 = self.bijector.forward(base, **bij_kw)
        return base, f0

    def _covariance(self, **kwargs):
        self._affine("covariance", same_rank=True)
        dist_kw, bij_kw = self._split(kwargs)
        base_cov = self.distribution.covariance(**dist_kw)
        if self._base_event_ndims == 0:
            return self._variance(**kwargs)
        if self._base_event_ndims != 1:
            raise NotImplementedError(f"{self.name}.covariance: events of rank > 1.")
        base, f0 = self._linear_part(bij_kw)
        k = base.shape[-1]
        eye = torch.eye(k, dtype=base.dtype, device=base.device)
        # columns of J: forward(e_i) - forward(0), batched over i on a new leading axis
        cols = self.bijector.forward(base + eye.reshape((k,) + (1,) * (base.ndim - 1) + (k,)),
                                     **bij_kw) - f0
        jac = torch.movedim(cols, 0, -1)  # [..., out, in]
        return jac @ base_cov @ jac.mT

    def _variance(self, **kwargs):
        self._affine("variance", same_rank=True)
        dist_kw, bij_kw = self._split(kwargs)
        if self._base_event_ndims == 0:
            base, f0 = self._linear_part(bij_kw)
            slope = self.bijector.forward(base + 1.0, **bij_kw) - f0
            return slope * slope * self.distribution.variance(**dist_kw)
        return torch.diagonal(self._covariance(**kwargs), dim1=-2, dim2=-1)

    def _stddev(self, **kwargs):
        return torch.sqrt(self._variance(**kwargs))

    def _entropy(self, **kwargs):
        self._affine("entropy")
        dist_kw, bij_kw = self._split(kwargs)
        base = torch.zeros(self.distribution.batch_shape + self.distribution.event_shape,
                           dtype=self.dtype, device=self._device())
        fldj = self.bijector.forward_log_det_jacobian(base, event_ndims=self._base_event_ndims,
                                                      **bij_kw)
        return self.distribution.entropy(**dist_kw) + fldj


def _kl_transformed_transformed(a: TransformedDistribution, b: TransformedDistribution,
                                name: str | None = None):
    """KL is invariant under a shared bijection: ``KL(f(X) || f(Y)) = KL(X || Y)`` (as TFP);
    ``None`` (no closed form) when the bijectors differ."""
    if a.bijector is not b.bijector:
        return None
    from .kullback_leibler import kl_divergence

    return kl_divergence(a.distribution, b.distribution)


def _register_kl():
    from .kullback_leibler import RegisterKL

    RegisterKL(TransformedDistribution, TransformedDistribution)(_kl_transformed_transformed)


_register_kl()

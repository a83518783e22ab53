"""Independent: reinterpret batch dimensions of a distribution as event dimensions."""

from __future__ import annotations

import torch

from ._composite import check_distribution
from .distribution import Distribution
from .kullback_leibler import RegisterKL, kl_divergence

__all__ = ["Independent"]


class Independent(Distribution):
    """Treat the rightmost ``reinterpreted_batch_ndims`` batch dims of ``distribution`` as event
    dims: ``log_prob`` sums over them.

    Args:
        distribution: the base distribution.
        reinterpreted_batch_ndims: how many batch dims move into the event; default (None), as
            TFP: all batch dims but the first (``max(0, len(batch_shape) - 1)``).
        validate_args: TFP flag (passed on checks of values).
        experimental_use_kahan_sum: accepted for TFP compatibility (plain sums are used).
        name: name (default ``"Independent" + distribution.name``).

    Example:
        >>> import deepprob as dp
        >>> d = Independent(dp.distributions.Normal(torch.zeros(2, 3), 1.0))
        >>> d.batch_shape, d.event_shape
        (torch.Size([2]), torch.Size([3]))
    """

    def __init__(self, distribution: Distribution, reinterpreted_batch_ndims: int | None = None,
                 validate_args: bool = False, experimental_use_kahan_sum: bool = False,
                 name: str | None = None):
        parameters = dict(locals())
        check_distribution(distribution, "distribution", "Independent")
        super().__init__(parameters=parameters,
                         reparameterization_type=distribution.reparameterization_type,
                         validate_args=validate_args,
                         allow_nan_stats=distribution.allow_nan_stats,
                         name=name or "Independent" + distribution.name,
                         dtype=distribution.dtype)
        self.__dict__["_float_dtype"] = distribution._float_dtype
        self.distribution = distribution
        base_batch = distribution.batch_shape
        nb = len(base_batch)
        if reinterpreted_batch_ndims is None:
            reinterpreted_batch_ndims = max(0, nb - 1)
        if isinstance(reinterpreted_batch_ndims, bool) or not isinstance(
                reinterpreted_batch_ndims, int) or reinterpreted_batch_ndims < 0:
            raise ValueError(f"Independent: argument `reinterpreted_batch_ndims` must be a "
                             f"non-negative int; received {reinterpreted_batch_ndims!r}.")
        if reinterpreted_batch_ndims > nb:
            raise ValueError(
                f"Independent: argument `reinterpreted_batch_ndims`={reinterpreted_batch_ndims} "
                f"exceeds the rank of the distribution's batch_shape "
                f"{list(distribution.batch_shape)} ({nb}).")
        self.__dict__["reinterpreted_batch_ndims"] = reinterpreted_batch_ndims
        # Shapes are static (the base's are fixed at its construction): computed once.
        self.__dict__["_static_batch_shape"] = base_batch[: nb - reinterpreted_batch_ndims]
        self.__dict__["_static_event_shape"] = (base_batch[nb - reinterpreted_batch_ndims:]
                                                + distribution.event_shape)

    def _batch_shape(self):
        return self._static_batch_shape

    def _event_shape(self):
        return self._static_event_shape

    def _reduce(self, x):
        k = self.reinterpreted_batch_ndims
        return x.sum(tuple(range(-k, 0))) if k else x

    def _log_prob(self, value, **kwargs):
        # value is converted and its shape checked (same batch_shape + event_shape as the base)
        return self._reduce(self.distribution._log_prob_of_checked(value, **kwargs))

    def _sample(self, sample_shape, **kwargs):
        return self.distribution.sample(sample_shape, **kwargs)

    def _mean(self, **kwargs):
        return self.distribution.mean(**kwargs)

    def _mode(self, **kwargs):
        return self.distribution.mode(**kwargs)

    def _variance(self, **kwargs):
        return self.distribution.variance(**kwargs)

    def _stddev(self, **kwargs):
        return self.distribution.stddev(**kwargs)

    def _entropy(self, **kwargs):
        return self._reduce(self.distribution.entropy(**kwargs))

    def _covariance(self, **kwargs):
        if self.reinterpreted_batch_ndims == 0:
            return self.distribution.covariance(**kwargs)
        if len(self.event_shape) == 1:
            return torch.diag_embed(self.variance(**kwargs))
        raise self._not_implemented("covariance (event rank > 1)")


@RegisterKL(Independent, Independent)
def _kl_independent(a: Independent, b: Independent, name=None):
    pa, pb = a.distribution, b.distribution
    if pa.event_shape != pb.event_shape or a.event_shape != b.event_shape:
        return None
    kl = kl_divergence(pa, pb)
    k = len(a.event_shape) - len(pa.event_shape)
    return kl.sum(tuple(range(-k, 0))) if k else kl

"""Sample: a distribution over ``sample_shape`` iid draws of another distribution's event."""

from __future__ import annotations

import math

import torch

from ._composite import check_distribution
from ._params import broadcast_shapes_or_raise
from .distribution import Distribution, _as_sample_shape
from .kullback_leibler import RegisterKL, kl_divergence

__all__ = ["Sample"]


class Sample(Distribution):
    """Event of ``sample_shape`` iid draws: ``event_shape = sample_shape + distribution.event_shape``.

    Args:
        distribution: the base distribution.
        sample_shape: int or sequence of ints, the shape of the iid draws.
        validate_args: TFP flag.
        experimental_use_kahan_sum: accepted for TFP compatibility.
        name: name (default ``"Sample" + distribution.name``).

    Example:
        >>> import deepprob as dp
        >>> d = Sample(dp.distributions.Normal(0.0, 1.0), 3)
        >>> d.event_shape, d.log_prob(torch.zeros(3))
        (torch.Size([3]), tensor(-2.7568))
    """

    def __init__(self, distribution: Distribution, sample_shape=(), validate_args: bool = False,
                 experimental_use_kahan_sum: bool = False, name: str | None = None):
        parameters = dict(locals())
        check_distribution(distribution, "distribution", "Sample")
        super().__init__(parameters=parameters,
                         reparameterization_type=distribution.reparameterization_type,
                         validate_args=validate_args,
                         allow_nan_stats=distribution.allow_nan_stats,
                         name=name or "Sample" + distribution.name, dtype=distribution.dtype)
        self._float_dtype = distribution._float_dtype
        self.distribution = distribution
        self.sample_shape = _as_sample_shape(sample_shape)
        if any(s < 0 for s in self.sample_shape):
            raise ValueError(f"Sample: argument `sample_shape` must be non-negative; received "
                             f"{list(self.sample_shape)}.")

    def _batch_shape(self):
        return self.distribution.batch_shape

    def _event_shape(self):
        return self.sample_shape + self.distribution.event_shape

    def _sample(self, sample_shape, **kwargs):
        x = self.distribution.sample(sample_shape + self.sample_shape, **kwargs)
        s, n, b = len(sample_shape), len(self.sample_shape), len(self.batch_shape)
        return torch.movedim(x, list(range(s, s + n)), list(range(s + b, s + b + n)))

    def _log_prob(self, value, **kwargs):
        n, b = len(self.sample_shape), len(self.batch_shape)
        e = len(self.distribution.event_shape)
        full = broadcast_shapes_or_raise(value.shape, self.batch_shape + self.event_shape)
        x = value.expand(full)
        m = x.ndim - (b + n + e)
        x = torch.movedim(x, list(range(m + b, m + b + n)), list(range(m, m + n)))
        lp = self.distribution.log_prob(x, **kwargs)
        return lp.sum(tuple(range(m, m + n))) if n else lp

    def _tile(self, x):
        b, n = len(self.batch_shape), len(self.sample_shape)
        x = x.reshape(x.shape[:b] + (1,) * n + x.shape[b:])
        return x.expand(self.batch_shape + self.event_shape)

    def _mean(self, **kwargs):
        return self._tile(self.distribution.mean(**kwargs))

    def _mode(self, **kwargs):
        return self._tile(self.distribution.mode(**kwargs))

    def _variance(self, **kwargs):
        return self._tile(self.distribution.variance(**kwargs))

    def _stddev(self, **kwargs):
        return self._tile(self.distribution.stddev(**kwargs))

    def _entropy(self, **kwargs):
        return self.distribution.entropy(**kwargs) * math.prod(self.sample_shape)


@RegisterKL(Sample, Sample)
def _kl_sample(a: Sample, b: Sample, name=None):
    if a.sample_shape != b.sample_shape:
        return None
    return kl_divergence(a.distribution, b.distribution) * math.prod(a.sample_shape)

"""BatchReshape: view a distribution's batch of distributions with another batch shape."""

from __future__ import annotations

import math

import torch

from ._composite import check_distribution
from ._params import broadcast_shapes_or_raise
from .distribution import Distribution
from .kullback_leibler import RegisterKL, kl_divergence

__all__ = ["BatchReshape"]


class BatchReshape(Distribution):
    """Reshape the batch dims of ``distribution`` to ``batch_shape`` (one ``-1`` allowed).

    Args:
        distribution: the base distribution.
        batch_shape: the new batch shape, with as many elements as the old one.
        validate_args: TFP flag.
        allow_nan_stats: TFP flag.
        name: name (default ``"BatchReshape" + distribution.name``).

    Example:
        >>> import deepprob as dp
        >>> BatchReshape(dp.distributions.Normal(torch.zeros(6), 1.0), [2, 3]).batch_shape
        torch.Size([2, 3])
    """

    def __init__(self, distribution: Distribution, batch_shape, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str | None = None):
        parameters = dict(locals())
        check_distribution(distribution, "distribution", "BatchReshape")
        super().__init__(parameters=parameters,
                         reparameterization_type=distribution.reparameterization_type,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                         name=name or "BatchReshape" + distribution.name,
                         dtype=distribution.dtype)
        self._float_dtype = distribution._float_dtype
        self.distribution = distribution
        old = distribution.batch_shape
        shape = [int(s) for s in (batch_shape.tolist() if isinstance(batch_shape, torch.Tensor)
                                  else batch_shape)]
        if shape.count(-1) > 1 or any(s < -1 for s in shape):
            raise ValueError(f"BatchReshape: argument `batch_shape` may hold one -1 and "
                             f"otherwise non-negative sizes; received {shape}.")
        if -1 in shape:
            known = math.prod(s for s in shape if s != -1)
            if known == 0 or old.numel() % known:
                raise ValueError(f"BatchReshape: cannot reshape batch_shape {list(old)} to "
                                 f"{shape}.")
            shape[shape.index(-1)] = old.numel() // known
        if math.prod(shape) != old.numel():
            raise ValueError(f"BatchReshape: argument `batch_shape` {shape} has "
                             f"{math.prod(shape)} elements but the distribution's batch_shape "
                             f"{list(old)} has {old.numel()}.")
        self._new_batch = torch.Size(shape)

    def _batch_shape(self):
        return self._new_batch

    def _event_shape(self):
        return self.distribution.event_shape

    def _call_reshaped(self, method, value, **kwargs):
        event = self.event_shape
        full = broadcast_shapes_or_raise(value.shape, self._new_batch + event)
        x = value.expand(full)
        prefix = full[: len(full) - len(self._new_batch) - len(event)]
        x = x.reshape(prefix + self.distribution.batch_shape + event)
        out = getattr(self.distribution, method)(x, **kwargs)
        return out.reshape(prefix + self._new_batch)

    def _log_prob(self, value, **kwargs):
        return self._call_reshaped("log_prob", value, **kwargs)

    def _cdf(self, value, **kwargs):
        return self._call_reshaped("cdf", value, **kwargs)

    def _sample(self, sample_shape, **kwargs):
        x = self.distribution.sample(sample_shape, **kwargs)
        return x.reshape(sample_shape + self._new_batch + self.event_shape)

    def _reshaped_stat(self, method, **kwargs):
        out = getattr(self.distribution, method)(**kwargs)
        if method == "entropy":
            return out.reshape(self._new_batch)
        if method == "covariance":
            return out.reshape(self._new_batch + out.shape[len(self.distribution.batch_shape):])
        return out.reshape(self._new_batch + self.event_shape)

    def _mean(self, **kwargs):
        return self._reshaped_stat("mean", **kwargs)

    def _mode(self, **kwargs):
        return self._reshaped_stat("mode", **kwargs)

    def _variance(self, **kwargs):
        return self._reshaped_stat("variance", **kwargs)

    def _stddev(self, **kwargs):
        return self._reshaped_stat("stddev", **kwargs)

    def _entropy(self, **kwargs):
        return self._reshaped_stat("entropy", **kwargs)

    def _covariance(self, **kwargs):
        return self._reshaped_stat("covariance", **kwargs)


@RegisterKL(BatchReshape, BatchReshape)
def _kl_batch_reshape(a: BatchReshape, b: BatchReshape, name=None):
    if a.batch_shape != b.batch_shape or a.distribution.batch_shape != b.distribution.batch_shape:
        return None
    return kl_divergence(a.distribution, b.distribution).reshape(a.batch_shape)

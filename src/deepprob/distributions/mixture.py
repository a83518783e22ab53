"""Mixture distributions: MixtureSameFamily (one batched component family) and Mixture (a list
of component distributions)."""

from __future__ import annotations

import torch

from ._composite import check_distribution
from ._params import broadcast_shapes
from .distribution import NOT_REPARAMETERIZED, Distribution

__all__ = ["MixtureSameFamily", "Mixture"]


def _mixture_log_weights(cat: Distribution) -> torch.Tensor:
    if not hasattr(cat, "logits_parameter"):
        raise TypeError(f"The mixture distribution must be a Categorical; received "
                        f"{type(cat).__name__}.")
    return torch.log_softmax(cat.logits_parameter(), dim=-1)


def _expand_index(index: torch.Tensor, sample_shape, batch_shape) -> torch.Tensor:
    """Broadcast mixture indices of shape ``sample_shape + mix_batch`` to ``+ batch_shape``."""
    s = len(sample_shape)
    mix_batch = index.shape[s:]
    index = index.reshape(sample_shape + (1,) * (len(batch_shape) - len(mix_batch)) + mix_batch)
    return index.expand(sample_shape + batch_shape)


def _gather_component(samples: torch.Tensor, index: torch.Tensor, event_ndims: int):
    """Pick ``samples[..., index, *event]`` along the component axis ``-1 - event_ndims``."""
    index = index.long().reshape(index.shape + (1,) * (event_ndims + 1))
    shape = samples.shape[: samples.ndim - event_ndims - 1] + (1,) + samples.shape[
        samples.ndim - event_ndims:]
    index = index.expand(shape)
    return torch.gather(samples, samples.ndim - event_ndims - 1, index).squeeze(
        samples.ndim - event_ndims - 1)


class MixtureSameFamily(Distribution):
    """Mixture whose components are the rightmost batch dim of ``components_distribution``.

    ``log_prob(x) = logsumexp_k(log w_k + components.log_prob(x)_k)``. Samples are not
    reparameterized (TFP's ``reparameterize=True`` is not supported).

    Args:
        mixture_distribution: ``Categorical`` over ``K`` components, batch ``B``.
        components_distribution: distribution with batch shape ``B + [K]``.
        reparameterize: must be False (see above).
        validate_args: TFP flag.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> import deepprob as dp
        >>> tfd = dp.distributions
        >>> gm = MixtureSameFamily(tfd.Categorical(probs=[0.3, 0.7]),
        ...                        tfd.Normal(loc=[-1.0, 1.0], scale=[0.1, 0.5]))
        >>> gm.mean()
        tensor(0.4000)
    """

    def __init__(self, mixture_distribution: Distribution,
                 components_distribution: Distribution, reparameterize: bool = False,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "MixtureSameFamily"):
        parameters = dict(locals())
        check_distribution(mixture_distribution, "mixture_distribution", name)
        check_distribution(components_distribution, "components_distribution", name)
        if reparameterize:
            raise NotImplementedError(f"{name}: `reparameterize=True` is not supported; sample "
                                      f"the components and use log_prob-based estimators.")
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                         name=name, dtype=components_distribution.dtype)
        self._float_dtype = components_distribution._float_dtype
        self.mixture_distribution = mixture_distribution
        self.components_distribution = components_distribution
        cb, mb = components_distribution.batch_shape, mixture_distribution.batch_shape
        k = mixture_distribution.logits_parameter().shape[-1] if hasattr(
            mixture_distribution, "logits_parameter") else None
        if k is None:
            raise TypeError(f"{name}: argument `mixture_distribution` must be a Categorical; "
                            f"received {type(mixture_distribution).__name__}.")
        if len(cb) < 1 or cb[-1] != k:
            raise ValueError(f"{name}: components_distribution batch_shape {list(cb)} must end "
                             f"with the number of components {k} of mixture_distribution.")
        self._batch = broadcast_shapes(mb, cb[:-1])
        if self._batch is None:
            raise ValueError(f"{name}: mixture_distribution batch_shape {list(mb)} does not "
                             f"broadcast with components batch_shape {list(cb[:-1])}.")

    def _batch_shape(self):
        return self._batch

    def _event_shape(self):
        return self.components_distribution.event_shape

    def _log_w(self, event_ndims: int = 0):
        logw = _mixture_log_weights(self.mixture_distribution)
        return logw.reshape(logw.shape + (1,) * event_ndims)

    def _pad(self, value):
        return value.unsqueeze(-1 - len(self.event_shape))

    def _log_prob(self, value, **kwargs):
        lp = self.components_distribution.log_prob(self._pad(value), **kwargs)
        return torch.logsumexp(lp + self._log_w(), dim=-1)

    def _cdf(self, value, **kwargs):
        if len(self.event_shape):
            raise self._not_implemented("cdf (vector events)")
        cdf = self.components_distribution.cdf(self._pad(value), **kwargs)
        return (torch.exp(self._log_w()) * cdf).sum(-1)

    def _sample(self, sample_shape, **kwargs):
        e = len(self.event_shape)
        comps = self.components_distribution.sample(sample_shape)
        k = comps.shape[comps.ndim - e - 1]
        comps = comps.expand(sample_shape + self._batch + (k,) + self.event_shape)
        index = _expand_index(self.mixture_distribution.sample(sample_shape), sample_shape,
                              self._batch)
        return _gather_component(comps, index, e)

    def _mean(self, **kwargs):
        e = len(self.event_shape)
        w = torch.exp(self._log_w(e))
        return (w * self.components_distribution.mean()).sum(-1 - e)

    def _variance(self, **kwargs):
        e = len(self.event_shape)
        w = torch.exp(self._log_w(e))
        m = self.components_distribution.mean()
        v = self.components_distribution.variance()
        mean = (w * m).sum(-1 - e)
        return (w * (v + m * m)).sum(-1 - e) - mean * mean


class Mixture(Distribution):
    """Mixture of a list of distributions with identical batch and event shapes.

    Args:
        cat: ``Categorical`` over ``len(components)`` outcomes.
        components: list of distributions.
        validate_args: TFP flag.
        allow_nan_stats: TFP flag.
        use_static_graph: accepted for TFP compatibility.
        name: name of the distribution.

    Example:
        >>> import deepprob as dp
        >>> tfd = dp.distributions
        >>> m = Mixture(tfd.Categorical(probs=[0.5, 0.5]),
        ...             [tfd.Normal(-1.0, 1.0), tfd.Normal(1.0, 1.0)])
        >>> m.mean()
        tensor(0.)
    """

    def __init__(self, cat: Distribution, components, validate_args: bool = False,
                 allow_nan_stats: bool = True, use_static_graph: bool = False,
                 name: str = "Mixture"):
        parameters = dict(locals())
        check_distribution(cat, "cat", name)
        components = list(components)
        if not components:
            raise ValueError(f"{name}: argument `components` must be a non-empty list.")
        for i, c in enumerate(components):
            check_distribution(c, f"components[{i}]", name)
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                         name=name, dtype=components[0].dtype)
        self._float_dtype = components[0]._float_dtype
        self.cat = cat
        self.components = torch.nn.ModuleList(components)
        k = _mixture_log_weights(cat).shape[-1]
        if k != len(components):
            raise ValueError(f"{name}: `cat` has {k} categories but {len(components)} "
                             f"components were given.")
        shapes = {(tuple(c.batch_shape), tuple(c.event_shape)) for c in components}
        if len(shapes) != 1:
            raise ValueError(f"{name}: components must share batch and event shapes; received "
                             f"{[(list(b), list(e)) for b, e in shapes]}.")
        self._batch = broadcast_shapes(cat.batch_shape, components[0].batch_shape)
        if self._batch is None:
            raise ValueError(f"{name}: cat batch_shape {list(cat.batch_shape)} does not "
                             f"broadcast with components' {list(components[0].batch_shape)}.")

    def _batch_shape(self):
        return self._batch

    def _event_shape(self):
        return self.components[0].event_shape

    def _log_w(self, event_ndims=0):
        logw = _mixture_log_weights(self.cat)
        return logw.reshape(logw.shape + (1,) * event_ndims)

    def _log_prob(self, value, **kwargs):
        lp = torch.stack([c.log_prob(value, **kwargs) for c in self.components], dim=-1)
        return torch.logsumexp(lp + self._log_w(), dim=-1)

    def _cdf(self, value, **kwargs):
        cdf = torch.stack([c.cdf(value, **kwargs) for c in self.components], dim=-1)
        return (torch.exp(self._log_w()) * cdf).sum(-1)

    def _sample(self, sample_shape, **kwargs):
        e = len(self.event_shape)
        full = sample_shape + self._batch + self.event_shape
        axis = len(sample_shape) + len(self._batch)
        comps = torch.stack([c.sample(sample_shape).expand(full) for c in self.components],
                            dim=axis)
        index = _expand_index(self.cat.sample(sample_shape), sample_shape, self._batch)
        return _gather_component(comps, index, e)

    def _stack_stat(self, method):
        e = len(self.event_shape)
        return torch.stack([getattr(c, method)() for c in self.components], dim=-1 - e)

    def _mean(self, **kwargs):
        e = len(self.event_shape)
        return (torch.exp(self._log_w(e)) * self._stack_stat("mean")).sum(-1 - e)

    def _variance(self, **kwargs):
        e = len(self.event_shape)
        w = torch.exp(self._log_w(e))
        m, v = self._stack_stat("mean"), self._stack_stat("variance")
        mean = (w * m).sum(-1 - e)
        return (w * (v + m * m)).sum(-1 - e) - mean * mean

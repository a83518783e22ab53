"""Kullback-Leibler divergence: a registry of closed forms and a Monte-Carlo fallback.

``kl_divergence(p, q)`` looks up the most specific function registered for
``(type(p), type(q))`` (walking both classes' MRO, as TFP), then falls back to torch's own
registry when both distributions are backed by ``torch.distributions``. When no closed form exists
it raises ``NotImplementedError`` unless ``num_samples`` asks for a Monte-Carlo estimate
``mean(log p(x) - log q(x))`` over ``x ~ p`` (reparameterized when ``p`` is, so it can be trained).

Example:
    >>> import deepprob as dp
    >>> @dp.distributions.RegisterKL(MyDist, MyDist)  # doctest: +SKIP
    ... def _kl_mine(a, b, name=None):
    ...     return ...
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._params import broadcast_shapes
from .distribution import Distribution

__all__ = ["kl_divergence", "RegisterKL", "register_kl", "cross_entropy"]

_REGISTRY: dict[tuple[type, type], Callable] = {}


class RegisterKL:
    """Decorator registering ``fn(dist_a, dist_b, name=None)`` as ``KL(dist_a || dist_b)``.

    Args:
        dist_cls_a: class of the first distribution (subclasses match too).
        dist_cls_b: class of the second distribution.

    Example:
        >>> @RegisterKL(Normal, Normal)  # doctest: +SKIP
        ... def _kl(a, b, name=None):
        ...     ...
    """

    def __init__(self, dist_cls_a: type, dist_cls_b: type):
        for arg, cls in (("dist_cls_a", dist_cls_a), ("dist_cls_b", dist_cls_b)):
            if not (isinstance(cls, type) and issubclass(cls, Distribution)):
                raise TypeError(
                    f"Argument `{arg}`: expected a subclass of deepprob Distribution; received "
                    f"{cls!r}."
                )
        self._key = (dist_cls_a, dist_cls_b)

    def __call__(self, kl_fn: Callable) -> Callable:
        if not callable(kl_fn):
            raise TypeError(f"Argument `kl_fn`: expected a callable; received {kl_fn!r}.")
        _REGISTRY[self._key] = kl_fn
        return kl_fn


def register_kl(dist_cls_a: type, dist_cls_b: type) -> RegisterKL:
    """torch-style alias of :class:`RegisterKL` (``@register_kl(Normal, Normal)``).

    Args:
        dist_cls_a: class of the first distribution.
        dist_cls_b: class of the second distribution.

    Example:
        >>> @register_kl(Normal, Normal)  # doctest: +SKIP
        ... def _kl(a, b, name=None): ...
    """
    return RegisterKL(dist_cls_a, dist_cls_b)


def _lookup(type_a: type, type_b: type) -> Callable | None:
    best, best_rank = None, None
    mro_a, mro_b = type_a.__mro__, type_b.__mro__
    for i, ca in enumerate(mro_a):
        for j, cb in enumerate(mro_b):
            fn = _REGISTRY.get((ca, cb))
            if fn is not None and (best_rank is None or i + j < best_rank):
                best, best_rank = fn, i + j
    return best


def _torch_kl(a: Distribution, b: Distribution):
    from ._torch_backed import TorchBacked

    if not (isinstance(a, TorchBacked) and isinstance(b, TorchBacked)):
        return None
    ta, tb = a._torch_dist(), b._torch_dist()
    if torch.distributions.kl._dispatch_kl(type(ta), type(tb)) is NotImplemented:
        return None
    return torch.distributions.kl_divergence(ta, tb)


def monte_carlo_kl(distribution_a: Distribution, distribution_b: Distribution, num_samples: int,
                   seed: int | None = None) -> torch.Tensor:
    """Monte-Carlo estimate ``mean_i [log a(x_i) - log b(x_i)]`` with ``x_i ~ a``.

    Args:
        distribution_a: the distribution samples are drawn from.
        distribution_b: the second distribution.
        num_samples: number of draws (standard error shrinks as ``1/sqrt(num_samples)``).
        seed: optional int seed.

    Example:
        >>> monte_carlo_kl(Normal(0., 1.), Normal(1., 1.), 100000)  # doctest: +SKIP
        tensor(0.5012)
    """
    if not isinstance(num_samples, int) or num_samples < 1:
        raise ValueError(f"Argument `num_samples`: expected a positive int; received "
                         f"{num_samples!r}.")
    x = distribution_a.sample(num_samples, seed=seed)
    return torch.mean(distribution_a.log_prob(x) - distribution_b.log_prob(x), dim=0)


def kl_divergence(distribution_a: Distribution, distribution_b: Distribution,
                  allow_nan_stats: bool = True, name: str | None = None,
                  num_samples: int | None = None, seed: int | None = None) -> torch.Tensor:
    """``KL(distribution_a || distribution_b)``, batched over the broadcast batch shapes.

    Args:
        distribution_a: first distribution.
        distribution_b: second distribution.
        allow_nan_stats: when False, raise if the result contains NaN.
        name: unused, for TFP compatibility.
        num_samples: when given and no closed form is registered, return a Monte-Carlo
            estimate with this many samples (instead of raising ``NotImplementedError``).
        seed: seed of the Monte-Carlo draws.

    Example:
        >>> import deepprob as dp
        >>> tfd = dp.distributions
        >>> tfd.kl_divergence(tfd.Normal(0.0, 1.0), tfd.Normal(1.0, 1.0))
        tensor(0.5000)
    """
    for arg, d in (("distribution_a", distribution_a), ("distribution_b", distribution_b)):
        if not isinstance(d, Distribution):
            raise TypeError(f"Argument `{arg}`: expected a deepprob Distribution; received "
                            f"{type(d).__name__}.")
    if distribution_a.event_shape != distribution_b.event_shape:
        raise ValueError(
            f"kl_divergence: event shapes differ: distribution_a {list(distribution_a.event_shape)}"
            f" vs distribution_b {list(distribution_b.event_shape)}."
        )
    if broadcast_shapes(distribution_a.batch_shape, distribution_b.batch_shape) is None:
        raise ValueError(
            f"kl_divergence: batch shapes do not broadcast: distribution_a "
            f"{list(distribution_a.batch_shape)} vs distribution_b "
            f"{list(distribution_b.batch_shape)}."
        )
    fn = _lookup(type(distribution_a), type(distribution_b))
    result = None
    if fn is not None:
        result = fn(distribution_a, distribution_b, name=name)
    if result is None or result is NotImplemented:
        result = _torch_kl(distribution_a, distribution_b)
    if result is None:
        if num_samples is None:
            raise NotImplementedError(
                f"No KL(distribution_a || distribution_b) registered for "
                f"({type(distribution_a).__name__}, {type(distribution_b).__name__}); pass "
                f"num_samples=N for a Monte-Carlo estimate or register one with "
                f"@RegisterKL({type(distribution_a).__name__}, {type(distribution_b).__name__})."
            )
        result = monte_carlo_kl(distribution_a, distribution_b, num_samples, seed)
    if not allow_nan_stats and bool(torch.isnan(result).any()):
        raise ValueError(f"kl_divergence of {distribution_a.name} and {distribution_b.name} "
                         f"is NaN (allow_nan_stats=False).")
    return result


def cross_entropy(distribution_a: Distribution, distribution_b: Distribution,
                  **kwargs) -> torch.Tensor:
    """``H[a, b] = entropy(a) + KL(a || b)``.

    Args:
        distribution_a: first distribution.
        distribution_b: second distribution.
        **kwargs: as in :func:`kl_divergence`.

    Example:
        >>> cross_entropy(Normal(0., 1.), Normal(0., 1.))  # doctest: +SKIP
        tensor(1.4189)
    """
    return distribution_a.entropy() + kl_divergence(distribution_a, distribution_b, **kwargs)

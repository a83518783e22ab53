"""Joint distributions over several random variables: JointDistributionSequential (a list) and
JointDistributionNamed (a dict).

Each model entry is a distribution, or a callable returning one from previously drawn values:

- ``JointDistributionSequential``: the callable receives the previous values *in reverse order*
  (most recent first), as many as it has positional parameters (all with ``*args``), as TFP.
- ``JointDistributionNamed``: the callable's parameter names are the names of the values it
  depends on.

Distributions (and ``nn.Module`` callables) in the model are registered as submodules, so their
parameters train. Parameters a plain lambda closes over are not found automatically: wrap them
in an ``nn.Module`` or pass them to the optimizer yourself.

``sample(n)`` applies ``n`` to root entries (those depending on nothing); dependent entries are
drawn once per value of their parents, so every sample has the leading shape ``n``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping

import torch

from ._params import to_tensor
from .distribution import FULLY_REPARAMETERIZED, NOT_REPARAMETERIZED, Distribution

__all__ = ["JointDistributionSequential", "JointDistributionNamed"]


def _positional_arity(fn: Callable) -> int | None:
    """Number of positional parameters of ``fn``; None means any (``*args``)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    count = 0
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def _as_distribution(obj, where: str) -> Distribution:
    if not isinstance(obj, Distribution):
        raise TypeError(f"{where} must return a deepprob Distribution; received "
                        f"{type(obj).__name__}.")
    return obj


class _JointBase(Distribution):
    def __init__(self, parameters, validate_args, name):
        super().__init__(parameters=parameters, reparameterization_type=NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=True, name=name)

    # -- subclass interface: _order (list of keys), _build(key, values) -> Distribution,
    #    _is_root(key), _pack(dict) -> user structure, _unpack(user structure) -> dict

    def _distributions(self, values: dict, sample_shape=None):
        dists, out = {}, {}
        for key in self._order:
            d = self._build(key, out)
            dists[key] = d
            if key in values:
                out[key] = values[key]
            elif sample_shape is not None:
                out[key] = d.sample(sample_shape if self._is_root(key) else ())
            else:
                raise ValueError(f"{self.name}: no value given for `{key}`.")
        return dists, out

    def sample_distributions(self, sample_shape=(), seed=None, value=None):
        """Draw a sample and return ``(distributions, values)`` in the model's structure.

        Args:
            sample_shape: shape applied to root entries.
            seed: optional int seed.
            value: optional partial values (same structure; missing entries are sampled).

        Example:
            >>> dists, xs = jd.sample_distributions()  # doctest: +SKIP
        """
        from .distribution import _as_sample_shape, seeded

        given = self._unpack(value, partial=True) if value is not None else {}
        with seeded(seed):
            dists, values = self._distributions(given, _as_sample_shape(sample_shape))
        return self._pack(dists), self._pack(values)

    def _sample(self, sample_shape, value=None, **kwargs):
        given = self._unpack(value, partial=True) if value is not None else {}
        return self._pack(self._distributions(given, sample_shape)[1])

    def _convert_value(self, value, method):
        parts = self._unpack(value)
        return {k: v if isinstance(v, torch.Tensor) else to_tensor(v, name=str(k))
                for k, v in parts.items()}

    def log_prob_parts(self, value) -> list | dict:
        """Per-variable log probabilities, in the model's structure.

        Args:
            value: values of every variable (list or dict as the model).

        Example:
            >>> jd.log_prob_parts(jd.sample())  # doctest: +SKIP
        """
        values = self._convert_value(value, "log_prob")
        dists, _ = self._distributions(values)
        return self._pack({k: dists[k].log_prob(values[k]) for k in self._order})

    def _log_prob(self, value, **kwargs):
        dists, _ = self._distributions(value)
        total = None
        for k in self._order:
            lp = dists[k].log_prob(value[k])
            total = lp if total is None else total + lp
        return total

    def _probe(self):
        with torch.no_grad():
            dists, _ = self._distributions({}, torch.Size())
        return dists

    @property
    def batch_shape(self):
        """Batch shapes of the parts, in the model's structure."""
        return self._pack({k: d.batch_shape for k, d in self._probe().items()})

    @property
    def event_shape(self):
        """Event shapes of the parts, in the model's structure."""
        return self._pack({k: d.event_shape for k, d in self._probe().items()})

    @property
    def dtype(self):
        """Sample dtypes of the parts, in the model's structure."""
        return self._pack({k: d.dtype for k, d in self._probe().items()})

    @property
    def reparameterization_type(self):
        """FULLY_REPARAMETERIZED when every part is."""
        parts = self._probe().values()
        if all(d.reparameterization_type is FULLY_REPARAMETERIZED for d in parts):
            return FULLY_REPARAMETERIZED
        return NOT_REPARAMETERIZED

    @property
    def has_rsample(self) -> bool:
        """Whether every part samples with reparameterization."""
        return self.reparameterization_type is FULLY_REPARAMETERIZED

    def _mean(self, **kwargs):
        dists = self._probe()
        if any(not self._is_root(k) for k in self._order):
            raise self._not_implemented("mean (model with dependencies)")
        return self._pack({k: d.mean() for k, d in dists.items()})

    def mean(self, name="mean", **kwargs):
        """Means of the parts (only when no part depends on another)."""
        return self._mean()

    def __repr__(self) -> str:
        return f"<deepprob.distributions.{type(self).__name__} {self.name!r}>"


class JointDistributionSequential(_JointBase):
    """Joint distribution of a list of distributions / callables (see module docstring).

    ``sample()`` returns a list; ``log_prob`` takes a list (or the values as separate arguments)
    and returns the sum of the parts' log probabilities.

    Args:
        model: list of distributions or callables returning distributions.
        batch_ndims: accepted for TFP compatibility (not auto-batched: parts broadcast).
        use_vectorized_map: accepted for TFP compatibility.
        validate_args: TFP flag.
        experimental_use_kahan_sum: accepted for TFP compatibility.
        name: name of the distribution.

    Example:
        >>> import deepprob as dp
        >>> tfd = dp.distributions
        >>> jd = JointDistributionSequential([
        ...     tfd.Normal(0.0, 1.0),
        ...     lambda z: tfd.Normal(z, 0.5),
        ... ])
        >>> z, x = jd.sample(4)
        >>> jd.log_prob([z, x]).shape
        torch.Size([4])
    """

    def __init__(self, model, batch_ndims=None, use_vectorized_map: bool = False,
                 validate_args: bool = False, experimental_use_kahan_sum: bool = False,
                 name: str | None = None):
        parameters = dict(locals())
        if not isinstance(model, (list, tuple)):
            raise TypeError(f"JointDistributionSequential: argument `model` must be a list or "
                            f"tuple; received {type(model).__name__}.")
        super().__init__(parameters, validate_args, name or "JointDistributionSequential")
        self.model = list(model)
        self._is_tuple = isinstance(model, tuple)
        modules = []
        self._arity = []
        for i, m in enumerate(self.model):
            if isinstance(m, torch.nn.Module):
                modules.append(m)
            if isinstance(m, Distribution):
                self._arity.append(0)
            elif callable(m):
                n = _positional_arity(m)
                self._arity.append(i if n is None else min(n, i))
                if n is not None and n > i:
                    raise ValueError(f"JointDistributionSequential: model[{i}] takes {n} "
                                     f"arguments but only {i} previous values exist.")
            else:
                raise TypeError(f"JointDistributionSequential: model[{i}] must be a "
                                f"Distribution or a callable; received {type(m).__name__}.")
        self._model_modules = torch.nn.ModuleList(modules)
        self._order = list(range(len(self.model)))

    def _is_root(self, key):
        return self._arity[key] == 0

    def _build(self, key, values):
        m = self.model[key]
        if isinstance(m, Distribution):
            return m
        previous = [values[j] for j in range(key - 1, key - 1 - self._arity[key], -1)]
        return _as_distribution(m(*previous), f"model[{key}]")

    def _pack(self, parts: dict):
        out = [parts[k] for k in self._order]
        return tuple(out) if self._is_tuple else out

    def _unpack(self, value, partial=False):
        if isinstance(value, Mapping):
            raise TypeError(f"{self.name}: expected a list of values; received a dict.")
        value = list(value)
        if not partial and len(value) != len(self.model):
            raise ValueError(f"{self.name}: expected {len(self.model)} values; received "
                             f"{len(value)}.")
        return {i: v for i, v in enumerate(value) if v is not None}

    def log_prob(self, *args, **kwargs) -> torch.Tensor:
        """Sum of the parts' log probabilities.

        Args:
            *args: one list of values, or the values as separate arguments.
            **kwargs: ``value=`` (a list) also works.

        Example:
            >>> jd.log_prob(jd.sample())  # doctest: +SKIP
        """
        value = kwargs.pop("value", None)
        kwargs.pop("name", None)
        if value is None:
            value = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
        return self._call_value_method("log_prob", value)

    def prob(self, *args, **kwargs) -> torch.Tensor:
        """``exp(log_prob(...))``."""
        return torch.exp(self.log_prob(*args, **kwargs))


class JointDistributionNamed(_JointBase):
    """Joint distribution of a dict of distributions / callables (see module docstring).

    ``sample()`` returns a dict; ``log_prob`` takes a dict (or keyword arguments).

    Args:
        model: dict name -> distribution or callable whose parameter names are other names.
        batch_ndims: accepted for TFP compatibility.
        use_vectorized_map: accepted for TFP compatibility.
        validate_args: TFP flag.
        experimental_use_kahan_sum: accepted for TFP compatibility.
        name: name of the distribution.

    Example:
        >>> import deepprob as dp
        >>> tfd = dp.distributions
        >>> jd = JointDistributionNamed(dict(
        ...     z=tfd.Normal(0.0, 1.0),
        ...     x=lambda z: tfd.Normal(z, 0.5)))
        >>> sorted(jd.sample())
        ['x', 'z']
    """

    def __init__(self, model, batch_ndims=None, use_vectorized_map: bool = False,
                 validate_args: bool = False, experimental_use_kahan_sum: bool = False,
                 name: str | None = None):
        parameters = dict(locals())
        if not isinstance(model, Mapping):
            raise TypeError(f"JointDistributionNamed: argument `model` must be a dict; "
                            f"received {type(model).__name__}.")
        super().__init__(parameters, validate_args, name or "JointDistributionNamed")
        self.model = dict(model)
        self._deps: dict[str, list[str]] = {}
        modules = []
        for key, m in self.model.items():
            if isinstance(m, torch.nn.Module):
                modules.append(m)
            if isinstance(m, Distribution):
                self._deps[key] = []
            elif callable(m):
                params = inspect.signature(m).parameters
                deps = [p for p in params if params[p].kind not in (
                    inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
                unknown = [d for d in deps if d not in self.model]
                if unknown:
                    raise ValueError(f"JointDistributionNamed: model[{key!r}] depends on "
                                     f"{unknown}, which are not in the model "
                                     f"({list(self.model)}).")
                self._deps[key] = deps
            else:
                raise TypeError(f"JointDistributionNamed: model[{key!r}] must be a "
                                f"Distribution or a callable; received {type(m).__name__}.")
        self._model_modules = torch.nn.ModuleList(modules)
        order: list[str] = []
        while len(order) < len(self.model):
            ready = [k for k in self.model if k not in order
                     and all(d in order for d in self._deps[k])]
            if not ready:
                rest = [k for k in self.model if k not in order]
                raise ValueError(f"JointDistributionNamed: dependency cycle among {rest}.")
            order.append(ready[0])
        self._order = order

    def _is_root(self, key):
        return not self._deps[key]

    def _build(self, key, values):
        m = self.model[key]
        if isinstance(m, Distribution):
            return m
        return _as_distribution(m(**{d: values[d] for d in self._deps[key]}),
                                f"model[{key!r}]")

    def _pack(self, parts: dict):
        return {k: parts[k] for k in self.model}

    def _unpack(self, value, partial=False):
        if not isinstance(value, Mapping):
            raise TypeError(f"{self.name}: expected a dict of values; received "
                            f"{type(value).__name__}.")
        unknown = [k for k in value if k not in self.model]
        if unknown:
            raise ValueError(f"{self.name}: unknown names {unknown}; the model has "
                             f"{list(self.model)}.")
        if not partial:
            missing = [k for k in self.model if k not in value]
            if missing:
                raise ValueError(f"{self.name}: no value given for {missing}.")
        return {k: v for k, v in value.items() if v is not None}

    def log_prob(self, value=None, name: str = "log_prob", **kwargs) -> torch.Tensor:
        """Sum of the parts' log probabilities.

        Args:
            value: dict name -> value (or pass the values as keyword arguments).
            name: unused, for TFP compatibility.
            **kwargs: values by name when ``value`` is None.

        Example:
            >>> jd.log_prob(jd.sample())  # doctest: +SKIP
        """
        if value is None:
            value = kwargs
        return self._call_value_method("log_prob", value)

    def prob(self, value=None, name: str = "prob", **kwargs) -> torch.Tensor:
        """``exp(log_prob(...))``."""
        return torch.exp(self.log_prob(value, **kwargs))

"""Layers whose output is a distribution (TFP's ``tfp.layers`` distribution layers).

``model(x)`` returns the distribution itself (``mean()``, ``stddev()``, ``log_prob(y)``,
``sample()``); when it feeds another layer, or ``predict``, it is converted with the layer's
``convert_to_tensor_fn`` (a sample by default), once per forward pass. Losses receive the
distribution: ``loss=lambda y, rv_y: -rv_y.log_prob(y)``.

Each named layer has the static ``params_size(...)`` giving the width of the Dense layer before it,
and the static ``new(params, ...)`` building the distribution from a parameter tensor.

Example:
    >>> model = dp.Sequential([
    ...     dp.layers.Dense(dp.layers.IndependentNormal.params_size(1), input_shape=(3,)),
    ...     dp.layers.IndependentNormal(1),
    ... ])
    >>> rv = model(torch.zeros(4, 3))
    >>> rv.mean().shape, rv.log_prob(torch.zeros(4, 1)).shape
    (torch.Size([4, 1]), torch.Size([4]))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from deepprob.engine.layer import Layer
from deepprob.layers.probabilistic import _coercion


def _distributions():
    from deepprob import distributions

    return distributions


def _event_shape(event_shape, layer: str) -> tuple[int, ...]:
    if isinstance(event_shape, torch.Size):
        event_shape = tuple(event_shape)
    if isinstance(event_shape, (int,)) and not isinstance(event_shape, bool):
        event_shape = (event_shape,)
    try:
        shape = tuple(int(s) for s in event_shape)
    except TypeError as err:
        raise TypeError(
            f"Argument `event_shape` of {layer}: expected an int or a sequence of ints, received "
            f"{event_shape!r}."
        ) from err
    if any(s <= 0 for s in shape):
        raise ValueError(
            f"Argument `event_shape` of {layer}: sizes must be positive, received {shape}."
        )
    return shape


def _positive(value, name: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Argument `{name}` of {layer}: expected a positive integer, received {value!r}."
        )
    return value


def _check_params(params: torch.Tensor, expected: int, layer: str, what: str) -> None:
    if params.dim() == 0 or params.shape[-1] != expected:
        got = params.shape[-1] if params.dim() else "a scalar"
        raise ValueError(
            f"{layer}: its input must have {expected} parameters on the last axis ({what}); "
            f"received input of shape {tuple(params.shape)} ({got}). Size the layer before it "
            f"with `{layer}.params_size(...)` = {expected}."
        )


def _reshape_event(params: torch.Tensor, event_shape: tuple[int, ...]) -> torch.Tensor:
    return params.reshape(params.shape[:-1] + event_shape)


class DistributionLambda(Layer):
    """A layer whose output is the distribution ``make_distribution_fn(inputs)``.

    Args:
        make_distribution_fn: callable taking the layer's input (a tensor, or a list of tensors
            for several inputs) and returning a distribution.
        convert_to_tensor_fn: how the output becomes a tensor for the next layer and for
            ``predict``: ``"sample"`` (default), ``"mean"``, ``"mode"``, ``"stddev"``,
            ``"variance"``, or a callable such as ``dp.distributions.Distribution.mean`` or
            ``lambda d: d.sample()``.
        **kwargs: Layer arguments (``name``, ``input_shape``, ``activity_regularizer`` such as a
            ``KLDivergenceRegularizer``: its value is divided by the batch size, as Keras does
            for activity regularizers, and added to the objective once).

    Example:
        >>> layer = dp.layers.DistributionLambda(
        ...     lambda t: dp.distributions.Normal(loc=t[..., :1],
        ...                                       scale=1e-3 + F.softplus(t[..., 1:])),
        ...     convert_to_tensor_fn="mean")
        >>> rv = layer(torch.zeros(5, 2))
        >>> rv.stddev().shape
        torch.Size([5, 1])
    """

    def __init__(self, make_distribution_fn: Callable, convert_to_tensor_fn: Any = "sample",
                 **kwargs):
        kwargs.pop("make_distribution_fn", None)
        super().__init__(**kwargs)
        if not callable(make_distribution_fn):
            raise TypeError(
                f"Argument `make_distribution_fn` of {type(self).__name__}: expected a callable "
                f"returning a distribution, received {make_distribution_fn!r}."
            )
        self._make_distribution_fn = make_distribution_fn
        self._convert_to_tensor_fn = _coercion.get_convert_to_tensor_fn(convert_to_tensor_fn)

    @property
    def convert_to_tensor_fn(self) -> Callable:
        """The resolved conversion ``fn(distribution) -> tensor``."""
        return self._convert_to_tensor_fn

    def make_distribution(self, inputs):
        """The distribution for ``inputs``, without the tensor conversion attached."""
        return self._make_distribution_fn(inputs)

    def call(self, inputs):
        if _on_meta(inputs):
            # Shape inference: build the symbolic example on small CPU zeros instead, so the
            # next layer (with CPU weights) can consume its conversion.
            raise RuntimeError("distribution layers are not evaluated on the meta device")
        dist = self.make_distribution(inputs)
        if not hasattr(dist, "sample") or isinstance(dist, torch.Tensor):
            raise TypeError(
                f"Layer {self.name!r} ({type(self).__name__}): `make_distribution_fn` must return "
                f"a distribution, returned {type(dist).__name__}."
            )
        _coercion.attach(dist, self._convert_to_tensor_fn)
        reg = self.activity_regularizer
        if reg is not None:
            # Keras divides an activity penalty by the batch size: the first dim of the tensor
            # the output converts to (batch_shape + event_shape).
            shape = tuple(dist.batch_shape) + tuple(dist.event_shape)
            penalty = reg(dist)
            self.add_loss(penalty / shape[0] if shape else penalty)
        return dist

    def compute_output_shape(self, input_shape):
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["convert_to_tensor_fn"] = _coercion.serialize_convert_to_tensor_fn(
            self._convert_to_tensor_fn)
        if type(self) is DistributionLambda:
            config["make_distribution_fn"] = self._make_distribution_fn
        return config


class _NamedDistributionLayer(DistributionLambda):
    """Shared plumbing of the named layers: ``new`` bound to the layer's configuration."""

    def __init__(self, convert_to_tensor_fn="sample", validate_args: bool = False, **kwargs):
        kwargs.pop("make_distribution_fn", None)
        super().__init__(self._new_from_params, convert_to_tensor_fn, **kwargs)
        self._validate_args = bool(validate_args)

    def _new_from_params(self, params):
        raise NotImplementedError

    def _config(self) -> dict:
        return {}

    def get_config(self) -> dict:
        return {**super().get_config(), **self._config(), "validate_args": self._validate_args}


class IndependentNormal(_NamedDistributionLayer):
    """Independent Normal over ``event_shape`` from ``2 * prod(event_shape)`` parameters.

    The first half of the last axis is the mean, the second half goes through ``softplus`` to
    give the standard deviation (TFP's parameterization).

    Args:
        event_shape: shape of one draw (an int or a tuple).
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> dp.layers.IndependentNormal.params_size((2, 3))
        12
    """

    def __init__(self, event_shape=(), convert_to_tensor_fn="sample", validate_args=False,
                 **kwargs):
        self._event_shape = _event_shape(event_shape, type(self).__name__)
        super().__init__(convert_to_tensor_fn, validate_args, **kwargs)

    def _new_from_params(self, params):
        _check_params(params, self.params_size(self._event_shape), type(self).__name__,
                      f"2 x prod(event_shape={self._event_shape})")
        return self.new(params, self._event_shape, self._validate_args)

    @staticmethod
    def new(params, event_shape=(), validate_args=False, name=None):
        """The distribution for ``params`` (last axis: means, then pre-softplus scales)."""
        tfd = _distributions()
        event_shape = _event_shape(event_shape, "IndependentNormal")
        loc, scale = torch.chunk(params, 2, dim=-1)
        return tfd.Independent(
            tfd.Normal(loc=_reshape_event(loc, event_shape),
                       scale=F.softplus(_reshape_event(scale, event_shape)),
                       validate_args=validate_args),
            reinterpreted_batch_ndims=len(event_shape), validate_args=validate_args)

    @staticmethod
    def params_size(event_shape=(), name=None) -> int:
        """``2 * prod(event_shape)``."""
        return 2 * math.prod(_event_shape(event_shape, "IndependentNormal"))

    def _config(self) -> dict:
        return {"event_shape": list(self._event_shape)}


class IndependentLogistic(IndependentNormal):
    """Independent Logistic over ``event_shape`` from ``2 * prod(event_shape)`` parameters
    (locations, then pre-softplus scales).

    Args:
        event_shape: shape of one draw.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> dp.layers.IndependentLogistic(2)(torch.zeros(3, 4)).event_shape
        torch.Size([2])
    """

    @staticmethod
    def new(params, event_shape=(), validate_args=False, name=None):
        """The distribution for ``params`` (last axis: locations, then pre-softplus scales)."""
        tfd = _distributions()
        event_shape = _event_shape(event_shape, "IndependentLogistic")
        loc, scale = torch.chunk(params, 2, dim=-1)
        return tfd.Independent(
            tfd.Logistic(loc=_reshape_event(loc, event_shape),
                         scale=F.softplus(_reshape_event(scale, event_shape)),
                         validate_args=validate_args),
            reinterpreted_batch_ndims=len(event_shape), validate_args=validate_args)


class IndependentBernoulli(_NamedDistributionLayer):
    """Independent Bernoulli over ``event_shape`` from ``prod(event_shape)`` logits.

    Args:
        event_shape: shape of one draw (``(28, 28, 1)`` for a VAE decoder).
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        sample_dtype: dtype of samples (default: the parameters' float dtype, so a sample can
            feed another layer).
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> rv = dp.layers.IndependentBernoulli((2, 2))(torch.zeros(3, 4))
        >>> rv.log_prob(torch.ones(3, 2, 2))          # 4 * log(1/2) each
        tensor([-2.7726, -2.7726, -2.7726])
    """

    def __init__(self, event_shape=(), convert_to_tensor_fn="sample", sample_dtype=None,
                 validate_args=False, **kwargs):
        self._event_shape = _event_shape(event_shape, type(self).__name__)
        self._sample_dtype = sample_dtype
        super().__init__(convert_to_tensor_fn, validate_args, **kwargs)

    def _new_from_params(self, params):
        _check_params(params, self.params_size(self._event_shape), type(self).__name__,
                      f"prod(event_shape={self._event_shape})")
        return self.new(params, self._event_shape, self._sample_dtype, self._validate_args)

    @staticmethod
    def new(params, event_shape=(), dtype=None, validate_args=False, name=None):
        """The distribution for ``params`` (logits)."""
        tfd = _distributions()
        event_shape = _event_shape(event_shape, "IndependentBernoulli")
        dtype = _resolve_dtype(dtype) or params.dtype
        dist = tfd.Independent(
            tfd.Bernoulli(logits=_reshape_event(params, event_shape), dtype=dtype,
                          validate_args=validate_args),
            reinterpreted_batch_ndims=len(event_shape), validate_args=validate_args)
        return dist

    @staticmethod
    def params_size(event_shape=(), name=None) -> int:
        """``prod(event_shape)``."""
        return math.prod(_event_shape(event_shape, "IndependentBernoulli"))

    def _config(self) -> dict:
        return {"event_shape": list(self._event_shape),
                "sample_dtype": None if self._sample_dtype is None else str(self._sample_dtype)}


class IndependentPoisson(_NamedDistributionLayer):
    """Independent Poisson over ``event_shape`` from ``prod(event_shape)`` log-rates.

    Args:
        event_shape: shape of one draw.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> dp.layers.IndependentPoisson(1)(torch.zeros(2, 1)).mean()
        tensor([[1.],
                [1.]])
    """

    def __init__(self, event_shape=(), convert_to_tensor_fn="sample", validate_args=False,
                 **kwargs):
        self._event_shape = _event_shape(event_shape, type(self).__name__)
        super().__init__(convert_to_tensor_fn, validate_args, **kwargs)

    def _new_from_params(self, params):
        _check_params(params, self.params_size(self._event_shape), type(self).__name__,
                      f"prod(event_shape={self._event_shape})")
        return self.new(params, self._event_shape, self._validate_args)

    @staticmethod
    def new(params, event_shape=(), validate_args=False, name=None):
        """The distribution for ``params`` (log-rates)."""
        tfd = _distributions()
        event_shape = _event_shape(event_shape, "IndependentPoisson")
        return tfd.Independent(
            tfd.Poisson(log_rate=_reshape_event(params, event_shape),
                        validate_args=validate_args),
            reinterpreted_batch_ndims=len(event_shape), validate_args=validate_args)

    @staticmethod
    def params_size(event_shape=(), name=None) -> int:
        """``prod(event_shape)``."""
        return math.prod(_event_shape(event_shape, "IndependentPoisson"))

    def _config(self) -> dict:
        return {"event_shape": list(self._event_shape)}


class MultivariateNormalTriL(_NamedDistributionLayer):
    """Multivariate Normal with a full covariance from ``d + d (d + 1) / 2`` parameters.

    The first ``d`` are the mean; the rest fill the Cholesky factor through
    ``dp.bijectors.FillScaleTriL(diag_shift=1e-5)`` (softplus diagonal), as TFP.

    Args:
        event_size: dimension ``d`` of one draw.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments (``activity_regularizer=KLDivergenceRegularizer(prior)`` in
            a VAE encoder).

    Example:
        >>> dp.layers.MultivariateNormalTriL.params_size(2)
        5
    """

    def __init__(self, event_size: int, convert_to_tensor_fn="sample", validate_args=False,
                 **kwargs):
        self._event_size = _positive(event_size, "event_size", type(self).__name__)
        super().__init__(convert_to_tensor_fn, validate_args, **kwargs)
        from deepprob import bijectors

        self.__dict__["_fill"] = bijectors.FillScaleTriL(diag_shift=1e-5)
        self.__dict__["_fill_index"] = None

    def _scale_tril(self, packed: torch.Tensor) -> torch.Tensor:
        """``FillScaleTriL(diag_shift=1e-5).forward(packed)`` by one gather (the bijector's
        placement, read once from it): no bijector call, cache or hooks per step."""
        d = self._event_size
        index = self.__dict__["_fill_index"]
        if index is None or index.device != packed.device:
            with torch.no_grad():
                m = d * (d + 1) // 2
                pos = self._fill.forward(torch.arange(1, m + 1, dtype=torch.float64))
                pos = pos.round().long() - 1
            index = pos.clamp(min=0).reshape(-1).to(packed.device)
            self.__dict__["_fill_index"] = index
        raw = packed[..., index].reshape(packed.shape[:-1] + (d, d))
        diag = F.softplus(torch.diagonal(raw, dim1=-2, dim2=-1)) + 1e-5
        return torch.tril(raw, diagonal=-1) + torch.diag_embed(diag)

    def _new_from_params(self, params):
        d = self._event_size
        _check_params(params, self.params_size(d), type(self).__name__,
                      f"{d} + {d} x {d + 1} / 2 for event_size={d}")
        tfd = _distributions()
        return tfd.MultivariateNormalTriL(loc=params[..., :d],
                                          scale_tril=self._scale_tril(params[..., d:]),
                                          validate_args=self._validate_args)

    @staticmethod
    def new(params, event_size, validate_args=False, name=None):
        """The distribution for ``params`` (means, then the packed Cholesky factor)."""
        from deepprob import bijectors

        tfd = _distributions()
        d = _positive(event_size, "event_size", "MultivariateNormalTriL")
        fill = bijectors.FillScaleTriL(diag_shift=1e-5)
        return tfd.MultivariateNormalTriL(loc=params[..., :d],
                                          scale_tril=fill.forward(params[..., d:]),
                                          validate_args=validate_args)

    @staticmethod
    def params_size(event_size, name=None) -> int:
        """``event_size + event_size * (event_size + 1) / 2``."""
        d = _positive(event_size, "event_size", "MultivariateNormalTriL")
        return d + d * (d + 1) // 2

    def _config(self) -> dict:
        return {"event_size": self._event_size}


class OneHotCategorical(_NamedDistributionLayer):
    """One-hot categorical over ``event_size`` classes from ``event_size`` logits.

    Samples (and ``mode()``) are one-hot float vectors, so ``predict`` with
    ``convert_to_tensor_fn="mode"`` gives one-hot predictions and ``mean()`` the probabilities.

    Args:
        event_size: number of classes.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        sample_dtype: dtype of samples (default: the logits' dtype).
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> dp.layers.OneHotCategorical(3)(torch.zeros(1, 3)).mean()
        tensor([[0.3333, 0.3333, 0.3333]])
    """

    def __init__(self, event_size: int, convert_to_tensor_fn="sample", sample_dtype=None,
                 validate_args=False, **kwargs):
        self._event_size = _positive(event_size, "event_size", type(self).__name__)
        self._sample_dtype = sample_dtype
        super().__init__(convert_to_tensor_fn, validate_args, **kwargs)

    def _new_from_params(self, params):
        _check_params(params, self._event_size, type(self).__name__,
                      f"one logit per class, event_size={self._event_size}")
        return self.new(params, self._event_size, self._sample_dtype, self._validate_args)

    @staticmethod
    def new(params, event_size, dtype=None, validate_args=False, name=None):
        """The distribution for ``params`` (logits)."""
        tfd = _distributions()
        return tfd.OneHotCategorical(logits=params, dtype=_resolve_dtype(dtype) or params.dtype,
                                     validate_args=validate_args)

    @staticmethod
    def params_size(event_size, name=None) -> int:
        """``event_size``."""
        return _positive(event_size, "event_size", "OneHotCategorical")

    def _config(self) -> dict:
        return {"event_size": self._event_size,
                "sample_dtype": None if self._sample_dtype is None else str(self._sample_dtype)}


class MixtureSameFamily(_NamedDistributionLayer):
    """Mixture of ``num_components`` distributions made by ``component_layer``.

    Parameters: ``num_components`` mixture logits, then ``num_components`` blocks of the
    component layer's parameters.

    Args:
        num_components: number of mixture components.
        component_layer: a distribution layer (``IndependentNormal(event_shape)`` ...) whose
            ``make_distribution`` builds the components from ``[..., num_components, size]``.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> comp = dp.layers.IndependentNormal(1)
        >>> dp.layers.MixtureSameFamily.params_size(3, dp.layers.IndependentNormal.params_size(1))
        9
        >>> dp.layers.MixtureSameFamily(3, comp)(torch.zeros(2, 9)).event_shape
        torch.Size([1])
    """

    def __init__(self, num_components: int, component_layer, convert_to_tensor_fn="sample",
                 validate_args=False, **kwargs):
        self._num_components = _positive(num_components, "num_components", type(self).__name__)
        if not isinstance(component_layer, DistributionLambda):
            raise TypeError(
                f"Argument `component_layer` of {type(self).__name__}: expected a distribution "
                f"layer (IndependentNormal(...) ...), received {component_layer!r}."
            )
        super().__init__(convert_to_tensor_fn, validate_args, **kwargs)
        self.__dict__["_component_layer"] = component_layer

    def _new_from_params(self, params):
        return self.new(params, self._num_components, self._component_layer,
                        self._validate_args)

    @staticmethod
    def new(params, num_components, component_layer, validate_args=False, name=None):
        """The mixture for ``params`` (mixture logits, then the components' parameters)."""
        tfd = _distributions()
        k = _positive(num_components, "num_components", "MixtureSameFamily")
        rest = params.shape[-1] - k
        if rest <= 0 or rest % k:
            raise ValueError(
                f"MixtureSameFamily: its input must have {k} mixture logits plus {k} equal "
                f"blocks of component parameters on the last axis; received input of shape "
                f"{tuple(params.shape)}. Size the layer before it with "
                f"`MixtureSameFamily.params_size(num_components, component_params_size)`."
            )
        logits = params[..., :k]
        comp = params[..., k:].reshape(params.shape[:-1] + (k, rest // k))
        make = getattr(component_layer, "make_distribution", component_layer)
        components = make(comp)
        return tfd.MixtureSameFamily(
            mixture_distribution=tfd.Categorical(logits=logits, validate_args=validate_args),
            components_distribution=components, validate_args=validate_args)

    @staticmethod
    def params_size(num_components, component_params_size, name=None) -> int:
        """``num_components * (1 + component_params_size)``."""
        k = _positive(num_components, "num_components", "MixtureSameFamily")
        return k + k * int(component_params_size)


class MixtureNormal(MixtureSameFamily):
    """Mixture of ``num_components`` independent Normals over ``event_shape``
    (a mixture density network head).

    Args:
        num_components: number of mixture components.
        event_shape: shape of one draw.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> dp.layers.MixtureNormal.params_size(5, [1])
        15
    """

    _component = IndependentNormal

    def __init__(self, num_components: int, event_shape=(), convert_to_tensor_fn="sample",
                 validate_args=False, **kwargs):
        self._event_shape = _event_shape(event_shape, type(self).__name__)
        super().__init__(num_components, self._component(self._event_shape,
                                                         validate_args=validate_args),
                         convert_to_tensor_fn, validate_args, **kwargs)

    def _new_from_params(self, params):
        _check_params(params, self.params_size(self._num_components, self._event_shape),
                      type(self).__name__,
                      f"num_components={self._num_components}, event_shape={self._event_shape}")
        return MixtureSameFamily.new(params, self._num_components, self._component_layer,
                                     self._validate_args)

    @classmethod
    def params_size(cls, num_components, event_shape=(), name=None) -> int:
        """``num_components * (1 + component params_size(event_shape))``."""
        return MixtureSameFamily.params_size(num_components,
                                             cls._component.params_size(event_shape))

    def _config(self) -> dict:
        return {"num_components": self._num_components, "event_shape": list(self._event_shape)}


class MixtureLogistic(MixtureNormal):
    """Mixture of ``num_components`` independent Logistics over ``event_shape``.

    Args:
        num_components: number of mixture components.
        event_shape: shape of one draw.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> dp.layers.MixtureLogistic.params_size(2, 3)
        14
    """

    _component = IndependentLogistic


class CategoricalMixtureOfOneHotCategorical(MixtureSameFamily):
    """Mixture of ``num_components`` one-hot categoricals over ``event_size`` classes.

    Args:
        event_size: number of classes.
        num_components: number of mixture components.
        convert_to_tensor_fn: as :class:`DistributionLambda`.
        sample_dtype: dtype of samples.
        validate_args: check the distribution's parameters.
        **kwargs: Layer arguments.

    Example:
        >>> dp.layers.CategoricalMixtureOfOneHotCategorical.params_size(4, 2)
        10
    """

    def __init__(self, event_size: int, num_components: int, convert_to_tensor_fn="sample",
                 sample_dtype=None, validate_args=False, **kwargs):
        self._event_size = _positive(event_size, "event_size", type(self).__name__)
        super().__init__(num_components, OneHotCategorical(event_size, sample_dtype=sample_dtype),
                         convert_to_tensor_fn, validate_args, **kwargs)

    def _new_from_params(self, params):
        _check_params(params, self.params_size(self._event_size, self._num_components),
                      type(self).__name__,
                      f"event_size={self._event_size}, num_components={self._num_components}")
        return MixtureSameFamily.new(params, self._num_components, self._component_layer,
                                     self._validate_args)

    @staticmethod
    def params_size(event_size, num_components, name=None) -> int:
        """``num_components * (1 + event_size)``."""
        return MixtureSameFamily.params_size(num_components, OneHotCategorical.params_size(
            event_size))

    def _config(self) -> dict:
        return {"event_size": self._event_size, "num_components": self._num_components}


def _on_meta(inputs) -> bool:
    if isinstance(inputs, torch.Tensor):
        return inputs.device.type == "meta"
    if isinstance(inputs, (list, tuple)):
        return any(_on_meta(x) for x in inputs)
    return False


def _resolve_dtype(dtype) -> torch.dtype | None:
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    value = getattr(torch, str(dtype).replace("torch.", ""), None)
    if not isinstance(value, torch.dtype):
        raise ValueError(f"Argument `sample_dtype`: expected a torch dtype or its name, "
                         f"received {dtype!r}.")
    return value


__all__: Sequence[str] = [
    "DistributionLambda", "IndependentNormal", "IndependentLogistic", "IndependentBernoulli",
    "IndependentPoisson", "MultivariateNormalTriL", "OneHotCategorical", "MixtureSameFamily",
    "MixtureNormal", "MixtureLogistic", "CategoricalMixtureOfOneHotCategorical",
]

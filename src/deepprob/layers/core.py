"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from deepprob.engine.layer import InputSpec, Layer


def resolve_activation(activation):
    """(function, keeps_logits) for an activation name / callable; ``None`` is linear."""
    from deepprob import activations

    fn = activations.get(activation)
    name = activations.serialize(fn) if fn is not None else "linear"
    if name == "linear":
        return None, None
    return fn, name if name in ("softmax", "sigmoid") else None


def apply_activation(fn, logits_kind, z):
    """Apply ``fn`` and, for softmax / sigmoid, keep the logits on the output (``_keras_logits``)
    so cross-entropy losses compute from them exactly."""
    if fn is None:
        return z
    out = fn(z)
    if logits_kind is not None:
        out._keras_logits = z
        out._keras_logits_kind = logits_kind
    return out


def _positive_int(value, name: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"Argument `{name}` of {layer}: expected a positive integer, received {value!r}."
        )
    return value


class Dense(Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)`` on the last axis.

    Args:
        units: positive number of output units.
        activation: name or callable; ``None`` is linear.
        use_bias: whether to add a bias.
        kernel_initializer: initializer of the ``(input_dim, units)`` kernel (Glorot uniform).
        bias_initializer: initializer of the bias (zeros).
        kernel_regularizer, bias_regularizer: penalties added to the model's losses.
        activity_regularizer: penalty on the output.
        kernel_constraint, bias_constraint: applied after each optimizer step.

    Example:
        >>> layer = dp.layers.Dense(3, activation="relu")
        >>> layer(torch.ones(2, 4)).shape
        torch.Size([2, 3])
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(units, "units", "Dense")
        self.activation = activation
        self._act, self._logits_kind = resolve_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(
                f"Dense layer {self.name!r}: the last dimension of its input must be known, "
                f"received input shape {tuple(input_shape)}."
            )
        # Keras layout (in, units); stored (units, in) for F.linear.
        self.add_weight("kernel", (in_dim, self.units), self.kernel_initializer,
                        regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                        torch_layout=(1, 0))
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer,
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    def call(self, inputs):
        if not inputs.is_floating_point():
            inputs = inputs.to(self.kernel.dtype)
        z = F.linear(inputs, self.kernel, self.bias)
        if self._act is None:
            return z
        return apply_activation(self._act, self._logits_kind, z)

    def get_config(self) -> dict:
        from deepprob import activations, initializers, regularizers

        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self._act) if self._act else "linear",
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(initializers.get(
                    self.kernel_initializer)),
                "bias_initializer": initializers.serialize(initializers.get(self.bias_initializer)),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer)
                if self.kernel_regularizer is not None else None,
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)
                if self.bias_regularizer is not None else None}


class Activation(Layer):
    """Apply an activation function.

    Args:
        activation: name (``"relu"``) or callable.

    Example:
        >>> dp.layers.Activation("relu")(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation
        self._act, self._logits_kind = resolve_activation(activation)

    def call(self, inputs):
        return apply_activation(self._act, self._logits_kind, inputs)

    def get_config(self) -> dict:
        from deepprob import activations

        return {**super().get_config(),
                "activation": activations.serialize(self._act) if self._act else "linear"}


class Dropout(Layer):
    """Randomly zero a fraction ``rate`` of inputs during training (scaling the rest by
    ``1 / (1 - rate)``); the identity at inference.

    Args:
        rate: fraction in [0, 1) to drop.
        noise_shape: shape of the binary mask (``None`` dims take the input's size), e.g.
            ``(batch, 1, features)`` to drop the same features at every time step.
        seed: optional seed for repeatable masks.
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Sequence[int | None] | None = None,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(
                f"Argument `rate` of Dropout: expected a float in [0, 1), received {rate!r}."
            )
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self._generator = None
        if seed is not None:
            self._generator = torch.Generator().manual_seed(int(seed))

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        if self.noise_shape is None and self._generator is None:
            return F.dropout(inputs, self.rate, training=True)
        shape = inputs.shape if self.noise_shape is None else tuple(
            s if n is None else n for n, s in zip(self.noise_shape, inputs.shape))
        keep = 1.0 - self.rate
        if self._generator is not None:
            u = torch.rand(shape, generator=self._generator).to(inputs.device)
        else:
            u = torch.rand(shape, device=inputs.device)
        return inputs * (u < keep).to(inputs.dtype) / keep

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": list(self.noise_shape) if self.noise_shape else None,
                "seed": self.seed}


class Flatten(Layer):
    """Flatten each sample to one dimension, in channels-last ``(H, W, C)`` order as Keras.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    """

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(
                "Argument `data_format` of Flatten: expected 'channels_last' or "
                f"'channels_first', received {data_format!r}."
            )
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.dim() > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.reshape(inputs.shape[0], -1)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one entry may be -1).

    Args:
        target_shape: the new shape of one sample, without the batch dimension.
    """

    def __init__(self, target_shape: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target_shape) > 1 or any(d == 0 or d < -1 for d in target_shape):
            raise ValueError(
                "Argument `target_shape` of Reshape: expected positive sizes and at most one -1, "
                f"received {target_shape!r}."
            )
        self.target_shape = target_shape

    def call(self, inputs):
        per_sample = math.prod(inputs.shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if (-1 not in self.target_shape and known != per_sample) or (
                -1 in self.target_shape and per_sample % known):
            raise ValueError(
                f"Reshape {self.name!r}: cannot reshape samples of shape "
                f"{tuple(inputs.shape[1:])} ({per_sample} values) to {self.target_shape}."
            )
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Permute the non-batch axes; ``dims`` are 1-based as in Keras (``(2, 1)`` swaps them).

    Args:
        dims: a permutation of ``1 .. rank``.
    """

    def __init__(self, dims: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        dims = tuple(int(d) for d in dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f"Argument `dims` of Permute: expected a permutation of 1..{len(dims)}, "
                f"received {dims!r}."
            )
        self.dims = dims

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """Repeat a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    Args:
        n: number of repetitions.
    """

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        self.n = _positive_int(n, "n", "RepeatVector")
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


class Lambda(Layer):
    """Wrap a function of tensors as a layer: ``Lambda(lambda x: torch.unsqueeze(x, -1))``.

    Args:
        function: ``function(inputs)`` or ``function(inputs, **arguments)``.
        output_shape: accepted for Keras compatibility (shapes are inferred).
        arguments: extra keyword arguments for ``function``.

    Saving a model with a Lambda stores the function's bytecode; loading it needs
    ``safe_mode=False``, as in Keras.
    """

    def __init__(self, function: Callable, output_shape=None, mask=None,
                 arguments: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"Argument `function` of Lambda: expected a callable, received {function!r}."
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        if mask is not None:
            warnings.warn("Lambda(mask=...) is ignored; masks pass through.", stacklevel=2)

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def get_config(self) -> dict:
        from deepprob.engine import serialization

        return {**super().get_config(), "function": serialization.serialize_function(self.function),
                "arguments": self.arguments}


class Identity(Layer):
    """Return the input unchanged."""

    supports_masking = True

    def call(self, inputs):
        return inputs

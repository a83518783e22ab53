"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization.

``BatchNormalization`` follows Keras 3: ``momentum=0.99``, ``epsilon=1e-3``, moving statistics as
non-trainable weights updated as ``moving = moving * momentum + batch * (1 - momentum)`` with the
*biased* batch variance (Keras's ``ops.moments``; torch's own running variance is unbiased), and a
layer with ``trainable=False`` runs in inference mode (moving statistics, no update) even during
``fit``, as Keras 2.1+ does for fine-tuning. The math is torch's fused batch norm, run on the
channels-first view of channels-last inputs (no copy for images).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from deepprob.engine.layer import InputSpec, Layer


def _axes(axis, layer: str) -> tuple[int, ...]:
    items = (axis,) if isinstance(axis, int) and not isinstance(axis, bool) else axis
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if not items or any(isinstance(a, bool) or not isinstance(a, int) for a in items):
        raise ValueError(
            f"Argument `axis` of {layer}: expected an integer or a list of integers, "
            f"received {axis!r}."
        )
    return items


def _resolve_axes(axes: Sequence[int], rank: int, layer) -> tuple[int, ...]:
    out = []
    for a in axes:
        if not -rank <= a < rank or a % rank == 0:
            raise ValueError(
                f"Argument `axis` of {type(layer).__name__} {layer.name!r}: axis {a} is out of "
                f"range for inputs of rank {rank} (the batch axis 0 cannot be normalized over)."
            )
        out.append(a % rank)
    return tuple(sorted(set(out)))


def _ser(kind: str, value):
    import importlib

    if value is None:
        return None
    module = importlib.import_module(f"deepprob.{kind}")
    return module.serialize(module.get(value))


class BatchNormalization(Layer):
    """Normalize each feature (channel) by batch statistics in training and by moving averages
    of them at inference, then scale by ``gamma`` and shift by ``beta``.

    Args:
        axis: the feature axis (``-1``, channels-last, by default; ``1`` for channels-first).
        momentum: weight of the old moving statistics in each update (0.99).
        epsilon: added to the variance (1e-3).
        center: learn ``beta``.
        scale: learn ``gamma``.
        beta_initializer, gamma_initializer: zeros, ones.
        moving_mean_initializer, moving_variance_initializer: zeros, ones.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Keras.

    Weights (Keras's order): ``gamma``, ``beta``, ``moving_mean``, ``moving_variance``; the last
    two are non-trainable.

    Example:
        >>> bn = dp.layers.BatchNormalization()
        >>> y = bn(torch.randn(32, 8, 8, 16), training=True)   # normalized over batch, h, w
        >>> y.shape
        torch.Size([32, 8, 8, 16])
    """

    supports_masking = True

    def __init__(self, axis=-1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized: bool = False, **kwargs):
        super().__init__(**kwargs)
        axes = _axes(axis, "BatchNormalization")
        if len(axes) != 1:
            raise ValueError(
                "Argument `axis` of BatchNormalization: deepprob normalizes over one feature "
                f"axis; received {axis!r}."
            )
        self.axis = axes[0]
        for name, value, low, high in (("momentum", momentum, 0.0, 1.0),
                                       ("epsilon", epsilon, 0.0, float("inf"))):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    low <= value <= high if name == "momentum" else value > low):
                what = "a float in [0, 1]" if name == "momentum" else "a positive float"
                raise ValueError(
                    f"Argument `{name}` of BatchNormalization: expected {what}, "
                    f"received {value!r}."
                )
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.synchronized = bool(synchronized)

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        (axis,) = _resolve_axes((self.axis,), rank, self)
        size = input_shape[axis]
        if size is None:
            raise ValueError(
                f"BatchNormalization layer {self.name!r}: axis {self.axis} of its input must have"
                f" a known size, received input shape {tuple(input_shape)}."
            )
        if self.scale:
            self.add_weight("gamma", (size,), self.gamma_initializer,
                            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        else:
            self.gamma = None
        if self.center:
            self.add_weight("beta", (size,), self.beta_initializer,
                            regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        else:
            self.beta = None
        self.add_weight("moving_mean", (size,), self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", (size,), self.moving_variance_initializer,
                        trainable=False)
        self._axis = axis
        self.input_spec = InputSpec(ndim=rank, axes={axis: size})
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if inputs.dim() != self.input_spec.ndim:
            self.input_spec.check(self.name, tuple(inputs.shape))
        if not inputs.is_floating_point():
            inputs = inputs.to(self.moving_mean.dtype)
        x = inputs.movedim(self._axis, 1) if self._axis != 1 else inputs
        if self.synchronized and training and self.trainable:
            raise NotImplementedError(
                "BatchNormalization(synchronized=True): use torch.nn.SyncBatchNorm conversion "
                "through dp.distribute for synchronized statistics."
            )
        if training and self.trainable:
            if mask is not None:
                y = self._masked_train(x, mask)
            else:
                y, mean, invstd = torch.native_batch_norm(
                    x, self.gamma, self.beta, None, None, True, 0.0, self.epsilon)
                with torch.no_grad():
                    # Keras's moments use the biased variance: var = 1 / invstd^2 - epsilon.
                    self._update(mean, invstd.pow(-2) - self.epsilon)
        else:
            y = F.batch_norm(x, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                             False, 0.0, self.epsilon)
        return y.movedim(1, self._axis) if self._axis != 1 else y

    def _update(self, mean: torch.Tensor, var: torch.Tensor) -> None:
        m = self.momentum
        self.moving_mean.mul_(m).add_(mean.to(self.moving_mean.dtype), alpha=1.0 - m)
        self.moving_variance.mul_(m).add_(var.to(self.moving_variance.dtype), alpha=1.0 - m)

    def _masked_train(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Statistics over unmasked positions only (mask of the input without its feature axis)."""
        weights = mask.to(x.dtype).unsqueeze(1)
        dims = [0] + list(range(2, x.dim()))
        count = weights.sum(dim=dims, keepdim=True).clamp_min(1.0)
        mean = (x * weights).sum(dim=dims, keepdim=True) / count
        var = ((x - mean).square() * weights).sum(dim=dims, keepdim=True) / count
        with torch.no_grad():
            self._update(mean.flatten(), var.flatten())
        shape = (1, -1) + (1,) * (x.dim() - 2)
        y = (x - mean) * torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self.gamma.view(shape)
        if self.beta is not None:
            y = y + self.beta.view(shape)
        return y

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": _ser("initializers", self.beta_initializer),
                "gamma_initializer": _ser("initializers", self.gamma_initializer),
                "moving_mean_initializer": _ser("initializers", self.moving_mean_initializer),
                "moving_variance_initializer": _ser("initializers",
                                                    self.moving_variance_initializer),
                "beta_regularizer": _ser("regularizers", self.beta_regularizer),
                "gamma_regularizer": _ser("regularizers", self.gamma_regularizer),
                "beta_constraint": _ser("constraints", self.beta_constraint),
                "gamma_constraint": _ser("constraints", self.gamma_constraint),
                "synchronized": self.synchronized}


class LayerNormalization(Layer):
    """Normalize each sample over ``axis`` (the features, by default), then scale and shift.

    Args:
        axis: axis or axes to normalize over (``-1``).
        epsilon: added to the variance (1e-3, as Keras).
        center: learn ``beta`` (shape of the normalized axes).
        scale: learn ``gamma``.
        rms_scaling: divide by the root mean square instead of centering and standardizing
            (Keras 3's option; ``beta`` is then not used).
        beta_initializer, gamma_initializer: zeros, ones.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Keras.

    Example:
        >>> y = dp.layers.LayerNormalization()(torch.randn(4, 10))
        >>> torch.allclose(y.mean(-1), torch.zeros(4), atol=1e-5)
        True
    """

    supports_masking = True

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 rms_scaling: bool = False, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes(axis, "LayerNormalization")
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(
                "Argument `epsilon` of LayerNormalization: expected a positive float, "
                f"received {epsilon!r}."
            )
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        axes = _resolve_axes(self.axis, rank, self)
        shape = tuple(input_shape[a] for a in axes)
        if any(s is None for s in shape):
            raise ValueError(
                f"LayerNormalization layer {self.name!r}: the normalized axes {self.axis} must "
                f"have known sizes, received input shape {tuple(input_shape)}."
            )
        # Keras's weights have the normalized axes' sizes (a vector for one axis).
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer,
                            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        else:
            self.gamma = None
        if self.center and not self.rms_scaling:
            self.add_weight("beta", shape, self.beta_initializer,
                            regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        else:
            self.beta = None
        self._axes_resolved = axes
        self._trailing = axes == tuple(range(rank - len(axes), rank))
        self.input_spec = InputSpec(ndim=rank, axes={a: s for a, s in zip(axes, shape)})
        self.built = True

    def call(self, inputs):
        if inputs.dim() != self.input_spec.ndim:
            self.input_spec.check(self.name, tuple(inputs.shape))
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        axes = self._axes_resolved
        if self.rms_scaling:
            y = inputs * torch.rsqrt(inputs.square().mean(dim=axes, keepdim=True) + self.epsilon)
            return y * self._broadcast(self.gamma, inputs.dim()) if self.gamma is not None else y
        if self._trailing:
            shape = tuple(inputs.shape[axes[0]:])
            return F.layer_norm(inputs, shape, self.gamma, self.beta, self.epsilon)
        var, mean = torch.var_mean(inputs, dim=axes, keepdim=True, correction=0)
        y = (inputs - mean) * torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self._broadcast(self.gamma, inputs.dim())
        if self.beta is not None:
            y = y + self._broadcast(self.beta, inputs.dim())
        return y

    def _broadcast(self, w: torch.Tensor, rank: int) -> torch.Tensor:
        shape = [1] * rank
        for a, s in zip(self._axes_resolved, w.shape):
            shape[a] = s
        return w.reshape(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": list(self.axis), "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": _ser("initializers", self.beta_initializer),
                "gamma_initializer": _ser("initializers", self.gamma_initializer),
                "beta_regularizer": _ser("regularizers", self.beta_regularizer),
                "gamma_regularizer": _ser("regularizers", self.gamma_regularizer),
                "beta_constraint": _ser("constraints", self.beta_constraint),
                "gamma_constraint": _ser("constraints", self.gamma_constraint)}


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm over ``axis``: ``x * rsqrt(max(sum(x^2), 1e-12))``, as
    Keras.

    Args:
        axis: axis or axes over which the norm is taken (``-1``).

    Example:
        >>> dp.layers.UnitNormalization()(torch.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes(axis, "UnitNormalization")

    def call(self, inputs):
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        squares = inputs.square().sum(dim=self.axis, keepdim=True)
        return inputs * torch.rsqrt(squares.clamp_min(1e-12))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": list(self.axis)}

"""Activation functions with Keras 3's names and definitions, on ``torch.nn.functional``.

``dp.activations.get("relu")`` resolves a name (``None`` is ``linear``); layers accept the same
names through ``activation=``. Each function takes and returns a tensor.

Example:
    >>> import torch, deepprob as dp
    >>> dp.activations.relu(torch.tensor([-1.0, 2.0, 9.0]), max_value=6.0)
    tensor([0., 2., 6.])
    >>> dp.activations.get("hard_sigmoid")(torch.tensor([0.0]))
    tensor([0.5000])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from deepprob._errors import unknown

__all__ = [
    "relu", "sigmoid", "softmax", "log_softmax", "tanh", "linear", "elu", "selu", "gelu",
    "swish", "silu", "softplus", "softsign", "leaky_relu", "relu6", "exponential",
    "hard_sigmoid", "hard_swish", "hard_silu", "mish", "log_sigmoid", "celu", "hard_tanh",
    "tanh_shrink", "glu", "get", "serialize", "deserialize",
]


def relu(x: torch.Tensor, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> torch.Tensor:
    """Rectified linear unit with Keras's options.

    ``max_value`` where ``x >= max_value``; ``x`` where ``threshold <= x < max_value``;
    ``negative_slope * (x - threshold)`` below ``threshold``.

    Args:
        x: Input tensor.
        negative_slope: Slope below the threshold.
        max_value: Upper saturation value (None: no saturation).
        threshold: Values below it are zeroed (or get the negative slope).

    Example:
        >>> relu(torch.tensor([-2.0, 0.5, 3.0]), negative_slope=0.1, threshold=1.0)
        tensor([-0.3000, -0.0500,  3.0000])
    """
    if negative_slope == 0 and max_value is None and threshold == 0:
        return F.relu(x)
    if max_value is None and threshold == 0:
        return F.leaky_relu(x, negative_slope)
    if max_value is not None and max_value < 0:
        raise ValueError(f"relu: argument `max_value` must be >= 0; received {max_value!r}.")
    out = x * (x > threshold) if threshold != 0 else F.relu(x)
    if max_value is not None:
        out = out.clamp(max=max_value)
    if negative_slope != 0:
        out = out - negative_slope * F.relu(threshold - x)
    return out


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.2) -> torch.Tensor:
    """``x`` for ``x >= 0``, ``negative_slope * x`` below (Keras 3's default slope is 0.2).

    Args:
        x: Input tensor.
        negative_slope: Slope for negative inputs.

    Example:
        >>> leaky_relu(torch.tensor([-1.0, 1.0]))
        tensor([-0.2000,  1.0000])
    """
    return F.leaky_relu(x, negative_slope)


def relu6(x: torch.Tensor) -> torch.Tensor:
    """``min(max(x, 0), 6)``.

    Args:
        x: Input tensor.

    Example:
        >>> relu6(torch.tensor([-1.0, 7.0]))
        tensor([0., 6.])
    """
    return F.relu6(x)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``1 / (1 + exp(-x))``.

    Args:
        x: Input tensor.

    Example:
        >>> sigmoid(torch.tensor([0.0]))
        tensor([0.5000])
    """
    return torch.sigmoid(x)


def softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``.

    Args:
        x: Input tensor.
        axis: The axis normalized over.

    Example:
        >>> softmax(torch.tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
    """
    return torch.softmax(x, dim=axis)


def log_softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """``x - logsumexp(x)`` along ``axis`` (numerically stable).

    Args:
        x: Input tensor.
        axis: The axis normalized over.

    Example:
        >>> log_softmax(torch.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """
    return torch.log_softmax(x, dim=axis)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """Hyperbolic tangent.

    Args:
        x: Input tensor.

    Example:
        >>> tanh(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.tanh(x)


def linear(x: torch.Tensor) -> torch.Tensor:
    """The identity (``activation=None`` means this).

    Args:
        x: Input tensor.

    Example:
        >>> linear(torch.tensor([-3.0]))
        tensor([-3.])
    """
    return x


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.

    Example:
        >>> elu(torch.tensor([1.0]))
        tensor([1.])
    """
    return F.elu(x, alpha)


def selu(x: torch.Tensor) -> torch.Tensor:
    """Scaled ELU with the self-normalizing constants (scale 1.0507..., alpha 1.6732...).

    Args:
        x: Input tensor.

    Example:
        >>> selu(torch.tensor([1.0]))
        tensor([1.0507])
    """
    return F.selu(x)


def gelu(x: torch.Tensor, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit ``x * Phi(x)``; ``approximate=True`` uses the tanh formula.

    Args:
        x: Input tensor.
        approximate: Use ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    Example:
        >>> gelu(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8413])
    """
    return F.gelu(x, approximate="tanh" if approximate else "none")


def silu(x: torch.Tensor) -> torch.Tensor:
    """``x * sigmoid(x)`` (also named ``swish``).

    Args:
        x: Input tensor.

    Example:
        >>> silu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.silu(x)


swish = silu


def softplus(x: torch.Tensor) -> torch.Tensor:
    """``log(1 + exp(x))`` (computed stably).

    Args:
        x: Input tensor.

    Example:
        >>> softplus(torch.tensor([0.0]))
        tensor([0.6931])
    """
    return F.softplus(x)


def softsign(x: torch.Tensor) -> torch.Tensor:
    """``x / (1 + |x|)``.

    Args:
        x: Input tensor.

    Example:
        >>> softsign(torch.tensor([1.0]))
        tensor([0.5000])
    """
    return F.softsign(x)


def exponential(x: torch.Tensor) -> torch.Tensor:
    """``exp(x)``.

    Args:
        x: Input tensor.

    Example:
        >>> exponential(torch.tensor([0.0]))
        tensor([1.])
    """
    return torch.exp(x)


def hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Keras 3's hard sigmoid ``relu6(x + 3) / 6`` (0 below -3, 1 above 3).

    tf.keras 2 used ``clip(0.2 x + 0.5, 0, 1)``; Keras 3 (and torch) use slope 1/6.

    Args:
        x: Input tensor.

    Example:
        >>> hard_sigmoid(torch.tensor([-4.0, 0.0, 1.5, 4.0]))
        tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    return F.hardsigmoid(x)


def hard_silu(x: torch.Tensor) -> torch.Tensor:
    """``x * hard_sigmoid(x)`` (also named ``hard_swish``).

    Args:
        x: Input tensor.

    Example:
        >>> hard_silu(torch.tensor([1.5]))
        tensor([1.1250])
    """
    return F.hardswish(x)


hard_swish = hard_silu


def mish(x: torch.Tensor) -> torch.Tensor:
    """``x * tanh(softplus(x))``.

    Args:
        x: Input tensor.

    Example:
        >>> mish(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.mish(x)


def log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``log(sigmoid(x))`` (computed stably).

    Args:
        x: Input tensor.

    Example:
        >>> log_sigmoid(torch.tensor([0.0]))
        tensor([-0.6931])
    """
    return F.logsigmoid(x)


def celu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.

    Example:
        >>> celu(torch.tensor([2.0]))
        tensor([2.])
    """
    return F.celu(x, alpha)


def hard_tanh(x: torch.Tensor) -> torch.Tensor:
    """``clip(x, -1, 1)``.

    Args:
        x: Input tensor.

    Example:
        >>> hard_tanh(torch.tensor([-3.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """
    return F.hardtanh(x)


def tanh_shrink(x: torch.Tensor) -> torch.Tensor:
    """``x - tanh(x)``.

    Args:
        x: Input tensor.

    Example:
        >>> tanh_shrink(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.tanhshrink(x)


def glu(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: split ``x`` in halves ``a, b`` along ``axis``; ``a * sigmoid(b)``.

    Args:
        x: Input tensor (even size along ``axis``).
        axis: The axis split in two.

    Example:
        >>> glu(torch.tensor([2.0, 0.0]))
        tensor([1.])
    """
    if x.shape[axis] % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even; received input of shape "
                         f"{tuple(x.shape)}.")
    return F.glu(x, dim=axis)


_ACTIVATIONS: dict[str, Callable] = {
    "relu": relu, "sigmoid": sigmoid, "softmax": softmax, "log_softmax": log_softmax,
    "tanh": tanh, "linear": linear, "elu": elu, "selu": selu, "gelu": gelu, "silu": silu,
    "swish": swish, "softplus": softplus, "softsign": softsign, "leaky_relu": leaky_relu,
    "relu6": relu6, "exponential": exponential, "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu, "hard_swish": hard_swish, "mish": mish, "log_sigmoid": log_sigmoid,
    "celu": celu, "hard_tanh": hard_tanh, "tanh_shrink": tanh_shrink, "glu": glu,
}
# Names under which a function serializes (aliases map to Keras 3's canonical name).
_CANONICAL = {id(fn): name for name, fn in _ACTIVATIONS.items() if name not in (
    "swish", "hard_swish")}
# torch functions a user may pass directly, serialized under the Keras name.
_TORCH_NAMES = {
    id(F.relu): "relu", id(torch.relu): "relu", id(torch.sigmoid): "sigmoid",
    id(F.sigmoid): "sigmoid", id(torch.tanh): "tanh", id(F.tanh): "tanh", id(F.elu): "elu",
    id(F.selu): "selu", id(torch.selu): "selu", id(F.gelu): "gelu", id(F.silu): "silu",
    id(F.softplus): "softplus", id(F.softsign): "softsign", id(F.relu6): "relu6",
    id(torch.exp): "exponential", id(F.hardsigmoid): "hard_sigmoid",
    id(F.hardswish): "hard_silu", id(F.mish): "mish", id(F.logsigmoid): "log_sigmoid",
    id(torch.softmax): "softmax", id(F.softmax): "softmax",
    id(torch.log_softmax): "log_softmax", id(F.log_softmax): "log_softmax",
}


def get(identifier: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    """Resolve an activation: a name, a callable (returned as is), or None (``linear``).

    Args:
        identifier: ``"relu"`` etc. (case-insensitive), a callable such as ``torch.tanh`` or a
            ``torch.nn.Module``, a Keras config dict ``{"class_name": "function", "config":
            "relu"}``, or None.

    Returns:
        The activation function.

    Example:
        >>> get("ReLU")(torch.tensor([-1.0]))
        tensor([0.])
        >>> get(None) is linear
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _ACTIVATIONS.get(identifier.lower())
        if fn is None:
            raise unknown("activation", identifier, _ACTIVATIONS, argument="activation")
        return fn
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        "Argument `activation` must be an activation name (e.g. 'relu'), a callable or None; "
        f"received {identifier!r} of type {type(identifier).__name__}."
    )


def serialize(activation: Callable | None) -> str:
    """The name of an activation (Keras's name for built-ins and torch's equivalents).

    Args:
        activation: An activation function (None gives ``"linear"``).

    Returns:
        The registered name, or the callable's ``__name__`` for user functions.

    Example:
        >>> serialize(swish), serialize(torch.relu)
        ('silu', 'relu')
    """
    if activation is None:
        return "linear"
    name = _CANONICAL.get(id(activation)) or _TORCH_NAMES.get(id(activation))
    if name is not None:
        return name
    if isinstance(activation, torch.nn.Module):
        return type(activation).__name__
    return getattr(activation, "__name__", type(activation).__name__)


def deserialize(config: Any, custom_objects: dict | None = None) -> Callable:
    """Inverse of ``serialize``: a name or Keras's ``{"class_name": ..., "config": name}``.

    Args:
        config: A name or a config dict.
        custom_objects: Extra ``{name: function}``.

    Example:
        >>> deserialize({"class_name": "function", "config": "tanh"}) is tanh
        True
    """
    if isinstance(config, dict):
        name = config.get("config", config.get("class_name"))
        if isinstance(name, dict):
            name = name.get("name")
    else:
        name = config
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)

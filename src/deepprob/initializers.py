"""Weight initializers with Keras's names, defaults and fan computations.

An initializer is called as ``init(shape, dtype=None) -> torch.Tensor`` with the weight's
*Keras* shape: a Dense kernel is ``(in, out)``, a Conv2D kernel ``(kh, kw, in, out)``, so
``fan_in``/``fan_out`` are Keras's (receptive field times input / output channels). Random
initializers draw from torch's global generator (``torch.manual_seed`` makes them repeatable)
unless given a ``seed``, in which case every call returns the same values (as Keras does for
integer seeds).

Example:
    >>> import torch, deepprob as dp
    >>> init = dp.initializers.get("glorot_uniform")
    >>> w = init((784, 128))
    >>> w.shape, w.dtype, bool(w.abs().max() <= (6 / (784 + 128)) ** 0.5)
    (torch.Size([784, 128]), torch.float32, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from deepprob._config_objects import deserialize_object, serialize_object
from deepprob._errors import unknown

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal",
    "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal", "Identity", "compute_fans", "get",
    "serialize", "deserialize",
    # Keras's lower-case aliases
    "zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
    "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "orthogonal", "identity",
]

# stddev of a standard normal truncated to [-2, 2]
_TRUNCATED_STD = 0.87962566103423978


def _shape(owner: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        shape = (shape,)
    try:
        out = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: argument `shape` must be a sequence of non-negative ints; "
                        f"received {shape!r}.") from None
    if any(s < 0 for s in out) or any(isinstance(s, bool) for s in shape):
        raise ValueError(f"{owner}: argument `shape` must hold non-negative ints; "
                         f"received {shape!r}.")
    return out


def _dtype(owner: str, dtype: Any) -> torch.dtype:
    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        result = dtype
    else:
        result = getattr(torch, str(dtype), None)
        if not isinstance(result, torch.dtype):
            raise TypeError(f"{owner}: argument `dtype` must be a torch dtype or its name; "
                            f"received {dtype!r}.")
    return result


def compute_fans(shape: Sequence[int]) -> tuple[float, float]:
    """Keras's ``(fan_in, fan_out)`` for a Keras-layout weight shape.

    Scalars: (1, 1); vectors: (n, n); matrices ``(in, out)``; convolution kernels
    ``(*spatial, in, out)``: each times the receptive-field size ``prod(spatial)``.

    Args:
        shape: The weight's Keras shape.

    Example:
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _real(owner: str, name: str, value: Any, positive: bool = False) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{owner}: argument `{name}` must be a number; received {value!r}.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: argument `{name}` must be a number; received {value!r}.") \
            from None
    if not math.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{owner}: argument `{name}` must be {'> 0' if positive else 'finite'};"
                         f" received {value!r}.")
    return value


class Initializer:
    """Base class: ``init(shape, dtype=None) -> torch.Tensor`` plus ``get_config``.

    Example:
        >>> class Twos(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return torch.full(tuple(shape), 2.0)
        >>> Twos()((2,))
        tensor([2., 2.])
    """

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        """Rebuild from ``get_config()``."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same config."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _Random(Initializer):
    """Shared seed handling: None draws from torch's global RNG; an int fixes the values."""

    def __init__(self, seed: int | None = None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"{type(self).__name__}: argument `seed` must be an int or None; "
                            f"received {seed!r}.")
        self.seed = seed

    def _generator(self) -> torch.Generator | None:
        if self.seed is None:
            return None
        return torch.Generator().manual_seed(self.seed)

    def _empty(self, shape, dtype) -> tuple[torch.Tensor, torch.Generator | None]:
        owner = type(self).__name__
        out = torch.empty(_shape(owner, shape), dtype=_dtype(owner, dtype))
        if not out.is_floating_point():
            raise TypeError(f"{owner}: random initializers need a floating dtype; received "
                            f"{out.dtype}.")
        return out, self._generator()

    def get_config(self) -> dict:
        return {"seed": self.seed}


class Zeros(Initializer):
    """All zeros (Keras's default bias initializer).

    Example:
        >>> Zeros()((2,))
        tensor([0., 0.])
    """

    def __call__(self, shape, dtype=None):
        return torch.zeros(_shape("Zeros", shape), dtype=_dtype("Zeros", dtype))


class Ones(Initializer):
    """All ones.

    Example:
        >>> Ones()((2,))
        tensor([1., 1.])
    """

    def __call__(self, shape, dtype=None):
        return torch.ones(_shape("Ones", shape), dtype=_dtype("Ones", dtype))


class Constant(Initializer):
    """Every entry equal to ``value``.

    Args:
        value: The constant (a number).

    Example:
        >>> Constant(0.5)((2,))
        tensor([0.5000, 0.5000])
    """

    def __init__(self, value: float = 0.0):
        self.value = _real("Constant", "value", value)

    def __call__(self, shape, dtype=None):
        return torch.full(_shape("Constant", shape), self.value, dtype=_dtype("Constant", dtype))

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomNormal(_Random):
    """Normal draws with ``mean`` and ``stddev``.

    Args:
        mean: Mean. Defaults to 0.
        stddev: Standard deviation. Defaults to 0.05.
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> RandomNormal(seed=1)((2,)).shape
        torch.Size([2])
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean = _real("RandomNormal", "mean", mean)
        self.stddev = _real("RandomNormal", "stddev", stddev, positive=True)

    def __call__(self, shape, dtype=None):
        out, gen = self._empty(shape, dtype)
        return out.normal_(self.mean, self.stddev, generator=gen)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Random):
    """Uniform draws in ``[minval, maxval)``.

    Args:
        minval: Lower bound. Defaults to -0.05.
        maxval: Upper bound. Defaults to 0.05.
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> bool(RandomUniform(0.0, 1.0)((100,)).min() >= 0)
        True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval = _real("RandomUniform", "minval", minval)
        self.maxval = _real("RandomUniform", "maxval", maxval)
        if self.maxval < self.minval:
            raise ValueError(f"RandomUniform: argument `maxval` ({maxval!r}) must be >= "
                             f"`minval` ({minval!r}).")

    def __call__(self, shape, dtype=None):
        out, gen = self._empty(shape, dtype)
        return out.uniform_(self.minval, self.maxval, generator=gen)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Random):
    """Normal draws with ``mean``/``stddev``, redrawn beyond two ``stddev`` of the mean.

    Args:
        mean: Mean. Defaults to 0.
        stddev: Standard deviation of the normal before truncation. Defaults to 0.05.
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> bool(TruncatedNormal(stddev=1.0)((1000,)).abs().max() <= 2.0)
        True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean = _real("TruncatedNormal", "mean", mean)
        self.stddev = _real("TruncatedNormal", "stddev", stddev, positive=True)

    def __call__(self, shape, dtype=None):
        out, gen = self._empty(shape, dtype)
        return torch.nn.init.trunc_normal_(out, self.mean, self.stddev,
                                           self.mean - 2 * self.stddev,
                                           self.mean + 2 * self.stddev, generator=gen)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_Random):
    """Draws whose variance is ``scale / fan`` (Keras's fan computation, see ``compute_fans``).

    ``mode`` picks the fan (``fan_in``, ``fan_out`` or ``fan_avg``); ``distribution`` is
    ``truncated_normal`` (std ``sqrt(scale / fan) / 0.8796``, truncated at 2 std, so the
    resulting variance is ``scale / fan``), ``untruncated_normal`` or ``uniform`` (limit
    ``sqrt(3 scale / fan)``). ``"normal"`` is read as ``truncated_normal`` as in tf.keras.

    Args:
        scale: Positive scaling factor. Defaults to 1.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``.
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> VarianceScaling(2.0, "fan_in", "uniform")((3, 3, 8, 16)).shape
        torch.Size([3, 3, 8, 16])
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None):
        super().__init__(seed)
        owner = type(self).__name__
        self.scale = _real(owner, "scale", scale, positive=True)
        if mode not in self._MODES:
            raise unknown("mode", mode, self._MODES, argument="mode")
        dist = "truncated_normal" if distribution == "normal" else distribution
        if dist not in self._DISTRIBUTIONS:
            raise unknown("distribution", distribution, self._DISTRIBUTIONS,
                          argument="distribution")
        self.mode = mode
        self.distribution = dist

    def __call__(self, shape, dtype=None):
        out, gen = self._empty(shape, dtype)
        fan_in, fan_out = compute_fans(out.shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out,
               "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            std = math.sqrt(variance) / _TRUNCATED_STD
            return torch.nn.init.trunc_normal_(out, 0.0, std, -2 * std, 2 * std, generator=gen)
        if self.distribution == "untruncated_normal":
            return out.normal_(0.0, math.sqrt(variance), generator=gen)
        limit = math.sqrt(3.0 * variance)
        return out.uniform_(-limit, limit, generator=gen)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class _Preset(VarianceScaling):
    _preset: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: int | None = None):
        super().__init__(*self._preset, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """Uniform in ``±sqrt(6 / (fan_in + fan_out))`` (Keras's default kernel initializer).

    Args:
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> GlorotUniform(seed=0)((2, 2)).shape
        torch.Size([2, 2])
    """

    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Truncated normal with variance ``2 / (fan_in + fan_out)``.

    Args:
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> GlorotNormal()((4, 4)).shape
        torch.Size([4, 4])
    """

    _preset = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_Preset):
    """Truncated normal with variance ``2 / fan_in``.

    Args:
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> HeNormal()((4, 4)).shape
        torch.Size([4, 4])
    """

    _preset = (2.0, "fan_in", "truncated_normal")


class HeUniform(_Preset):
    """Uniform in ``±sqrt(6 / fan_in)``.

    Args:
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> bool(HeUniform()((6, 2)).abs().max() <= 1.0)
        True
    """

    _preset = (2.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """Truncated normal with variance ``1 / fan_in`` (for SELU networks).

    Args:
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> LecunNormal()((4, 4)).shape
        torch.Size([4, 4])
    """

    _preset = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """Uniform in ``±sqrt(3 / fan_in)``.

    Args:
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> bool(LecunUniform()((3, 2)).abs().max() <= 1.0)
        True
    """

    _preset = (1.0, "fan_in", "uniform")


class Orthogonal(_Random):
    """A (semi-)orthogonal matrix times ``gain`` (Keras's recurrent-kernel default).

    The shape is flattened to ``(prod(shape[:-1]), shape[-1])``; the QR decomposition of a
    normal matrix gives orthonormal rows or columns, whichever are fewer.

    Args:
        gain: Multiplicative factor. Defaults to 1.
        seed: None (torch's global RNG) or an int (the same values on every call).

    Example:
        >>> q = Orthogonal(seed=0)((4, 4))
        >>> torch.allclose(q @ q.T, torch.eye(4), atol=1e-5)
        True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        super().__init__(seed)
        self.gain = _real("Orthogonal", "gain", gain)

    def __call__(self, shape, dtype=None):
        out, gen = self._empty(shape, dtype)
        if out.dim() < 2:
            raise ValueError("Orthogonal: the shape must have at least 2 dimensions; received "
                             f"{tuple(out.shape)}.")
        rows, cols = math.prod(out.shape[:-1]), out.shape[-1]
        a = torch.empty(max(rows, cols), min(rows, cols), dtype=torch.float64)
        a.normal_(0.0, 1.0, generator=gen)
        q, r = torch.linalg.qr(a)
        q = q * torch.sign(torch.diagonal(r))  # unique decomposition: positive diag(r)
        if rows < cols:
            q = q.T
        return out.copy_((self.gain * q).reshape(out.shape))

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes; rectangular ones get ones on the diagonal).

    Args:
        gain: Multiplicative factor. Defaults to 1.

    Example:
        >>> Identity(2.0)((2, 3))
        tensor([[2., 0., 0.],
                [0., 2., 0.]])
    """

    def __init__(self, gain: float = 1.0):
        self.gain = _real("Identity", "gain", gain)

    def __call__(self, shape, dtype=None):
        shape = _shape("Identity", shape)
        if len(shape) != 2:
            raise ValueError(f"Identity: the shape must be 2-D; received {shape}.")
        return self.gain * torch.eye(*shape, dtype=_dtype("Identity", dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


# Keras's lower-case aliases (classes, as in keras.initializers).
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform

_CLASSES = [Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform,
            Orthogonal, Identity]
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    "identity": Identity,
    # tf.keras 2 aliases
    "zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform,
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
})
_LOWER = {name.lower(): cls for name, cls in _BY_NAME.items()}


def serialize(initializer: Any) -> dict | str | None:
    """Keras's ``{"class_name": ..., "config": ...}`` for an initializer.

    Args:
        initializer: An ``Initializer`` (a plain callable gives its ``__name__``).

    Example:
        >>> serialize(Constant(3.0))
        {'class_name': 'Constant', 'config': {'value': 3.0}}
    """
    return serialize_object(initializer, Initializer)


def deserialize(config: Any, custom_objects: dict | None = None) -> Initializer:
    """Rebuild an initializer from ``serialize``'s dict (or a name).

    Args:
        config: ``{"class_name": name, "config": dict}`` or a name.
        custom_objects: Extra ``{name: class or function}``.

    Example:
        >>> deserialize({"class_name": "RandomNormal", "config": {"stddev": 1.0}}).stddev
        1.0
    """
    return deserialize_object(
        config, custom_objects, base=Initializer, kind="initializer", module="initializers",
        find=lambda name: _BY_NAME.get(name) or _LOWER.get(str(name).lower()), names=_BY_NAME,
        get=get, instantiate_plain=True)


def get(identifier: Any) -> Initializer | Any:
    """Resolve an initializer as Keras does.

    Args:
        identifier: A name (``"glorot_uniform"``, ``"GlorotUniform"``, ``"he_normal"``,
            ``"zeros"`` ...; case-insensitive), an ``Initializer`` class (instantiated) or
            instance, a ``serialize`` dict, a callable ``f(shape, dtype=None)``, or None.

    Returns:
        The initializer (None for None).

    Example:
        >>> type(get("he_normal")).__name__
        'HeNormal'
        >>> get({"class_name": "Constant", "config": {"value": 2.0}})((1,))
        tensor([2.])
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier) or _LOWER.get(identifier.lower())
        if cls is None:
            raise unknown("initializer", identifier,
                          [n for n in _BY_NAME if n.islower()], argument="initializer")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        "Argument `initializer` must be an initializer name (e.g. 'glorot_uniform'), an "
        f"Initializer, a config dict or a callable; received {identifier!r} of type "
        f"{type(identifier).__name__}."
    )

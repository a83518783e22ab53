"""Learning-rate schedules (``keras.optimizers.schedules``): plain Python functions of the step.

A schedule maps the optimizer's iteration count to a learning rate. Every optimizer accepts one
as ``learning_rate=`` and evaluates it once per step with plain float arithmetic (no tensors), so
a schedule costs nothing measurable per step.

Example:
    >>> import deepprob as dp
    >>> schedule = dp.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    >>> round(schedule(100), 6)
    0.05
    >>> opt = dp.optimizers.SGD(learning_rate=schedule)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from deepprob._errors import unknown

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "serialize",
    "deserialize",
    "get",
]


def _real(owner: str, name: str, value: Any, *, positive: bool = False,
          nonnegative: bool = False) -> float:
    """Validate a real-number argument and return it as a Python float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # 0-d numpy arrays / torch tensors
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"{owner}: argument `{name}` must be a real number; received {value!r} "
                f"of type {type(value).__name__}."
            ) from None
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: argument `{name}` must be finite; received {value!r}.")
    if positive and value <= 0:
        raise ValueError(f"{owner}: argument `{name}` must be > 0; received {value!r}.")
    if nonnegative and value < 0:
        raise ValueError(f"{owner}: argument `{name}` must be >= 0; received {value!r}.")
    return value


def _step(step: Any) -> float:
    """The step as a float (accepts ints, floats, NumPy scalars and 0-d tensors)."""
    return float(step)


class LearningRateSchedule:
    """Base class of learning-rate schedules: ``schedule(step) -> float``.

    Subclasses implement ``__call__(step)`` and ``get_config()``; ``from_config`` rebuilds
    them from that dict.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, lr):
        ...         self.lr = lr
        ...     def __call__(self, step):
        ...         return self.lr * 0.5 ** (float(step) // 10)
        ...     def get_config(self):
        ...         return {"lr": self.lr}
        >>> Halving(1.0)(25)
        0.25
    """

    def __call__(self, step: int | float) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step).")

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config().")

    @classmethod
    def from_config(cls, config: dict) -> LearningRateSchedule:
        """Rebuild a schedule from the dict ``get_config()`` returned."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``.

    Args:
        initial_learning_rate: The rate at step 0.
        decay_steps: Positive number of steps over which the rate is multiplied by ``decay_rate``.
        decay_rate: The multiplicative decay per ``decay_steps``.
        staircase: Decay in discrete jumps instead of continuously.
        name: Name kept in the config.

    Example:
        >>> ExponentialDecay(0.1, 10, 0.5, staircase=True)(19)
        0.05
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _real(owner, "decay_steps", decay_steps, positive=True)
        self.decay_rate = _real(owner, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """Constant rates between boundaries.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, and ``values[-1]`` after the last boundary
    (Keras's convention: the boundary step itself still uses the earlier value).

    Args:
        boundaries: Strictly increasing step boundaries.
        values: One more rate than there are boundaries.
        name: Name kept in the config.

    Example:
        >>> s = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> s(100), s(101), s(500)
        (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries: Sequence[float], values: Sequence[float],
                 name: str = "PiecewiseConstant"):
        owner = type(self).__name__
        try:
            boundaries = [_real(owner, "boundaries", b) for b in boundaries]
            values = [_real(owner, "values", v) for v in values]
        except TypeError as err:
            if "not iterable" in str(err):
                raise TypeError(
                    f"{owner}: arguments `boundaries` and `values` must be sequences of numbers; "
                    f"received boundaries={boundaries!r}, values={values!r}."
                ) from None
            raise
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"{owner}: argument `values` must have exactly one more entry than `boundaries`; "
                f"received {len(boundaries)} boundaries and {len(values)} values."
            )
        if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(
                f"{owner}: argument `boundaries` must be strictly increasing; "
                f"received {boundaries!r}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = _step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict:
        return {"boundaries": list(self.boundaries), "values": list(self.values),
                "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    ``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``. With
    ``cycle=True`` the horizon becomes the first multiple of ``decay_steps`` that is >= step
    (``decay_steps`` itself at step 0).

    Args:
        initial_learning_rate: The rate at step 0.
        decay_steps: Positive number of steps of the decay.
        end_learning_rate: The rate reached after ``decay_steps``.
        power: Exponent of the polynomial.
        cycle: Restart the decay every ``decay_steps``.
        name: Name kept in the config.

    Example:
        >>> PolynomialDecay(1.0, 10, end_learning_rate=0.0)(5)
        0.5
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _real(owner, "decay_steps", decay_steps, positive=True)
        self.end_learning_rate = _real(owner, "end_learning_rate", end_learning_rate)
        self.power = _real(owner, "power", power)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step):
        step = _step(step)
        decay_steps = self.decay_steps
        if self.cycle:
            multiplier = 1.0 if step == 0 else math.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return ((self.initial_learning_rate - self.end_learning_rate) * (1.0 - p) ** self.power
                + self.end_learning_rate)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True`` the ratio ``step / decay_steps`` is floored. The legacy
    ``decay=`` argument of the tf.keras 2 optimizers is this schedule with ``decay_steps=1``.

    Args:
        initial_learning_rate: The rate at step 0.
        decay_steps: Positive number of steps per unit of decay.
        decay_rate: The decay rate.
        staircase: Decay in discrete jumps instead of continuously.
        name: Name kept in the config.

    Example:
        >>> InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.5)(2)
        0.5
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _real(owner, "decay_steps", decay_steps, positive=True)
        self.decay_rate = _real(owner, "decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay with an optional linear warm-up (Keras 3 semantics).

    Without warm-up (``warmup_target=None``):
    ``initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)``.
    With ``warmup_target`` the rate rises linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps``, then decays from ``warmup_target`` by the formula
    above applied to ``step - warmup_steps``.

    Args:
        initial_learning_rate: The rate at step 0.
        decay_steps: Positive number of decay steps (after the warm-up).
        alpha: Final rate as a fraction of the decay's starting rate.
        name: Name kept in the config.
        warmup_target: Rate reached at the end of the warm-up, or None for no warm-up.
        warmup_steps: Number of warm-up steps.

    Example:
        >>> round(CosineDecay(1.0, 100)(50), 6)
        0.5
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: float = 0):
        owner = type(self).__name__
        self.initial_learning_rate = _real(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _real(owner, "decay_steps", decay_steps, positive=True)
        self.alpha = _real(owner, "alpha", alpha)
        self.name = name
        self.warmup_target = (None if warmup_target is None
                              else _real(owner, "warmup_target", warmup_target))
        self.warmup_steps = _real(owner, "warmup_steps", warmup_steps, nonnegative=True)

    def _decay(self, step: float, start: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = _step(step)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * fraction + \
                self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR), as ``keras.optimizers.schedules``.

    The first period lasts ``first_decay_steps``; each next period is ``t_mul`` times longer and
    starts from ``m_mul`` times the previous peak.

    Args:
        initial_learning_rate: The rate at step 0.
        first_decay_steps: Positive length of the first period.
        t_mul: Period-length multiplier.
        m_mul: Peak-rate multiplier per restart.
        alpha: Minimum rate as a fraction of ``initial_learning_rate``.
        name: Name kept in the config.

    Example:
        >>> CosineDecayRestarts(1.0, 10, t_mul=1.0)(10)
        1.0
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: float,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay"):
        owner = type(self).__name__
        self.initial_learning_rate = _real(owner, "initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = _real(owner, "first_decay_steps", first_decay_steps,
                                       positive=True)
        self._t_mul = _real(owner, "t_mul", t_mul, positive=True)
        self._m_mul = _real(owner, "m_mul", m_mul, nonnegative=True)
        self.alpha = _real(owner, "alpha", alpha)
        self.name = name

    def __call__(self, step):
        fraction = _step(step) / self.first_decay_steps
        t_mul = self._t_mul
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul**restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul**restart
        cosine = 0.5 * self._m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
    CosineDecayRestarts)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": ...}`` for a schedule.

    Args:
        schedule: A ``LearningRateSchedule``.

    Example:
        >>> serialize(InverseTimeDecay(0.1, 1, 0.5))["class_name"]
        'InverseTimeDecay'
    """
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(
            f"serialize: argument `schedule` must be a LearningRateSchedule; received "
            f"{schedule!r} of type {type(schedule).__name__}."
        )
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Rebuild a schedule from ``serialize``'s dict.

    Args:
        config: ``{"class_name": name, "config": dict}``.
        custom_objects: Extra ``{name: class}`` for user-defined schedules.

    Example:
        >>> deserialize(serialize(ExponentialDecay(1.0, 10, 0.5)))(10)
        0.5
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            "deserialize: argument `config` must be a dict with keys 'class_name' and "
            f"'config'; received {config!r}."
        )
    classes = dict(_SCHEDULES)
    classes.update(custom_objects or {})
    name = config["class_name"]
    if name not in classes:
        raise unknown("learning-rate schedule", name, classes, argument="config['class_name']")
    return classes[name].from_config(dict(config.get("config", {})))


def get(identifier: Any) -> LearningRateSchedule:
    """Resolve a schedule instance or a ``serialize`` dict.

    Args:
        identifier: A ``LearningRateSchedule`` or its serialized dict.

    Example:
        >>> get({"class_name": "CosineDecay", "config": {"initial_learning_rate": 1.0,
        ...      "decay_steps": 10}})(0)
        1.0
    """
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(
        "schedules.get: argument `identifier` must be a LearningRateSchedule or a serialized "
        f"schedule dict; received {identifier!r}."
    )

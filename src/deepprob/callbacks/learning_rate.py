"""Learning-rate callbacks: ``LearningRateScheduler`` and ``ReduceLROnPlateau``."""

from __future__ import annotations

import inspect
import math

from deepprob.callbacks._monitor import check_monitor, check_number, monitor_value, resolve_mode
from deepprob.callbacks.base import Callback


def _optimizer(model, owner: str):
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "learning_rate"):
        raise ValueError(
            f"{owner}: the model's optimizer must have a `learning_rate`; compile the model with "
            "a dp.optimizers optimizer first.")
    return opt


def _current_rate(model, owner: str) -> float:
    return float(_optimizer(model, owner).learning_rate)


def _takes_rate(schedule) -> bool:
    """Whether ``schedule`` accepts ``(epoch, lr)`` (Keras's new form) or only ``(epoch)``."""
    try:
        sig = inspect.signature(schedule)
    except (TypeError, ValueError):
        return True
    params = list(sig.parameters.values())
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch from ``schedule``.

    ``schedule(epoch)`` or ``schedule(epoch, lr)`` (``epoch`` 0-based, ``lr`` the current rate)
    returns the new rate. The rate used in each epoch is recorded in the logs as
    ``learning_rate``, so ``History`` holds it (the courses' learning-rate sweep plots
    ``history.history["learning_rate"]`` against the loss). Unlike Keras, which tries
    ``schedule(epoch, lr)`` and falls back to ``schedule(epoch)`` on *any* ``TypeError`` (hiding
    errors raised inside the schedule), the form is read from the function's signature.

    Args:
        schedule: a function of ``epoch`` or of ``(epoch, lr)`` returning a float.
        verbose: 1 prints the rate set at each epoch.

    Example:
        >>> lr_schedule = dp.callbacks.LearningRateScheduler(lambda epoch: 1e-8 * 10**(epoch / 20))
        >>> history = model.fit(dataset, epochs=100, callbacks=[lr_schedule])
    """

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "Argument `schedule` of LearningRateScheduler: expected a function "
                f"schedule(epoch) or schedule(epoch, lr), received {type(schedule).__name__}.")
        self.schedule = schedule
        self.verbose = verbose
        self._with_rate = _takes_rate(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        opt = _optimizer(self.model, "LearningRateScheduler")
        if self._with_rate:
            rate = self.schedule(epoch, float(opt.learning_rate))
        else:
            rate = self.schedule(epoch)
        value = None
        if not isinstance(rate, (bool, str)):
            try:
                value = float(rate)  # floats, ints, NumPy scalars, 0-d tensors
            except (TypeError, ValueError):
                value = None
        if value is None or not math.isfinite(value) or value < 0:
            raise ValueError(
                "LearningRateScheduler: the schedule must return a finite float >= 0; at epoch "
                f"{epoch} it returned {rate!r}.")
        opt.learning_rate = value
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{value}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_rate(self.model, "LearningRateScheduler")


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving (Keras rules).

    After ``patience`` epochs without an improvement larger than ``min_delta``, the rate becomes
    ``max(lr * factor, min_lr)``; then ``cooldown`` epochs pass before counting again. The rate
    used in each epoch is logged as ``learning_rate``.

    Args:
        monitor: the logs key to watch.
        factor: multiplier in (0, 1).
        patience: epochs without improvement before reducing.
        verbose: 1 prints each reduction.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (inferred from the name).
        min_delta: smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction.
        min_lr: lower bound of the rate.

    Example:
        >>> reduce = dp.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5,
        ...                                         min_lr=0.001)
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__()
        owner = "ReduceLROnPlateau"
        if "epsilon" in kwargs:  # the Keras 2 name of min_delta
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError(f"{owner}: unexpected keyword argument(s) {sorted(kwargs)}.")
        self.monitor = check_monitor(monitor, owner)
        factor = check_number(factor, "factor", owner)
        if not 0.0 < factor < 1.0:
            raise ValueError(
                f"Argument `factor` of {owner}: expected a number in (0, 1), received {factor!r}.")
        self.factor = factor
        self.patience = check_number(patience, "patience", owner, low=0, integer=True)
        self.verbose = verbose
        self.mode = mode
        self._direction = resolve_mode(mode, self.monitor, owner)
        self.min_delta = abs(check_number(min_delta, "min_delta", owner))
        self.cooldown = check_number(cooldown, "cooldown", owner, low=0, integer=True)
        self.min_lr = check_number(min_lr, "min_lr", owner, low=0)
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self._direction == "min" else -math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self._direction == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def in_cooldown(self) -> bool:
        """Whether the callback is waiting after a reduction."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _current_rate(self.model, "ReduceLROnPlateau")
        current = monitor_value(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old = _current_rate(self.model, "ReduceLROnPlateau")
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

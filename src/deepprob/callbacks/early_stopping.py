"""``EarlyStopping``: stop when a monitored quantity stops improving."""

from __future__ import annotations

import operator

from deepprob.callbacks._monitor import check_monitor, check_number, monitor_value, resolve_mode
from deepprob.callbacks.base import Callback


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs (Keras 3 rules).

    An epoch improves when its value beats the best so far by more than ``min_delta``. After
    ``patience`` epochs in a row without improvement, ``model.stop_training`` is set. With a
    ``baseline``, the patience counter restarts only on epochs that beat both the best and the
    baseline, so training stops after ``patience`` epochs that do not beat the baseline, as
    Keras documents (Keras 3 itself never stops while the value keeps improving below it).
    Epochs before ``start_from_epoch`` are ignored (warm-up). With ``restore_best_weights``
    the model ends with the weights of its best epoch (also when training runs to the last
    epoch without stopping, as Keras 3 does).

    Args:
        monitor: the logs key to watch (``"val_loss"``, ``"accuracy"`` ...).
        min_delta: smallest change that counts as an improvement (its sign is ignored).
        patience: epochs without improvement before stopping.
        verbose: 1 prints when it stops and restores.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the name: losses and errors are
            minimised, accuracies / AUC / precision / recall maximised).
        baseline: a value the monitored quantity must beat.
        restore_best_weights: end with the best epoch's weights.
        start_from_epoch: epochs to wait before watching.

    Attributes:
        stopped_epoch: the epoch (0-based) at which training was stopped, 0 if it was not.
        best, best_epoch: the best value seen and its epoch.

    Example:
        >>> stop = dp.callbacks.EarlyStopping(monitor="val_loss", patience=3,
        ...                                   restore_best_weights=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        owner = "EarlyStopping"
        self.monitor = check_monitor(monitor, owner)
        self.min_delta = abs(check_number(min_delta, "min_delta", owner))
        self.patience = check_number(patience, "patience", owner, low=0, integer=True)
        self.verbose = verbose
        self.baseline = check_number(baseline, "baseline", owner, allow_none=True)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_number(start_from_epoch, "start_from_epoch", owner,
                                             low=0, integer=True)
        self.mode = mode
        self._direction = resolve_mode(mode, self.monitor, owner)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self._direction == "min":
            return operator.lt(value + self.min_delta, reference)
        return operator.gt(value - self.min_delta, reference)

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = monitor_value(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
                return
            # Better than before but not than the baseline: the epoch still counts against
            # `patience` (Keras 3 returns here and never stops while the value creeps down).
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

"""``ModelCheckpoint``: save the model or its weights during training."""

from __future__ import annotations

import math
import os
import string

from deepprob.callbacks._monitor import check_monitor, check_number, resolve_mode
from deepprob.callbacks.base import Callback


class ModelCheckpoint(Callback):
    """Save the model (``model.save``) or its weights (``model.save_weights``) while training.

    ``filepath`` may hold ``str.format`` fields filled from the epoch (1-based), the batch (with
    an integer ``save_freq``) and the logs: ``"ckpt/{epoch:02d}-{val_loss:.2f}.keras"``. Each
    write is atomic (the savers write a temporary file and rename it), and missing folders are
    created.

    Args:
        filepath: where to save; ends in ``.keras`` for whole models, ``.weights.h5`` (or ``.h5``)
            with ``save_weights_only``.
        monitor: the logs key compared with ``save_best_only``.
        verbose: 1 prints a line per save / skipped save.
        save_best_only: save only when ``monitor`` improves on the best so far.
        save_weights_only: save only the weights (HDF5).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (inferred from the ``monitor`` name).
        save_freq: ``"epoch"`` or a number of batches between saves.
        initial_value_threshold: the value a first save must beat (``save_best_only``).

    Example:
        >>> ckpt = dp.callbacks.ModelCheckpoint("ckpt/{epoch:02d}-{val_loss:.2f}.keras",
        ...                                     save_best_only=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[ckpt])
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        owner = "ModelCheckpoint"
        filepath = os.fspath(filepath) if isinstance(filepath, os.PathLike) else filepath
        if not isinstance(filepath, str) or not filepath:
            raise ValueError(
                f"Argument `filepath` of {owner}: expected a path string, received {filepath!r}.")
        if save_weights_only and not filepath.endswith(".h5"):
            raise ValueError(
                f"Argument `filepath` of {owner}: with save_weights_only=True the path must end "
                f"in `.weights.h5`; received {filepath!r}.")
        if not save_weights_only and not filepath.endswith(".keras"):
            hint = " (or pass save_weights_only=True)" if filepath.endswith(".h5") else ""
            raise ValueError(
                f"Argument `filepath` of {owner}: the path of a whole-model checkpoint must end "
                f"in `.keras`{hint}; received {filepath!r}.")
        try:
            self._fields = {f for _, f, _, _ in string.Formatter().parse(filepath) if f}
        except ValueError as err:
            raise ValueError(
                f"Argument `filepath` of {owner}: not a valid format string ({err}): "
                f"{filepath!r}.") from err
        if save_freq != "epoch":
            save_freq = check_number(save_freq, "save_freq", owner, low=1, integer=True)
        self.filepath = filepath
        self.monitor = check_monitor(monitor, owner)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.save_freq = save_freq
        self.mode = mode
        self._direction = resolve_mode(mode, self.monitor, owner) if save_best_only else None
        self.initial_value_threshold = check_number(
            initial_value_threshold, "initial_value_threshold", owner, allow_none=True)
        self.best = self._initial_best()
        self._current_epoch = 0
        self._since_save = 0
        self.saved: list[str] = []

    def _initial_best(self) -> float:
        if self.initial_value_threshold is not None:
            return self.initial_value_threshold
        return math.inf if self._direction != "max" else -math.inf

    def _improved(self, value: float) -> bool:
        return value < self.best if self._direction == "min" else value > self.best

    def on_train_begin(self, logs=None):
        self._since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._since_save += 1
        if self._since_save >= self.save_freq:
            self._since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _path(self, epoch: int, batch: int | None, logs) -> str:
        values = dict(logs or {}) if self._fields - {"epoch", "batch"} else {}
        values["epoch"] = epoch + 1
        if batch is not None:
            values["batch"] = batch + 1
        try:
            return self.filepath.format(**values)
        except KeyError as err:
            raise KeyError(
                f"ModelCheckpoint could not fill the field {err} of filepath {self.filepath!r}: "
                f"the logs hold {sorted(k for k in values)}. Fields must be 'epoch', 'batch' "
                "(with an integer save_freq) or log keys."
            ) from None

    def _save(self, epoch: int, batch: int | None, logs) -> None:
        if self.save_best_only:
            value = (logs or {}).get(self.monitor)
            if value is None:
                import warnings

                warnings.warn(
                    f"ModelCheckpoint: can save the best model only with `{self.monitor}` in the "
                    f"logs; available: {sorted(logs or {})}. Skipping.", stacklevel=2)
                return
            value = float(value)
            if not self._improved(value):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            path = self._path(epoch, batch, logs)
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{value:.5f}, saving model to {path}")
            self.best = value
        else:
            path = self._path(epoch, batch, logs)
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(path):
            raise IsADirectoryError(
                f"ModelCheckpoint: filepath {path!r} is a directory; give a file name.")
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
        self.saved.append(path)

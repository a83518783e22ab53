"""``TerminateOnNaN``: stop cleanly when a logged loss goes NaN or infinite."""

from __future__ import annotations

import math

from deepprob.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Stop training (``model.stop_training``) when a loss in the epoch logs is not finite.

    The engine itself already checks the training loss at every step and raises
    ``NonFiniteLossError`` naming the epoch, batch and term, keeping the last finite weights, so
    this callback watches what the engine does not stop on: ``loss`` and every ``val_*`` loss term
    (``val_loss``, ``val_nll``, ``val_kl``) at the end of each epoch, without a per-step
    device sync.

    Args:
        verbose: 1 (default) prints which value went non-finite.

    Example:
        >>> model.fit(x, y, validation_data=(xv, yv), callbacks=[dp.callbacks.TerminateOnNaN()])
    """

    def __init__(self, verbose: int = 1):
        super().__init__()
        self.verbose = verbose
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs=None):
        self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            base = key.removeprefix("val_")
            if base not in ("loss", "nll", "kl") and not base.endswith("_loss"):
                continue
            try:
                finite = math.isfinite(float(value))
            except (TypeError, ValueError):
                continue
            if not finite:
                if self.verbose:
                    print(f"Epoch {epoch + 1}: invalid {key} ({value}), terminating training")
                self.stopped_epoch = epoch
                self.model.stop_training = True
                return

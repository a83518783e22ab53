"""``History``: the per-epoch logs that ``fit`` returns."""

from __future__ import annotations

from deepprob.callbacks.base import Callback


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]``, ``history.epoch``.

    ``fit`` adds one automatically, last, so it sees keys other callbacks add to the logs
    (``learning_rate``), and returns it.

    Example:
        >>> history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
        >>> sorted(history.history)
        ['loss', 'val_loss']
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

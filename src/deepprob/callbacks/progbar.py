"""``ProgbarLogger``: Keras's progress bar, cheap enough to leave on."""

from __future__ import annotations

import sys
import time

from deepprob.callbacks.base import Callback


class ProgbarLogger(Callback):
    """Keras-style progress: a live bar (``verbose=1``) or one line per epoch (``verbose=2``).

    The live bar shows ``step/steps [====>....] - ETA: 4s - loss: 0.3125 - accuracy: 0.9002``
    and is redrawn in place at most every ``interval`` seconds; the trainer passes a function for
    the batch logs, called only at those redraws, so the bar adds no per-step device sync. In a
    stream that is not a terminal or a notebook (a log file, a pipe) ``verbose=1`` writes the
    ``Epoch i/n`` header and one final line per epoch, with no carriage returns. ``fit`` adds one
    automatically unless ``verbose=0``.

    Args:
        verbose: 1 for the bar, 2 for one line per epoch, 0 silent; ``None`` (default when
            passed by hand) takes the ``verbose`` given to ``fit``.
        interval: least seconds between redraws of the live bar.
        stream: where to write (default ``sys.stdout`` at write time).

    Example:
        >>> model.fit(x, y, epochs=2, verbose=0, callbacks=[dp.callbacks.ProgbarLogger(verbose=2)])
        Epoch 1/2 - 0s 2ms/step - loss: 0.6931
        Epoch 2/2 - 0s 2ms/step - loss: 0.6802
    """

    width = 30

    def __init__(self, verbose: int | None = None, interval: float = 0.1, stream=None):
        super().__init__()
        if verbose not in (None, 0, 1, 2):
            raise ValueError(f"Argument `verbose`: expected 0, 1 or 2, received {verbose!r}.")
        if not isinstance(interval, (int, float)) or interval < 0:
            raise ValueError(
                f"Argument `interval`: expected seconds >= 0, received {interval!r}.")
        self.verbose = verbose
        self.interval = float(interval)
        self.stream = stream
        self.mode = "train"
        self.epochs = None
        self.seen = 0
        self.start = self.last = time.monotonic()
        self._width_drawn = 0
        self._steps_learned = None

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        if self.verbose is None:
            self.verbose = int(params.get("verbose", 1))

    # -- output -------------------------------------------------------------------------------
    @property
    def _out(self):
        return self.stream if self.stream is not None else sys.stdout

    def _write(self, text: str) -> None:
        out = self._out
        if out is None:  # no console (pythonw)
            return
        out.write(text)
        out.flush()

    def _live(self) -> bool:
        out = self._out
        try:
            isatty = bool(out.isatty())
        except (AttributeError, ValueError):
            isatty = False
        return self.verbose == 1 and (isatty or "ipykernel" in sys.modules)

    def _draw(self, line: str, end: str = "") -> None:
        """Redraw the live line, blanking what a longer previous line left behind."""
        pad = max(self._width_drawn - len(line), 0)
        self._write("\r" + line + " " * pad + end)
        self._width_drawn = 0 if end else len(line)

    @property
    def _steps(self):
        return self.params.get("steps") or self._steps_learned

    # -- hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs")

    def on_epoch_begin(self, epoch, logs=None):
        self._begin()
        if self.verbose == 1 and self.epochs:
            self._write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def _begin(self):
        self.start = self.last = time.monotonic()
        self.seen = 0
        self._width_drawn = 0

    def on_test_begin(self, logs=None):
        if self.mode == "test":
            self._begin()

    def on_predict_begin(self, logs=None):
        if self.mode == "predict":
            self._begin()

    def on_train_batch_end(self, batch, logs=None):
        self._batch_end(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if self.mode == "test":
            self._batch_end(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        if self.mode == "predict":
            self._batch_end(batch, None)

    def _batch_end(self, batch, logs):
        self.seen = batch + 1
        if not self._live():
            return
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        values = logs() if callable(logs) else (logs or {})
        self._draw(self._line(self.seen, values, now, final=False))

    def on_epoch_end(self, epoch, logs=None):
        if self.params.get("steps") is None and self._steps_learned is None:
            self._steps_learned = self.seen  # a generator's length, known after one epoch
        line = self._line(self.seen, logs or {}, time.monotonic(), final=True)
        if self.verbose == 1:
            if self._live():
                self._draw(line, end="\n")
            else:
                self._write(line + "\n")
        elif self.verbose == 2:
            self._write(f"Epoch {epoch + 1}/{self.epochs} - {line.split(' - ', 1)[1]}\n")

    def on_test_end(self, logs=None):
        if self.mode == "test" and self.verbose == 1:
            self._final(logs or {})

    def on_predict_end(self, logs=None):
        if self.mode == "predict" and self.verbose == 1:
            self._final({})

    def _final(self, logs):
        line = self._line(self.seen, logs, time.monotonic(), final=True)
        if self._live():
            self._draw(line, end="\n")
        else:
            self._write(line + "\n")

    # -- formatting ---------------------------------------------------------------------------
    def _line(self, seen: int, values, now: float, final: bool) -> str:
        steps = self._steps
        elapsed = now - self.start
        if steps:
            seen_shown = min(seen, steps) if not final else seen
            done = min(self.width, int(self.width * seen_shown / steps))
            bar = "=" * max(done - 1, 0) + (">" if done < self.width else "=") \
                + "." * (self.width - done)
            digits = len(str(steps))
            head = f"{seen:>{digits}}/{steps} [{bar}]"
        else:
            head = f"{seen}/Unknown"
        if final:
            timing = f"{_duration(elapsed)} {_per_step(elapsed / max(seen, 1))}"
        elif steps:
            eta = (elapsed / max(seen, 1)) * max(steps - seen, 0)
            timing = f"ETA: {_duration(eta)}"
        else:
            timing = f"{_duration(elapsed)} {_per_step(elapsed / max(seen, 1))}"
        metrics = " - ".join(f"{k}: {format_value(v)}" for k, v in values.items())
        return f"{head} - {timing}" + (f" - {metrics}" if metrics else "")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def _per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.1f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_value(v) -> str:
    """A log value as Keras prints it: 4 decimals, scientific notation when tiny or huge."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{v:.4e}" if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5) else f"{v:.4f}"

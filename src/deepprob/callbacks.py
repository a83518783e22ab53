"""Callbacks: hooks into ``fit`` / ``evaluate`` / ``predict`` with Keras's names and ``logs``.

Example (the courses' pattern, verbatim):
    >>> class StopAt99(dp.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs={}):
    ...         if logs.get("accuracy") > 0.99:
    ...             self.model.stop_training = True
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable

_HOOKS = [
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
    "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
    "on_predict_batch_begin", "on_predict_batch_end",
]


class Callback:
    """Base class: override the hooks you need. ``self.model`` and ``self.params`` are set by fit."""

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params


for _hook in _HOOKS:
    if _hook.endswith(("begin", "end")) and "batch" in _hook:
        setattr(Callback, _hook, lambda self, batch, logs=None: None)
    elif _hook.startswith("on_epoch"):
        setattr(Callback, _hook, lambda self, epoch, logs=None: None)
    else:
        setattr(Callback, _hook, lambda self, logs=None: None)


def _overrides(cb: Callback, hook: str) -> bool:
    return getattr(type(cb), hook) is not getattr(Callback, hook)


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]``, ``history.epoch``."""

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


class ProgbarLogger(Callback):
    """Keras-style progress: a live bar (``verbose=1``) or one line per epoch (``verbose=2``).

    The bar is redrawn at most every ``interval`` seconds, so it costs nothing measurable; in a
    non-terminal stream (a log file) the bar is written once per epoch.

    Args:
        verbose: 1 for the bar, 2 for one line per epoch.
        interval: seconds between redraws.
        stream: where to write (``sys.stdout``).
    """

    def __init__(self, verbose: int = 1, interval: float = 0.1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.interval = interval
        self.stream = stream
        self.mode = "train"

    @property
    def _out(self):
        return self.stream or sys.stdout

    def _live(self) -> bool:
        isatty = getattr(self._out, "isatty", lambda: False)()
        return self.verbose == 1 and (isatty or "ipykernel" in sys.modules)

    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs")

    def on_epoch_begin(self, epoch, logs=None):
        self.start = self.last = time.monotonic()
        self.seen = 0
        if self.verbose == 1 and self.epochs:
            self._out.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            self._out.flush()

    def on_train_batch_end(self, batch, logs=None):
        self._batch_end(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if self.mode == "test":
            self._batch_end(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        if self.mode == "predict":
            self._batch_end(batch, None)

    def on_test_begin(self, logs=None):
        if self.mode == "test":
            self.start = self.last = time.monotonic()

    def on_predict_begin(self, logs=None):
        if self.mode == "predict":
            self.start = self.last = time.monotonic()

    def _batch_end(self, batch, logs):
        self.seen = batch + 1
        if not self._live():
            return
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        values = logs() if callable(logs) else (logs or {})
        self._out.write("\r" + self._line(self.seen, values, now, final=False))
        self._out.flush()

    def _line(self, seen, values, now, final: bool) -> str:
        steps = self.params.get("steps")
        elapsed = now - self.start
        if steps:
            width = 30
            done = min(width, int(width * seen / steps))
            bar = "=" * max(done - 1, 0) + (">" if done < width else "=") + "." * (width - done)
            head = f"{seen}/{steps} [{bar}]"
        else:
            head = f"{seen}"
        if final:
            per = elapsed / max(seen, 1)
            unit = f"{per * 1e3:.0f}ms/step" if per < 1 else f"{per:.1f}s/step"
            timing = f"{elapsed:.0f}s {unit}"
        else:
            eta = (elapsed / max(seen, 1)) * ((steps or seen) - seen)
            timing = f"ETA: {eta:.0f}s"
        metrics = " - ".join(f"{k}: {_fmt(v)}" for k, v in values.items())
        return f"{head} - {timing}" + (f" - {metrics}" if metrics else "")

    def on_epoch_end(self, epoch, logs=None):
        line = self._line(self.seen, logs or {}, time.monotonic(), final=True)
        if self.verbose == 1:
            self._out.write(("\r" if self._live() else "") + line + "\n")
        elif self.verbose == 2:
            self._out.write(f"Epoch {epoch + 1}/{self.epochs} - {line.split(' - ', 1)[1]}\n")
        self._out.flush()

    def on_test_end(self, logs=None):
        if self.mode == "test" and self.verbose == 1:
            self._out.write(("\r" if self._live() else "")
                            + self._line(self.seen, logs or {}, time.monotonic(), True) + "\n")
            self._out.flush()

    def on_predict_end(self, logs=None):
        if self.mode == "predict" and self.verbose == 1:
            self._out.write(("\r" if self._live() else "")
                            + self._line(self.seen, {}, time.monotonic(), True) + "\n")
            self._out.flush()


def _fmt(v) -> str:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{v:.4e}" if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5) else f"{v:.4f}"


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Args:
        **hooks: any of the Keras hook names (``on_epoch_end``, ``on_train_batch_end`` ...), plus
            the Keras short names ``on_batch_begin`` / ``on_batch_end`` for training batches.
    """

    def __init__(self, **hooks: Callable):
        super().__init__()
        aliases = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}
        for name, fn in hooks.items():
            name = aliases.get(name, name)
            if name not in _HOOKS:
                from deepprob._errors import unknown

                raise unknown("callback hook", name, _HOOKS + list(aliases))
            setattr(self, name, fn)

    def _has(self, hook: str) -> bool:
        return hook in self.__dict__


class CallbackList:
    """Runs a list of callbacks; batch hooks only when a callback overrides them.

    Args:
        callbacks: the user's callbacks.
        add_history: a History to append (fit).
        add_progbar: add a ProgbarLogger unless one is given.
        verbose: the progress verbosity.
        model: set on every callback.
        params: ``{"epochs", "steps", "verbose"}`` set on every callback.
        mode: ``"train"``, ``"test"`` or ``"predict"``.
    """

    def __init__(self, callbacks: Iterable[Callback] | None = None, add_history=None,
                 add_progbar: bool = False, verbose: int = 1, model=None, params=None,
                 mode: str = "train"):
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            callbacks = [callbacks]
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"Argument `callbacks`: expected dp.callbacks.Callback instances, received "
                    f"{type(cb).__name__}."
                )
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            bar = ProgbarLogger(verbose=verbose)
            bar.mode = mode
            self.callbacks.append(bar)
        if add_history is not None:
            # Last, as in Keras: it records the logs after every other callback added to them
            # (LearningRateScheduler adds `learning_rate`).
            self.callbacks.append(add_history)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(dict(params or {}))

    def has_batch_hooks(self, mode: str) -> bool:
        hooks = (f"on_{mode}_batch_begin", f"on_{mode}_batch_end")
        return any(_has_hook(cb, h) for cb in self.callbacks for h in hooks)

    def _call(self, hook: str, *args):
        for cb in self.callbacks:
            if _has_hook(cb, hook):
                getattr(cb, hook)(*args)

    def __getattr__(self, hook: str):
        if hook not in _HOOKS:
            raise AttributeError(hook)
        batch = "batch" in hook

        def run(*args):
            if batch and len(args) == 2 and callable(args[1]):
                # Logs are computed (one device sync) only for callbacks that want them.
                step, make_logs = args
                cache = {}
                for cb in self.callbacks:
                    if not _has_hook(cb, hook):
                        continue
                    if isinstance(cb, ProgbarLogger):
                        getattr(cb, hook)(step, make_logs)
                    else:
                        if "logs" not in cache:
                            cache["logs"] = make_logs()
                        getattr(cb, hook)(step, dict(cache["logs"]))
                return
            # One logs dict shared by all callbacks, so additions (learning_rate) are recorded.
            if len(args) == (2 if (batch or hook.startswith("on_epoch")) else 1):
                args = args[:-1] + (args[-1] if args[-1] is not None else {},)
            else:
                args = args + ({},)
            self._call(hook, *args)

        return run


def _has_hook(cb: Callback, hook: str) -> bool:
    if isinstance(cb, LambdaCallback):
        return cb._has(hook)
    return _overrides(cb, hook)

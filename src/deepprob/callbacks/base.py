"""The callback protocol: ``Callback`` (every Keras hook), ``LambdaCallback`` and ``CallbackList``.

Example (the courses' pattern, verbatim):
    >>> class StopAt99(dp.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs={}):
    ...         if logs.get("accuracy") > 0.99:
    ...             self.model.stop_training = True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

HOOKS = [
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
    "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
    "on_predict_batch_begin", "on_predict_batch_end",
]
# Keras's legacy names: ``on_batch_begin`` / ``on_batch_end`` are the training-batch hooks.
ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


class Callback:
    """Base class of callbacks: override the hooks you need.

    ``fit`` / ``evaluate`` / ``predict`` set ``self.model`` and ``self.params`` (``epochs``,
    ``steps``, ``verbose``) and call, with Keras's arguments:
    ``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch, logs)``,
    ``on_train_batch_begin/end(batch, logs)`` (alias ``on_batch_begin/end``),
    ``on_test_begin/end(logs)``, ``on_test_batch_begin/end(batch, logs)``,
    ``on_predict_begin/end(logs)``, ``on_predict_batch_begin/end(batch, logs)``.
    Epoch ``logs`` hold ``loss``, each metric by name and their ``val_`` versions; a callback
    may add keys (``learning_rate``) that ``History`` then records. Batch hooks run only when a
    subclass overrides them, so an unused hook costs nothing.

    Example:
        >>> class StopAt99(dp.callbacks.Callback):
        ...     def on_epoch_end(self, epoch, logs={}):
        ...         if logs.get("accuracy") > 0.99:
        ...             self.model.stop_training = True
    """

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        """Attach the model being trained (``self.model``)."""
        self.model = model

    def set_params(self, params: dict) -> None:
        """Set the run's parameters (``self.params``)."""
        self.params = params

    def on_batch_begin(self, batch, logs=None):
        """Legacy alias of ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """Legacy alias of ``on_train_batch_end``."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)


def _noop_batch(self, batch, logs=None):
    return None


def _noop_epoch(self, epoch, logs=None):
    return None


def _noop(self, logs=None):
    return None


for _hook in HOOKS:
    if _hook in ALIASES:
        continue
    if "batch" in _hook:
        setattr(Callback, _hook, _noop_batch)
    elif _hook.startswith("on_epoch"):
        setattr(Callback, _hook, _noop_epoch)
    else:
        setattr(Callback, _hook, _noop)


def has_hook(cb: Callback, hook: str) -> bool:
    """Whether ``cb`` does something in ``hook`` (overridden, or given to a LambdaCallback)."""
    if isinstance(cb, LambdaCallback):
        return hook in cb.__dict__
    cls = type(cb)
    if getattr(cls, hook) is not getattr(Callback, hook):
        return True
    alias = ALIASES.get(hook)
    return alias is not None and getattr(cls, alias) is not getattr(Callback, alias)


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Args:
        **hooks: any of the Keras hook names (``on_epoch_end``, ``on_train_batch_end`` ...), plus
            the Keras short names ``on_batch_begin`` / ``on_batch_end`` for training batches.
            Each function takes the hook's arguments (``epoch, logs``, ``batch, logs`` or ``logs``).

    Example:
        >>> losses = []
        >>> cb = dp.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: losses.append(logs["loss"]))
    """

    def __init__(self, **hooks: Callable):
        super().__init__()
        legacy = {v: k for k, v in ALIASES.items()}
        for name, fn in hooks.items():
            name = legacy.get(name, name)
            if name not in HOOKS:
                from deepprob._errors import unknown

                raise unknown("callback hook", name, HOOKS + list(legacy), argument=name)
            if not callable(fn):
                raise TypeError(
                    f"Argument `{name}` of LambdaCallback: expected a function, received "
                    f"{type(fn).__name__}."
                )
            setattr(self, name, fn)


class LazyLogs(dict):
    """A batch ``logs`` dict computed on first use.

    The trainer hands batch hooks a function that reads the running loss and metrics (a device
    sync). Wrapping it here means a callback that never looks at its batch logs (a checkpoint
    every ``n`` batches) causes no sync at all.
    """

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], dict]):
        super().__init__()
        self._make = make

    def _fill(self) -> None:
        if self._make is not None:
            make, self._make = self._make, None
            dict.update(self, make())


def _lazy(method: str):
    base = getattr(dict, method)

    def wrapper(self, *args, **kwargs):
        self._fill()
        return base(self, *args, **kwargs)

    wrapper.__name__ = method
    return wrapper


for _m in ("__getitem__", "__contains__", "__iter__", "__len__", "__repr__", "__eq__",
           "__setitem__", "__delitem__", "get", "keys", "values", "items", "copy", "pop",
           "popitem", "setdefault", "update", "clear", "__or__", "__ror__", "__ior__",
           "__reversed__", "__ne__"):
    setattr(LazyLogs, _m, _lazy(_m))
LazyLogs.__hash__ = None  # type: ignore[assignment]


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

    Example:
        >>> cbs = CallbackList([dp.callbacks.TerminateOnNaN()], model=model, params={"epochs": 1})
        >>> cbs.on_epoch_end(0, {"loss": 0.5})
    """

    def __init__(self, callbacks: Iterable[Callback] | None = None, add_history=None,
                 add_progbar: bool = False, verbose: int = 1, model=None, params=None,
                 mode: str = "train"):
        from deepprob.callbacks.progbar import ProgbarLogger

        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            callbacks = [callbacks]
        self.callbacks = list(callbacks or [])
        for i, cb in enumerate(self.callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"Argument `callbacks`: expected dp.callbacks.Callback instances, received "
                    f"{type(cb).__name__} at position {i}."
                )
        bars = [cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)]
        if add_progbar and not bars:
            bar = ProgbarLogger(verbose=verbose)
            self.callbacks.append(bar)
            bars.append(bar)
        for bar in bars:
            bar.mode = mode
        if add_history is not None:
            # Last, as in Keras: it records the logs after every other callback added to them
            # (LearningRateScheduler adds `learning_rate`).
            self.callbacks.append(add_history)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(dict(params or {}))

    def has_batch_hooks(self, mode: str) -> bool:
        """Whether any callback does something per ``mode`` (train / test / predict) batch."""
        hooks = (f"on_{mode}_batch_begin", f"on_{mode}_batch_end")
        return any(has_hook(cb, h) for cb in self.callbacks for h in hooks)

    def __getattr__(self, hook: str):
        if hook not in HOOKS:
            raise AttributeError(hook)
        from deepprob.callbacks.progbar import ProgbarLogger

        batch = "batch" in hook
        wanted = [cb for cb in self.callbacks if has_hook(cb, hook)]

        def run(*args):
            if batch:
                step = args[0]
                logs = args[1] if len(args) > 1 else None
                if callable(logs):
                    # Computed (one device sync) once, and only if some callback reads them;
                    # the progress bar gets the function and calls it when it redraws.
                    make, shared = logs, LazyLogs(logs)
                    for cb in wanted:
                        if isinstance(cb, ProgbarLogger):
                            getattr(cb, hook)(step, make)
                        else:
                            getattr(cb, hook)(step, shared)
                    return
                logs = {} if logs is None else logs
                for cb in wanted:
                    getattr(cb, hook)(step, logs)
                return
            # One logs dict shared by all callbacks, so additions (learning_rate) are recorded.
            if hook.startswith("on_epoch"):
                epoch = args[0]
                logs = args[1] if len(args) > 1 and args[1] is not None else {}
                for cb in wanted:
                    getattr(cb, hook)(epoch, logs)
                return
            logs = args[0] if args and args[0] is not None else {}
            for cb in wanted:
                getattr(cb, hook)(logs)

        return run

"""``Metric`` (device-side state), ``Mean``, ``Sum`` and ``MeanMetricWrapper``.

A metric's state lives in tensors created on the device of its first update; ``update_state``
accumulates with in-place tensor ops (no ``.item()``, no host sync) and ``result()`` returns a
0-dim tensor, read only when logs are displayed.

Example:
    >>> m = dp.metrics.Mean()
    >>> m.update_state(torch.tensor([1.0, 2.0, 3.0]))
    >>> m.result()
    tensor(2.)
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from deepprob.losses._utils import snake_case


def as_dtype(dtype) -> torch.dtype:
    """A torch dtype from ``None`` (float32), a torch dtype or its name (``"float64"``)."""
    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    resolved = getattr(torch, str(dtype), None)
    if not isinstance(resolved, torch.dtype):
        raise ValueError(f"Argument `dtype`: expected a torch dtype or its name such as "
                         f"'float32', received {dtype!r}.")
    return resolved


class Metric:
    """Base class: ``update_state``, ``result``, ``reset_state``; calling a metric updates it and
    returns the result.

    Subclasses accumulate with :meth:`add_to_state` and read with :meth:`state`.

    Args:
        name: the key in logs and History (default: the class name in snake case).
        dtype: dtype of the state (float32).

    Example:
        >>> class Count(dp.metrics.Metric):
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.add_to_state("n", len(y_pred), device=y_pred.device)
        ...     def result(self):
        ...         return self.state("n")
        >>> Count()(None, torch.zeros(3))
        tensor(3.)
    """

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = as_dtype(dtype)
        self._state: dict[str, torch.Tensor] = {}

    # -- state ---------------------------------------------------------------------------------
    def add_to_state(self, key: str, value, device=None) -> None:
        """Add ``value`` (a tensor on the metric's device, or a Python number) in place to the
        state ``key``, created as zeros on the first update (on ``value``'s device, or
        ``device``)."""
        state = self._state.get(key)
        if state is None:
            if isinstance(value, torch.Tensor):
                state = torch.zeros(value.shape, dtype=self.dtype, device=value.device)
            else:
                state = torch.zeros((), dtype=self.dtype, device=device)
            self._state[key] = state
        if isinstance(value, torch.Tensor):
            state.add_(value.detach())
        else:
            state.add_(value)

    def state(self, key: str, default_shape: tuple = ()) -> torch.Tensor:
        """The accumulated state ``key`` (zeros before the first update)."""
        value = self._state.get(key)
        return value if value is not None else torch.zeros(default_shape, dtype=self.dtype)

    # -- protocol ------------------------------------------------------------------------------
    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulate one batch; implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self) -> torch.Tensor:
        """The metric's value from the accumulated state; implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self) -> None:
        """Zero the state in place (it stays on its device)."""
        for value in self._state.values():
            value.zero_()

    reset_states = reset_state

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments (``from_config`` rebuilds the metric, without its state)."""
        return {"name": self.name, "dtype": str(self.dtype).replace("torch.", "")}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a metric from :meth:`get_config`'s dictionary."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def weights_like(values: torch.Tensor, sample_weight) -> torch.Tensor | None:
    """``sample_weight`` as a tensor on ``values``' device and dtype, broadcast over trailing
    dimensions (``(n,)`` and ``(n, 1)`` both weight ``(n, ...)`` values)."""
    if sample_weight is None:
        return None
    sw = sample_weight
    if not isinstance(sw, torch.Tensor) or sw.device != values.device or sw.dtype != values.dtype:
        sw = torch.as_tensor(sw).to(device=values.device, dtype=values.dtype)
    while sw.dim() > values.dim() and sw.shape[-1] == 1:
        sw = sw.squeeze(-1)
    while sw.dim() < values.dim():
        sw = sw.unsqueeze(-1)
    return torch.broadcast_to(sw, values.shape)


def divide_no_nan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a / b``, 0 where ``b`` is 0 (on the device, no sync)."""
    return torch.where(b != 0, a / torch.where(b != 0, b, torch.ones_like(b)),
                       torch.zeros_like(a))


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values, sample_weight=None)``.

    Args:
        name: the metric's name ("mean").
        dtype: dtype of the state.

    Example:
        >>> m = dp.metrics.Mean()
        >>> m(torch.tensor([1.0, 3.0]), sample_weight=torch.tensor([1.0, 3.0]))
        tensor(2.5000)
    """

    def update_state(self, values, sample_weight=None) -> None:  # noqa: D417 - Keras signature
        values = torch.as_tensor(values)
        if values.dtype != self.dtype:
            values = values.to(self.dtype)
        sw = weights_like(values, sample_weight)
        if sw is None:
            self.add_to_state("total", values.sum())
            self.add_to_state("count", values.numel(), device=values.device)
        else:
            self.add_to_state("total", (values * sw).sum())
            self.add_to_state("count", sw.sum())

    def result(self) -> torch.Tensor:
        return divide_no_nan(self.state("total"), self.state("count"))


class Sum(Metric):
    """The (weighted) sum of the values given to ``update_state(values, sample_weight=None)``.

    Args:
        name: the metric's name ("sum").
        dtype: dtype of the state.

    Example:
        >>> dp.metrics.Sum()(torch.tensor([1.0, 3.0]))
        tensor(4.)
    """

    def update_state(self, values, sample_weight=None) -> None:  # noqa: D417 - Keras signature
        values = torch.as_tensor(values)
        if values.dtype != self.dtype:
            values = values.to(self.dtype)
        sw = weights_like(values, sample_weight)
        self.add_to_state("total", values.sum() if sw is None else (values * sw).sum())

    def result(self) -> torch.Tensor:
        return self.state("total")


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
        fn: returns one value per sample (or per element); ``y_pred`` may be any object.
        name: the metric's name (default: the function's name).
        dtype: dtype of the state.
        **kwargs: keyword arguments passed to ``fn``.

    Example:
        >>> m = dp.metrics.MeanMetricWrapper(lambda y, p: (y - p).abs(), name="l1")
        >>> m(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
        tensor(1.5000)
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        if not callable(fn):
            raise ValueError(f"Argument `fn` of MeanMetricWrapper: expected a callable "
                             f"fn(y_true, y_pred), received {fn!r}.")
        super().__init__(name=name or getattr(fn, "__name__", None) or "metric", dtype=dtype)
        self.fn = fn
        self.fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        Mean.update_state(self, self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)

    def get_config(self) -> dict:
        config = {**super().get_config(), **self.fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self.fn, "__name__", repr(self.fn))
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if cls is MeanMetricWrapper:
            from deepprob.metrics import FUNCTIONS

            fn = config.pop("fn", None)
            if isinstance(fn, str):
                if fn not in FUNCTIONS:
                    from deepprob._errors import unknown

                    raise unknown("metric function", fn, FUNCTIONS, argument="fn")
                fn = FUNCTIONS[fn]
            return cls(fn, **config)
        return cls(**config)


def wrapper_class(class_name: str, fn: Callable, default_name: str, params: dict, doc: str,
                  module: str):
    """A MeanMetricWrapper subclass with Keras's constructor: ``params``, then ``name`` and
    ``dtype``, by keyword or position."""
    order = [*params, "name", "dtype"]

    def __init__(self, *args, **kwargs):
        if len(args) > len(order):
            raise TypeError(f"{class_name}() takes at most {len(order)} positional arguments, "
                            f"received {len(args)}.")
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"{class_name}() got multiple values for argument {key!r}.")
            kwargs[key] = value
        bad = sorted(set(kwargs) - set(order))
        if bad:
            raise TypeError(f"{class_name}() got unexpected keyword argument(s) {bad}; "
                            f"expected some of {order}.")
        values = {k: kwargs.get(k, v) for k, v in params.items()}
        MeanMetricWrapper.__init__(self, fn, name=kwargs.get("name") or default_name,
                                   dtype=kwargs.get("dtype"), **values)

    cls = type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})
    cls.__module__ = module
    return cls


def doc(summary: str, args: str, example: str) -> str:
    """A class docstring with Args (``args``, then name and dtype) and an example."""
    return (f"{summary}\n\n    Args:\n{args}        name: the metric's name.\n        dtype: "
            f"dtype of the state.\n\n    Example:\n        >>> {example}\n")

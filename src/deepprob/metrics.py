"""Metrics with Keras's names, accumulated on the device.

A metric's state lives in tensors on the device of its first update; ``update_state`` runs a
handful of in-place tensor ops (no ``.item()``, no host sync) and only ``result()`` is read, when
logs are displayed.

Example:
    >>> m = dp.metrics.SparseCategoricalAccuracy()
    >>> m.update_state(torch.tensor([1, 0]), torch.tensor([[0.2, 0.8], [0.3, 0.7]]))
    >>> float(m.result())
    0.5
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from deepprob import losses as losses_mod
from deepprob._errors import unknown
from deepprob.losses._utils import align, snake_case


class Metric:
    """Base class: ``update_state``, ``result``, ``reset_state``; ``__call__`` updates and
    returns the result.

    Args:
        name: the key in logs and History.
        dtype: the dtype of the state (float32).
    """

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or torch.float32
        self._state: dict[str, torch.Tensor] = {}

    def _add(self, key: str, value: torch.Tensor) -> None:
        state = self._state.get(key)
        if state is None:
            self._state[key] = value.detach().to(self.dtype).clone()
        else:
            state.add_(value.detach().to(state.dtype))

    def _get(self, key: str, default: float = 0.0) -> torch.Tensor:
        state = self._state.get(key)
        return state if state is not None else torch.tensor(default, dtype=self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        raise NotImplementedError

    def result(self) -> torch.Tensor:
        raise NotImplementedError

    def reset_state(self) -> None:
        self._state = {}

    reset_states = reset_state

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _weights(values: torch.Tensor, sample_weight) -> torch.Tensor | None:
    if sample_weight is None:
        return None
    sw = torch.as_tensor(sample_weight, device=values.device).to(values.dtype)
    while sw.dim() > values.dim() and sw.shape[-1] == 1:
        sw = sw.squeeze(-1)
    while sw.dim() < values.dim():
        sw = sw.unsqueeze(-1)
    return torch.broadcast_to(sw, values.shape)


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values, sample_weight=None)``."""

    def update_state(self, values, sample_weight=None) -> None:  # noqa: D417 - Keras signature
        values = torch.as_tensor(values).to(self.dtype)
        sw = _weights(values, sample_weight)
        if sw is None:
            self._add("total", values.sum())
            self._add("count", torch.tensor(float(values.numel()), device=values.device))
        else:
            self._add("total", (values * sw).sum())
            self._add("count", sw.sum())

    def result(self) -> torch.Tensor:
        return self._get("total") / self._get("count").clamp_min(1e-12) \
            if "count" in self._state else torch.tensor(0.0)

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()


class Sum(Metric):
    """The (weighted) sum of the values."""

    def update_state(self, values, sample_weight=None) -> None:
        values = torch.as_tensor(values).to(self.dtype)
        sw = _weights(values, sample_weight)
        self._add("total", values.sum() if sw is None else (values * sw).sum())

    def result(self) -> torch.Tensor:
        return self._get("total")

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
        fn: returns one value per sample.
        name: the metric's name (defaults to the function's).
        **kwargs: passed to ``fn``.
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "metric"), dtype=dtype)
        self.fn = fn
        self.fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        Mean.update_state(self, self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, **self.fn_kwargs}


# -- per-sample functions ------------------------------------------------------------------------
def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    y_true, y_pred = align(y_true, y_pred)
    return (y_true == (y_pred > threshold).to(y_true.dtype)).to(torch.float32).mean(dim=-1)


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    y_pred = torch.as_tensor(y_pred)
    return (torch.as_tensor(y_true).argmax(-1) == y_pred.argmax(-1)).to(torch.float32)


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    y_pred = torch.as_tensor(y_pred)
    labels = torch.as_tensor(y_true)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    return (y_pred.argmax(-1) == labels.to(torch.int64)).to(torch.float32)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    y_pred = torch.as_tensor(y_pred)
    return sparse_top_k_categorical_accuracy(torch.as_tensor(y_true).argmax(-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    y_pred = torch.as_tensor(y_pred)
    labels = torch.as_tensor(y_true)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    k = min(k, y_pred.shape[-1])
    top = y_pred.topk(k, dim=-1).indices
    return (top == labels.to(torch.int64).unsqueeze(-1)).any(-1).to(torch.float32)


def accuracy(y_true, y_pred) -> torch.Tensor:
    y_true, y_pred = align(y_true, y_pred)
    return (y_true == y_pred).to(torch.float32).mean(dim=-1)


def _class(name: str, fn: Callable, params: dict, doc: str):
    def __init__(self, *args, name=None, dtype=None, **kwargs):
        values = dict(params)
        values.update(zip(list(params), args))
        values.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name or default, dtype=dtype, **values)

    default = snake_case(name)
    cls = type(name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})
    cls.__module__ = __name__
    return cls


BinaryAccuracy = _class("BinaryAccuracy", binary_accuracy, {"threshold": 0.5},
                        "Fraction of predictions on the right side of ``threshold``.")
CategoricalAccuracy = _class("CategoricalAccuracy", categorical_accuracy, {},
                             "Fraction where argmax(y_pred) equals argmax(one-hot y_true).")
SparseCategoricalAccuracy = _class("SparseCategoricalAccuracy", sparse_categorical_accuracy, {},
                                   "Fraction where argmax(y_pred) equals the integer label.")
TopKCategoricalAccuracy = _class("TopKCategoricalAccuracy", top_k_categorical_accuracy, {"k": 5},
                                 "Fraction where the one-hot target is among the top k.")
SparseTopKCategoricalAccuracy = _class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy, {"k": 5},
    "Fraction where the integer label is among the top k.")
Accuracy = _class("Accuracy", accuracy, {}, "Fraction of exact matches.")
MeanSquaredError = _class("MeanSquaredError", losses_mod.mean_squared_error, {}, "Mean squared error.")
MeanAbsoluteError = _class("MeanAbsoluteError", losses_mod.mean_absolute_error, {},
                           "Mean absolute error.")
MeanAbsolutePercentageError = _class("MeanAbsolutePercentageError",
                                     losses_mod.mean_absolute_percentage_error, {}, "MAPE.")
MeanSquaredLogarithmicError = _class("MeanSquaredLogarithmicError",
                                     losses_mod.mean_squared_logarithmic_error, {}, "MSLE.")
BinaryCrossentropy = _class("BinaryCrossentropy", losses_mod.binary_crossentropy,
                            {"from_logits": False, "label_smoothing": 0.0},
                            "Mean binary cross-entropy.")
CategoricalCrossentropy = _class("CategoricalCrossentropy", losses_mod.categorical_crossentropy,
                                 {"from_logits": False, "label_smoothing": 0.0},
                                 "Mean categorical cross-entropy.")
SparseCategoricalCrossentropy = _class(
    "SparseCategoricalCrossentropy", losses_mod.sparse_categorical_crossentropy,
    {"from_logits": False, "check_labels": False}, "Mean sparse categorical cross-entropy.")
KLDivergence = _class("KLDivergence", losses_mod.kl_divergence, {}, "Mean KL divergence.")
Poisson = _class("Poisson", losses_mod.poisson, {}, "Mean Poisson loss.")
LogCoshError = _class("LogCoshError", losses_mod.log_cosh, {}, "Mean log-cosh error.")


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_true - y_pred) ** 2))`` over all values seen."""

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = align(y_true, y_pred)
        Mean.update_state(self, torch.square(y_pred - y_true), sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(Mean.result(self))

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()


# -- confusion-matrix metrics --------------------------------------------------------------------
class _Thresholded(Metric):
    def __init__(self, thresholds=None, name=None, dtype=None, default=0.5):
        super().__init__(name=name, dtype=dtype)
        if thresholds is None:
            thresholds = [default]
        self.single = isinstance(thresholds, (int, float))
        self.thresholds = [float(thresholds)] if self.single else [float(t) for t in thresholds]
        for t in self.thresholds:
            if not 0.0 <= t <= 1.0:
                raise ValueError(f"Argument `thresholds`: values must lie in [0, 1], received {t}.")

    def _counts(self, y_true, y_pred, sample_weight):
        y_true, y_pred = align(y_true, y_pred)
        thr = torch.tensor(self.thresholds, dtype=y_pred.dtype, device=y_pred.device)
        pred = (y_pred.reshape(-1, 1) > thr).to(self.dtype)          # (n, T)
        true = (y_true.reshape(-1, 1) > 0.5).to(self.dtype)
        sw = _weights(y_pred, sample_weight)
        w = sw.reshape(-1, 1).to(self.dtype) if sw is not None else 1.0
        self._add("tp", (pred * true * w).sum(0))
        self._add("fp", (pred * (1 - true) * w).sum(0))
        self._add("fn", ((1 - pred) * true * w).sum(0))
        self._add("tn", ((1 - pred) * (1 - true) * w).sum(0))

    def _out(self, value: torch.Tensor) -> torch.Tensor:
        return value[0] if self.single or len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {"name": self.name, "thresholds": self.thresholds}


class Precision(_Thresholded):
    """``tp / (tp + fp)`` at each threshold (0.5 by default).

    Args:
        thresholds: a float or list of floats in [0, 1].
        name: the metric's name.
    """

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(thresholds, name=name or "precision", dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self._counts(y_true, y_pred, sample_weight)

    def result(self) -> torch.Tensor:
        tp, fp = self._get("tp"), self._get("fp")
        return self._out(torch.nan_to_num(tp / (tp + fp), nan=0.0))


class Recall(_Thresholded):
    """``tp / (tp + fn)`` at each threshold (0.5 by default).

    Args:
        thresholds: a float or list of floats in [0, 1].
        name: the metric's name.
    """

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(thresholds, name=name or "recall", dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self._counts(y_true, y_pred, sample_weight)

    def result(self) -> torch.Tensor:
        tp, fn = self._get("tp"), self._get("fn")
        return self._out(torch.nan_to_num(tp / (tp + fn), nan=0.0))


class AUC(_Thresholded):
    """Area under the ROC or precision-recall curve from ``num_thresholds`` buckets, as Keras.

    Thresholds are ``[-eps, 1/(n-1), ..., 1 + eps]``; the ROC area is a Riemann sum with
    ``summation_method="interpolation"`` (trapezoids), as Keras computes it.

    Args:
        num_thresholds: number of thresholds (> 1).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
        name: the metric's name.
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None, dtype=None,
                 thresholds=None, multi_label: bool = False, from_logits: bool = False, **kwargs):
        if num_thresholds <= 1:
            raise ValueError(f"Argument `num_thresholds` of AUC: must be > 1, received "
                             f"{num_thresholds}.")
        if curve not in ("ROC", "PR"):
            raise unknown("curve", curve, ["ROC", "PR"], argument="curve")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise unknown("summation method", summation_method,
                          ["interpolation", "minoring", "majoring"], argument="summation_method")
        eps = 1e-7
        if thresholds is None:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            thresholds = [0.0 - eps] + inner + [1.0 + eps]
        Metric.__init__(self, name=name or "auc", dtype=dtype)
        self.thresholds = list(thresholds)
        self.single = False
        self.curve, self.summation_method, self.from_logits = curve, summation_method, from_logits
        self.num_thresholds = len(self.thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = torch.as_tensor(y_pred)
        if self.from_logits:
            y_pred = torch.sigmoid(y_pred)
        self._counts(y_true, y_pred, sample_weight)

    def result(self) -> torch.Tensor:
        tp, fp, fn, tn = (self._get(k) for k in ("tp", "fp", "fn", "tn"))
        if "tp" not in self._state:
            return torch.tensor(0.0)
        if self.curve == "ROC":
            x = fp / (fp + tn).clamp_min(1e-12)
            y = tp / (tp + fn).clamp_min(1e-12)
        else:
            x = tp / (tp + fn).clamp_min(1e-12)
            y = torch.nan_to_num(tp / (tp + fp), nan=1.0)
        dx = x[:-1] - x[1:]
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return (dx * heights).sum()

    def get_config(self) -> dict:
        return {"name": self.name, "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method}


# -- lookup --------------------------------------------------------------------------------------
_CLASSES = {c.__name__: c for c in (
    Mean, Sum, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Accuracy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    RootMeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence, Poisson, LogCoshError, Precision, Recall, AUC)}
_NAMES: dict[str, Callable[[], Metric]] = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error":
        MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "mean_squared_logarithmic_error":
        MeanSquaredLogarithmicError,
    "rmse": RootMeanSquaredError, "root_mean_squared_error": RootMeanSquaredError,
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "binary_crossentropy": BinaryCrossentropy, "categorical_crossentropy":
        CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence, "poisson": Poisson,
    "logcosh": LogCoshError, "auc": AUC, "precision": Precision, "recall": Recall,
}


def _accuracy_for(loss, y_true_shape, y_pred_shape) -> type:
    fn_name = str(getattr(loss, "fn_name", "") or getattr(loss, "name", ""))
    cls_name = type(loss).__name__ if loss is not None else ""
    if "sparse_categorical" in fn_name or cls_name == "SparseCategoricalCrossentropy":
        return SparseCategoricalAccuracy
    if "binary" in fn_name or cls_name in ("BinaryCrossentropy", "BinaryFocalCrossentropy"):
        return BinaryAccuracy
    if "categorical_crossentropy" in fn_name or cls_name == "CategoricalCrossentropy":
        return CategoricalAccuracy
    if y_pred_shape is not None and len(y_pred_shape) and y_pred_shape[-1] == 1:
        return BinaryAccuracy
    if y_true_shape is not None and y_pred_shape is not None and (
            len(y_true_shape) == len(y_pred_shape) - 1
            or (len(y_true_shape) == len(y_pred_shape) and y_true_shape[-1] == 1
                and y_pred_shape[-1] > 1)):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


def get(identifier, loss=None, y_true_shape=None, y_pred_shape=None) -> Metric:
    """Resolve a metric as Keras does.

    ``"accuracy"`` / ``"acc"`` become binary, categorical or sparse categorical accuracy chosen
    from the loss (then from the shapes); the metric keeps the name the user wrote, so History
    keys match Keras (``"acc"`` stays ``"acc"``).

    Args:
        identifier: a name, a Metric instance or class, or a callable ``fn(y_true, y_pred)``.
        loss: the compiled loss of the same output.
        y_true_shape, y_pred_shape: shapes of one batch's targets and predictions.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower() if identifier in ("AUC",) else identifier
        if key in ("accuracy", "acc"):
            return _accuracy_for(loss, y_true_shape, y_pred_shape)(name=identifier)
        if key in _NAMES:
            return _NAMES[key](name=identifier)
        if key in _CLASSES:
            return _CLASSES[key]()
        raise unknown("metric", identifier, ["accuracy", "acc", *_NAMES, *_CLASSES],
                      argument="metrics")
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise unknown("metric class", identifier.get("class_name"), _CLASSES,
                          argument="metrics")
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(
        f"Argument `metrics`: expected a metric name, a dp.metrics.Metric or a callable, "
        f"received {identifier!r}."
    )


def serialize(metric: Metric) -> dict:
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


__all__ = ["Metric", "get", "serialize", *_CLASSES, "MeanMetricWrapper", "binary_accuracy",
           "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy"]

"""Metrics with Keras's names, accumulated on the device.

A metric's state lives in tensors on the device of its first update; ``update_state`` runs a
handful of in-place tensor ops (no ``.item()``, no host sync) and ``result()`` returns a 0-dim
tensor, read only when logs are displayed. :func:`get` resolves names as Keras does, including
``"accuracy"`` / ``"acc"`` chosen from the loss and the shapes.

Example:
    >>> m = dp.metrics.get("accuracy", loss="sparse_categorical_crossentropy")
    >>> m(torch.tensor([1, 0]), torch.tensor([[0.2, 0.8], [0.3, 0.7]]))
    tensor(0.5000)
"""

from __future__ import annotations

from collections.abc import Callable

from deepprob._errors import unknown
from deepprob.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from deepprob.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from deepprob.metrics.confusion import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from deepprob.metrics.regression import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)

CLASSES: dict[str, type] = {c.__name__: c for c in (
    Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
    SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    RootMeanSquaredError, LogCoshError, CosineSimilarity, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge,
    SquaredHinge, CategoricalHinge, Precision, Recall, AUC, TruePositives, FalsePositives,
    TrueNegatives, FalseNegatives)}

FUNCTIONS: dict[str, Callable] = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)}

# names (beyond the class names) and the classes they build
NAMES: dict[str, type] = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "rmse": RootMeanSquaredError, "root_mean_squared_error": RootMeanSquaredError,
    "logcosh": LogCoshError, "log_cosh": LogCoshError, "cosine_similarity": CosineSimilarity,
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence, "KLD": KLDivergence,
    "kullback_leibler_divergence": KLDivergence, "poisson": Poisson, "hinge": Hinge,
    "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "auc": AUC, "precision": Precision, "recall": Recall, "true_positives": TruePositives,
    "false_positives": FalsePositives, "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
}


def _loss_kind(loss) -> str | None:
    """``"sparse"``, ``"binary"``, ``"categorical"`` for the cross-entropy losses, else None."""
    if loss is None:
        return None
    if isinstance(loss, str):
        from deepprob import losses

        try:
            loss = losses.get(loss)
        except ValueError:
            return None
    names = {type(loss).__name__, str(getattr(loss, "fn_name", "")),
             str(getattr(loss, "__name__", ""))}
    fn = getattr(loss, "fn", None)
    names.add(str(getattr(fn, "__name__", "")))
    if names & {"SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"}:
        return "sparse"
    if names & {"BinaryCrossentropy", "binary_crossentropy", "BinaryFocalCrossentropy",
                "binary_focal_crossentropy"}:
        return "binary"
    if names & {"CategoricalCrossentropy", "categorical_crossentropy"}:
        return "categorical"
    return None


def _kind_from_shapes(y_true_shape, y_pred_shape) -> str:
    # Keras 2's rule (compile_utils): binary when y_pred's last dim is 1; sparse when y_true has
    # one fewer dim, or a last dim of 1 against y_pred's > 1; otherwise categorical.
    if y_pred_shape is not None and len(y_pred_shape) and y_pred_shape[-1] == 1:
        return "binary"
    if y_true_shape is not None and y_pred_shape is not None and len(y_pred_shape):
        if len(y_true_shape) < len(y_pred_shape) or (
                len(y_true_shape) and y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
            return "sparse"
    return "categorical"


_ACCURACY = {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy,
             "categorical": CategoricalAccuracy}
_CROSSENTROPY = {"binary": BinaryCrossentropy, "sparse": SparseCategoricalCrossentropy,
                 "categorical": CategoricalCrossentropy}


def get(identifier, loss=None, y_true_shape=None, y_pred_shape=None) -> Metric:
    """Resolve a metric as Keras does.

    ``"accuracy"`` / ``"acc"`` (and ``"crossentropy"`` / ``"ce"``) become the binary,
    categorical or sparse categorical metric chosen from the loss (binary_crossentropy ->
    binary, sparse_categorical_crossentropy -> sparse, categorical_crossentropy -> categorical),
    otherwise from the shapes as Keras 2 does. A metric built from a string is named by that
    string (``"acc"`` stays ``"acc"``, ``"mae"`` stays ``"mae"``), so History keys match Keras.

    Args:
        identifier: a name, a Metric instance or class, a ``{"class_name", "config"}`` dict, or
            a callable ``fn(y_true, y_pred)`` returning per-sample values (wrapped in a
            :class:`MeanMetricWrapper` named after the function).
        loss: the compiled loss of the same output (a Loss, a name or a function).
        y_true_shape: the shape of one batch's targets.
        y_pred_shape: the shape of one batch's predictions.

    Example:
        >>> dp.metrics.get("acc", y_true_shape=(32,), y_pred_shape=(32, 10))
        <SparseCategoricalAccuracy name='acc'>
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        lowered = identifier.lower()
        if lowered in ("accuracy", "acc", "crossentropy", "ce"):
            kind = _loss_kind(loss) or _kind_from_shapes(y_true_shape, y_pred_shape)
            table = _ACCURACY if lowered in ("accuracy", "acc") else _CROSSENTROPY
            return table[kind](name=identifier)
        cls = NAMES.get(identifier) or CLASSES.get(identifier) or NAMES.get(lowered)
        if cls is None or cls is MeanMetricWrapper:
            raise unknown("metric", identifier, ["accuracy", "acc", *NAMES, *CLASSES],
                          argument="metrics")
        return cls(name=identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(
        f"Argument `metrics`: expected a metric name, a dp.metrics.Metric or a callable "
        f"fn(y_true, y_pred), received {identifier!r}."
    )


def serialize(metric: Metric) -> dict:
    """``{"class_name": ..., "config": ...}`` for a metric.

    Args:
        metric: the metric.

    Example:
        >>> dp.metrics.serialize(dp.metrics.AUC(curve="PR"))["config"]["curve"]
        'PR'
    """
    if not isinstance(metric, Metric):
        raise ValueError(f"Argument `metric` of serialize: expected a dp.metrics.Metric, "
                         f"received {metric!r}.")
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config, custom_objects: dict | None = None) -> Metric:
    """Inverse of :func:`serialize` (names are resolved by :func:`get`).

    Args:
        config: a ``{"class_name", "config"}`` dict or a name.
        custom_objects: extra metric classes by name.

    Example:
        >>> dp.metrics.deserialize({"class_name": "Recall", "config": {}}).name
        'recall'
    """
    if isinstance(config, str):
        return get(config)
    objects = {**CLASSES, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in objects:
        raise unknown("metric class", name, objects, argument="config")
    return objects[name].from_config(dict(config.get("config") or {}))


__all__ = ["Metric", "deserialize", "get", "serialize", *CLASSES, *FUNCTIONS]

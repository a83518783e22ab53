"""Losses with Keras's names, defaults and reductions.

Functions (``mean_squared_error(y_true, y_pred)`` ...) return one loss per sample (the mean over
the last axis, as Keras). Classes (``MeanSquaredError()`` ...) weight and reduce them, by default
with ``"sum_over_batch_size"``. :func:`get` resolves names, classes, instances and any callable
``fn(y_true, y_pred)`` (``y_pred`` may be a distribution) to a :class:`Loss`.

Cross-entropies never take ``log(0)``: logits kept by softmax / sigmoid layers
(``y_pred._keras_logits``) are used when present, otherwise probabilities are clipped to
``[1e-7, 1 - 1e-7]`` (see :mod:`deepprob.losses.crossentropy`).

Example:
    >>> loss = dp.losses.get("sparse_categorical_crossentropy")
    >>> loss(torch.tensor([1]), torch.tensor([[0.1, 0.9]]))  # -log(0.9)
    tensor(0.1054)
"""

from __future__ import annotations

from collections.abc import Callable

from deepprob._errors import unknown
from deepprob.losses._utils import EPSILON
from deepprob.losses.crossentropy import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    check_sparse_labels,
    sparse_categorical_crossentropy,
)
from deepprob.losses.hinge import categorical_hinge, hinge, squared_hinge
from deepprob.losses.loss import (
    CLASSES,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    Loss,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    reduce_weighted,
)
from deepprob.losses.regression import (
    cosine_similarity,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber

FUNCTIONS: dict[str, Callable] = {
    f.__name__: f for f in (
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, huber, log_cosh, poisson, kl_divergence,
        cosine_similarity, hinge, squared_hinge, categorical_hinge, binary_crossentropy,
        binary_focal_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy)
}
ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
           "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
           "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
           "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
           "kld": "kl_divergence", "KLD": "kl_divergence",
           "kullback_leibler_divergence": "kl_divergence", "logcosh": "log_cosh",
           "huber_loss": "huber"}
_CLASS_OF = {c().fn_name: c for c in CLASSES.values()}


def _from_name(identifier: str) -> Loss:
    key = ALIASES.get(identifier, identifier)
    if key in _CLASS_OF:
        return _CLASS_OF[key]()
    if key in CLASSES:
        return CLASSES[key]()
    raise unknown("loss", identifier, [*FUNCTIONS, *ALIASES, *CLASSES], argument="loss")


def get(identifier) -> Loss:
    """Resolve a loss to a :class:`Loss`.

    Args:
        identifier: a name (``"mse"``, ``"sparse_categorical_crossentropy"``,
            ``"BinaryCrossentropy"``), a Loss class or instance, a config dict from
            :func:`serialize`, or any callable ``fn(y_true, y_pred)`` returning per-sample values
            or a scalar (``y_pred`` may be a distribution).

    Example:
        >>> dp.losses.get("mse")(torch.zeros(2, 1), torch.ones(2, 1))
        tensor(1.)
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return _from_name(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        name = getattr(identifier, "__name__", None)
        if name in FUNCTIONS and FUNCTIONS[name] is identifier and name in _CLASS_OF:
            return _CLASS_OF[name]()
        return LossFunctionWrapper(identifier)
    raise ValueError(
        f"Argument `loss`: expected a loss name, a dp.losses.Loss or a callable "
        f"fn(y_true, y_pred), received {identifier!r}."
    )


def serialize(loss) -> dict | str:
    """A JSON-ready description: ``{"class_name", "config"}`` for Loss objects, the name for the
    loss functions.

    Args:
        loss: a Loss or a loss function.

    Example:
        >>> dp.losses.serialize(dp.losses.Huber(delta=2.0))["config"]["delta"]
        2.0
    """
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    name = getattr(loss, "__name__", None)
    if name in FUNCTIONS and FUNCTIONS[name] is loss:
        return name
    raise ValueError(f"Argument `loss` of serialize: expected a dp.losses.Loss or a dp.losses "
                     f"function, received {loss!r}.")


def deserialize(config, custom_objects: dict | None = None) -> Loss:
    """Inverse of :func:`serialize`.

    Args:
        config: a name or a ``{"class_name", "config"}`` dict.
        custom_objects: extra classes or functions by name.

    Example:
        >>> dp.losses.deserialize({"class_name": "Huber", "config": {"delta": 2.0}}).fn_kwargs
        {'delta': 2.0}
    """
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        return get(custom_objects.get(config, config))
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Argument `config` of deserialize: expected a loss name or a dict with "
                         f"'class_name' and 'config', received {config!r}.")
    objects = {**CLASSES, "LossFunctionWrapper": LossFunctionWrapper, **custom_objects}
    name = config["class_name"]
    if name not in objects:
        raise unknown("loss class", name, objects, argument="config")
    return objects[name].from_config(dict(config.get("config") or {}))


__all__ = [
    "EPSILON", "Loss", "LossFunctionWrapper", "check_sparse_labels", "deserialize", "get",
    "reduce_weighted", "serialize", *FUNCTIONS, *CLASSES, *ALIASES, "huber_loss",
    "kullback_leibler_divergence",
]

"""Losses with Keras's names, defaults and reductions.

Functions (``mean_squared_error(y_true, y_pred)`` ...) return one loss per sample (the mean over
the last axis, as Keras). Classes (``MeanSquaredError()`` ...) reduce them, by default with
``"sum_over_batch_size"``: the (weighted) sum divided by the number of per-sample values.

Probability-space cross-entropies never take ``log(0)``: when ``y_pred`` came from a layer with a
softmax or sigmoid activation, the engine keeps the pre-activation on it
(``y_pred._keras_logits``, as Keras 3 does) and the loss is computed from those logits with
``F.cross_entropy`` / ``F.binary_cross_entropy_with_logits``; otherwise probabilities are clipped
to ``[1e-7, 1 - 1e-7]`` as in Keras.

Example:
    >>> loss = dp.losses.SparseCategoricalCrossentropy()
    >>> float(loss(torch.tensor([1]), torch.tensor([[0.1, 0.9]])))  # -log(0.9)
    0.10536...
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from deepprob._errors import unknown

EPSILON = 1e-7


# -- helpers -------------------------------------------------------------------------------------
def _as_tensor(y, like: torch.Tensor | None = None) -> torch.Tensor:
    if isinstance(y, torch.Tensor):
        return y
    t = torch.as_tensor(y)
    if like is not None and t.is_floating_point() is False and like.is_floating_point():
        return t.to(like.dtype)
    return t.to(torch.float32) if t.is_floating_point() else t


def _align(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    """Cast ``y_true`` to ``y_pred``'s dtype and squeeze/expand a trailing 1 so ranks match
    (Keras's ``squeeze_or_expand_to_same_rank``): (n,) vs (n, 1) never broadcasts to (n, n)."""
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred)
    if y_true.dtype != y_pred.dtype and y_pred.is_floating_point():
        y_true = y_true.to(y_pred.dtype)
    if y_true.dim() == y_pred.dim() - 1 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)
    elif y_pred.dim() == y_true.dim() - 1 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_true, y_pred


def _logits_of(y_pred):
    return getattr(y_pred, "_keras_logits", None)


# -- regression ----------------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """``mean((y_true - y_pred) ** 2, axis=-1)``."""
    y_true, y_pred = _align(y_true, y_pred)
    return torch.square(y_pred - y_true).mean(dim=-1)


def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _align(y_true, y_pred)
    return (y_pred - y_true).abs().mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), eps)), axis=-1)``."""
    y_true, y_pred = _align(y_true, y_pred)
    diff = (y_true - y_pred).abs() / y_true.abs().clamp_min(EPSILON)
    return 100.0 * diff.mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)``."""
    y_true, y_pred = _align(y_true, y_pred)
    first = torch.log1p(y_pred.clamp_min(EPSILON))
    second = torch.log1p(y_true.clamp_min(EPSILON))
    return torch.square(first - second).mean(dim=-1)


def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Huber loss: quadratic for errors below ``delta``, linear above (Keras's definition)."""
    y_true, y_pred = _align(y_true, y_pred)
    return F.huber_loss(y_pred, y_true, reduction="none", delta=float(delta)).mean(dim=-1)


def log_cosh(y_true, y_pred) -> torch.Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably."""
    y_true, y_pred = _align(y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - math.log(2.0)).mean(dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_true, y_pred = _align(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + EPSILON)).mean(dim=-1)


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to [eps, 1]."""
    y_true, y_pred = _align(y_true, y_pred)
    y_true = y_true.clamp(EPSILON, 1.0)
    y_pred = y_pred.clamp(EPSILON, 1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(dim=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (Keras's sign: -1 is best)."""
    y_true, y_pred = _align(y_true, y_pred)
    return -(F.normalize(y_true, dim=axis, eps=1e-12) * F.normalize(y_pred, dim=axis, eps=1e-12)
             ).sum(dim=axis)


def hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; 0/1 labels become -1/1."""
    y_true, y_pred = _align(y_true, y_pred)
    y_true = torch.where(y_true == 0, -torch.ones_like(y_true), y_true)
    return F.relu(1.0 - y_true * y_pred).mean(dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)``; 0/1 labels become -1/1."""
    y_true, y_pred = _align(y_true, y_pred)
    y_true = torch.where(y_true == 0, -torch.ones_like(y_true), y_true)
    return torch.square(F.relu(1.0 - y_true * y_pred)).mean(dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    y_true, y_pred = _align(y_true, y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return F.relu(neg - pos + 1.0)


# -- cross-entropies -----------------------------------------------------------------------------
def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> torch.Tensor:
    """Binary cross-entropy, mean over ``axis``.

    Args:
        y_true: 0/1 targets (or probabilities).
        y_pred: probabilities, or logits with ``from_logits=True``.
        from_logits: whether ``y_pred`` are logits.
        label_smoothing: squeeze targets towards 0.5: ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged over.
    """
    y_true, y_pred = _align(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred)
    if logits is not None:
        per = F.binary_cross_entropy_with_logits(logits, y_true, reduction="none")
    else:
        p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
        per = -(y_true * torch.log(p) + (1.0 - y_true) * torch.log1p(-p))
    return per.mean(dim=axis)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Cross-entropy between one-hot (or probability) targets and predicted distributions.

    Args:
        y_true: one-hot targets of the same shape as ``y_pred``.
        y_pred: probabilities (a softmax output), or logits with ``from_logits=True``.
        from_logits: whether ``y_pred`` are logits.
        label_smoothing: ``y * (1 - s) + s / num_classes``.
        axis: the class axis.
    """
    y_pred = _as_tensor(y_pred)
    y_true = _as_tensor(y_true, y_pred).to(y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"Argument `y_true` of categorical_crossentropy: expected one-hot targets of shape "
            f"{tuple(y_pred.shape)} like y_pred, received {tuple(y_true.shape)} (integer labels "
            "need sparse_categorical_crossentropy)."
        )
    if label_smoothing:
        k = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / k
    logits = y_pred if from_logits else _logits_of(y_pred)
    if logits is not None:
        return -(y_true * F.log_softmax(logits, dim=axis)).sum(dim=axis)
    p = y_pred / y_pred.sum(dim=axis, keepdim=True)
    p = p.clamp(EPSILON, 1.0 - EPSILON)
    return -(y_true * torch.log(p)).sum(dim=axis)


def _check_sparse_labels(labels: torch.Tensor, num_classes: int) -> None:
    if labels.numel() == 0:
        return
    lo, hi = int(labels.min()), int(labels.max())
    if lo < 0 or hi >= num_classes:
        raise ValueError(
            f"Argument `y_true`: integer labels must lie in [0, {num_classes - 1}] for "
            f"{num_classes} classes; received labels from {lo} to {hi}."
        )


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1,
                                    check_labels: bool = True) -> torch.Tensor:
    """Cross-entropy between integer labels and predicted distributions over classes.

    Args:
        y_true: integer labels of shape ``y_pred.shape[:-1]`` (a trailing 1 is accepted), any
            integer dtype, or floats holding integers.
        y_pred: probabilities, or logits with ``from_logits=True``.
        from_logits: whether ``y_pred`` are logits.
        ignore_class: a label whose samples contribute 0.
        axis: the class axis (must be the last).
        check_labels: raise for labels outside ``[0, num_classes)`` (one host sync; the trainer
            checks once per ``fit`` and turns it off).
    """
    y_pred = _as_tensor(y_pred)
    if axis not in (-1, y_pred.dim() - 1):
        raise ValueError(f"Argument `axis` of sparse_categorical_crossentropy: only the last axis "
                         f"is supported, received {axis}.")
    labels = _as_tensor(y_true)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    if labels.is_floating_point():
        labels = labels.round()
    labels = labels.long()
    k = y_pred.shape[-1]
    if tuple(labels.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError(
            f"Argument `y_true` of sparse_categorical_crossentropy: expected labels of shape "
            f"{tuple(y_pred.shape[:-1])} for predictions of shape {tuple(y_pred.shape)}, "
            f"received {tuple(_as_tensor(y_true).shape)}."
        )
    if ignore_class is not None:
        keep = labels != ignore_class
        labels = torch.where(keep, labels, torch.zeros_like(labels))
    if check_labels and ignore_class is None:
        _check_sparse_labels(labels, k)
    logits = y_pred if from_logits else _logits_of(y_pred)
    flat_labels = labels.reshape(-1) if labels.dim() != 1 else labels
    if logits is not None:
        if logits.dim() == 2:
            per = F.cross_entropy(logits, flat_labels, reduction="none")
            return per if ignore_class is None else per * keep.to(per.dtype)
        per = F.cross_entropy(logits.reshape(-1, k), flat_labels, reduction="none")
    else:
        p = y_pred.reshape(-1, k)
        p = p / p.sum(dim=-1, keepdim=True)
        per = F.nll_loss(torch.log(p.clamp(EPSILON, 1.0 - EPSILON)), flat_labels,
                         reduction="none")
    per = per.reshape(labels.shape)
    if ignore_class is not None:
        per = per * keep.to(per.dtype)
    return per


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                              label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Focal loss (Lin et al.): cross-entropy scaled by ``(1 - p_t) ** gamma``."""
    y_true, y_pred = _align(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred)
    probs = torch.sigmoid(logits) if logits is not None else y_pred
    if logits is not None:
        bce = F.binary_cross_entropy_with_logits(logits, y_true, reduction="none")
    else:
        p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
        bce = -(y_true * torch.log(p) + (1.0 - y_true) * torch.log1p(-p))
    p_t = y_true * probs + (1.0 - y_true) * (1.0 - probs)
    focal = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(dim=axis)


# -- classes -------------------------------------------------------------------------------------
_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "none", None, "mean_with_sample_weight")


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` -> reduced loss.

    Args:
        reduction: ``"sum_over_batch_size"`` (weighted sum / number of per-sample values),
            ``"sum"``, ``"mean"`` (same as sum_over_batch_size), ``"mean_with_sample_weight"``
            (weighted sum / sum of weights) or ``"none"`` / ``None`` (per-sample values).
        name: the loss's name.
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str | None = None):
        if reduction not in _REDUCTIONS:
            raise unknown("reduction", reduction, [r for r in _REDUCTIONS if r],
                          argument="reduction")
        self.reduction = reduction
        self.name = name or _snake(type(self).__name__)

    def call(self, y_true, y_pred) -> torch.Tensor:
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        values = self.call(y_true, y_pred)
        if not isinstance(values, torch.Tensor):
            values = torch.as_tensor(values, dtype=torch.float32)
        return reduce_weighted(values, sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def reduce_weighted(values: torch.Tensor, sample_weight, reduction) -> torch.Tensor:
    """Apply ``sample_weight`` (broadcast over trailing dims) and reduce as Keras does."""
    if sample_weight is None and reduction in ("sum_over_batch_size", "mean"):
        return values.mean()
    if sample_weight is not None:
        sw = _as_tensor(sample_weight).to(values.dtype)
        while sw.dim() > values.dim() and sw.shape[-1] == 1:
            sw = sw.squeeze(-1)
        while sw.dim() < values.dim():
            sw = sw.unsqueeze(-1)
        values = values * sw
    if reduction in ("none", None):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return total / torch.broadcast_to(sw, values.shape).sum().clamp_min(EPSILON)
    return total / max(values.numel(), 1)


def _snake(name: str) -> str:
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(c.lower())
    return "".join(out)


class LossFunctionWrapper(Loss):
    """A Loss from any callable ``fn(y_true, y_pred, **kwargs)``.

    The callable may return per-sample values or a scalar; ``y_pred`` may be any object (a
    distribution: ``lambda y, rv: -rv.log_prob(y)``).

    Args:
        fn: the function.
        reduction: as :class:`Loss`.
        name: defaults to the function's name.
        **kwargs: extra keyword arguments for ``fn``.
    """

    def __init__(self, fn: Callable, reduction="sum_over_batch_size", name: str | None = None,
                 **kwargs):
        super().__init__(reduction=reduction,
                         name=name or getattr(fn, "__name__", None) or "loss")
        self.fn = fn
        self.fn_name = getattr(fn, "__name__", self.name)
        self.fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.fn_kwargs}


def _wrapper_class(class_name: str, fn: Callable, params: dict, doc: str):
    def __init__(self, *args, reduction="sum_over_batch_size", name=None, **kwargs):
        names = list(params)
        if len(args) > len(names):
            raise TypeError(f"{class_name} takes at most {len(names)} positional arguments.")
        values = dict(params)
        values.update(zip(names, args))
        bad = set(kwargs) - set(params)
        if bad:
            raise TypeError(f"{class_name}: unexpected keyword argument(s) {sorted(bad)}.")
        values.update(kwargs)
        LossFunctionWrapper.__init__(self, fn, reduction=reduction,
                                     name=name or fn.__name__, **values)

    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc})
    cls.__module__ = __name__
    return cls


MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, {},
                                  "Mean of squared errors (``mean_squared_error``).")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, {},
                                   "Mean of absolute errors.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, {},
    "Mean absolute percentage error.")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, {},
    "Mean squared logarithmic error.")
Huber = _wrapper_class("Huber", huber, {"delta": 1.0}, "Huber loss with ``delta`` (1.0).")
LogCosh = _wrapper_class("LogCosh", log_cosh, {}, "Logarithm of the hyperbolic cosine.")
Poisson = _wrapper_class("Poisson", poisson, {}, "Poisson negative log-likelihood (up to const).")
KLDivergence = _wrapper_class("KLDivergence", kl_divergence, {}, "KL(y_true || y_pred).")
CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_similarity, {"axis": -1},
                                  "Negative cosine similarity.")
Hinge = _wrapper_class("Hinge", hinge, {}, "Hinge loss.")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, {}, "Squared hinge loss.")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, {},
                                  "Categorical hinge loss.")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy,
    {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
    "Binary cross-entropy (``from_logits``, ``label_smoothing``).")
BinaryFocalCrossentropy = _wrapper_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy,
    {"apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0, "from_logits": False,
     "label_smoothing": 0.0, "axis": -1}, "Binary focal cross-entropy.")
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy,
    {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
    "Categorical cross-entropy for one-hot targets.")


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer labels.

    Args:
        from_logits: whether predictions are logits.
        ignore_class: a label excluded from the loss.
        reduction: as :class:`Loss`.
        name: the loss name.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction="sum_over_batch_size", name: str | None = None, axis: int = -1):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction,
                         name=name or "sparse_categorical_crossentropy",
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.check_labels = True

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, check_labels=self.check_labels,
                                               **self.fn_kwargs)


# -- lookup --------------------------------------------------------------------------------------
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

_FUNCTIONS: dict[str, Callable] = {
    f.__name__: f for f in (
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, huber, log_cosh, poisson, kl_divergence,
        cosine_similarity, hinge, squared_hinge, categorical_hinge, binary_crossentropy,
        binary_focal_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy)
}
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
            "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
            "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
            "logcosh": "log_cosh", "huber_loss": "huber"}
_CLASSES: dict[str, type] = {
    c.__name__: c for c in (
        MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError, Huber, LogCosh, Poisson, KLDivergence, CosineSimilarity,
        Hinge, SquaredHinge, CategoricalHinge, BinaryCrossentropy, BinaryFocalCrossentropy,
        CategoricalCrossentropy, SparseCategoricalCrossentropy)
}
def _class_for(function_name: str):
    if function_name == "sparse_categorical_crossentropy":
        return SparseCategoricalCrossentropy
    for cls in _CLASSES.values():
        if _snake(cls.__name__) == function_name:
            return cls
    return None


def get(identifier) -> Loss:
    """Resolve a loss: a name (``"mse"``, ``"sparse_categorical_crossentropy"``), a class, an
    instance, a config dict, or any callable ``fn(y_true, y_pred)``.

    Example:
        >>> dp.losses.get("mse")(torch.zeros(2, 1), torch.ones(2, 1))
        tensor(1.)
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        key = _ALIASES.get(identifier, identifier)
        if key in _FUNCTIONS:
            cls = _class_for(key)
            loss = cls(name=identifier) if cls is not None else LossFunctionWrapper(
                _FUNCTIONS[key], name=identifier)
            loss.fn_name = key
            return loss
        if key in _CLASSES:
            return _CLASSES[key]()
        raise unknown("loss", identifier, list(_FUNCTIONS) + list(_ALIASES) + list(_CLASSES),
                      argument="loss")
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(
        f"Argument `loss`: expected a loss name, a dp.losses.Loss or a callable, received "
        f"{identifier!r}."
    )


def serialize(loss) -> dict | str:
    """``{"class_name": ..., "config": ...}`` for Loss classes, the name for functions."""
    if isinstance(loss, LossFunctionWrapper) and type(loss) is LossFunctionWrapper:
        return loss.fn_name
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", str(loss))


def deserialize(config, custom_objects: dict | None = None) -> Loss:
    """Inverse of :func:`serialize`."""
    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return get(custom_objects[config])
        return get(config)
    name = config.get("class_name")
    objects = {**_CLASSES, **(custom_objects or {})}
    if name not in objects:
        raise unknown("loss class", name, objects, argument="config")
    return objects[name].from_config(config.get("config", {}))


__all__ = ["Loss", "LossFunctionWrapper", "deserialize", "get", "reduce_weighted",
           "serialize"] + list(_FUNCTIONS) + list(_CLASSES) + list(_ALIASES)

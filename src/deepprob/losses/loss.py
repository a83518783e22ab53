"""``Loss`` (reduction of per-sample values), ``LossFunctionWrapper`` and the Keras loss classes.

Reductions follow Keras 3: ``"sum_over_batch_size"`` (the default) divides the weighted sum by
the number of per-sample values; ``"sum"``; ``"mean_with_sample_weight"`` divides by the sum of
the weights; ``"none"`` / ``None`` returns the weighted per-sample values.

Example:
    >>> dp.losses.MeanSquaredError()(torch.zeros(2, 1), torch.ones(2, 1))
    tensor(1.)
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from deepprob._errors import unknown
from deepprob.losses import crossentropy, regression
from deepprob.losses._utils import snake_case
from deepprob.losses.hinge import categorical_hinge, hinge, squared_hinge

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
_MEANS = ("sum_over_batch_size", "mean", "mean_with_sample_weight")


def _weights_like(sample_weight, values: torch.Tensor) -> torch.Tensor:
    sw = sample_weight
    if not isinstance(sw, torch.Tensor) or sw.device != values.device or sw.dtype != values.dtype:
        sw = torch.as_tensor(sw).to(device=values.device, dtype=values.dtype)
    while sw.dim() > values.dim() and sw.shape[-1] == 1:
        sw = sw.squeeze(-1)
    while sw.dim() < values.dim():
        sw = sw.unsqueeze(-1)
    return sw


def reduce_weighted(values: torch.Tensor, sample_weight=None,
                    reduction: str | None = "sum_over_batch_size",
                    mask: torch.Tensor | None = None) -> torch.Tensor:
    """Weight per-sample ``values`` and reduce them as Keras 3 does.

    Args:
        values: per-sample (or per-element) losses.
        sample_weight: weights broadcast over ``values``' trailing dimensions (``(n,)`` and
            ``(n, 1)`` both weight ``(n,)`` values).
        reduction: one of ``"sum_over_batch_size"``, ``"mean"`` (the same), ``"sum"``,
            ``"mean_with_sample_weight"``, ``"none"`` / ``None``.
        mask: boolean mask of entries that count (``ignore_class``); the means divide by the
            number of kept entries.

    Example:
        >>> reduce_weighted(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 0.0]))
        tensor(0.5000)
    """
    if sample_weight is None and mask is None:
        if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
            return values.mean() if values.numel() else values.sum()
        return values.sum() if reduction == "sum" else values
    weights = None if sample_weight is None else _weights_like(sample_weight, values)
    if mask is not None:
        kept = mask.to(values.dtype)
        weights = kept if weights is None else weights * kept
    weighted = values * weights
    if reduction in ("none", None):
        return weighted
    total = weighted.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight":
        divisor = torch.broadcast_to(weights, weighted.shape).sum()
    elif mask is not None:
        divisor = torch.broadcast_to(kept, weighted.shape).sum()
    else:
        return total / max(weighted.numel(), 1)
    return total / divisor.clamp_min(1e-12)


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` -> the reduced loss.

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample values.

    Args:
        reduction: ``"sum_over_batch_size"`` (weighted sum / number of per-sample values),
            ``"sum"``, ``"mean"`` (same as sum_over_batch_size), ``"mean_with_sample_weight"``
            (weighted sum / sum of weights) or ``"none"`` / ``None`` (weighted per-sample values).
        name: the loss's name.
        dtype: dtype of the result (default: that of the per-sample values).

    Example:
        >>> class Cubed(dp.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return ((y_pred - y_true) ** 3).mean(-1)
        >>> Cubed()(torch.zeros(2, 1), torch.full((2, 1), 2.0))
        tensor(8.)
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype=None):
        if name in REDUCTIONS[:-1] and (reduction == "sum_over_batch_size"
                                        or reduction not in REDUCTIONS):
            # Keras 2's order, Loss(reduction, name), given positionally.
            name, reduction = (None if reduction == "sum_over_batch_size" else reduction), name
        if reduction not in REDUCTIONS:
            raise unknown("reduction", reduction, [r for r in REDUCTIONS if r],
                          argument="reduction")
        self.reduction = reduction
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype

    def call(self, y_true, y_pred) -> torch.Tensor:
        """Per-sample losses; implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        values = self.call(y_true, y_pred)
        if not isinstance(values, torch.Tensor):
            values = torch.as_tensor(values, dtype=torch.float32)
        out = reduce_weighted(values, sample_weight, self.reduction,
                              getattr(values, "_keras_mask", None))
        return out if self.dtype is None else out.to(self.dtype)

    def get_config(self) -> dict:
        """The constructor arguments (``from_config`` rebuilds the loss)."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild a loss from :meth:`get_config`'s dictionary."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A Loss from any callable ``fn(y_true, y_pred, **kwargs)``.

    The callable may return per-sample values or a scalar, and ``y_pred`` may be any object, for
    instance a distribution: ``LossFunctionWrapper(lambda y, rv: -rv.log_prob(y))``.

    Args:
        fn: the function.
        reduction: as :class:`Loss`.
        name: defaults to the function's name.
        **kwargs: keyword arguments passed to ``fn``.

    Example:
        >>> nll = LossFunctionWrapper(lambda y, rv: -rv.log_prob(y), name="nll")
        >>> nll(torch.zeros(3), dp.distributions.Normal(0.0, 1.0))  # 0.5 * log(2 pi)
        tensor(0.9189)
    """

    def __init__(self, fn: Callable, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype=None, **kwargs):
        if not callable(fn):
            raise ValueError(f"Argument `fn` of LossFunctionWrapper: expected a callable "
                             f"fn(y_true, y_pred), received {fn!r}.")
        super().__init__(name=name or getattr(fn, "__name__", None) or "loss",
                         reduction=reduction, dtype=dtype)
        self.fn = fn
        self.fn_name = getattr(fn, "__name__", self.name)
        self.fn_kwargs = kwargs

    fused_mean: Callable | None = None
    """Optional ``fn(y_true, y_pred, **kwargs)`` giving the unweighted mean in one fused call,
    or None to take the general path (set by the cross-entropy classes)."""

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        fused = self.fused_mean
        if (fused is not None and sample_weight is None and self.dtype is None
                and self.reduction in _MEANS):
            value = fused(y_true, y_pred, **self.fn_kwargs)
            if value is not None:
                return value
        return Loss.__call__(self, y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        config = {**super().get_config(), **self.fn_kwargs}
        if type(self) is LossFunctionWrapper:
            config["fn"] = self.fn_name
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if cls is LossFunctionWrapper:
            from deepprob.losses import FUNCTIONS

            fn = config.pop("fn", None)
            if isinstance(fn, str):
                if fn not in FUNCTIONS:
                    raise unknown("loss function", fn, FUNCTIONS, argument="fn")
                fn = FUNCTIONS[fn]
            return cls(fn, **config)
        return cls(**config)


def _loss_class(class_name: str, fn: Callable, default_name: str, params: dict, doc: str,
                fused_mean: Callable | None = None):
    """A LossFunctionWrapper subclass with Keras's constructor: ``params``, then ``reduction``,
    ``name`` and ``dtype``, positionally or by keyword."""
    order = [*params, "reduction", "name", "dtype"]

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
        LossFunctionWrapper.__init__(
            self, fn, reduction=kwargs.get("reduction", "sum_over_batch_size"),
            name=kwargs.get("name") or default_name, dtype=kwargs.get("dtype"), **values)

    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc,
                                                    "fused_mean": staticmethod(fused_mean)
                                                    if fused_mean else None})
    cls.__module__ = __name__
    return cls


def _doc(summary: str, args: str, example: str) -> str:
    return (f"{summary}\n\n    Args:\n{args}        reduction: as :class:`Loss` "
            f"(``\"sum_over_batch_size\"``).\n        name: the loss's name.\n        dtype: "
            f"dtype of the result.\n\n    Example:\n        >>> {example}\n")


MeanSquaredError = _loss_class(
    "MeanSquaredError", regression.mean_squared_error, "mean_squared_error", {},
    _doc("Mean of squared errors.", "",
         "MeanSquaredError()(torch.zeros(2, 1), torch.ones(2, 1))  # tensor(1.)"))
MeanAbsoluteError = _loss_class(
    "MeanAbsoluteError", regression.mean_absolute_error, "mean_absolute_error", {},
    _doc("Mean of absolute errors.", "",
         "MeanAbsoluteError()(torch.zeros(2, 1), torch.ones(2, 1))  # tensor(1.)"))
MeanAbsolutePercentageError = _loss_class(
    "MeanAbsolutePercentageError", regression.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", {},
    _doc("Mean absolute percentage error (in percent).", "",
         "MeanAbsolutePercentageError()(torch.full((1, 1), 2.0), torch.ones(1, 1))  # 50."))
MeanSquaredLogarithmicError = _loss_class(
    "MeanSquaredLogarithmicError", regression.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", {},
    _doc("Mean squared error of ``log(1 + x)``.", "",
         "MeanSquaredLogarithmicError()(torch.zeros(1, 1), torch.ones(1, 1))  # log(2)**2"))
Huber = _loss_class(
    "Huber", regression.huber, "huber_loss", {"delta": 1.0},
    _doc("Huber loss: quadratic below ``delta``, linear above.",
         "        delta: where the loss turns linear (1.0).\n",
         "Huber(delta=2.0)(torch.zeros(1, 1), torch.full((1, 1), 5.0))  # tensor(8.)"))
LogCosh = _loss_class(
    "LogCosh", regression.log_cosh, "log_cosh", {},
    _doc("Logarithm of the hyperbolic cosine of the error.", "",
         "LogCosh()(torch.zeros(1, 1), torch.zeros(1, 1))  # tensor(0.)"))
Poisson = _loss_class(
    "Poisson", regression.poisson, "poisson", {},
    _doc("Poisson negative log-likelihood (up to a constant).", "",
         "Poisson()(torch.zeros(1, 1), torch.full((1, 1), 2.0))  # tensor(2.)"))
KLDivergence = _loss_class(
    "KLDivergence", regression.kl_divergence, "kl_divergence", {},
    _doc("``KL(y_true || y_pred)`` over the last axis.", "",
         "KLDivergence()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]]))  # log 2"))
CosineSimilarity = _loss_class(
    "CosineSimilarity", regression.cosine_similarity, "cosine_similarity", {"axis": -1},
    _doc("Negative cosine similarity (-1 when aligned).",
         "        axis: the axis of the vectors (-1).\n",
         "CosineSimilarity()(torch.ones(1, 2), torch.ones(1, 2))  # tensor(-1.)"))
Hinge = _loss_class(
    "Hinge", hinge, "hinge", {},
    _doc("Hinge loss for -1/1 (or 0/1) targets.", "",
         "Hinge()(torch.ones(1, 1), torch.full((1, 1), 0.25))  # tensor(0.75)"))
SquaredHinge = _loss_class(
    "SquaredHinge", squared_hinge, "squared_hinge", {},
    _doc("Squared hinge loss for -1/1 (or 0/1) targets.", "",
         "SquaredHinge()(torch.ones(1, 1), torch.full((1, 1), 0.5))  # tensor(0.25)"))
CategoricalHinge = _loss_class(
    "CategoricalHinge", categorical_hinge, "categorical_hinge", {},
    _doc("Categorical hinge loss for one-hot targets.", "",
         "CategoricalHinge()(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, 0.6]]))  # 0.7"))
BinaryCrossentropy = _loss_class(
    "BinaryCrossentropy", crossentropy.binary_crossentropy, "binary_crossentropy",
    {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
    _doc("Binary cross-entropy.",
         "        from_logits: whether predictions are logits (False).\n"
         "        label_smoothing: squeeze targets towards 0.5 (0.0).\n"
         "        axis: the axis averaged over (-1).\n",
         "BinaryCrossentropy(from_logits=True)(torch.ones(1, 1), torch.zeros(1, 1))  # log 2"),
    fused_mean=crossentropy.binary_crossentropy_mean)
BinaryFocalCrossentropy = _loss_class(
    "BinaryFocalCrossentropy", crossentropy.binary_focal_crossentropy,
    "binary_focal_crossentropy",
    {"apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0, "from_logits": False,
     "label_smoothing": 0.0, "axis": -1},
    _doc("Binary focal cross-entropy (Lin et al.).",
         "        apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis: as\n"
         "            :func:`binary_focal_crossentropy`.\n",
         "BinaryFocalCrossentropy()(torch.ones(1, 1), torch.full((1, 1), 0.5))  # 0.1733"))
CategoricalCrossentropy = _loss_class(
    "CategoricalCrossentropy", crossentropy.categorical_crossentropy, "categorical_crossentropy",
    {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
    _doc("Categorical cross-entropy for one-hot targets.",
         "        from_logits: whether predictions are logits (False).\n"
         "        label_smoothing: ``y * (1 - s) + s / num_classes`` (0.0).\n"
         "        axis: the class axis (-1).\n",
         "CategoricalCrossentropy()(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))"),
    fused_mean=crossentropy.categorical_crossentropy_mean)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer labels.

    The label-range check costs one host sync per call; the trainer validates the labels once
    per ``fit`` and sets ``check_labels = False`` on the loss.

    Args:
        from_logits: whether predictions are logits (False).
        ignore_class: a label left out of the loss and of the mean (None).
        reduction: as :class:`Loss`.
        name: the loss's name.
        axis: the class axis (the last).
        dtype: dtype of the result.
        check_labels: raise for labels outside ``[0, num_classes)`` (True).

    Example:
        >>> SparseCategoricalCrossentropy()(torch.tensor([1, 0]), torch.tensor([[0.5, 0.5]] * 2))
        tensor(0.6931)
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = "sum_over_batch_size",
                 name: str | None = "sparse_categorical_crossentropy", axis: int = -1,
                 dtype=None, check_labels: bool = True):
        super().__init__(crossentropy.sparse_categorical_crossentropy, reduction=reduction,
                         name=name or "sparse_categorical_crossentropy", dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.check_labels = check_labels

    def call(self, y_true, y_pred):
        return crossentropy.sparse_categorical_crossentropy(
            y_true, y_pred, check_labels=self.check_labels, **self.fn_kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        # The training step's common case in one fused call: (n, k) logits (or a softmax output
        # carrying them), (n,) or (n, 1) integer labels, an unweighted mean.
        if (sample_weight is None and self.dtype is None
                and self.reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight")
                and self.fn_kwargs["ignore_class"] is None
                and isinstance(y_pred, torch.Tensor) and y_pred.dim() == 2
                and isinstance(y_true, torch.Tensor) and not y_true.is_floating_point()
                and y_true.device == y_pred.device):
            logits = (y_pred if self.fn_kwargs["from_logits"]
                      else crossentropy.keras_logits(y_pred, "softmax"))
            labels = y_true.reshape(-1) if y_true.dim() == 2 and y_true.shape[1] == 1 else y_true
            if logits is not None and labels.dim() == 1 and labels.shape[0] == logits.shape[0]:
                if labels.dtype != torch.int64:
                    labels = labels.long()
                if self.check_labels:
                    crossentropy.check_sparse_labels(labels, logits.shape[1])
                return F.cross_entropy(logits, labels)
        return super().__call__(y_true, y_pred, sample_weight)


CLASSES: dict[str, type] = {
    c.__name__: c for c in (
        MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError, Huber, LogCosh, Poisson, KLDivergence, CosineSimilarity,
        Hinge, SquaredHinge, CategoricalHinge, BinaryCrossentropy, BinaryFocalCrossentropy,
        CategoricalCrossentropy, SparseCategoricalCrossentropy)
}

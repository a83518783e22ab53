"""Regression and probabilistic metrics: running means of the loss functions, and RMSE.

Example:
    >>> m = dp.metrics.MeanAbsoluteError()
    >>> m(torch.tensor([[1.0], [3.0]]), torch.zeros(2, 1))
    tensor(2.)
"""

from __future__ import annotations

import torch

from deepprob import losses
from deepprob.losses._utils import align
from deepprob.metrics.base import Mean, divide_no_nan, doc, wrapper_class

MeanSquaredError = wrapper_class(
    "MeanSquaredError", losses.mean_squared_error, "mean_squared_error", {},
    doc("Running mean of squared errors.", "",
        "MeanSquaredError()(torch.zeros(2, 1), torch.ones(2, 1))  # 1.0"), __name__)
MeanAbsoluteError = wrapper_class(
    "MeanAbsoluteError", losses.mean_absolute_error, "mean_absolute_error", {},
    doc("Running mean of absolute errors.", "",
        "MeanAbsoluteError()(torch.zeros(2, 1), torch.ones(2, 1))  # 1.0"), __name__)
MeanAbsolutePercentageError = wrapper_class(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", {},
    doc("Running mean absolute percentage error.", "",
        "MeanAbsolutePercentageError()(torch.full((1, 1), 2.0), torch.ones(1, 1))  # 50.0"),
    __name__)
MeanSquaredLogarithmicError = wrapper_class(
    "MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", {},
    doc("Running mean squared logarithmic error.", "",
        "MeanSquaredLogarithmicError()(torch.zeros(1, 1), torch.ones(1, 1))  # log(2)**2"),
    __name__)
LogCoshError = wrapper_class(
    "LogCoshError", losses.log_cosh, "logcosh", {},
    doc("Running mean of log(cosh(error)).", "",
        "LogCoshError()(torch.zeros(1, 1), torch.zeros(1, 1))  # 0.0"), __name__)
CosineSimilarity = wrapper_class(
    "CosineSimilarity", lambda y, p, axis=-1: -losses.cosine_similarity(y, p, axis=axis),
    "cosine_similarity", {"axis": -1},
    doc("Running mean cosine similarity (+1 when aligned: the metric's sign, unlike the loss).",
        "        axis: the axis of the vectors (-1).\n",
        "CosineSimilarity()(torch.ones(1, 2), torch.ones(1, 2))  # 1.0"), __name__)
BinaryCrossentropy = wrapper_class(
    "BinaryCrossentropy", losses.binary_crossentropy, "binary_crossentropy",
    {"from_logits": False, "label_smoothing": 0.0},
    doc("Running mean binary cross-entropy.",
        "        from_logits: whether predictions are logits (False).\n"
        "        label_smoothing: as the loss (0.0).\n",
        "BinaryCrossentropy(from_logits=True)(torch.ones(1, 1), torch.zeros(1, 1))  # log 2"),
    __name__)
CategoricalCrossentropy = wrapper_class(
    "CategoricalCrossentropy", losses.categorical_crossentropy, "categorical_crossentropy",
    {"from_logits": False, "label_smoothing": 0.0},
    doc("Running mean categorical cross-entropy (one-hot targets).",
        "        from_logits: whether predictions are logits (False).\n"
        "        label_smoothing: as the loss (0.0).\n",
        "CategoricalCrossentropy()(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))"),
    __name__)
SparseCategoricalCrossentropy = wrapper_class(
    "SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", {"from_logits": False, "check_labels": False},
    doc("Running mean sparse categorical cross-entropy (integer labels; the loss checks the "
        "label range, the metric does not).",
        "        from_logits: whether predictions are logits (False).\n"
        "        check_labels: raise for out-of-range labels (False: one host sync per batch).\n",
        "SparseCategoricalCrossentropy()(torch.tensor([0]), torch.tensor([[0.5, 0.5]]))"),
    __name__)
KLDivergence = wrapper_class(
    "KLDivergence", losses.kl_divergence, "kl_divergence", {},
    doc("Running mean KL(y_true || y_pred).", "",
        "KLDivergence()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]]))  # log 2"),
    __name__)
Poisson = wrapper_class(
    "Poisson", losses.poisson, "poisson", {},
    doc("Running mean Poisson loss.", "",
        "Poisson()(torch.zeros(1, 1), torch.full((1, 1), 2.0))  # 2.0"), __name__)
Hinge = wrapper_class(
    "Hinge", losses.hinge, "hinge", {},
    doc("Running mean hinge loss.", "",
        "Hinge()(torch.ones(1, 1), torch.full((1, 1), 0.25))  # 0.75"), __name__)
SquaredHinge = wrapper_class(
    "SquaredHinge", losses.squared_hinge, "squared_hinge", {},
    doc("Running mean squared hinge loss.", "",
        "SquaredHinge()(torch.ones(1, 1), torch.full((1, 1), 0.5))  # 0.25"), __name__)
CategoricalHinge = wrapper_class(
    "CategoricalHinge", losses.categorical_hinge, "categorical_hinge", {},
    doc("Running mean categorical hinge loss.", "",
        "CategoricalHinge()(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, 0.6]]))  # 0.7"),
    __name__)


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_true - y_pred) ** 2))`` over every value seen (the root of the running
    mean, not the mean of per-batch roots).

    Args:
        name: the metric's name ("root_mean_squared_error").
        dtype: dtype of the state.

    Example:
        >>> RootMeanSquaredError()(torch.tensor([[0.0], [0.0]]), torch.tensor([[3.0], [4.0]]))
        tensor(3.5355)
    """

    def __init__(self, name: str | None = "root_mean_squared_error", dtype=None):
        super().__init__(name=name or "root_mean_squared_error", dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = align(y_true, y_pred)
        Mean.update_state(self, torch.square(y_pred - y_true), sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(divide_no_nan(self.state("total"), self.state("count")))

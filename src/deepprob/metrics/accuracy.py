"""Accuracy metrics: per-sample functions and their running-mean classes (Keras's names).

Example:
    >>> m = dp.metrics.SparseCategoricalAccuracy()
    >>> m(torch.tensor([1, 0]), torch.tensor([[0.2, 0.8], [0.3, 0.7]]))
    tensor(0.5000)
"""

from __future__ import annotations

import torch

from deepprob.losses._utils import align, as_tensor
from deepprob.metrics.base import doc, wrapper_class


def _labels(y_true, y_pred: torch.Tensor) -> torch.Tensor:
    labels = as_tensor(y_true)
    if labels.device != y_pred.device:
        labels = labels.to(y_pred.device)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    return labels


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """``mean(y_true == (y_pred > threshold), axis=-1)``.

    Args:
        y_true: 0/1 targets.
        y_pred: probabilities (or scores compared with ``threshold``).
        threshold: the decision threshold.

    Example:
        >>> binary_accuracy(torch.tensor([[1.0], [0.0]]), torch.tensor([[0.7], [0.6]]))
        tensor([1., 0.])
    """
    y_true, y_pred = align(y_true, y_pred)
    return (y_true == (y_pred > threshold).to(y_true.dtype)).to(torch.float32).mean(dim=-1)


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1 where ``argmax(y_pred) == argmax(y_true)`` (one-hot targets), else 0.

    Args:
        y_true: one-hot targets.
        y_pred: scores or probabilities.

    Example:
        >>> categorical_accuracy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, 0.7]]))
        tensor([1.])
    """
    y_pred = as_tensor(y_pred)
    return (as_tensor(y_true, y_pred).argmax(-1) == y_pred.argmax(-1)).to(torch.float32)


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1 where ``argmax(y_pred)`` equals the integer label, else 0.

    Args:
        y_true: integer labels of shape ``y_pred.shape[:-1]`` (a trailing 1 is accepted).
        y_pred: scores or probabilities.

    Example:
        >>> sparse_categorical_accuracy(torch.tensor([1]), torch.tensor([[0.3, 0.7]]))
        tensor([1.])
    """
    y_pred = as_tensor(y_pred)
    return (y_pred.argmax(-1) == _labels(y_true, y_pred)).to(torch.float32)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """1 where the integer label's score is among the ``k`` highest, else 0 (a score tied with
    the k-th highest counts, as Keras's ``in_top_k``).

    Args:
        y_true: integer labels.
        y_pred: scores or probabilities.
        k: how many top scores count.

    Example:
        >>> sparse_top_k_categorical_accuracy(torch.tensor([0]), torch.tensor([[0.2, 0.5, 0.3]]),
        ...                                   k=2)
        tensor([0.])
    """
    y_pred = as_tensor(y_pred)
    labels = _labels(y_true, y_pred)
    kth = y_pred.topk(min(int(k), y_pred.shape[-1]), dim=-1).values[..., -1]
    score = y_pred.gather(-1, labels.long().unsqueeze(-1)).squeeze(-1)
    return (score >= kth).to(torch.float32)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """1 where the one-hot target's class is among the ``k`` highest scores, else 0.

    Args:
        y_true: one-hot targets.
        y_pred: scores or probabilities.
        k: how many top scores count.

    Example:
        >>> top_k_categorical_accuracy(torch.tensor([[0.0, 0.0, 1.0]]),
        ...                            torch.tensor([[0.2, 0.5, 0.3]]), k=2)
        tensor([1.])
    """
    y_pred = as_tensor(y_pred)
    return sparse_top_k_categorical_accuracy(as_tensor(y_true, y_pred).argmax(-1), y_pred, k)


def accuracy(y_true, y_pred) -> torch.Tensor:
    """``mean(y_true == y_pred, axis=-1)``: exact matches.

    Args:
        y_true: targets.
        y_pred: predictions (already labels).

    Example:
        >>> accuracy(torch.tensor([[1], [2]]), torch.tensor([[1], [3]]))
        tensor([1., 0.])
    """
    y_true, y_pred = align(y_true, y_pred)
    if y_true.dtype != y_pred.dtype:
        y_true = y_true.to(y_pred.dtype)
    return (y_true == y_pred).to(torch.float32).mean(dim=-1)


BinaryAccuracy = wrapper_class(
    "BinaryAccuracy", binary_accuracy, "binary_accuracy", {"threshold": 0.5},
    doc("How often predictions on the right side of ``threshold`` match 0/1 targets.",
        "        threshold: the decision threshold (0.5).\n",
        "BinaryAccuracy()(torch.tensor([[1.0], [0.0]]), torch.tensor([[0.7], [0.6]]))  # 0.5"),
    __name__)
CategoricalAccuracy = wrapper_class(
    "CategoricalAccuracy", categorical_accuracy, "categorical_accuracy", {},
    doc("How often argmax(y_pred) equals argmax of one-hot targets.", "",
        "CategoricalAccuracy()(torch.eye(2), torch.tensor([[0.9, 0.1], [0.8, 0.2]]))  # 0.5"),
    __name__)
SparseCategoricalAccuracy = wrapper_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy", {},
    doc("How often argmax(y_pred) equals integer labels.", "",
        "SparseCategoricalAccuracy()(torch.tensor([1]), torch.tensor([[0.2, 0.8]]))  # 1.0"),
    __name__)
TopKCategoricalAccuracy = wrapper_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    {"k": 5},
    doc("How often the one-hot target is among the top ``k`` predictions.",
        "        k: how many top predictions count (5).\n",
        "TopKCategoricalAccuracy(k=1)(torch.eye(2), torch.eye(2))  # 1.0"),
    __name__)
SparseTopKCategoricalAccuracy = wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", {"k": 5},
    doc("How often the integer label is among the top ``k`` predictions.",
        "        k: how many top predictions count (5).\n",
        "SparseTopKCategoricalAccuracy(k=1)(torch.tensor([0]), torch.tensor([[0.9, 0.1]]))"),
    __name__)
Accuracy = wrapper_class(
    "Accuracy", accuracy, "accuracy", {},
    doc("How often predictions equal targets exactly.", "",
        "Accuracy()(torch.tensor([1, 2]), torch.tensor([1, 3]))  # 0.5"),
    __name__)

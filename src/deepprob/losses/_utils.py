"""Helpers shared by the loss functions: tensor conversion, rank alignment, the logits protocol."""

from __future__ import annotations

import torch

EPSILON = 1e-7
"""Keras's fuzz factor: probabilities are clipped to ``[EPSILON, 1 - EPSILON]``."""


def as_tensor(y, like: torch.Tensor | None = None) -> torch.Tensor:
    """``y`` as a tensor; floats become float32 (or ``like``'s dtype), on ``like``'s device."""
    if not isinstance(y, torch.Tensor):
        y = torch.as_tensor(y)
        if y.is_floating_point():
            y = y.to(torch.float32)
    if like is not None:
        if y.device != like.device:
            y = y.to(like.device)
        if like.is_floating_point() and y.dtype != like.dtype:
            y = y.to(like.dtype)
    return y


def align(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    """Cast ``y_true`` to ``y_pred``'s dtype and device and squeeze/expand a trailing 1 so the
    ranks match (Keras's ``squeeze_or_expand_to_same_rank``): ``(n,)`` against ``(n, 1)`` never
    broadcasts to ``(n, n)``."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred)
    if y_true.dim() == y_pred.dim() - 1 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)
    elif y_pred.dim() == y_true.dim() - 1 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_true, y_pred


_OTHER = {"softmax": "Sigmoid", "sigmoid": "Softmax"}


def keras_logits(y_pred, kind: str) -> torch.Tensor | None:
    """The pre-activation kept on ``y_pred`` by a softmax / sigmoid layer (``_keras_logits``).

    ``kind`` is the activation the caller's formula assumes (``"softmax"`` for categorical,
    ``"sigmoid"`` for binary cross-entropy). Logits from the other activation are not used (a
    softmax output given to binary cross-entropy is scored on its probabilities, as Keras 2 did,
    where Keras 3 silently mixes them up): the kind is read from ``_keras_logits_kind`` when the
    layer sets it, else from the autograd node that made ``y_pred``.
    """
    logits = getattr(y_pred, "_keras_logits", None)
    if not isinstance(logits, torch.Tensor) or logits.shape != y_pred.shape:
        return None
    declared = getattr(y_pred, "_keras_logits_kind", None)
    if declared is not None:
        return logits if declared == kind else None
    node = y_pred.grad_fn
    if node is not None and type(node).__name__.startswith(_OTHER[kind]):
        return None
    return logits


def snake_case(name: str) -> str:
    """``"MeanSquaredError"`` -> ``"mean_squared_error"``."""
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(c.lower())
    return "".join(out)

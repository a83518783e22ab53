"""Cross-entropies: binary, categorical (one-hot), sparse (integer labels) and binary focal.

Probability-space inputs never reach ``log(0)``. When ``y_pred`` came from a layer with a softmax
or sigmoid activation, the engine keeps the pre-activation on it (``y_pred._keras_logits``, as
Keras 3 does) and the loss is computed from those logits with one fused torch call
(``F.cross_entropy`` / ``F.binary_cross_entropy_with_logits``): exact even where the activation
saturated to 0 or 1. Otherwise probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as in Keras.

Example:
    >>> dp.losses.sparse_categorical_crossentropy(torch.tensor([1]), torch.tensor([[0.1, 0.9]]))
    tensor([0.1054])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from deepprob.losses._utils import EPSILON, align, as_tensor, keras_logits


def _bce_from_probs(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
    return -(y_true * torch.log(p) + (1.0 - y_true) * torch.log1p(-p))


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> torch.Tensor:
    """Binary cross-entropy, averaged over ``axis``.

    Args:
        y_true: 0/1 targets (or probabilities), shape of ``y_pred`` (a missing trailing 1 is
            added).
        y_pred: probabilities, or logits with ``from_logits=True``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: squeezes targets towards 0.5: ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged over.

    Example:
        >>> binary_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.4, 0.6]]))
        tensor([0.5108])
    """
    y_true, y_pred = align(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else keras_logits(y_pred, "sigmoid")
    if logits is not None:
        per = F.binary_cross_entropy_with_logits(logits, y_true.to(logits.dtype),
                                                 reduction="none")
    else:
        per = _bce_from_probs(y_true, y_pred)
    return per.mean(dim=axis)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Cross-entropy between one-hot (or probability) targets and predicted distributions.

    Args:
        y_true: one-hot targets, the shape of ``y_pred``.
        y_pred: probabilities (rescaled to sum to 1 over ``axis``), or logits with
            ``from_logits=True``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: ``y * (1 - s) + s / num_classes``.
        axis: the class axis.

    Example:
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.1, 0.9]]))
        tensor([0.1054])
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"Argument `y_true` of categorical_crossentropy: expected one-hot targets of shape "
            f"{tuple(y_pred.shape)} like y_pred, received {tuple(y_true.shape)} (integer labels "
            "need sparse_categorical_crossentropy)."
        )
    logits = y_pred if from_logits else keras_logits(y_pred, "softmax")
    if logits is not None and logits.dim() == 2 and axis in (-1, 1):
        return F.cross_entropy(logits, y_true.to(logits.dtype), reduction="none",
                               label_smoothing=float(label_smoothing))
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    if logits is not None:
        return -(y_true * F.log_softmax(logits, dim=axis)).sum(dim=axis)
    p = (y_pred / y_pred.sum(dim=axis, keepdim=True)).clamp(EPSILON, 1.0 - EPSILON)
    return -(y_true * torch.log(p)).sum(dim=axis)


def check_sparse_labels(labels: torch.Tensor, num_classes: int, argument: str = "y_true") -> None:
    """Raise a ValueError when an integer label lies outside ``[0, num_classes)``.

    One host sync (the minimum and maximum are read together).

    Args:
        labels: integer labels.
        num_classes: the number of classes.
        argument: the argument named in the error.

    Example:
        >>> check_sparse_labels(torch.tensor([0, 3]), 3)
        Traceback (most recent call last):
        ValueError: Argument `y_true`: integer labels must lie in [0, 2] ...
    """
    if labels.numel() == 0:
        return
    lo, hi = torch.stack(torch.aminmax(labels)).tolist()
    if lo < 0 or hi >= num_classes:
        bad = hi if hi >= num_classes else lo
        raise ValueError(
            f"Argument `{argument}`: integer labels must lie in [0, {num_classes - 1}] for "
            f"{num_classes} classes; received the label {bad} (labels ranged from {lo} to {hi})."
        )


def _labels(y_true, y_pred: torch.Tensor) -> torch.Tensor:
    labels = as_tensor(y_true)
    if labels.device != y_pred.device:
        labels = labels.to(y_pred.device)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    if labels.dtype != torch.int64:
        labels = (labels.round() if labels.is_floating_point() else labels).long()
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"Argument `y_true` of sparse_categorical_crossentropy: expected integer labels of "
            f"shape {tuple(y_pred.shape[:-1])} (or with a trailing 1) for predictions of shape "
            f"{tuple(y_pred.shape)}, received {tuple(as_tensor(y_true).shape)}."
        )
    return labels


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1,
                                    check_labels: bool = True) -> torch.Tensor:
    """Cross-entropy between integer labels and predicted distributions over classes.

    The logits path (``from_logits=True``, or logits kept by a softmax layer) is one
    ``F.cross_entropy`` call.

    Args:
        y_true: integer labels of shape ``y_pred.shape[:-1]`` (a trailing 1 is accepted), any
            integer dtype, or floats holding integers.
        y_pred: probabilities, or logits with ``from_logits=True``; classes on the last axis.
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label whose entries get loss 0 and are left out of the mean (the result
            carries the mask as ``_keras_mask``, which :class:`Loss` honours, as in Keras).
        axis: the class axis; only the last is supported.
        check_labels: raise a ValueError for labels outside ``[0, num_classes)`` (one host
            sync; the trainer checks once per ``fit`` and turns it off).

    Example:
        >>> sparse_categorical_crossentropy(torch.tensor([0]), torch.tensor([[0.5, 0.5]]))
        tensor([0.6931])
    """
    y_pred = as_tensor(y_pred)
    if axis not in (-1, y_pred.dim() - 1):
        raise ValueError(f"Argument `axis` of sparse_categorical_crossentropy: only the last axis "
                         f"({y_pred.dim() - 1} or -1) is supported, received {axis}.")
    labels = _labels(y_true, y_pred)
    k = y_pred.shape[-1]
    keep = None
    if ignore_class is not None:
        keep = labels != ignore_class
        if check_labels:
            check_sparse_labels(torch.where(keep, labels, 0), k)
    elif check_labels:
        check_sparse_labels(labels, k)
    logits = y_pred if from_logits else keras_logits(y_pred, "softmax")
    ignore = -100 if ignore_class is None else int(ignore_class)
    if logits is not None:
        if logits.dim() == 2:
            per = F.cross_entropy(logits, labels, reduction="none", ignore_index=ignore)
        else:
            per = F.cross_entropy(logits.reshape(-1, k), labels.reshape(-1), reduction="none",
                                  ignore_index=ignore).reshape(labels.shape)
    else:
        index = labels if keep is None else torch.where(keep, labels, 0)
        p_true = y_pred.gather(-1, index.unsqueeze(-1)).squeeze(-1)
        p_true = (p_true / y_pred.sum(dim=-1)).clamp(EPSILON, 1.0 - EPSILON)
        per = -torch.log(p_true)
        if keep is not None:
            per = per * keep.to(per.dtype)
    if keep is not None:
        per._keras_mask = keep
    return per


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                              label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor:
    """Focal loss (Lin et al. 2017): binary cross-entropy scaled by ``(1 - p_t) ** gamma``.

    Args:
        y_true: 0/1 targets.
        y_pred: probabilities, or logits with ``from_logits=True``.
        apply_class_balancing: weight positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: the class-balancing weight.
        gamma: the focusing parameter (0 gives binary cross-entropy).
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: as :func:`binary_crossentropy`.
        axis: the axis averaged over.

    Example:
        >>> binary_focal_crossentropy(torch.tensor([[1.0]]), torch.tensor([[0.5]]))
        tensor([0.1733])
    """
    y_true, y_pred = align(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else keras_logits(y_pred, "sigmoid")
    if logits is not None:
        probs = torch.sigmoid(logits)
        bce = F.binary_cross_entropy_with_logits(logits, y_true.to(logits.dtype),
                                                 reduction="none")
    else:
        probs = y_pred
        bce = _bce_from_probs(y_true, y_pred)
    p_t = y_true * probs + (1.0 - y_true) * (1.0 - probs)
    focal = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(dim=axis)


def _fused_target(y_true, logits: torch.Tensor) -> torch.Tensor | None:
    if not isinstance(y_true, torch.Tensor) or y_true.device != logits.device:
        return None
    if y_true.shape != logits.shape:
        if not (y_true.dim() == logits.dim() - 1 and logits.shape[-1] == 1
                and y_true.shape == logits.shape[:-1]):
            return None
        y_true = y_true.unsqueeze(-1)
    return y_true if y_true.dtype == logits.dtype else y_true.to(logits.dtype)


def binary_crossentropy_mean(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> torch.Tensor | None:
    """The mean of :func:`binary_crossentropy` over the batch in one fused call, or ``None`` when
    there are no logits (the caller then takes the general path).

    Args:
        y_true: targets, the shape of ``y_pred`` (or without its trailing 1).
        y_pred: logits (``from_logits=True``) or a sigmoid output carrying ``_keras_logits``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: as :func:`binary_crossentropy`.
        axis: unused (the mean over every axis does not depend on it).

    Example:
        >>> binary_crossentropy_mean(torch.ones(2, 1), torch.zeros(2, 1), from_logits=True)
        tensor(0.6931)
    """
    if not isinstance(y_pred, torch.Tensor):
        return None
    logits = y_pred if from_logits else keras_logits(y_pred, "sigmoid")
    target = None if logits is None else _fused_target(y_true, logits)
    if target is None:
        return None
    if label_smoothing:
        target = target * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return F.binary_cross_entropy_with_logits(logits, target)


def categorical_crossentropy_mean(y_true, y_pred, from_logits: bool = False,
                                  label_smoothing: float = 0.0,
                                  axis: int = -1) -> torch.Tensor | None:
    """The mean of :func:`categorical_crossentropy` over a ``(n, k)`` batch in one fused call, or
    ``None`` when there are no logits or the shapes need the general path.

    Args:
        y_true: one-hot targets of shape ``(n, k)``.
        y_pred: logits (``from_logits=True``) or a softmax output carrying ``_keras_logits``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: as :func:`categorical_crossentropy`.
        axis: the class axis (-1 or 1).

    Example:
        >>> categorical_crossentropy_mean(torch.eye(2), torch.zeros(2, 2), from_logits=True)
        tensor(0.6931)
    """
    if not isinstance(y_pred, torch.Tensor) or y_pred.dim() != 2 or axis not in (-1, 1):
        return None
    logits = y_pred if from_logits else keras_logits(y_pred, "softmax")
    if logits is None or not isinstance(y_true, torch.Tensor) or y_true.shape != logits.shape:
        return None
    target = _fused_target(y_true, logits)
    if target is None:
        return None
    return F.cross_entropy(logits, target, label_smoothing=float(label_smoothing))

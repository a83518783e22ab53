"""Array helpers with Keras's names: ``to_categorical`` and ``normalize``."""

from __future__ import annotations

import numpy as np
import torch


def to_categorical(x, num_classes: int | None = None):
    """One-hot encode integer class labels, as ``keras.utils.to_categorical``.

    A trailing axis of size 1 is dropped first (labels of shape ``(n, 1)`` give ``(n, k)``).
    Returns float32 NumPy for NumPy / list input, a float32 torch tensor for a tensor.
    Unlike Keras, labels outside ``[0, num_classes)`` and non-integer values are errors rather
    than silently wrapped or truncated.

    Args:
        x: integer labels (array-like or tensor), any shape.
        num_classes: number of classes; ``max(x) + 1`` when omitted.

    Example:
        >>> dp.utils.to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    is_tensor = isinstance(x, torch.Tensor)
    arr = x.detach().cpu().numpy() if is_tensor else np.asarray(x)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(
            f"Argument `x` of to_categorical: expected integer class labels, received an array "
            f"of dtype {arr.dtype}.")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(
                "Argument `x` of to_categorical: expected integer class labels, received "
                "non-integer values such as "
                f"{float(arr[~(np.isfinite(arr) & (arr == np.round(arr)))].ravel()[0])!r}.")
    labels = arr.astype(np.int64)
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if num_classes is None:
        if labels.size == 0:
            raise ValueError("Argument `num_classes` of to_categorical is required for empty `x`.")
        num_classes = int(labels.max()) + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or \
            num_classes < 1:
        raise ValueError(
            f"Argument `num_classes` of to_categorical: expected a positive integer, received "
            f"{num_classes!r}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"Argument `x` of to_categorical: labels must lie in [0, {num_classes - 1}] for "
            f"num_classes={num_classes}; received labels from {labels.min()} to {labels.max()}.")
    out = np.zeros((labels.size, int(num_classes)), dtype=np.float32)
    out[np.arange(labels.size), labels] = 1.0
    out = out.reshape(tuple(shape) + (int(num_classes),))
    if is_tensor:
        return torch.from_numpy(out).to(x.device)
    return out


def normalize(x, axis: int = -1, order: int = 2):
    """Scale ``x`` to unit ``order``-norm along ``axis``, as ``keras.utils.normalize``.

    Zero vectors stay zero. NumPy in, NumPy out (float); a tensor in, a tensor out.

    Args:
        x: array-like or tensor.
        axis: the axis along which to normalise.
        order: the norm's order (2 for L2, 1 for L1, ``np.inf`` for the max norm).

    Example:
        >>> dp.utils.normalize([[3.0, 4.0]])
        array([[0.6, 0.8]])
    """
    if isinstance(x, torch.Tensor):
        if not x.is_floating_point():
            x = x.to(torch.get_default_dtype())
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / torch.where(norm == 0, torch.ones_like(norm), norm)
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        raise ValueError(
            f"Argument `x` of normalize: expected numbers, received dtype {arr.dtype}.")
    if arr.ndim == 0:
        raise ValueError("Argument `x` of normalize: expected an array with at least one axis, "
                         "received a scalar.")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(
            f"Argument `axis` of normalize: expected an axis of an array with {arr.ndim} axes, "
            f"received {axis}.")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    norm = np.linalg.norm(arr, ord=order, axis=axis, keepdims=True)
    norm = np.where(norm == 0, 1, norm)
    return arr / norm

"""Classification plots: an image grid marking wrong predictions, and a confusion matrix."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from deepprob.plot._figure import class_labels, new_figure, save, to_numpy


def _name(k: int, class_names) -> str:
    if class_names is not None and 0 <= k < len(class_names):
        return str(class_names[k])
    return str(k)


def _as_images(x) -> np.ndarray:
    arr = to_numpy(x, "x")
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] in (3, 4))):
        raise ValueError(
            "Argument `x`: expected images of shape (n, height, width) or (n, height, width, "
            f"1|3|4) (channels last), received shape {arr.shape}.")
    if arr.dtype == bool:
        arr = arr.astype(np.float32)
    if np.issubdtype(arr.dtype, np.floating):
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        if lo < 0.0 or hi > 1.0:  # standardised or 0..255 floats: rescale for display
            arr = (arr - lo) / (hi - lo) if hi > lo else np.zeros_like(arr)
    return arr


def images(x, labels=None, predictions=None, class_names=None, path: Any = None,
           max_images: int = 25, ncols: int | None = None):
    """A grid of images titled with their labels; wrong predictions marked in red.

    Titles show the true class (``labels``), or ``predicted (true)`` with ``predictions``:
    correct ones in green, wrong ones in red with a red frame.

    Args:
        x: images ``(n, H, W)`` or ``(n, H, W, C)`` (channels last; uint8 or floats).
        labels: true classes ``(n,)`` (or one-hot / probability rows).
        predictions: predicted classes ``(n,)`` or the model's probabilities ``(n, k)``.
        class_names: names of the classes (``dp.datasets.fashion_mnist.CLASS_NAMES``).
        path: save the figure there as a PNG (atomically).
        max_images: at most this many images (the first ones).
        ncols: images per row (default: a square-ish grid).

    Returns:
        The matplotlib ``Figure`` (one axes per image shown).

    Example:
        >>> probs = model.predict(x_test[:16])
        >>> fig = dp.plot.images(x_test[:16], y_test[:16], probs, class_names, path="wrong.png")
    """
    arr = _as_images(x)
    if not isinstance(max_images, int) or max_images < 1:
        raise ValueError(
            f"Argument `max_images`: expected a positive integer, received {max_images!r}.")
    n = min(len(arr), max_images)
    if n == 0:
        raise ValueError("Argument `x` holds no images.")
    true = class_labels(labels, "labels", len(arr))[:n] if labels is not None else None
    pred = class_labels(predictions, "predictions", len(arr))[:n] \
        if predictions is not None else None
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(nrows, ncols, (1.7 * ncols, 1.9 * nrows))
    flat = list(axes.ravel())
    for ax in flat[n:]:
        fig.delaxes(ax)
    for i, ax in enumerate(flat[:n]):
        img = arr[i]
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None,
                  vmin=0, vmax=255 if arr.dtype == np.uint8 else 1)
        ax.set_xticks([])
        ax.set_yticks([])
        if pred is not None:
            title = _name(pred[i], class_names)
            color = "black"
            if true is not None:
                wrong = pred[i] != true[i]
                title += f" ({_name(true[i], class_names)})"
                color = "red" if wrong else "green"
                if wrong:
                    for spine in ax.spines.values():
                        spine.set_edgecolor("red")
                        spine.set_linewidth(2)
            ax.set_title(title, color=color, fontsize="small")
        elif true is not None:
            ax.set_title(_name(true[i], class_names), fontsize="small")
    fig.tight_layout()
    save(fig, path)
    return fig


def confusion_counts(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """The confusion matrix: ``counts[i, j]`` samples of true class ``i`` predicted as ``j``.

    Args:
        y_true: true classes ``(n,)`` (or one-hot rows).
        y_pred: predicted classes ``(n,)`` or probabilities ``(n, k)``.
        num_classes: size of the matrix (default: the largest class seen + 1).

    Example:
        >>> dp.plot.confusion_counts([0, 1, 1], [0, 0, 1])
        array([[1, 0],
               [1, 1]])
    """
    t = class_labels(y_true, "y_true")
    p = class_labels(y_pred, "y_pred", len(t))
    if len(t) and (t.min() < 0 or p.min() < 0):
        raise ValueError("Arguments `y_true` / `y_pred`: class labels must be >= 0.")
    k = num_classes or (int(max(t.max(initial=0), p.max(initial=0))) + 1)
    if len(t) and max(t.max(), p.max()) >= k:
        raise ValueError(
            f"Argument `class_names` / `num_classes`: {k} classes, but labels go up to "
            f"{int(max(t.max(), p.max()))}.")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def confusion_matrix(y_true, y_pred, class_names=None, path: Any = None,
                     normalize: str | None = None):
    """Plot the confusion matrix (rows: true class, columns: predicted class), cells annotated.

    Args:
        y_true: true classes ``(n,)`` (or one-hot rows).
        y_pred: predicted classes ``(n,)`` or the model's probabilities ``(n, k)``.
        class_names: names for the axes (their number sets the matrix size).
        path: save the figure there as a PNG (atomically).
        normalize: ``None`` (counts), ``"true"`` (rows sum to 1: recall per class) or
            ``"pred"`` (columns sum to 1: precision per class).

    Returns:
        The matplotlib ``Figure`` (the matrix axes and its colour bar).

    Example:
        >>> fig = dp.plot.confusion_matrix(y_test, model.predict(x_test), class_names)
    """
    if normalize not in (None, "true", "pred"):
        from deepprob._errors import unknown

        raise unknown("normalization", normalize, ["true", "pred"], argument="normalize")
    k = len(class_names) if class_names is not None else None
    counts = confusion_counts(y_true, y_pred, k)
    k = counts.shape[0]
    values = counts.astype(float)
    if normalize == "true":
        values = values / np.maximum(values.sum(axis=1, keepdims=True), 1)
    elif normalize == "pred":
        values = values / np.maximum(values.sum(axis=0, keepdims=True), 1)
    side = max(4.0, 0.55 * k + 2.0)
    fig, axes = new_figure(1, 1, (side + 1.0, side))
    ax = axes[0, 0]
    image = ax.imshow(values, cmap="Blues", vmin=0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    names = [_name(i, class_names) for i in range(k)]
    ax.set_xticks(range(k), labels=names, rotation=45 if k > 4 else 0, ha="right" if k > 4
                  else "center")
    ax.set_yticks(range(k), labels=names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = values.max() / 2 if values.size else 0
    if k <= 30:
        for i in range(k):
            for j in range(k):
                text = f"{values[i, j]:.2f}" if normalize else str(counts[i, j])
                ax.text(j, i, text, ha="center", va="center", fontsize="small",
                        color="white" if values[i, j] > threshold else "black")
    total = counts.sum()
    accuracy = np.trace(counts) / total if total else float("nan")
    ax.set_title(f"accuracy {accuracy:.3f} ({total} samples)")
    fig.tight_layout()
    save(fig, path)
    return fig

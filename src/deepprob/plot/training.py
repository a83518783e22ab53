"""Training curves: ``history`` (one panel per metric, training and validation)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from deepprob.plot._figure import new_figure, save


def _history_dict(history) -> tuple[dict, list | None]:
    if hasattr(history, "history") and isinstance(history.history, dict):
        return history.history, list(getattr(history, "epoch", []) or []) or None
    if isinstance(history, dict):
        return history, None
    raise TypeError(
        "Argument `history`: expected the History returned by fit() or its `.history` dict, "
        f"received {type(history).__name__}.")


def history(history, metrics=None, path: Any = None, ncols: int = 3):
    """Plot training and validation curves, one panel per metric.

    Each panel shows ``metric`` (training, solid) and ``val_metric`` (validation, dashed) when
    logged, against the epoch (1-based; a resumed fit keeps its real epoch numbers). A
    ``learning_rate`` panel uses a log scale.

    Args:
        history: the ``History`` from ``fit`` or its ``history`` dict.
        metrics: names to plot (``"loss"``, ``"accuracy"`` ...); default every training key.
        path: save the figure there as a PNG (atomically).
        ncols: panels per row.

    Returns:
        The matplotlib ``Figure`` (one axes per metric).

    Example:
        >>> history = model.fit(x, y, validation_split=0.2, epochs=10, verbose=0)
        >>> fig = dp.plot.history(history, path="curves.png")
    """
    from matplotlib.ticker import MaxNLocator

    logs, epochs = _history_dict(history)
    if not logs:
        raise ValueError("Argument `history` holds no logged values (did fit run any epoch?).")
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_")]
        metrics += [k[4:] for k in logs if k.startswith("val_") and k[4:] not in logs]
    elif isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    if not metrics:
        raise ValueError("Argument `metrics`: expected at least one name.")
    for m in metrics:
        if m not in logs and f"val_{m}" not in logs and not (
                m.startswith("val_") and m[4:] in logs):
            from deepprob._errors import unknown

            raise unknown("metric", m, [k for k in logs], argument="metrics")
    ncols = max(1, min(int(ncols), len(metrics)))
    nrows = math.ceil(len(metrics) / ncols)
    fig, axes = new_figure(nrows, ncols, (4.2 * ncols, 3.2 * nrows))
    flat = list(axes.ravel())
    for ax in flat[len(metrics):]:
        fig.delaxes(ax)
    for ax, name in zip(flat, metrics):
        base = name[4:] if name.startswith("val_") else name
        for key, label, style in ((base, "training", "-"), (f"val_{base}", "validation", "--")):
            values = logs.get(key)
            if values is None:
                continue
            y = np.asarray([np.nan if v is None else float(v) for v in values], dtype=float)
            ax.plot(_epochs(epochs, len(y)), y, style, marker="o" if len(y) <= 30 else None,
                    markersize=3, label=label)
        ax.set_title(base)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if base in ("learning_rate", "lr"):
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    save(fig, path)
    return fig


def _epochs(epochs: list | None, n: int) -> np.ndarray:
    if epochs is not None and len(epochs) >= n:
        return np.asarray(epochs[-n:]) + 1
    return np.arange(1, n + 1)

"""Uncertainty plots: a regression with its aleatoric / epistemic bands, reliability diagrams,
and a VAE's 2-D latent space coloured by label.

Each function returns the matplotlib ``Figure`` and, given ``path=``, saves it as a PNG
(atomically). They work without a display.

Example:
    >>> pred = dp.uncertainty.predictive(model, x_grid, samples=100)   # doctest: +SKIP
    >>> fig = regression(x_grid, pred, x_data=x, y_data=y, path="bands.png")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from deepprob.plot._figure import class_labels, new_figure, save, to_numpy

__all__ = ["latent_space", "regression", "reliability_diagram"]


def _column(values: Any, argument: str, n: int | None = None) -> np.ndarray:
    """A 1-D float array from ``(n,)`` or ``(n, 1)`` values."""
    arr = np.asarray(to_numpy(values, argument), dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"Argument `{argument}`: expected shape (n,) or (n, 1) (one input and one output "
            f"dimension), received shape {arr.shape}.")
    if n is not None and len(arr) != n:
        raise ValueError(
            f"Argument `{argument}`: expected {n} values (one per point of `x`), received "
            f"{len(arr)}.")
    return arr


def _moments(prediction: Any, n: int) -> dict[str, np.ndarray]:
    """``mean``, ``aleatoric`` and ``epistemic`` variances from a RegressionPrediction (or any
    object / mapping with those fields)."""
    fields = ("mean", "aleatoric", "epistemic")
    if isinstance(prediction, dict):
        get = prediction.get
    else:
        def get(name):
            return getattr(prediction, name, None)
    missing = [f for f in fields if get(f) is None]
    if missing:
        raise TypeError(
            "Argument `prediction`: expected dp.uncertainty.predictive(...)'s "
            "RegressionPrediction (mean, total, aleatoric, epistemic), received "
            f"{type(prediction).__name__} without {', '.join(missing)}.")
    out = {f: _column(get(f), f"prediction.{f}", n) for f in fields}
    for f in ("aleatoric", "epistemic"):
        if np.any(out[f] < 0):
            raise ValueError(f"Argument `prediction.{f}`: variances must be >= 0.")
    return out


def regression(x, prediction, x_data=None, y_data=None, num_std: float = 2.0,
               title: str | None = None, path: Any = None):
    """A 1-D regression: the data, the predictive mean and two bands,
    ``mean +- num_std * sqrt(aleatoric)`` (noise, from the output distribution) and
    ``mean +- num_std * sqrt(epistemic)`` (model uncertainty, from the weight samples).

    Args:
        x: the ``n`` inputs the prediction was made at (``(n,)`` or ``(n, 1)``).
        prediction: ``dp.uncertainty.predictive(model, x, samples)``'s RegressionPrediction
            (variances), or a mapping with ``mean``, ``aleatoric``, ``epistemic``.
        x_data: training inputs drawn as points (optional).
        y_data: training targets (with ``x_data``).
        num_std: half-width of the bands in standard deviations.
        title: axes title.
        path: save the figure there as a PNG.

    Returns:
        The ``Figure`` (one axes; its two ``fill_between`` collections are labelled
        ``"aleatoric"`` and ``"epistemic"``).

    Example:
        >>> pred = dp.uncertainty.predictive(model, x_grid, samples=50)  # doctest: +SKIP
        >>> fig = regression(x_grid, pred, x_data=x, y_data=y)           # doctest: +SKIP
    """
    if not np.isfinite(num_std) or num_std <= 0:
        raise ValueError(f"Argument `num_std`: expected a positive number, received {num_std!r}.")
    xs = _column(x, "x")
    m = _moments(prediction, len(xs))
    order = np.argsort(xs, kind="stable")
    xs = xs[order]
    mean = m["mean"][order]
    fig, axes = new_figure(1, 1, (7.0, 4.5))
    ax = axes[0, 0]
    if x_data is not None or y_data is not None:
        if x_data is None or y_data is None:
            raise ValueError("Arguments `x_data` and `y_data` go together: pass both or neither.")
        xd = _column(x_data, "x_data")
        yd = _column(y_data, "y_data", len(xd))
        ax.scatter(xd, yd, s=6, color="0.35", alpha=0.5, label="data", zorder=1)
    for name, color in (("aleatoric", "tab:blue"), ("epistemic", "tab:orange")):
        half = num_std * np.sqrt(m[name][order])
        ax.fill_between(xs, mean - half, mean + half, color=color, alpha=0.3, linewidth=0,
                        label=f"{name} (±{num_std:g} sd)", gid=name, zorder=2)
    ax.plot(xs, mean, color="black", linewidth=1.5, label="mean", zorder=3)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    save(fig, path)
    return fig


def reliability_diagram(y_true, probs, num_bins: int = 15, title: str | None = None,
                        path: Any = None):
    """Reliability diagram: accuracy against confidence per equal-width confidence bin (bars,
    with the diagonal of perfect calibration and the gap to it), and below it how many
    predictions fall in each bin. The title gives the expected calibration error.

    Args:
        y_true: integer labels (or one-hot rows).
        probs: class probabilities ``(n, classes)`` (e.g. ``predictive(...).probs``), or
            ``(n,)`` P(class 1) for a binary task.
        num_bins: number of bins on [0, 1].
        title: title of the top axes (default: the ECE).
        path: save the figure there as a PNG.

    Returns:
        The ``Figure`` (two axes: accuracy bars, then counts).

    Example:
        >>> fig = reliability_diagram([1, 0, 1], [[0.2, 0.8], [0.6, 0.4], [0.7, 0.3]],
        ...                           num_bins=5)
    """
    from deepprob import uncertainty

    diagram = uncertainty.reliability_diagram(y_true, probs, num_bins=num_bins)
    ece = uncertainty.expected_calibration_error(y_true, probs, num_bins=num_bins)
    edges = diagram.bin_edges
    width = np.diff(edges)
    centers = edges[:-1] + width / 2
    filled = diagram.counts > 0
    fig, axes = new_figure(2, 1, (5.5, 6.5))
    top, bottom = axes[0, 0], axes[1, 0]
    top.plot([0, 1], [0, 1], linestyle="--", color="0.5", label="perfect calibration")
    top.bar(centers[filled], diagram.accuracy[filled], width=width[filled], color="tab:blue",
            edgecolor="black", linewidth=0.5, label="accuracy", gid="accuracy")
    gap = diagram.confidence[filled] - diagram.accuracy[filled]
    top.bar(centers[filled], gap, bottom=diagram.accuracy[filled], width=width[filled],
            color="tab:red", alpha=0.35, linewidth=0, label="gap to confidence", gid="gap")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    top.set_title(title if title is not None else f"ECE = {ece:.4f}")
    top.legend(loc="upper left", fontsize="small")
    bottom.bar(centers, diagram.counts, width=width, color="0.6", edgecolor="black",
               linewidth=0.5, gid="counts")
    bottom.set_xlim(0, 1)
    bottom.set_xlabel("confidence (top probability)")
    bottom.set_ylabel("count")
    save(fig, path)
    return fig


def latent_space(z, labels=None, class_names=None, title: str | None = None,
                 path: Any = None):
    """A VAE's 2-D latent codes as a scatter plot, coloured by label.

    Args:
        z: codes ``(n, 2)``, e.g. ``dp.vae.encode(encoder, x_test)``.
        labels: integer labels (or one-hot rows) of the ``n`` examples; ``None``: one colour.
        class_names: names of the classes for the legend (default: the label numbers).
        title: axes title.
        path: save the figure there as a PNG.

    Returns:
        The ``Figure`` (one axes; one scatter collection per class, labelled by class).

    Example:
        >>> fig = latent_space(np.random.randn(100, 2), np.arange(100) % 10)
    """
    codes = np.asarray(to_numpy(z, "z"), dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(
            f"Argument `z`: expected 2-D latent codes of shape (n, 2), received shape "
            f"{codes.shape}.")
    fig, axes = new_figure(1, 1, (6.0, 5.5))
    ax = axes[0, 0]
    if labels is None:
        ax.scatter(codes[:, 0], codes[:, 1], s=4, alpha=0.6)
    else:
        y = class_labels(labels, "labels", len(codes))
        classes = np.unique(y)
        if class_names is not None and len(class_names) <= int(classes.max()):
            raise ValueError(
                f"Argument `class_names`: expected at least {int(classes.max()) + 1} names "
                f"(labels go up to {int(classes.max())}), received {len(class_names)}.")
        cmap = _colormap(len(classes))
        for i, k in enumerate(classes):
            name = str(class_names[k]) if class_names is not None else str(int(k))
            ax.scatter(codes[y == k, 0], codes[y == k, 1], s=4, alpha=0.6, color=cmap(i),
                       label=name)
        ax.legend(loc="best", fontsize="small", markerscale=3, title="label")
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    if title:
        ax.set_title(title)
    save(fig, path)
    return fig


def _colormap(n: int):
    import matplotlib

    return matplotlib.colormaps["tab10" if n <= 10 else "tab20"]

"""Figures that work with and without a display, saved atomically as PNG."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

import numpy as np

_NON_INTERACTIVE = ("agg", "pdf", "ps", "svg", "cairo", "pgf", "template", "inline")


def _headless() -> bool:
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def new_figure(nrows: int, ncols: int, size: tuple[float, float]):
    """A ``Figure`` and its axes grid (``squeeze=False``).

    With an interactive backend (a desktop session) the figure comes from ``pyplot`` so
    ``plt.show()`` displays it; otherwise (headless, Agg, notebooks' inline backend) it is a
    plain ``Figure`` that pyplot does not track, so it is freed with its last reference and a
    notebook shows it once, when returned.
    """
    import matplotlib

    if _headless() and "matplotlib.pyplot" not in sys.modules and \
            not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    backend = str(matplotlib.get_backend()).lower()
    if "matplotlib.pyplot" in sys.modules and not any(b in backend for b in _NON_INTERACTIVE):
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size)
    else:
        from matplotlib.figure import Figure

        fig = Figure(figsize=size)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def save(fig, path: Any, dpi: int = 100) -> None:
    """Save ``fig`` as a PNG at ``path`` atomically (temporary file, then rename)."""
    if path is None:
        return
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".plot-", suffix=".png", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format="png", dpi=dpi, bbox_inches="tight")
        _default_mode(tmp)  # mkstemp makes it private (0600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def to_numpy(x: Any, argument: str) -> np.ndarray:
    """``x`` (array-like or tensor) as NumPy."""
    try:
        import torch

        if isinstance(x, torch.Tensor):
            return x.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    try:
        return np.asarray(x)
    except Exception as err:
        raise TypeError(
            f"Argument `{argument}`: expected an array or tensor, received "
            f"{type(x).__name__}.") from err


def class_labels(values: Any, argument: str, n: int | None = None) -> np.ndarray:
    """Integer labels from labels, one-hot rows or probabilities (argmax of the last axis)."""
    arr = to_numpy(values, argument)
    if arr.ndim == 2 and arr.shape[1] > 1:
        arr = arr.argmax(axis=1)
    elif arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
        if np.issubdtype(arr.dtype, np.floating) and np.all((arr >= 0) & (arr <= 1)) and \
                np.any(arr != np.round(arr)):
            arr = (arr > 0.5).astype(np.int64)  # sigmoid outputs
    if arr.ndim != 1:
        raise ValueError(
            f"Argument `{argument}`: expected labels of shape (n,) or scores of shape (n, k), "
            f"received shape {arr.shape}.")
    if n is not None and len(arr) != n:
        raise ValueError(
            f"Argument `{argument}`: expected {n} entries (one per sample), received {len(arr)}.")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(arr == np.round(arr)):
            raise ValueError(
                f"Argument `{argument}`: expected integer labels, received non-integer values.")
    return arr.astype(np.int64)


def _default_mode(path: str) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)

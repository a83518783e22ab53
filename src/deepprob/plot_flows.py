"""Plots for normalizing flows: a 2-D density heat map, samples against data, and the data pushed
through each bijector of a chain (the courses' figure). Re-exported from ``dp.plot``.

Each function returns the matplotlib ``Figure`` and saves a PNG when ``path=`` is given.

Example:
    >>> fig = density(flow, path="density.png")
    >>> fig = flow_steps(flow.bijector, x, path="steps.png")
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["density", "samples", "flow_steps"]


def _figure(ncols: int = 1, size: float = 4.0):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(size * ncols, size), squeeze=False)
    return fig, list(axes[0])


def _save(fig, path: Any) -> None:
    if path is not None:
        fig.savefig(path, dpi=100, bbox_inches="tight")


def _numpy(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _check_2d(values: np.ndarray, argument: str) -> np.ndarray:
    if values.ndim != 2 or values.shape[1] != 2:
        raise ValueError(f"Argument `{argument}`: expected points of shape [n, 2], received "
                         f"{list(values.shape)}.")
    return values


def density_grid(dist: Any, xlim: tuple[float, float], ylim: tuple[float, float],
                 resolution: int = 100, **log_prob_kwargs: Any):
    """The grid ``(xs, ys, p)`` of ``dist.prob`` over ``xlim x ylim`` (``p[i, j]`` at
    ``(xs[j], ys[i])``).

    Args:
        dist: a distribution over 2-D events (anything with ``log_prob``).
        xlim: range of the first coordinate.
        ylim: range of the second coordinate.
        resolution: points per axis.
        **log_prob_kwargs: passed to ``log_prob`` (``bijector_kwargs`` for conditional flows).

    Example:
        >>> xs, ys, p = density_grid(flow, (-2, 3), (-1.5, 2), resolution=50)
    """
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"Argument `resolution`: expected an integer >= 2, received "
                         f"{resolution!r}.")
    xs = np.linspace(*xlim, resolution, dtype=np.float32)
    ys = np.linspace(*ylim, resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    points = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], 1))
    with torch.no_grad():
        lp = dist.log_prob(points, **log_prob_kwargs)
    if not isinstance(lp, torch.Tensor) or lp.shape != (points.shape[0],):
        raise ValueError(f"Argument `dist`: log_prob of [n, 2] points must give [n] values "
                         f"(a distribution over 2-D events); received shape "
                         f"{list(getattr(lp, 'shape', []))}.")
    return xs, ys, torch.exp(lp).cpu().numpy().reshape(resolution, resolution)


def density(dist: Any, xlim: tuple[float, float] = (-2.0, 3.0),
            ylim: tuple[float, float] = (-1.5, 2.0), resolution: int = 100,
            data: Any = None, ax: Any = None, title: str | None = "density",
            path: Any = None, **log_prob_kwargs: Any):
    """Heat map of a 2-D distribution's density (optionally with data points on top).

    Args:
        dist: a distribution over 2-D events (a flow).
        xlim: range of the first coordinate.
        ylim: range of the second coordinate.
        resolution: grid points per axis.
        data: optional ``[n, 2]`` points drawn over the map.
        ax: an existing matplotlib axes to draw in (default: a new figure).
        title: the axes title.
        path: save a PNG there.
        **log_prob_kwargs: passed to ``log_prob``.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = dp.plot.density(flow, xlim=(-2, 3), ylim=(-1.5, 2), path="density.png")
    """
    xs, ys, p = density_grid(dist, xlim, ylim, resolution, **log_prob_kwargs)
    if ax is None:
        fig, (ax,) = _figure()
    else:
        fig = ax.figure
    ax.imshow(p, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto",
              cmap="viridis")
    if data is not None:
        pts = _check_2d(_numpy(data), "data")
        ax.scatter(pts[:, 0], pts[:, 1], s=1, c="white", alpha=0.3)
    if title:
        ax.set_title(title)
    _save(fig, path)
    return fig


def samples(dist: Any, data: Any = None, n: int = 1000, ax: Any = None,
            title: str | None = "samples", path: Any = None, **sample_kwargs: Any):
    """Samples of a 2-D distribution against the data.

    Args:
        dist: a distribution over 2-D events.
        data: optional ``[n, 2]`` data drawn for comparison.
        n: number of samples.
        ax: an existing matplotlib axes (default: a new figure).
        title: the axes title.
        path: save a PNG there.
        **sample_kwargs: passed to ``sample`` (``bijector_kwargs`` for conditional flows).

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = dp.plot.samples(flow, x_train, n=2000, path="samples.png")
    """
    with torch.no_grad():
        s = _check_2d(_numpy(dist.sample(n, **sample_kwargs)), "dist (its samples)")
    if ax is None:
        fig, (ax,) = _figure()
    else:
        fig = ax.figure
    if data is not None:
        pts = _check_2d(_numpy(data), "data")
        ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.4, label="data")
    ax.scatter(s[:, 0], s[:, 1], s=2, alpha=0.4, label="samples")
    ax.legend(loc="upper right", markerscale=4)
    if title:
        ax.set_title(title)
    _save(fig, path)
    return fig


def flow_steps(chain: Any, x: Any, direction: str = "forward", path: Any = None,
               size: float = 3.0, **kwargs: Any):
    """The points pushed through each bijector of a chain, one panel per step.

    ``direction="forward"`` starts from base samples ``x`` and applies the bijectors in the
    order ``forward`` does (the last one of the list first), as the courses draw it;
    ``"inverse"`` starts from data and applies the inverses (the first one first).

    Args:
        chain: a ``dp.bijectors.Chain`` (or a single bijector) acting on 2-D events.
        x: ``[n, 2]`` starting points.
        direction: ``"forward"`` or ``"inverse"``.
        path: save a PNG there.
        size: panel size in inches.
        **kwargs: per-bijector keyword arguments by name, as ``Chain`` takes them.

    Returns:
        The matplotlib Figure (``len(bijectors) + 1`` panels).

    Example:
        >>> z = dp.distributions.MultivariateNormalDiag(loc=[0., 0.]).sample(1000)
        >>> fig = dp.plot.flow_steps(flow.bijector, z, path="steps.png")
    """
    from deepprob._errors import unknown
    from deepprob.bijectors import Bijector, Chain

    if direction not in ("forward", "inverse"):
        raise unknown("direction", direction, ["forward", "inverse"], argument="direction")
    if not isinstance(chain, Bijector):
        raise TypeError(f"Argument `chain`: expected a dp.bijectors.Bijector, received "
                        f"{type(chain).__name__}.")
    bijectors = list(chain.bijectors) if isinstance(chain, Chain) else [chain]
    points = torch.as_tensor(_check_2d(_numpy(x), "x"))
    steps = [("start", points)]
    order = bijectors[::-1] if direction == "forward" else bijectors
    with torch.no_grad():
        for b in order:
            kw = kwargs.get(b.name, {})
            points = b.forward(points, **kw) if direction == "forward" else \
                b.inverse(points, **kw)
            steps.append((b.name, points))
    fig, axes = _figure(len(steps), size)
    for ax, (name, pts) in zip(axes, steps):
        p = _numpy(pts)
        ax.scatter(p[:, 0], p[:, 1], s=1, alpha=0.5)
        ax.set_title(name, fontsize=9)
    _save(fig, path)
    return fig

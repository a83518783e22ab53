"""Plots (matplotlib): training curves, image grids, confusion matrices, flows' densities,
uncertainty bands, reliability diagrams and VAE latent spaces.

Every function returns the matplotlib ``Figure`` and, given ``path=``, also saves it there as a
PNG (atomically). They work without a display (the Agg backend is selected on headless
machines).

Example:
    >>> history = model.fit(x, y, validation_split=0.2, epochs=5, verbose=0)
    >>> fig = dp.plot.history(history, path="curves.png")
"""

from deepprob.plot.classification import confusion_counts, confusion_matrix, images
from deepprob.plot.training import history

__all__ = ["confusion_counts", "confusion_matrix", "density", "density_grid", "flow_steps",
           "history", "images", "latent_space", "regression", "reliability_diagram", "samples"]


def __getattr__(name: str):
    # The flows' plots (deepprob.plot_flows, another module's) are re-exported on first use.
    if name in ("density", "samples", "flow_steps", "density_grid"):
        from deepprob import plot_flows

        return getattr(plot_flows, name)
    if name in ("regression", "reliability_diagram", "latent_space"):
        from deepprob import plot_uncertainty

        return getattr(plot_uncertainty, name)
    raise AttributeError(f"module 'deepprob.plot' has no attribute {name!r}")

"""``learning_rate_sweep``: the courses' learning-rate range test, as one call."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class SweepResult:
    """What :func:`learning_rate_sweep` found.

    Attributes:
        learning_rates: the rate used in each epoch.
        losses: each epoch's training loss.
        suggested: a rate ten times below the one with the lowest (smoothed) loss, capped where
            the loss still falls.
        history: the ``History`` of the sweep's ``fit``.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    suggested: float
    history: object

    def plot(self, ax=None):
        """Loss against learning rate on a log axis (the courses' ``semilogx`` plot)."""
        from deepprob.timeseries.plots import plot_lr_sweep

        return plot_lr_sweep(self, ax=ax)


def suggest_learning_rate(learning_rates, losses, smoothing: int = 5) -> float:
    """A rate ten times below the one at the minimum of the moving-average smoothed loss.

    Args:
        learning_rates: increasing rates.
        losses: losses at those rates (NaN / inf after divergence are ignored).
        smoothing: moving-average width.

    Example:
        >>> suggest_learning_rate([1e-4, 1e-3, 1e-2, 1e-1], [4.0, 2.0, 1.0, 9.0], smoothing=1)
        0.001
    """
    lrs = np.asarray(learning_rates, dtype=np.float64)
    loss = np.asarray(losses, dtype=np.float64)
    if lrs.shape != loss.shape or lrs.ndim != 1 or len(lrs) == 0:
        raise ValueError(
            "Arguments `learning_rates` and `losses` must be 1-D and of equal length; received "
            f"shapes {lrs.shape} and {loss.shape}."
        )
    finite = np.isfinite(loss)
    if not finite.any():
        raise ValueError("Argument `losses`: no finite loss; the sweep diverged from the start.")
    last = int(np.nonzero(finite)[0][-1]) + 1 if finite.all() else int(np.argmin(finite))
    lrs, loss = lrs[:max(last, 1)], loss[:max(last, 1)]
    k = max(1, min(int(smoothing), len(loss)))
    smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
    best = int(np.argmin(smooth)) + k // 2
    return float(lrs[min(best, len(lrs) - 1)] / 10.0)


def learning_rate_sweep(model, dataset, start: float = 1e-8, factor: float = 10 ** (1 / 20),
                        epochs: int = 100, optimizer=None, loss=None, verbose: int = 0,
                        **fit_kwargs) -> SweepResult:
    """Train with the rate growing by ``factor`` each epoch from ``start`` and record the loss
    (the courses' ``LearningRateScheduler(lambda epoch: 1e-8 * 10 ** (epoch / 20))``).

    When the loss becomes NaN or infinite the sweep stops there (that epoch's loss is NaN).

    The model is compiled with ``optimizer`` (default ``SGD(momentum=0.9)``) and ``loss``
    (default ``"huber"``) unless it is compiled already and neither is given. Its weights are
    changed by the sweep: build a fresh model for the real training.

    Args:
        model: a deepprob model.
        dataset: training batches (a ``dp.data.Dataset`` or anything ``fit`` takes).
        start: rate of the first epoch (> 0).
        factor: growth per epoch (> 1).
        epochs: number of epochs (rates ``start * factor ** epoch``).
        optimizer: optimizer to compile with.
        loss: loss to compile with.
        verbose: ``fit`` verbosity.
        **fit_kwargs: passed to ``fit`` (e.g. ``steps_per_epoch``).

    Example:
        >>> sweep = learning_rate_sweep(model, train_ds, epochs=100)  # doctest: +SKIP
        >>> sweep.suggested, sweep.plot()  # doctest: +SKIP
    """
    import deepprob as dp

    if not start > 0:
        raise ValueError(f"Argument `start`: expected a positive rate, received {start!r}.")
    if not factor > 1:
        raise ValueError(f"Argument `factor`: expected a number > 1, received {factor!r}.")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"Argument `epochs`: expected an integer >= 1, received {epochs!r}.")
    if optimizer is not None or loss is not None or not getattr(model, "compiled", False):
        model.compile(optimizer=optimizer or dp.optimizers.SGD(momentum=0.9),
                      loss=loss or "huber")
    rates = np.array([start * factor ** e for e in range(epochs)])

    class _Schedule(dp.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.model.optimizer.learning_rate = float(rates[epoch])

    diverged = False
    try:
        history = model.fit(dataset, epochs=epochs, verbose=verbose,
                            callbacks=[_Schedule()], **fit_kwargs)
    except FloatingPointError:  # the engine stops on a non-finite loss: the sweep's end
        history = getattr(model, "history", None)
        diverged = True
    logged = list(history.history.get("loss", [])) if history is not None else []
    losses = np.array([v if v is not None else math.nan for v in logged], dtype=np.float64)
    if diverged:
        losses = np.append(losses, math.nan)  # the epoch whose loss blew up
    rates = rates[: len(losses)]
    return SweepResult(rates, losses, suggest_learning_rate(rates, losses), history)

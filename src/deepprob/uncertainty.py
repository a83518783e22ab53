"""Predictive uncertainty and its scores (``dp.uncertainty``).

``predictive(model, x, samples=100)`` runs a model with random weights (variational layers,
which resample at every call) ``samples`` times and splits the spread:

* regression: ``mean``, ``total``, ``aleatoric``, ``epistemic`` *variances* by the law of total
  variance: ``total = E_w[Var(y | x, w)] + Var_w(E[y | x, w])`` (aleatoric + epistemic);
* classification: ``probs`` (the mean predictive probabilities), ``entropy`` of them (total
  uncertainty, nats) and ``mutual_information`` between the label and the weights (epistemic
  part: entropy minus the mean entropy of each draw).

Scores take ``y_true`` first: ``nll``, ``expected_calibration_error``, ``reliability_diagram``,
``interval_coverage``, ``crps_gaussian`` (closed form) and ``crps_samples``.

Example:
    >>> pred = dp.uncertainty.predictive(model, x_test, samples=50)   # doctest: +SKIP
    >>> lower = pred.mean - 2 * np.sqrt(pred.total)                    # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import torch

__all__ = [
    "RegressionPrediction", "ClassificationPrediction", "ReliabilityDiagram", "predictive",
    "nll", "expected_calibration_error", "reliability_diagram", "interval_coverage",
    "crps_gaussian", "crps_samples",
]


class RegressionPrediction(NamedTuple):
    """Predictive moments of a regression model (NumPy arrays; variances, not std devs)."""

    mean: np.ndarray
    total: np.ndarray
    aleatoric: np.ndarray
    epistemic: np.ndarray


class ClassificationPrediction(NamedTuple):
    """Mean class probabilities, their entropy and the label-weights mutual information."""

    probs: np.ndarray
    entropy: np.ndarray
    mutual_information: np.ndarray


class ReliabilityDiagram(NamedTuple):
    """Per confidence bin: edges, mean confidence, accuracy and count (empty bins: NaN)."""

    bin_edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray


# -- helpers ---------------------------------------------------------------------------------
def _t(x, dtype=torch.float64) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.detach().to(dtype)
    return torch.as_tensor(np.asarray(x), dtype=dtype)


def _reduce(values: torch.Tensor, reduction: str, argument: str = "reduction"):
    if reduction == "mean":
        return float(values.mean())
    if reduction == "sum":
        return float(values.sum())
    if reduction in ("none", None):
        return values.cpu().numpy()
    raise ValueError(
        f"Argument `{argument}`: expected 'mean', 'sum' or 'none', received {reduction!r}."
    )


def _is_categorical(dist) -> bool:
    from deepprob import distributions as tfd

    if isinstance(dist, (tfd.Categorical, tfd.OneHotCategorical)):
        return True
    if isinstance(dist, tfd.MixtureSameFamily):
        return isinstance(dist.components_distribution, tfd.OneHotCategorical)
    return False


def _class_probs(out) -> torch.Tensor:
    from deepprob import distributions as tfd

    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, tfd.Categorical):
        return out.probs_parameter()
    return out.mean()  # OneHotCategorical and mixtures of them: the class probabilities


def _looks_like_probs(t: torch.Tensor) -> bool:
    if t.dim() < 2 or t.shape[-1] < 2:
        return False
    return bool((t >= 0).all()) and bool(torch.allclose(t.sum(-1), torch.ones(()).to(t),
                                                        atol=1e-4))


def _entropy(p: torch.Tensor) -> torch.Tensor:
    return -(p * torch.log(p.clamp_min(1e-30))).sum(-1)


# -- predictive --------------------------------------------------------------------------------
@torch.no_grad()
def predictive(model, x, samples: int = 100, task: str = "auto",
               batch_size: int | None = None):
    """Monte-Carlo predictive distribution of ``model`` at ``x``.

    Each of the ``samples`` forward passes draws new weights (variational layers) and the model's
    output is either a distribution (its ``mean()`` and ``variance()`` are used; for a
    categorical, its class probabilities) or a tensor (a point prediction: no aleatoric part;
    probabilities for classification).

    Args:
        model: a model (or any callable) taking ``x``.
        x: inputs (NumPy array or tensor).
        samples: number of forward passes.
        task: ``"regression"``, ``"classification"`` or ``"auto"`` (categorical distribution
            outputs, or tensors whose rows are probability vectors, are classification).
        batch_size: inputs per forward pass (default: all at once).

    Returns:
        :class:`RegressionPrediction` ``(mean, total, aleatoric, epistemic)`` or
        :class:`ClassificationPrediction` ``(probs, entropy, mutual_information)``, NumPy arrays.

    Example:
        >>> pred = predictive(model, x, samples=100)      # doctest: +SKIP
        >>> np.sqrt(pred.epistemic)                        # doctest: +SKIP
    """
    from deepprob import config

    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"Argument `samples`: expected a positive integer, received {samples!r}.")
    if task not in ("auto", "regression", "classification"):
        raise ValueError(
            f"Argument `task`: expected 'auto', 'regression' or 'classification', received "
            f"{task!r}."
        )
    if isinstance(model, torch.nn.Module):
        model.eval()
        device = next((p.device for p in model.parameters()), config.get_device())
    else:
        device = config.get_device()
    xt = _t(x, torch.float32) if not isinstance(x, torch.Tensor) or x.is_floating_point() \
        else x
    xt = xt.to(device)
    n = xt.shape[0]
    step = n if batch_size is None else int(batch_size)
    chunks: list[Any] = []
    kind = None if task == "auto" else task
    for start in range(0, n, step):
        xb = xt[start:start + step]
        first: list[torch.Tensor] = []
        second: list[torch.Tensor] = []
        for _ in range(samples):
            out = model(xb)
            if kind is None:
                if isinstance(out, torch.Tensor):
                    kind = "classification" if _looks_like_probs(out) else "regression"
                else:
                    kind = "classification" if _is_categorical(out) else "regression"
            if kind == "classification":
                p = _class_probs(out).to(torch.float64)
                first.append(p)
                second.append(_entropy(p))
            elif isinstance(out, torch.Tensor):
                first.append(out.to(torch.float64))
            else:
                first.append(out.mean().to(torch.float64))
                second.append(out.variance().to(torch.float64))
        chunks.append(_summarize(kind, torch.stack(first), second))
    parts = list(zip(*chunks))
    arrays = [np.concatenate([c.cpu().numpy() for c in part], axis=0) for part in parts]
    cls = ClassificationPrediction if kind == "classification" else RegressionPrediction
    return cls(*arrays)


def _summarize(kind: str, first: torch.Tensor, second: list):
    if kind == "classification":
        probs = first.mean(0)
        ent = _entropy(probs)
        mean_ent = torch.stack(second).mean(0)
        return probs, ent, (ent - mean_ent).clamp_min(0.0)
    mean = first.mean(0)
    epistemic = first.var(0, unbiased=False)
    aleatoric = torch.stack(second).mean(0) if second else torch.zeros_like(mean)
    return mean, aleatoric + epistemic, aleatoric, epistemic


# -- scores ---------------------------------------------------------------------------------------
def nll(y_true, dist, reduction: str = "mean"):
    """Negative log-likelihood ``-dist.log_prob(y_true)`` (nats).

    Args:
        y_true: observed values, shape ``batch_shape + event_shape`` of ``dist``.
        dist: a distribution (a model's output).
        reduction: ``"mean"`` (a float), ``"sum"`` or ``"none"`` (per example, NumPy).

    Example:
        >>> nll([0.0], dp.distributions.Normal(torch.zeros(1), 1.0))   # log(sqrt(2 pi))
        0.9189...
    """
    if isinstance(dist, torch.Tensor) or not hasattr(dist, "log_prob"):
        raise TypeError(f"Argument `dist`: expected a distribution, received {type(dist).__name__}.")
    with torch.no_grad():
        y = _t(y_true, dist.dtype if dist.dtype.is_floating_point else torch.float32)
        values = -dist.log_prob(y).to(torch.float64)
    return _reduce(values, reduction)


def _labels_and_probs(y_true, probs) -> tuple[torch.Tensor, torch.Tensor]:
    p = _t(probs)
    if p.dim() == 1 or (p.dim() == 2 and p.shape[-1] == 1):  # binary: P(class 1)
        p1 = p.reshape(-1)
        p = torch.stack([1 - p1, p1], dim=-1)
    y = _t(y_true)
    if y.dim() == p.dim() and y.shape == p.shape:  # one-hot
        y = y.argmax(-1)
    y = y.reshape(-1).round().long()
    if y.shape[0] != p.shape[0]:
        raise ValueError(
            f"Arguments `y_true` and `probs`: {y.shape[0]} labels for {p.shape[0]} rows of "
            "probabilities."
        )
    return y, p


def reliability_diagram(y_true, probs, num_bins: int = 15) -> ReliabilityDiagram:
    """Accuracy against confidence in ``num_bins`` equal-width bins of the top probability.

    Args:
        y_true: integer labels (or one-hot rows).
        probs: class probabilities ``(n, classes)``, or ``(n,)`` P(class 1) for binary tasks.
        num_bins: number of bins on [0, 1].

    Returns:
        :class:`ReliabilityDiagram` (plot it with ``dp.plot.reliability_diagram``).

    Example:
        >>> reliability_diagram([1, 0], [[0.2, 0.8], [0.6, 0.4]], num_bins=5).counts
        array([0, 0, 1, 0, 1])
    """
    if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 1:
        raise ValueError(f"Argument `num_bins`: expected a positive integer, received {num_bins!r}.")
    y, p = _labels_and_probs(y_true, probs)
    conf, pred = p.max(-1)
    correct = (pred == y).to(torch.float64)
    edges = torch.linspace(0, 1, num_bins + 1, dtype=torch.float64)
    index = torch.clamp(torch.bucketize(conf, edges[1:-1], right=False), 0, num_bins - 1)
    counts = torch.bincount(index, minlength=num_bins).to(torch.float64)
    conf_sum = torch.zeros(num_bins, dtype=torch.float64).index_add_(0, index, conf)
    acc_sum = torch.zeros(num_bins, dtype=torch.float64).index_add_(0, index, correct)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = (conf_sum / counts).numpy()
        accuracy = (acc_sum / counts).numpy()
    return ReliabilityDiagram(edges.numpy(), confidence, accuracy, counts.long().numpy())


def expected_calibration_error(y_true, probs, num_bins: int = 15) -> float:
    """ECE: ``sum_b (n_b / n) |accuracy_b - confidence_b|`` over equal-width confidence bins.

    Args:
        y_true: integer labels (or one-hot rows).
        probs: class probabilities ``(n, classes)``, or ``(n,)`` P(class 1) for binary tasks.
        num_bins: number of bins (15, as Guo et al. 2017).

    Example:
        >>> expected_calibration_error([1, 1], [[0.2, 0.8], [0.2, 0.8]])   # 100% right at 0.8
        0.2
    """
    diagram = reliability_diagram(y_true, probs, num_bins)
    n = diagram.counts.sum()
    full = diagram.counts > 0
    gaps = np.abs(diagram.accuracy[full] - diagram.confidence[full])
    return float(np.sum(diagram.counts[full] / n * gaps))


def interval_coverage(y_true, lower, upper) -> float:
    """Fraction of ``y_true`` inside ``[lower, upper]`` (a 95% interval should cover ~0.95).

    Args:
        y_true: observed values.
        lower: lower bounds (broadcast with ``y_true``).
        upper: upper bounds.

    Example:
        >>> interval_coverage([0.0, 2.0], [-1.0, -1.0], [1.0, 1.0])
        0.5
    """
    y, lo, hi = _t(y_true), _t(lower), _t(upper)
    if bool((lo > hi).any()):
        raise ValueError("Arguments `lower` and `upper`: some lower bounds exceed the upper ones.")
    return float(((y >= lo) & (y <= hi)).to(torch.float64).mean())


def crps_gaussian(y_true, mean, stddev, reduction: str = "mean"):
    """Continuous ranked probability score of ``Normal(mean, stddev)`` at ``y_true`` (closed
    form: ``s [z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)]``, ``z = (y - mean) / s``); lower is
    better, in the units of ``y``.

    Args:
        y_true: observed values.
        mean: predictive means.
        stddev: predictive standard deviations (> 0).
        reduction: ``"mean"`` (a float), ``"sum"`` or ``"none"`` (NumPy, per value).

    Example:
        >>> round(crps_gaussian(0.0, 0.0, 1.0), 4)     # (sqrt(2) - 1) / sqrt(pi)
        0.2337
    """
    y, mu, s = _t(y_true), _t(mean), _t(stddev)
    if bool((s <= 0).any()):
        raise ValueError("Argument `stddev`: expected positive standard deviations.")
    z = (y - mu) / s
    normal = torch.distributions.Normal(torch.zeros((), dtype=torch.float64), 1.0)
    cdf = normal.cdf(z)
    pdf = torch.exp(normal.log_prob(z))
    values = s * (z * (2 * cdf - 1) + 2 * pdf - 1 / math.sqrt(math.pi))
    return _reduce(values, reduction)


def crps_samples(y_true, samples, reduction: str = "mean"):
    """CRPS of the empirical distribution of ``samples`` (axis 0) at ``y_true``:
    ``E|X - y| - E|X - X'| / 2``, computed exactly from the sorted samples in O(S log S).

    Args:
        y_true: observed values, shape ``(...)``.
        samples: draws of shape ``(S, ...)``.
        reduction: ``"mean"`` (a float), ``"sum"`` or ``"none"`` (NumPy, per value).

    Example:
        >>> crps_samples(0.0, [[-1.0], [1.0]])          # 1 - 2 / 2 / 2
        0.5
    """
    x = _t(samples)
    y = _t(y_true)
    if x.dim() == 0:
        raise ValueError("Argument `samples`: expected draws along axis 0, received a scalar.")
    s = x.shape[0]
    term1 = (x - y.unsqueeze(0)).abs().mean(0)
    xs, _ = torch.sort(x, dim=0)
    i = torch.arange(1, s + 1, dtype=torch.float64).reshape((s,) + (1,) * (x.dim() - 1))
    # E|X - X'| = 2 / S^2 * sum_i (2 i - S - 1) x_(i)
    term2 = (2.0 / (s * s)) * ((2 * i - s - 1) * xs).sum(0)
    return _reduce(term1 - 0.5 * term2, reduction)

"""KL-divergence penalties on distribution outputs: ``KLDivergenceRegularizer`` (an activity
regularizer) and ``KLDivergenceAddLoss`` (a pass-through layer), with TFP's arguments.

The KL joins the training objective exactly once. TFP + Keras 2 count an activity regularizer's
KL twice (tensorflow/probability#1215: the regularizer runs both in the Keras layer call and in
TFP's distribution layer), which silently trains a beta = 2 VAE; deepprob does not copy that.
As in Keras, an activity regularizer's value is divided by the batch size, so with the default
``test_points_reduce_axis=()`` the penalty is the batch-mean KL per example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from deepprob.engine.layer import Layer
from deepprob.layers.probabilistic import _coercion
from deepprob.regularizers import Regularizer


def _check_distribution(value, argument: str, owner: str) -> None:
    if isinstance(value, torch.Tensor) or not hasattr(value, "log_prob"):
        raise TypeError(
            f"{owner}: argument `{argument}` must be a distribution (a dp.distributions object, "
            f"or the output of a distribution layer); received {type(value).__name__}."
        )


def make_kl_divergence_fn(distribution_b, use_exact_kl: bool = False,
                          test_points_reduce_axis=(), test_points_fn: Callable | None = None,
                          weight: float | None = None) -> Callable:
    """``fn(distribution_a) -> scalar`` summing ``weight * KL(a || b)`` over what is left after
    ``test_points_reduce_axis`` (TFP's ``_make_kl_divergence_fn``).

    Args:
        distribution_b: the prior: a distribution, or a zero-argument callable returning one.
        use_exact_kl: closed form (``dp.distributions.kl_divergence``) instead of the
            Monte-Carlo estimate ``log a(z) - log b(z)`` at ``z = test_points_fn(a)``.
        test_points_reduce_axis: axes of the Monte-Carlo values averaged (``()``: none, so
            each batch member keeps its own estimate; ``None``: all).
        test_points_fn: ``fn(distribution_a) -> z``; default: the distribution's tensor
            conversion (the same sample the next layer receives).
        weight: multiplies the KL.

    Example:
        >>> prior = dp.distributions.Normal(0.0, 1.0)
        >>> make_kl_divergence_fn(prior, use_exact_kl=True)(dp.distributions.Normal(1.0, 1.0))
        tensor(0.5000)
    """
    points = test_points_fn if test_points_fn is not None else _coercion.as_tensor

    def kl_fn(distribution_a):
        b = distribution_b() if callable(distribution_b) and not hasattr(
            distribution_b, "log_prob") else distribution_b
        if use_exact_kl:
            from deepprob.distributions import kl_divergence

            kl = kl_divergence(distribution_a, b)
        else:
            z = points(distribution_a)
            kl = distribution_a.log_prob(z) - b.log_prob(z)
            if test_points_reduce_axis is None:
                kl = kl.mean()
            elif test_points_reduce_axis != () and test_points_reduce_axis != []:
                axes = test_points_reduce_axis
                kl = kl.mean(dim=tuple(axes) if isinstance(axes, (list, tuple)) else axes)
        if weight is not None:
            kl = kl * weight
        return kl.sum()

    return kl_fn


class KLDivergenceRegularizer(Regularizer):
    """Activity regularizer ``sum(weight * KL(output || distribution_b))`` for distribution
    layers (a VAE encoder's ``activity_regularizer``).

    Used as an activity regularizer it is divided by the batch size (Keras's rule) and added to
    the objective once.

    Args:
        distribution_b: the prior (a distribution, or a callable returning one).
        use_exact_kl: closed-form KL instead of the Monte-Carlo estimate.
        test_points_reduce_axis: axes of the Monte-Carlo values averaged before the sum.
        test_points_fn: ``fn(distribution) -> points``; default: its tensor conversion.
        weight: multiplies the KL.

    Example:
        >>> prior = dp.distributions.Independent(dp.distributions.Normal(torch.zeros(2), 1.0), 1)
        >>> encoder_head = dp.layers.MultivariateNormalTriL(
        ...     2, activity_regularizer=dp.layers.KLDivergenceRegularizer(prior, weight=1.0))
    """

    def __init__(self, distribution_b, use_exact_kl: bool = False,
                 test_points_reduce_axis=(), test_points_fn: Callable | None = None,
                 weight: float | None = None):
        if not callable(distribution_b):
            _check_distribution(distribution_b, "distribution_b", "KLDivergenceRegularizer")
        self.distribution_b = distribution_b
        self.use_exact_kl = bool(use_exact_kl)
        self.test_points_reduce_axis = test_points_reduce_axis
        self.test_points_fn = test_points_fn
        self.weight = weight
        self._kl_fn = make_kl_divergence_fn(distribution_b, use_exact_kl,
                                            test_points_reduce_axis, test_points_fn, weight)

    def __call__(self, distribution_a) -> torch.Tensor:
        _check_distribution(distribution_a, "distribution_a", "KLDivergenceRegularizer")
        return self._kl_fn(distribution_a)

    def get_config(self) -> dict:
        return {"use_exact_kl": self.use_exact_kl,
                "test_points_reduce_axis": self.test_points_reduce_axis,
                "weight": self.weight}


class KLDivergenceAddLoss(Layer):
    """Pass-through layer adding ``weight * KL(input || distribution_b)`` to the model's losses.

    The input distribution is returned unchanged (with its tensor conversion). As TFP, the
    default ``test_points_reduce_axis=None`` averages the Monte-Carlo estimate over the whole
    batch; with ``use_exact_kl=True`` the KLs of the batch are summed.

    Args:
        distribution_b: the prior (a distribution, or a callable returning one).
        use_exact_kl: closed-form KL instead of the Monte-Carlo estimate.
        test_points_reduce_axis: axes of the Monte-Carlo values averaged (default: all).
        test_points_fn: ``fn(distribution) -> points``; default: its tensor conversion.
        weight: multiplies the KL.
        **kwargs: Layer arguments.

    Example:
        >>> prior = dp.distributions.Normal(0.0, 1.0)
        >>> layer = dp.layers.KLDivergenceAddLoss(prior, use_exact_kl=True)
        >>> _ = layer(dp.distributions.Normal(torch.ones(3), 1.0))
        >>> layer.losses
        [tensor(1.5000)]
    """

    def __init__(self, distribution_b, use_exact_kl: bool = False,
                 test_points_reduce_axis: Any = None, test_points_fn: Callable | None = None,
                 weight: float | None = None, **kwargs):
        super().__init__(**kwargs)
        if not callable(distribution_b):
            _check_distribution(distribution_b, "distribution_b", "KLDivergenceAddLoss")
        self.__dict__["distribution_b"] = distribution_b
        self.use_exact_kl = bool(use_exact_kl)
        self.weight = weight
        self._kl_fn = make_kl_divergence_fn(distribution_b, use_exact_kl,
                                            test_points_reduce_axis, test_points_fn, weight)

    def __call__(self, *args, **kwargs):
        from deepprob.engine import symbolic

        if symbolic.is_symbolic(args) or symbolic.is_symbolic(kwargs):
            return super().__call__(*args, **kwargs)
        # A distribution passes through unconverted (Layer.__call__ would make it a tensor).
        inputs = args[0] if args else kwargs.get("inputs")
        return self.call(inputs)

    def call(self, inputs):
        _check_distribution(inputs, "inputs", f"KLDivergenceAddLoss {self.name!r}")
        self.add_loss(self._kl_fn(inputs))
        return inputs

    def get_config(self) -> dict:
        return {**super().get_config(), "use_exact_kl": self.use_exact_kl, "weight": self.weight}

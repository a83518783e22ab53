"""Posterior and prior builders for the variational layers (TFP's ``tfp.layers.util`` and the
builders the DenseVariational documentation and the courses write).

Two families, as in TFP:

* ``DenseVariational(make_posterior_fn, make_prior_fn)`` takes builders
  ``fn(kernel_size, bias_size, dtype) -> model`` whose output (called on the layer's input) is a
  distribution over all ``kernel_size + bias_size`` weights: :func:`posterior_mean_field`,
  :func:`prior_trainable`, :func:`prior_standard_normal`.
* ``DenseReparameterization`` / ``DenseFlipout`` / ``Convolution*`` take
  ``fn(dtype, shape, name, trainable, add_variable_fn) -> distribution``:
  :func:`default_mean_field_normal_fn` (trainable, its parameters created with
  ``add_variable_fn``) and :func:`default_multivariate_normal_fn` (a fixed standard normal).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from deepprob import initializers


class _SoftplusScale(torch.nn.Module):
    """``1e-5 + softplus(raw)``, read at each use (a distribution parameter module)."""

    def __init__(self, raw: torch.nn.Parameter, shift: float = 1e-5):
        super().__init__()
        self.raw = raw
        self.shift = shift

    def forward(self) -> torch.Tensor:
        return self.shift + F.softplus(self.raw)


def default_loc_scale_fn(is_singular: bool = False, loc_initializer=None,
                         untransformed_scale_initializer=None, loc_regularizer=None,
                         untransformed_scale_regularizer=None, loc_constraint=None,
                         untransformed_scale_constraint=None) -> Callable:
    """``fn(dtype, shape, name, trainable, add_variable_fn) -> (loc, scale)``: a trainable
    location and a softplus-positive scale (``None`` when ``is_singular``), as TFP.

    Args:
        is_singular: no scale (a point mass).
        loc_initializer: default ``random_normal(stddev=0.1)``.
        untransformed_scale_initializer: default ``random_normal(mean=-3, stddev=0.1)``.
        loc_regularizer, untransformed_scale_regularizer: penalties on the variables.
        loc_constraint, untransformed_scale_constraint: applied after optimizer steps.

    Example:
        >>> fn = default_loc_scale_fn()
    """
    loc_init = loc_initializer if loc_initializer is not None else initializers.RandomNormal(
        stddev=0.1)
    scale_init = (untransformed_scale_initializer if untransformed_scale_initializer is not None
                  else initializers.RandomNormal(mean=-3.0, stddev=0.1))

    def _fn(dtype, shape, name, trainable, add_variable_fn):
        loc = add_variable_fn(name=name + "_loc", shape=shape, initializer=loc_init,
                              regularizer=loc_regularizer, constraint=loc_constraint,
                              dtype=dtype, trainable=trainable)
        if is_singular:
            return loc, None
        raw = add_variable_fn(name=name + "_untransformed_scale", shape=shape,
                              initializer=scale_init, regularizer=untransformed_scale_regularizer,
                              constraint=untransformed_scale_constraint, dtype=dtype,
                              trainable=trainable)
        return loc, _SoftplusScale(raw)

    return _fn


def default_mean_field_normal_fn(is_singular: bool = False, loc_initializer=None,
                                 untransformed_scale_initializer=None, loc_regularizer=None,
                                 untransformed_scale_regularizer=None, loc_constraint=None,
                                 untransformed_scale_constraint=None) -> Callable:
    """Builder of a trainable mean-field Normal posterior ``Independent(Normal(loc, scale))``
    over a weight of shape ``shape`` (``Deterministic(loc)`` when ``is_singular``), with
    ``scale = 1e-5 + softplus(untransformed_scale)``; TFP's defaults.

    Args:
        is_singular: a point mass at ``loc`` (TFP's default bias posterior).
        loc_initializer: default ``random_normal(stddev=0.1)``.
        untransformed_scale_initializer: default ``random_normal(mean=-3, stddev=0.1)``.
        loc_regularizer, untransformed_scale_regularizer: penalties on the variables.
        loc_constraint, untransformed_scale_constraint: applied after optimizer steps.

    Returns:
        ``fn(dtype, shape, name, trainable, add_variable_fn) -> distribution``.

    Example:
        >>> layer = dp.layers.DenseReparameterization(
        ...     4, kernel_posterior_fn=default_mean_field_normal_fn())
    """
    loc_scale = default_loc_scale_fn(is_singular, loc_initializer,
                                     untransformed_scale_initializer, loc_regularizer,
                                     untransformed_scale_regularizer, loc_constraint,
                                     untransformed_scale_constraint)

    def _fn(dtype, shape, name, trainable, add_variable_fn):
        from deepprob import distributions as tfd

        loc, scale = loc_scale(dtype, shape, name, trainable, add_variable_fn)
        if scale is None:
            return tfd.Deterministic(loc=loc)
        return tfd.Independent(tfd.Normal(loc=loc, scale=scale),
                               reinterpreted_batch_ndims=len(tuple(shape)))

    return _fn


def default_multivariate_normal_fn(dtype, shape, name, trainable, add_variable_fn):
    """The fixed prior ``Independent(Normal(0, 1))`` over a weight of shape ``shape`` (TFP's
    default kernel prior; no variables are created).

    Args:
        dtype: dtype of the prior.
        shape: the weight's shape.
        name, trainable, add_variable_fn: unused (the builder protocol).

    Example:
        >>> default_multivariate_normal_fn(torch.float32, (2, 3), "k", True, None).event_shape
        torch.Size([2, 3])
    """
    from deepprob import distributions as tfd

    shape = tuple(int(s) for s in shape)
    dtype = dtype if isinstance(dtype, torch.dtype) else torch.float32
    return tfd.Independent(tfd.Normal(loc=torch.zeros(shape, dtype=dtype),
                                      scale=torch.ones((), dtype=dtype)),
                           reinterpreted_batch_ndims=len(shape))


# -- builders for DenseVariational ---------------------------------------------------------------
def posterior_mean_field(kernel_size: int, bias_size: int = 0, dtype=None):
    """Trainable mean-field Normal posterior over ``n = kernel_size + bias_size`` weights:
    ``VariableLayer(2n)`` then ``Independent(Normal(t[:n], 1e-5 + softplus(c + t[n:])))`` with
    ``c = log(expm1(1))`` (so the initial scale is about 1), as TFP's DenseVariational example.

    Args:
        kernel_size: number of kernel weights.
        bias_size: number of bias weights.
        dtype: dtype of the variables.

    Example:
        >>> layer = dp.layers.DenseVariational(4, posterior_mean_field, prior_trainable)
    """
    from deepprob import distributions as tfd
    from deepprob.engine.sequential import Sequential
    from deepprob.layers.probabilistic.distribution_layer import DistributionLambda
    from deepprob.layers.probabilistic.variable import VariableLayer

    n = int(kernel_size) + int(bias_size)
    c = float(np.log(np.expm1(1.0)))
    return Sequential([
        VariableLayer(2 * n, dtype=dtype),
        DistributionLambda(lambda t: tfd.Independent(
            tfd.Normal(loc=t[..., :n], scale=1e-5 + F.softplus(c + t[..., n:])),
            reinterpreted_batch_ndims=1)),
    ])


def prior_trainable(kernel_size: int, bias_size: int = 0, dtype=None):
    """Trainable-mean unit-scale Normal prior over ``kernel_size + bias_size`` weights
    (empirical Bayes), as TFP's DenseVariational example.

    Args:
        kernel_size: number of kernel weights.
        bias_size: number of bias weights.
        dtype: dtype of the variable.

    Example:
        >>> prior = prior_trainable(6, 2)
    """
    from deepprob import distributions as tfd
    from deepprob.engine.sequential import Sequential
    from deepprob.layers.probabilistic.distribution_layer import DistributionLambda
    from deepprob.layers.probabilistic.variable import VariableLayer

    n = int(kernel_size) + int(bias_size)
    return Sequential([
        VariableLayer(n, dtype=dtype),
        DistributionLambda(lambda t: tfd.Independent(tfd.Normal(loc=t, scale=1.0),
                                                     reinterpreted_batch_ndims=1)),
    ])


def prior_standard_normal(kernel_size: int, bias_size: int = 0, dtype=None):
    """Fixed ``MultivariateNormalDiag(0, I)`` prior over ``kernel_size + bias_size`` weights (the
    courses' ``prior``).

    Args:
        kernel_size: number of kernel weights.
        bias_size: number of bias weights.
        dtype: unused.

    Example:
        >>> prior = prior_standard_normal(6, 2)
    """
    from deepprob import distributions as tfd
    from deepprob.engine.sequential import Sequential
    from deepprob.layers.probabilistic.distribution_layer import DistributionLambda

    n = int(kernel_size) + int(bias_size)
    return Sequential([DistributionLambda(
        lambda t: tfd.MultivariateNormalDiag(loc=torch.zeros(n), scale_diag=torch.ones(n)))])


def posterior_multivariate_normal_tril(kernel_size: int, bias_size: int = 0, dtype=None):
    """Trainable full-covariance Normal posterior (the courses' ``posterior``):
    ``VariableLayer(MultivariateNormalTriL.params_size(n))`` then ``MultivariateNormalTriL(n)``.

    Args:
        kernel_size: number of kernel weights.
        bias_size: number of bias weights.
        dtype: dtype of the variable.

    Example:
        >>> posterior = posterior_multivariate_normal_tril(6, 2)
    """
    from deepprob.engine.sequential import Sequential
    from deepprob.layers.probabilistic.distribution_layer import MultivariateNormalTriL
    from deepprob.layers.probabilistic.variable import VariableLayer

    n = int(kernel_size) + int(bias_size)
    return Sequential([
        VariableLayer(MultivariateNormalTriL.params_size(n), dtype=dtype),
        MultivariateNormalTriL(n),
    ])


def event_size(shape: Sequence[int]) -> int:
    """Number of scalars in ``shape``."""
    return math.prod(int(s) for s in shape)

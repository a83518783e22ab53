"""Probabilistic layers (TFP's ``tfp.layers``): distribution outputs, variational weights,
KL penalties. Exported through ``dp.layers``.

Example:
    >>> from deepprob.layers import probabilistic as tfpl
    >>> model = dp.Sequential([dp.layers.Dense(tfpl.IndependentNormal.params_size(1)),
    ...                        tfpl.IndependentNormal(1)])
"""

from deepprob.layers.probabilistic.conv_variational import (
    Convolution1DFlipout,
    Convolution1DReparameterization,
    Convolution2DFlipout,
    Convolution2DReparameterization,
)
from deepprob.layers.probabilistic.distribution_layer import (
    CategoricalMixtureOfOneHotCategorical,
    DistributionLambda,
    IndependentBernoulli,
    IndependentLogistic,
    IndependentNormal,
    IndependentPoisson,
    MixtureLogistic,
    MixtureNormal,
    MixtureSameFamily,
    MultivariateNormalTriL,
    OneHotCategorical,
)
from deepprob.layers.probabilistic.divergence import (
    KLDivergenceAddLoss,
    KLDivergenceRegularizer,
    make_kl_divergence_fn,
)
from deepprob.layers.probabilistic.util import (
    default_loc_scale_fn,
    default_mean_field_normal_fn,
    default_multivariate_normal_fn,
    posterior_mean_field,
    posterior_multivariate_normal_tril,
    prior_standard_normal,
    prior_trainable,
)
from deepprob.layers.probabilistic.variable import VariableLayer
from deepprob.layers.probabilistic.variational import (
    DenseFlipout,
    DenseLocalReparameterization,
    DenseReparameterization,
    DenseVariational,
)

__all__ = [
    "DistributionLambda", "IndependentNormal", "IndependentLogistic", "IndependentBernoulli",
    "IndependentPoisson", "MultivariateNormalTriL", "OneHotCategorical", "MixtureSameFamily",
    "MixtureNormal", "MixtureLogistic", "CategoricalMixtureOfOneHotCategorical",
    "VariableLayer", "DenseVariational", "DenseReparameterization", "DenseFlipout",
    "DenseLocalReparameterization", "Convolution1DReparameterization",
    "Convolution2DReparameterization", "Convolution1DFlipout", "Convolution2DFlipout",
    "KLDivergenceRegularizer", "KLDivergenceAddLoss", "make_kl_divergence_fn",
    "default_loc_scale_fn", "default_mean_field_normal_fn", "default_multivariate_normal_fn",
    "posterior_mean_field", "posterior_multivariate_normal_tril", "prior_trainable",
    "prior_standard_normal",
]

"""TensorFlow-Probability-style distributions on torch (``dp.distributions``, TFP's ``tfd``).

Every distribution is a ``torch.nn.Module`` with TFP's constructor arguments and methods; see
:mod:`deepprob.distributions.distribution` for the interface, the parameter protocol and the
differences from TFP.

Example:
    >>> import deepprob as dp
    >>> tfd = dp.distributions
    >>> tfd.Normal(loc=0.0, scale=1.0).sample(3).shape
    torch.Size([3])
"""

from __future__ import annotations

from . import _gaussian_kl  # noqa: F401  (KL rules: MVN vs Independent/Sample(Normal))
from ._params import read_parameter, register_parameter
from .batch_reshape import BatchReshape
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial, Multinomial
from .categorical import Categorical, OneHotCategorical
from .cauchy import Cauchy, HalfCauchy
from .deterministic import Deterministic
from .dirichlet import Dirichlet
from .distribution import (
    FULLY_REPARAMETERIZED,
    NOT_REPARAMETERIZED,
    Distribution,
    ReparameterizationType,
)
from .exponential import Exponential
from .gamma import Chi2, Gamma
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .joint import JointDistributionNamed, JointDistributionSequential
from .kullback_leibler import RegisterKL, cross_entropy, kl_divergence, register_kl
from .laplace import Laplace
from .logistic import Logistic
from .lognormal import LogNormal
from .mixture import Mixture, MixtureSameFamily
from .multivariate_normal import (
    MultivariateNormalDiag,
    MultivariateNormalFullCovariance,
    MultivariateNormalLinearOperator,
    MultivariateNormalTriL,
)
from .negative_binomial import Geometric, NegativeBinomial
from .normal import Normal
from .poisson import Poisson
from .sample import Sample
from .student_t import StudentT
from .uniform import Uniform

__all__ = [
    "FULLY_REPARAMETERIZED", "NOT_REPARAMETERIZED", "Distribution", "ReparameterizationType",
    "RegisterKL", "register_kl", "kl_divergence", "cross_entropy",
    "read_parameter", "register_parameter",
    "BatchReshape", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2",
    "Deterministic", "Dirichlet", "Exponential", "Gamma", "Geometric", "Gumbel", "HalfCauchy",
    "HalfNormal", "Independent", "JointDistributionNamed", "JointDistributionSequential",
    "Laplace", "LogNormal", "Logistic", "Mixture", "MixtureSameFamily", "Multinomial",
    "MultivariateNormalDiag", "MultivariateNormalFullCovariance",
    "MultivariateNormalLinearOperator", "MultivariateNormalTriL", "NegativeBinomial", "Normal",
    "OneHotCategorical", "Poisson", "Sample", "StudentT", "Uniform",
]

try:  # written in its own module by the bijectors work; optional until it lands
    from .transformed import TransformedDistribution  # noqa: F401
except ImportError:  # pragma: no cover - depends on the other module being present
    pass
else:
    __all__.append("TransformedDistribution")

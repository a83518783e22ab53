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

from ._params import read_parameter, register_parameter
from .distribution import (
    FULLY_REPARAMETERIZED,
    NOT_REPARAMETERIZED,
    Distribution,
    ReparameterizationType,
)
from .kullback_leibler import RegisterKL, cross_entropy, kl_divergence, register_kl
from .normal import Normal

__all__ = [
    "FULLY_REPARAMETERIZED", "NOT_REPARAMETERIZED", "Distribution", "ReparameterizationType",
    "RegisterKL", "register_kl", "kl_divergence", "cross_entropy",
    "read_parameter", "register_parameter",
    "Normal",
]

try:  # written in its own module by the bijectors work; optional until it lands
    from .transformed import TransformedDistribution  # noqa: F401
except ImportError:  # pragma: no cover - depends on the other module being present
    pass
else:
    __all__.append("TransformedDistribution")

"""KL rules between a multivariate normal and the same distribution written as iid Normals:
``Independent(Normal, 1)`` (TFP's usual VAE prior) and ``Sample(Normal, k)``.

Each is the ``MultivariateNormalDiag`` with the Normal's locations and scales on the diagonal;
the rules build that view and use the MVN closed forms, both directions.
"""

from __future__ import annotations

from .independent import Independent
from .kullback_leibler import RegisterKL, kl_divergence
from .multivariate_normal import MultivariateNormalDiag, MultivariateNormalLinearOperator
from .normal import Normal
from .sample import Sample


def as_mvn_diag(d) -> MultivariateNormalDiag | None:
    """``d`` as a ``MultivariateNormalDiag`` when it is ``Independent(Normal, 1)`` or
    ``Sample(Normal, [k])`` with a scalar-event Normal; else None.

    Args:
        d: a distribution.

    Example:
        >>> import deepprob as dp
        >>> tfd = dp.distributions
        >>> as_mvn_diag(tfd.Sample(tfd.Normal(0.0, 2.0), 3)).covariance().diagonal()
        tensor([4., 4., 4.])
    """
    if isinstance(d, Independent):
        ok = isinstance(d.distribution, Normal) and d.reinterpreted_batch_ndims == 1
    elif isinstance(d, Sample):
        ok = isinstance(d.distribution, Normal) and len(d.sample_shape) == 1
    else:
        ok = False
    if not ok:
        return None
    # mean() and stddev() are batch_shape + event_shape: the Normal's, broadcast and tiled
    return MultivariateNormalDiag(d.mean(), d.stddev(), validate_args=False,
                                  allow_nan_stats=d.allow_nan_stats)


def _kl_iid_normal_mvn(a, b, name=None):
    """``KL(Independent/Sample(Normal) || MultivariateNormal*)``."""
    diag = as_mvn_diag(a)
    return None if diag is None else kl_divergence(diag, b)


def _kl_mvn_iid_normal(a, b, name=None):
    """``KL(MultivariateNormal* || Independent/Sample(Normal))`` (a VAE posterior against the
    prior ``Independent(Normal(zeros, 1), 1)``)."""
    diag = as_mvn_diag(b)
    return None if diag is None else kl_divergence(a, diag)


for _cls in (Independent, Sample):
    RegisterKL(_cls, MultivariateNormalLinearOperator)(_kl_iid_normal_mvn)
    RegisterKL(MultivariateNormalLinearOperator, _cls)(_kl_mvn_iid_normal)

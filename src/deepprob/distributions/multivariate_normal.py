"""Multivariate Normal distributions parameterized by a diagonal scale, a lower-triangular scale,
or a full covariance matrix."""

from __future__ import annotations

import math

import torch
from torch.distributions import constraints

from ._params import broadcast_shapes_or_raise
from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED
from .kullback_leibler import RegisterKL

_LOG_2PI = math.log(2 * math.pi)

__all__ = ["MultivariateNormalDiag", "MultivariateNormalTriL",
           "MultivariateNormalFullCovariance", "MultivariateNormalLinearOperator"]


class MultivariateNormalLinearOperator(TorchBacked):
    """Common base: ``X = loc + scale @ Z`` with ``Z`` standard normal, event shape ``[k]``.

    Subclasses define ``_scale_tril_value()`` (the lower-triangular ``scale``) and the parameter
    names. The KL divergence between any two of them is registered in closed form.
    """

    _loc_name = "loc"

    def _init_mvn(self, loc, scale_name: str, scale_ndims: int):
        scale = self._value(scale_name)
        if scale is None and loc is None:
            raise ValueError(f"{self.name}: pass at least one of `loc` and `{scale_name}`.")
        if scale is not None and scale.ndim < scale_ndims:
            raise ValueError(
                f"{self.name}: argument `{scale_name}` must have at least {scale_ndims} "
                f"dimension(s); received shape {list(scale.shape)}.")
        if scale_ndims == 2 and scale is not None and scale.shape[-1] != scale.shape[-2]:
            raise ValueError(f"{self.name}: argument `{scale_name}` must be square in its last "
                             f"two dimensions; received shape {list(scale.shape)}.")
        loc_v = self._value("loc")
        if loc_v is not None and loc_v.ndim < 1:
            raise ValueError(f"{self.name}: argument `loc` must have at least one dimension "
                             f"(the event); received shape {list(loc_v.shape)}.")
        if loc_v is not None and scale is not None and loc_v.shape[-1] != scale.shape[-1]:
            raise ValueError(
                f"{self.name}: event sizes differ: `loc` shape {list(loc_v.shape)} vs "
                f"`{scale_name}` shape {list(scale.shape)}.")
        self._scale_name = scale_name

    def _dim(self) -> int:
        loc = self._value("loc")
        if loc is not None:
            return loc.shape[-1]
        return self._value(self._scale_name).shape[-1]

    def _event_shape(self):
        return torch.Size((self._dim(),))

    def _loc(self):
        loc = self._value("loc")
        if loc is None:
            ref = self._value(self._scale_name)
            loc = torch.zeros(self._dim(), dtype=ref.dtype, device=ref.device)
        return loc

    def _scale_tril_value(self) -> torch.Tensor:
        raise NotImplementedError

    def _torch_dist(self):
        return torch.distributions.MultivariateNormal(
            self._loc(), scale_tril=self._scale_tril_value(), validate_args=False)

    def _log_prob(self, value, **kwargs):
        loc, tril = self._loc(), self._scale_tril_value()
        diff = value - loc
        if diff.shape[:-1] != tril.shape[:-2]:
            # batch shapes differ (sample dims, broadcasting): torch's folding of the sample
            # dims into one triangular solve
            return super()._log_prob(value)
        z = torch.linalg.solve_triangular(tril, diff.unsqueeze(-1), upper=False).squeeze(-1)
        half_log_det = torch.log(torch.diagonal(tril, dim1=-2, dim2=-1)).sum(-1)
        return -0.5 * (z * z).sum(-1) - half_log_det - 0.5 * diff.shape[-1] * _LOG_2PI

    def _sample(self, sample_shape, **kwargs):
        loc, tril = self._loc(), self._scale_tril_value()
        eps = torch.randn(sample_shape + self.batch_shape + self.event_shape, dtype=loc.dtype,
                          device=loc.device)
        return loc + torch.matmul(tril, eps.unsqueeze(-1)).squeeze(-1)

    def _mean(self, **kwargs):
        return self._loc()

    def _mode(self, **kwargs):
        return self._loc()

    def _covariance(self, **kwargs):
        tril = self._scale_tril_value()
        cov = tril @ tril.transpose(-1, -2)
        return cov.expand(self.batch_shape + cov.shape[-2:])

    def _variance(self, **kwargs):
        return torch.square(self._scale_tril_value()).sum(-1)

    def _entropy(self, **kwargs):
        tril = self._scale_tril_value()
        half_log_det = torch.log(torch.diagonal(tril, dim1=-2, dim2=-1)).sum(-1)
        k = self._dim()
        return 0.5 * k * (1.0 + _LOG_2PI) + half_log_det


class MultivariateNormalDiag(MultivariateNormalLinearOperator):
    """Multivariate Normal with diagonal scale: covariance ``diag(scale_diag ** 2)``.

    Args:
        loc: ``[..., k]`` mean (default zeros).
        scale_diag: ``[..., k]`` positive diagonal of the scale (default ones).
        validate_args: check parameters.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> MultivariateNormalDiag(loc=[0.0, 0.0], scale_diag=[1.0, 1.0]).log_prob([0.0, 0.0])
        tensor(-1.8379)
    """

    _param_event_ndims = {"loc": 1, "scale_diag": 1}
    _param_constraints = {"scale_diag": constraints.independent(constraints.positive, 1)}

    def __init__(self, loc=None, scale_diag=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "MultivariateNormalDiag"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)
        self._init_mvn(loc, "scale_diag", 1)

    def _scale_diag(self):
        s = self._value("scale_diag")
        if s is None:
            loc = self._value("loc")
            s = torch.ones(loc.shape[-1], dtype=loc.dtype, device=loc.device)
        return s

    def _scale_tril_value(self):
        return torch.diag_embed(self._scale_diag())

    def _torch_dist(self):
        return torch.distributions.Independent(
            torch.distributions.Normal(self._loc(), self._scale_diag(), validate_args=False), 1,
            validate_args=False)

    def _log_prob(self, value, **kwargs):
        if self._value("scale_diag") is None:  # unit scale: no division, no log-determinant
            z = value - self._loc()
            return -0.5 * (z * z).sum(-1) - 0.5 * self._dim() * _LOG_2PI
        s = self._scale_diag()
        z = (value - self._loc()) / s
        return (-0.5 * (z * z).sum(-1) - torch.log(s).sum(-1)
                - 0.5 * self._dim() * _LOG_2PI)

    def _sample(self, sample_shape, **kwargs):
        loc, s = self._loc(), self._scale_diag()
        eps = torch.randn(sample_shape + self.batch_shape + self.event_shape, dtype=loc.dtype,
                          device=loc.device)
        return loc + s * eps

    def _variance(self, **kwargs):
        return torch.square(self._scale_diag())

    def _covariance(self, **kwargs):
        cov = torch.diag_embed(torch.square(self._scale_diag()))
        return cov.expand(self.batch_shape + cov.shape[-2:])

    def _entropy(self, **kwargs):
        k = self._dim()
        return 0.5 * k * (1.0 + _LOG_2PI) + torch.log(self._scale_diag()).sum(-1)


class MultivariateNormalTriL(MultivariateNormalLinearOperator):
    """Multivariate Normal with covariance ``scale_tril @ scale_tril.T``.

    ``scale_tril`` must be lower triangular with a positive diagonal (checked under
    ``validate_args``; ``dp.bijectors.FillScaleTriL`` maps unconstrained vectors to one).

    Args:
        loc: ``[..., k]`` mean (default zeros).
        scale_tril: ``[..., k, k]`` lower-triangular scale.
        validate_args: check parameters.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> d = MultivariateNormalTriL(loc=[0.0, 0.0], scale_tril=[[1.0, 0.0], [0.5, 1.0]])
        >>> d.covariance()
        tensor([[1.0000, 0.5000],
                [0.5000, 1.2500]])
    """

    _param_event_ndims = {"loc": 1, "scale_tril": 2}
    _param_constraints = {"scale_tril": constraints.lower_cholesky}

    def __init__(self, loc=None, scale_tril=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "MultivariateNormalTriL"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)
        self._init_mvn(loc, "scale_tril", 2)

    def _scale_tril_value(self):
        s = self._value("scale_tril")
        if s is None:
            loc = self._value("loc")
            s = torch.eye(loc.shape[-1], dtype=loc.dtype, device=loc.device)
        return s


class MultivariateNormalFullCovariance(MultivariateNormalLinearOperator):
    """Multivariate Normal with covariance matrix ``covariance_matrix`` (factored by Cholesky).

    Args:
        loc: ``[..., k]`` mean (default zeros).
        covariance_matrix: ``[..., k, k]`` symmetric positive-definite covariance.
        validate_args: check parameters.
        allow_nan_stats: TFP flag.
        name: name of the distribution.

    Example:
        >>> MultivariateNormalFullCovariance([0.0, 0.0], [[2.0, 0.0], [0.0, 2.0]]).variance()
        tensor([2., 2.])
    """

    _param_event_ndims = {"loc": 1, "covariance_matrix": 2}
    _param_constraints = {"covariance_matrix": constraints.positive_definite}

    def __init__(self, loc=None, covariance_matrix=None, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "MultivariateNormalFullCovariance"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)
        self._init_mvn(loc, "covariance_matrix", 2)

    def _scale_tril_value(self):
        cov = self._value("covariance_matrix")
        if cov is None:
            loc = self._value("loc")
            return torch.eye(loc.shape[-1], dtype=loc.dtype, device=loc.device)
        return torch.linalg.cholesky(cov)

    def _covariance(self, **kwargs):
        cov = self._value("covariance_matrix")
        if cov is None:
            return super()._covariance()
        return cov.expand(self.batch_shape + cov.shape[-2:])

    def _variance(self, **kwargs):
        cov = self._value("covariance_matrix")
        if cov is None:
            return super()._variance()
        return torch.diagonal(cov, dim1=-2, dim2=-1)


@RegisterKL(MultivariateNormalLinearOperator, MultivariateNormalLinearOperator)
def _kl_mvn_mvn(a, b, name=None):
    la, lb = a._scale_tril_value(), b._scale_tril_value()
    batch = broadcast_shapes_or_raise(la.shape[:-2], lb.shape[:-2])
    k = a._dim()
    la, lb = la.expand(batch + (k, k)), lb.expand(batch + (k, k))
    m = torch.linalg.solve_triangular(lb, la, upper=False)
    diff = (b._loc() - a._loc()).unsqueeze(-1)
    full = broadcast_shapes_or_raise(diff.shape[:-2], batch)
    diff = torch.linalg.solve_triangular(lb.expand(full + (k, k)), diff.expand(full + (k, 1)),
                                         upper=False)
    log_det_a = torch.log(torch.diagonal(la, dim1=-2, dim2=-1)).sum(-1)
    log_det_b = torch.log(torch.diagonal(lb, dim1=-2, dim2=-1)).sum(-1)
    trace = torch.square(m).sum((-2, -1))
    maha = torch.square(diff).sum((-2, -1))
    return 0.5 * (trace + maha - k) + log_det_b - log_det_a


@RegisterKL(MultivariateNormalDiag, MultivariateNormalDiag)
def _kl_diag_diag(a, b, name=None):
    sa, sb = a._scale_diag(), b._scale_diag()
    ratio = torch.square(sa / sb)
    diff = torch.square((a._loc() - b._loc()) / sb)
    return 0.5 * (ratio + diff - 1.0 - torch.log(ratio)).sum(-1)

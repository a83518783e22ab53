"""The Dirichlet distribution."""

from __future__ import annotations

import torch
from torch.distributions import constraints

from ._torch_backed import TorchBacked
from .distribution import FULLY_REPARAMETERIZED

__all__ = ["Dirichlet"]


class Dirichlet(TorchBacked):
    """Dirichlet distribution over probability vectors of length ``k``.

    Args:
        concentration: ``[..., k]`` positive concentrations; the last axis is the event.
        validate_args: check parameters and values.
        allow_nan_stats: when False, the undefined mode raises.
        name: name of the distribution.

    Example:
        >>> Dirichlet([1.0, 1.0, 2.0]).mean()
        tensor([0.2500, 0.2500, 0.5000])
    """

    _param_event_ndims = {"concentration": 1}
    _param_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    _support = constraints.simplex

    def __init__(self, concentration, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Dirichlet"):
        parameters = dict(locals())
        super().__init__(parameters=parameters, reparameterization_type=FULLY_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats, name=name)
        c = self._value("concentration")
        if c.ndim < 1:
            raise ValueError(f"Dirichlet: argument `concentration` must have at least one "
                             f"dimension (the event); received shape {list(c.shape)}.")

    def _event_shape(self):
        return self._value("concentration").shape[-1:]

    def _support_mask(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-5)

    def _torch_dist(self):
        return torch.distributions.Dirichlet(self._value("concentration"), validate_args=False)

    def _log_prob(self, value, **kwargs):
        c = self._value("concentration")
        x = value.clamp(min=0)
        return (torch.xlogy(c - 1, x).sum(-1) + torch.lgamma(c.sum(-1))
                - torch.lgamma(c).sum(-1))

    def _mode(self, **kwargs):
        c = self._value("concentration")
        mode = (c - 1) / (c.sum(-1, keepdim=True) - c.shape[-1])
        return self._nan_or_raise(mode, (c <= 1).any(-1, keepdim=True).expand_as(c), "mode")

    def _covariance(self, **kwargs):
        c = self._value("concentration")
        c0 = c.sum(-1, keepdim=True)
        m = c / c0
        cov = (torch.diag_embed(m) - m.unsqueeze(-1) * m.unsqueeze(-2)) / (c0.unsqueeze(-1) + 1)
        return cov.expand(self.batch_shape + cov.shape[-2:])

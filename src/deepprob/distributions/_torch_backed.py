"""Distributions whose math comes from ``torch.distributions``.

A subclass implements ``_torch_dist()`` returning the torch distribution built from the current
parameter values (rebuilt at each call, so trainable parameters are never stale; construction is
cheap because torch's own argument validation is switched off: deepprob validates instead).
"""

from __future__ import annotations

import torch

from .distribution import Distribution


class TorchBacked(Distribution):
    """Base for distributions delegating their math to a ``torch.distributions`` object.

    Example:
        >>> class MyNormal(TorchBacked):  # doctest: +SKIP
        ...     def _torch_dist(self):
        ...         return torch.distributions.Normal(self._value("loc"), self._value("scale"),
        ...                                           validate_args=False)
    """

    def _torch_dist(self) -> torch.distributions.Distribution:
        raise NotImplementedError

    def _delegate(self, method: str, *args):
        d = self._torch_dist()
        try:
            attr = getattr(d, method)
            return attr(*args) if callable(attr) else attr
        except NotImplementedError as err:
            raise self._not_implemented(method) from err

    def _log_prob(self, value, **kwargs):
        return self._delegate("log_prob", value)

    def _sample(self, sample_shape, **kwargs):
        d = self._torch_dist()
        if self.has_rsample:
            return d.rsample(sample_shape)
        return d.sample(sample_shape)

    def _mean(self, **kwargs):
        return self._delegate("mean")

    def _mode(self, **kwargs):
        return self._delegate("mode")

    def _variance(self, **kwargs):
        return self._delegate("variance")

    def _stddev(self, **kwargs):
        return self._delegate("stddev")

    def _entropy(self, **kwargs):
        return self._delegate("entropy")

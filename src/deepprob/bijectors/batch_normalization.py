"""``BatchNormalization``: the batch-norm flow layer of the MAF and RealNVP papers (TFP semantics)."""

from __future__ import annotations

from typing import Any

import torch

from deepprob.bijectors.bijector import Bijector, statistics_frozen

__all__ = ["BatchNormalization"]


class BatchNormalization(Bijector):
    """Batch normalization as a bijector: ``inverse`` normalizes, ``forward`` de-normalizes.

    ``x = inverse(y) = (y - mean) / sqrt(var + epsilon) * gamma + beta`` and
    ``y = forward(x) = (x - beta) / gamma * sqrt(var + epsilon) + mean``, per feature (last axis).
    In training mode ``inverse`` (the direction ``log_prob`` uses on data) normalizes with the
    current batch's statistics, its log-det uses the batch variance, and the moving statistics
    are updated (``moving = momentum * moving + (1 - momentum) * batch``); ``forward`` (sampling)
    always uses the moving statistics, as in TFP.

    Training mode is the module's mode: ``bijector.train()`` / ``.eval()`` (a model's
    ``fit`` / ``evaluate`` switch it) -- unlike TFP, evaluating a trained flow in eval mode does
    not update the moving statistics. ``training=False`` pins inference mode.

    ``gamma`` and ``beta`` are created on the first call from the number of features (or at
    construction with ``event_size=``); create the optimizer after that.

    Args:
        batchnorm_layer: not supported (give ``momentum`` / ``epsilon`` / ``center`` / ``scale``).
        training: ``False`` always uses the moving statistics.
        validate_args: unused.
        name: the bijector's name.
        momentum: moving-average momentum (Keras default 0.99).
        epsilon: added to the variance (Keras default 1e-3).
        center: learn the offset ``beta``.
        scale: learn the scale ``gamma``.
        event_size: number of features, to create the parameters now.

    Example:
        >>> bn = dp.bijectors.BatchNormalization(event_size=2)
        >>> x = bn.inverse(torch.randn(100, 2) * 3 + 1)   # ~ zero mean, unit variance
    """

    def __init__(self, batchnorm_layer: Any = None, training: bool = True,
                 validate_args: bool = False, name: str = "batch_normalization", *,
                 momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, event_size: int | None = None):
        if batchnorm_layer is not None:
            raise ValueError("Argument `batchnorm_layer`: not supported; configure the bijector "
                             "with `momentum`, `epsilon`, `center` and `scale` instead.")
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"Argument `momentum`: expected a number in [0, 1], received "
                             f"{momentum!r}.")
        if float(epsilon) <= 0.0:
            raise ValueError(f"Argument `epsilon`: expected a positive number, received "
                             f"{epsilon!r}.")
        super().__init__(forward_min_event_ndims=1, validate_args=validate_args, name=name)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self._training_arg = bool(training)
        self._built = False
        if event_size is not None:
            self.build(event_size)

    def build(self, event_size: int, device: Any = None, dtype: torch.dtype | None = None):
        """Create ``gamma``, ``beta`` and the moving statistics for ``event_size`` features.

        Args:
            event_size: number of features (size of the last axis).
            device: device of the new tensors.
            dtype: their dtype (default ``torch.get_default_dtype()``).
        """
        if isinstance(event_size, bool) or not isinstance(event_size, int) or event_size < 1:
            raise ValueError(f"Argument `event_size`: expected a positive integer, received "
                             f"{event_size!r}.")
        kw = {"device": device, "dtype": dtype or torch.get_default_dtype()}
        if self.scale:
            self.gamma = torch.nn.Parameter(torch.ones(event_size, **kw))
        if self.center:
            self.beta = torch.nn.Parameter(torch.zeros(event_size, **kw))
        self.register_buffer("moving_mean", torch.zeros(event_size, **kw))
        self.register_buffer("moving_variance", torch.ones(event_size, **kw))
        self._built = True

    def _ensure_built(self, x: torch.Tensor, arg: str):
        if x.ndim < 1:
            raise ValueError(f"Argument `{arg}`: BatchNormalization expects at least 1 dimension "
                             f"(features last), received a scalar.")
        if not self._built:  # (placeholders of shape inference live on the meta device)
            self.build(x.shape[-1], device=None if x.device.type == "meta" else x.device,
                       dtype=x.dtype)
        elif x.shape[-1] != self.moving_mean.shape[0]:
            raise ValueError(f"Argument `{arg}`: expected {self.moving_mean.shape[0]} features on "
                             f"the last axis, received shape {list(x.shape)}.")

    @property
    def use_batch_statistics(self) -> bool:
        """Whether ``inverse`` currently normalizes with batch statistics (training mode)."""
        return self.training and self._training_arg

    def _gamma_beta(self):
        return (self.gamma if self.scale else None), (self.beta if self.center else None)

    def _statistics(self, y: torch.Tensor, update: bool):
        if not self.use_batch_statistics:
            return self.moving_mean, self.moving_variance
        dims = tuple(range(y.ndim - 1))
        var, mean = torch.var_mean(y, dim=dims, correction=0)
        if update and not statistics_frozen():
            with torch.no_grad():
                self.moving_mean.mul_(self.momentum).add_(mean.detach(), alpha=1 - self.momentum)
                self.moving_variance.mul_(self.momentum).add_(var.detach(),
                                                              alpha=1 - self.momentum)
        return mean, var

    def _log_det(self, variance: torch.Tensor) -> torch.Tensor:
        gamma, _ = self._gamma_beta()
        ldj = -0.5 * torch.log(variance + self.epsilon).sum()
        if gamma is not None:
            ldj = ldj + torch.log(torch.abs(gamma)).sum()
        return ldj  # inverse log-det, the same for every event

    def _normalize(self, y, mean, var):
        gamma, beta = self._gamma_beta()
        x = (y - mean) * torch.rsqrt(var + self.epsilon)
        if gamma is not None:
            x = x * gamma
        return x + beta if beta is not None else x

    def _forward(self, x, **kwargs):
        self._ensure_built(x, "x")
        gamma, beta = self._gamma_beta()
        if beta is not None:
            x = x - beta
        if gamma is not None:
            x = x / gamma
        return x * torch.sqrt(self.moving_variance + self.epsilon) + self.moving_mean

    def _inverse(self, y, **kwargs):
        self._ensure_built(y, "y")
        mean, var = self._statistics(y, update=True)
        return self._normalize(y, mean, var)

    def _forward_log_det_jacobian(self, x, **kwargs):
        self._ensure_built(x, "x")
        return -self._log_det(self.moving_variance)

    def _inverse_log_det_jacobian(self, y, **kwargs):
        self._ensure_built(y, "y")
        return self._log_det(self._statistics(y, update=False)[1])

    def _call_inverse_and_ildj(self, y, event_ndims, kwargs):
        from deepprob.bijectors.bijector import reduce_log_det

        self._ensure_built(y, "y")
        mean, var = self._statistics(y, update=True)
        return self._normalize(y, mean, var), reduce_log_det(
            self._log_det(var), y.shape, event_ndims, 1)

    def extra_repr(self) -> str:
        size = self.moving_mean.shape[0] if self._built else None
        return (f"name={self.name!r}, event_size={size}, momentum={self.momentum}, "
                f"epsilon={self.epsilon}")

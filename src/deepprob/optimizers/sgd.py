"""``SGD``: gradient descent with optional (Nesterov) momentum, Keras's update rule."""

from __future__ import annotations

import torch

from deepprob.optimizers.base import KerasDefault, Optimizer, check_real, make_torch

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``keras.optimizers.SGD``.

    Keras's rule: ``velocity = momentum * velocity - learning_rate * g``; then
    ``w += velocity`` (or ``w += momentum * velocity - learning_rate * g`` with Nesterov);
    without momentum ``w -= learning_rate * g``. It runs on torch's (fused) ``SGD``, whose
    velocity is Keras's divided by ``-learning_rate``; when the rate changes (schedules,
    callbacks) the stored velocity is rescaled so the update stays exactly Keras's.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.01.
        momentum: Float in [0, 1]. Defaults to 0.
        nesterov: Use Nesterov momentum.
        weight_decay: Keras's decoupled weight decay (``w -= learning_rate * weight_decay * w``).
        clipnorm: Clip each gradient tensor to this norm.
        clipvalue: Clip each gradient element to this absolute value.
        global_clipnorm: Clip all gradients together to this global norm.
        name: Defaults to ``"SGD"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> opt = dp.optimizers.SGD(learning_rate=1e-8, momentum=0.9)  # the courses' LR sweep
        >>> opt.momentum
        0.9
    """

    _default_name = "SGD"

    def __init__(self, learning_rate=KerasDefault(0.01), momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.momentum = check_real("SGD", "momentum", momentum, low=0.0, high=1.0)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ValueError("SGD: argument `nesterov=True` requires `momentum` > 0; "
                             "received momentum=0.0.")

    def _hyper_config(self) -> dict:
        return {"momentum": self.momentum, "nesterov": self.nesterov}

    def _make_torch_optimizer(self, params, lr):
        return make_torch(torch.optim.SGD, params, True, lr=lr, momentum=self.momentum,
                          nesterov=self.nesterov, dampening=0.0)

    def _on_lr_change(self, old, new):
        # torch keeps velocity / (-lr); Keras keeps the velocity itself. Rescale on a change.
        if not self.momentum or not old or not new or self._torch is None:
            return
        buffers = [s["momentum_buffer"] for s in self._torch.state.values()
                   if s.get("momentum_buffer") is not None]
        if buffers:
            with torch.no_grad():
                torch._foreach_mul_(buffers, old / new)

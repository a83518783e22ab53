"""``RMSprop`` with Keras's update rule (epsilon inside the square root)."""

from __future__ import annotations

from collections import defaultdict

import torch

from deepprob.optimizers.base import KerasDefault, Optimizer, check_real

__all__ = ["RMSprop", "KerasRMSpropTorch"]


class KerasRMSpropTorch(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` running Keras's RMSprop with multi-tensor (foreach) kernels.

    Keras's rule (also tf.keras 2's): ``v = rho v + (1 - rho) g**2`` (centered: also
    ``a = rho a + (1 - rho) g`` and ``v - a**2`` below), ``step = lr * g / sqrt(v + epsilon)``,
    with momentum ``mom = momentum * mom + step; w -= mom`` else ``w -= step``. Torch's
    ``RMSprop`` puts epsilon outside the square root (``sqrt(v) + eps``) and keeps the rate
    outside the momentum buffer, so it cannot reproduce Keras's updates; this class does.

    Args:
        params: Parameters to optimize.
        lr: Learning rate.
        rho: Decay of the squared-gradient average (torch's ``alpha``).
        momentum: Momentum factor.
        eps: Epsilon, added inside the square root.
        centered: Normalize by the gradient's estimated variance.

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = KerasRMSpropTorch([w], lr=0.1)
        >>> w.grad = torch.tensor([2.0]); opt.step()
        >>> round(float(w), 4)  # 1 - 0.1 * 2 / sqrt(0.1 * 4 + 1e-7)
        0.6838
    """

    def __init__(self, params, lr: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 eps: float = 1e-7, centered: bool = False):
        super().__init__(params, dict(lr=lr, rho=rho, momentum=momentum, eps=eps,
                                      centered=centered))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, rho, momentum = group["lr"], group["rho"], group["momentum"]
            eps, centered = group["eps"], group["centered"]
            buckets: dict = defaultdict(lambda: ([], [], [], [], []))
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("RMSprop does not support sparse gradients.")
                state = self.state[p]
                if not state:
                    state["velocity"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if momentum > 0:
                        state["momentum"] = torch.zeros_like(p)
                    if centered:
                        state["average_gradient"] = torch.zeros_like(p)
                ps, gs, vs, ms, avs = buckets[(p.device, p.dtype)]
                ps.append(p)
                gs.append(p.grad)
                vs.append(state["velocity"])
                if momentum > 0:
                    ms.append(state["momentum"])
                if centered:
                    avs.append(state["average_gradient"])
            for ps, gs, vs, ms, avs in buckets.values():
                torch._foreach_mul_(vs, rho)
                torch._foreach_addcmul_(vs, gs, gs, value=1.0 - rho)
                if centered:
                    torch._foreach_mul_(avs, rho)
                    torch._foreach_add_(avs, gs, alpha=1.0 - rho)
                    denom = torch._foreach_addcmul(vs, avs, avs, value=-1.0)
                    torch._foreach_add_(denom, eps)
                else:
                    denom = torch._foreach_add(vs, eps)
                torch._foreach_sqrt_(denom)
                if momentum > 0:
                    torch._foreach_mul_(ms, momentum)
                    torch._foreach_addcdiv_(ms, gs, denom, value=lr)
                    torch._foreach_sub_(ps, ms)
                else:
                    torch._foreach_addcdiv_(ps, gs, denom, value=-lr)
        return loss


class RMSprop(Optimizer):
    """RMSprop, as ``keras.optimizers.RMSprop`` (the courses' ``RMSprop(lr=1e-4)`` works).

    ``v = rho v + (1 - rho) g**2``; ``w -= learning_rate * g / sqrt(v + epsilon)`` (with
    ``momentum`` the step goes through a momentum buffer; ``centered`` subtracts the squared
    running mean of ``g`` from ``v``). Exactly Keras's rule, run by ``KerasRMSpropTorch``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        rho: Discount of the squared-gradient average. Defaults to 0.9.
        momentum: Momentum factor. Defaults to 0.
        epsilon: Small constant inside the square root. Defaults to 1e-7.
        centered: Normalize by the estimated variance of the gradient.
        weight_decay: Keras's decoupled weight decay.
        clipnorm: Clip each gradient tensor to this norm.
        clipvalue: Clip each gradient element to this absolute value.
        global_clipnorm: Clip all gradients together to this global norm.
        name: Defaults to ``"rmsprop"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> dp.optimizers.RMSprop(lr=1e-4).learning_rate
        0.0001
    """

    _default_name = "rmsprop"

    def __init__(self, learning_rate=KerasDefault(0.001), rho: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-7, centered: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.rho = check_real("RMSprop", "rho", rho, low=0.0, high=1.0)
        self.momentum = check_real("RMSprop", "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = check_real("RMSprop", "epsilon", epsilon, low=0.0)
        self.centered = bool(centered)

    def _hyper_config(self) -> dict:
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}

    def _make_torch_optimizer(self, params, lr):
        return KerasRMSpropTorch(params, lr=lr, rho=self.rho, momentum=self.momentum,
                                 eps=self.epsilon, centered=self.centered)

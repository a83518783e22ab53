"""The Adam family: ``Adam``, ``AdamW``, ``Adamax`` and ``Nadam`` with Keras's update rules."""

from __future__ import annotations

import math

import torch

from deepprob.optimizers.base import KerasDefault, Optimizer, check_real, make_torch

__all__ = ["Adam", "AdamW", "Adamax", "Nadam"]

_COMMON_ARGS = """
        weight_decay: Keras's decoupled weight decay (``w -= learning_rate * weight_decay * w``
            before the update).
        clipnorm: Clip each gradient tensor to this norm.
        clipvalue: Clip each gradient element to this absolute value.
        global_clipnorm: Clip all gradients together to this global norm."""


def _betas(owner: str, beta_1, beta_2, epsilon) -> tuple[float, float, float]:
    return (check_real(owner, "beta_1", beta_1, low=0.0, high=1.0, high_open=True),
            check_real(owner, "beta_2", beta_2, low=0.0, high=1.0, high_open=True),
            check_real(owner, "epsilon", epsilon, low=0.0))


class Adam(Optimizer):
    """Adam, as ``keras.optimizers.Adam`` (defaults ``learning_rate=0.001``, ``epsilon=1e-7``).

    Keras's rule at step ``t``: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``,
    ``w -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)`` (with AMSGrad ``v``
    is replaced by its running maximum). Torch's fused Adam divides ``sqrt(v)`` by
    ``sqrt(1 - b2**t)`` *before* adding epsilon; deepprob passes torch
    ``epsilon / sqrt(1 - b2**t)`` at each step, which makes the two updates identical (this
    matters early in training, when ``1 - b2**t`` is small, and for tiny gradients).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Decay of the first-moment average. Defaults to 0.9.
        beta_2: Decay of the second-moment average. Defaults to 0.999.
        epsilon: Keras's "epsilon hat". Defaults to 1e-7.
        amsgrad: Use the AMSGrad variant.{common}
        name: Defaults to ``"adam"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> opt = dp.optimizers.Adam(learning_rate=1e-3)
        >>> opt.beta_1, opt.beta_2, opt.epsilon
        (0.9, 0.999, 1e-07)
    """

    _default_name = "adam"
    _torch_weight_decay = True

    def __init__(self, learning_rate=KerasDefault(0.001), beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = _betas(type(self).__name__, beta_1, beta_2,
                                                        epsilon)
        self.amsgrad = bool(amsgrad)
        self._torch_eps: float | None = None

    def _hyper_config(self) -> dict:
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}

    def _make_torch_optimizer(self, params, lr):
        self._torch_eps = None
        kwargs = dict(lr=lr, betas=(self.beta_1, self.beta_2), eps=self.epsilon,
                      amsgrad=self.amsgrad)
        if self.weight_decay:  # torch's AdamW decay is Keras's decoupled decay
            return make_torch(torch.optim.AdamW, params, True, weight_decay=self.weight_decay,
                              **kwargs)
        return make_torch(torch.optim.Adam, params, True, weight_decay=0.0, **kwargs)

    def _before_torch_step(self, lr):
        # Keras: (sqrt(v) + eps) / sqrt(1 - b2^t); torch: sqrt(v) / sqrt(1 - b2^t) + eps'.
        power = self.beta_2 ** (self.iterations + 1)
        eps = self.epsilon / math.sqrt(1.0 - power) if power > 1e-12 else self.epsilon
        if eps != self._torch_eps:
            for group in self._torch.param_groups:
                group["eps"] = eps
            self._torch_eps = eps

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self._torch_eps = None


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``keras.optimizers.AdamW`` (torch ``AdamW``).

    Before each Adam update ``w -= learning_rate * weight_decay * w``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        weight_decay: Decoupled weight decay. Defaults to 0.004.
        beta_1: Decay of the first-moment average. Defaults to 0.9.
        beta_2: Decay of the second-moment average. Defaults to 0.999.
        epsilon: Keras's "epsilon hat". Defaults to 1e-7.
        amsgrad: Use the AMSGrad variant.
        clipnorm: Clip each gradient tensor to this norm.
        clipvalue: Clip each gradient element to this absolute value.
        global_clipnorm: Clip all gradients together to this global norm.
        name: Defaults to ``"adamw"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> dp.optimizers.AdamW().weight_decay
        0.004
    """

    _default_name = "adamw"

    def __init__(self, learning_rate=KerasDefault(0.001), weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float; received None "
                             "(use Adam for no weight decay).")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm), as ``keras.optimizers.Adamax``.

    Keras's rule: ``m = b1 m + (1 - b1) g``, ``u = max(b2 u, |g|)``,
    ``w -= lr / (1 - b1**t) * m / (u + epsilon)``. Runs on torch's ``Adamax``, which folds
    epsilon into the running maximum (``u = max(b2 u, |g| + epsilon)``, ``w -= ... m / u``):
    identical whenever the current gradient sets the maximum, and otherwise different by at
    most ``(1 - b2) * epsilon`` in the denominator.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Decay of the first-moment average. Defaults to 0.9.
        beta_2: Decay of the infinity norm. Defaults to 0.999.
        epsilon: Small constant for numerical stability. Defaults to 1e-7.{common}
        name: Defaults to ``"adamax"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> dp.optimizers.Adamax().learning_rate
        0.001
    """

    _default_name = "adamax"

    def __init__(self, learning_rate=KerasDefault(0.001), beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = _betas("Adamax", beta_1, beta_2, epsilon)

    def _hyper_config(self) -> dict:
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

    def _make_torch_optimizer(self, params, lr):
        return make_torch(torch.optim.Adamax, params, False, lr=lr,
                          betas=(self.beta_1, self.beta_2), eps=self.epsilon)


class Nadam(Optimizer):
    """Nadam (Adam with Nesterov momentum), as ``keras.optimizers.Nadam`` (Keras 3).

    Keras 3's momentum schedule is ``u_t = b1 (1 - 0.5 * 0.96**t)`` and the update
    ``w -= lr * (u_{t+1} m / (1 - prod u_1..u_{t+1}) + (1 - u_t) g / (1 - prod u_1..u_t))
    / (sqrt(v / (1 - b2**t)) + epsilon)``: torch's ``NAdam`` with ``momentum_decay=1``
    (torch's default 0.004 is the older tf.keras 2 schedule ``0.96**(0.004 t)``).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Decay of the first-moment average. Defaults to 0.9.
        beta_2: Decay of the second-moment average. Defaults to 0.999.
        epsilon: Small constant for numerical stability. Defaults to 1e-7.{common}
        name: Defaults to ``"nadam"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> dp.optimizers.Nadam().epsilon
        1e-07
    """

    _default_name = "nadam"
    _torch_weight_decay = True

    def __init__(self, learning_rate=KerasDefault(0.001), beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = _betas("Nadam", beta_1, beta_2, epsilon)

    def _hyper_config(self) -> dict:
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

    def _make_torch_optimizer(self, params, lr):
        return make_torch(torch.optim.NAdam, params, False, lr=lr,
                          betas=(self.beta_1, self.beta_2), eps=self.epsilon,
                          momentum_decay=1.0, weight_decay=self.weight_decay or 0.0,
                          decoupled_weight_decay=True)


for _cls in (Adam, Adamax, Nadam):
    _cls.__doc__ = _cls.__doc__.replace("{common}", _COMMON_ARGS)

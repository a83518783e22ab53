"""``Adagrad`` and ``Adadelta``: optimizers with accumulated squared gradients."""

from __future__ import annotations

import torch

from deepprob.optimizers.base import KerasDefault, Optimizer, check_real, make_torch

__all__ = ["Adagrad", "Adadelta"]


class Adagrad(Optimizer):
    """Adagrad, as ``keras.optimizers.Adagrad``.

    Keras's rule: ``acc += g**2; w -= learning_rate * g / sqrt(acc + epsilon)``, ``acc`` starting
    at ``initial_accumulator_value``. Runs on torch's fused ``Adagrad``, which adds epsilon
    outside the square root (``sqrt(acc) + epsilon``); with the default accumulator start 0.1
    the two agree to about 1e-6 relative (below float32 resolution). They differ only when
    ``initial_accumulator_value=0`` and gradients are tiny (below ~sqrt(epsilon)).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        initial_accumulator_value: Non-negative start of the accumulators. Defaults to 0.1.
        epsilon: Small constant for numerical stability. Defaults to 1e-7.
        weight_decay: Keras's decoupled weight decay.
        clipnorm: Clip each gradient tensor to this norm.
        clipvalue: Clip each gradient element to this absolute value.
        global_clipnorm: Clip all gradients together to this global norm.
        name: Defaults to ``"adagrad"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> dp.optimizers.Adagrad().initial_accumulator_value
        0.1
    """

    _default_name = "adagrad"

    def __init__(self, learning_rate=KerasDefault(0.001), initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.initial_accumulator_value = check_real(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.epsilon = check_real("Adagrad", "epsilon", epsilon, low=0.0)

    def _hyper_config(self) -> dict:
        return {"initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}

    def _make_torch_optimizer(self, params, lr):
        return make_torch(torch.optim.Adagrad, params, True, lr=lr, lr_decay=0.0,
                          initial_accumulator_value=self.initial_accumulator_value,
                          eps=self.epsilon)


class Adadelta(Optimizer):
    """Adadelta, as ``keras.optimizers.Adadelta`` (torch's ``Adadelta`` is the same math).

    ``acc_g = rho * acc_g + (1 - rho) * g**2``;
    ``delta = sqrt(acc_dx + epsilon) / sqrt(acc_g + epsilon) * g``;
    ``acc_dx = rho * acc_dx + (1 - rho) * delta**2``; ``w -= learning_rate * delta``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001 (Keras's default; the
            paper's and torch's is 1.0).
        rho: Decay rate of the accumulators. Defaults to 0.95.
        epsilon: Small constant for numerical stability. Defaults to 1e-7.
        weight_decay: Keras's decoupled weight decay.
        clipnorm: Clip each gradient tensor to this norm.
        clipvalue: Clip each gradient element to this absolute value.
        global_clipnorm: Clip all gradients together to this global norm.
        name: Defaults to ``"adadelta"``.
        **kwargs: ``lr`` (legacy name of ``learning_rate``, really sets it), ``decay``.

    Example:
        >>> import deepprob as dp
        >>> dp.optimizers.Adadelta(learning_rate=1.0).rho
        0.95
    """

    _default_name = "adadelta"

    def __init__(self, learning_rate=KerasDefault(0.001), rho: float = 0.95,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name,
                         **kwargs)
        self.rho = check_real("Adadelta", "rho", rho, low=0.0, high=1.0)
        self.epsilon = check_real("Adadelta", "epsilon", epsilon, low=0.0)

    def _hyper_config(self) -> dict:
        return {"rho": self.rho, "epsilon": self.epsilon}

    def _make_torch_optimizer(self, params, lr):
        return make_torch(torch.optim.Adadelta, params, False, lr=lr, rho=self.rho,
                          eps=self.epsilon)

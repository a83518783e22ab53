"""``Optimizer``: Keras's optimizer interface over a ``torch.optim`` optimizer.

A deepprob optimizer holds Keras's hyper-parameters (names and defaults), the iteration count,
the learning rate (a float or a schedule), gradient clipping and Keras's decoupled weight decay.
``build(params)`` creates the underlying torch optimizer (fused or ``foreach`` kernels), and
``step()`` runs one update on the parameters' ``.grad``.

Example:
    >>> import torch, deepprob as dp
    >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> opt = dp.optimizers.SGD(learning_rate=0.1)
    >>> opt.build([w])
    >>> w.grad = torch.tensor([1.0, 1.0])
    >>> opt.step()
    >>> w.data, opt.iterations
    (tensor([ 0.9000, -2.1000]), 1)
"""

from __future__ import annotations

import inspect
import math
import numbers
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import torch

from deepprob._errors import suggest
from deepprob.optimizers import schedules as _schedules

__all__ = ["Optimizer", "KerasDefault"]


class KerasDefault(float):
    """A float default that ``Optimizer`` can tell apart from the same value passed explicitly.

    Used for ``learning_rate`` defaults so that ``RMSprop(lr=1e-4)`` works while
    ``RMSprop(learning_rate=1e-3, lr=1e-4)`` is rejected.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return float.__repr__(self)


# Keras 3 arguments accepted for compatibility only when left at their default values.
_INERT_ARGUMENTS = {
    "use_ema": False,
    "ema_momentum": None,  # any value: only used together with use_ema
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}
# Keys found in configs written by tf.keras 2 / Keras 3 that carry no meaning here.
_IGNORED_CONFIG_KEYS = ("jit_compile", "is_legacy_optimizer")


def check_real(owner: str, name: str, value: Any, *, low: float | None = None,
               high: float | None = None, low_open: bool = False,
               high_open: bool = False) -> float:
    """Validate a real-valued hyper-parameter and return it as a float.

    Args:
        owner: The class or function reporting the error.
        name: The argument's name.
        value: The value received.
        low: Smallest allowed value (or None).
        high: Largest allowed value (or None).
        low_open: Exclude ``low`` itself.
        high_open: Exclude ``high`` itself.

    Example:
        >>> check_real("SGD", "momentum", 0.9, low=0.0, high=1.0)
        0.9
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"{owner}: argument `{name}` must be a real number; received {value!r} of type "
                f"{type(value).__name__}."
            ) from None
    value = float(value)
    bad = not math.isfinite(value)
    if low is not None and (value < low or (low_open and value == low)):
        bad = True
    if high is not None and (value > high or (high_open and value == high)):
        bad = True
    if bad:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hi = "" if high is None else f"{high:g}" + (")" if high_open else "]")
        if low is not None and high is not None:
            expected = f"in {lo}, {hi}"
        elif low is not None:
            expected = f"{'>' if low_open else '>='} {low:g}"
        elif high is not None:
            expected = f"{'<' if high_open else '<='} {high:g}"
        else:
            expected = "finite"
        raise ValueError(f"{owner}: argument `{name}` must be {expected}; received {value!r}.")
    return value


def _optional_positive(owner: str, name: str, value: Any) -> float | None:
    return None if value is None else check_real(owner, name, value, low=0.0, low_open=True)


def _unique_params(params: Iterable, owner: str) -> list[torch.Tensor]:
    """Flatten ``params`` to a list of distinct tensors, keeping the first occurrence's order."""
    if isinstance(params, torch.Tensor):
        params = [params]
    elif isinstance(params, torch.nn.Module):
        params = params.parameters()
    out, seen = [], set()
    for p in params:
        if not isinstance(p, torch.Tensor):
            raise TypeError(
                f"{owner}.build: argument `params` must hold torch tensors / Parameters; "
                f"received an element {p!r} of type {type(p).__name__}."
            )
        if id(p) in seen:
            continue
        if not p.is_leaf:
            raise ValueError(
                f"{owner}.build: argument `params` must hold leaf tensors (Parameters); received "
                f"a non-leaf tensor of shape {tuple(p.shape)} (it was computed from others)."
            )
        if not p.is_floating_point():
            raise TypeError(
                f"{owner}.build: argument `params` must hold floating-point tensors; received a "
                f"{p.dtype} tensor of shape {tuple(p.shape)}."
            )
        seen.add(id(p))
        out.append(p)
    return out


def _flatten_variables(var_list: Any) -> list[torch.Tensor]:
    """Tensors from a var_list: tensors, Modules, objects with ``trainable_variables``, lists."""
    if callable(var_list) and not isinstance(var_list, torch.nn.Module):
        var_list = var_list()
    if isinstance(var_list, torch.Tensor):
        return [var_list]
    if isinstance(var_list, torch.nn.Module):
        return [p for p in var_list.parameters() if p.requires_grad]
    if hasattr(var_list, "trainable_variables"):
        return _flatten_variables(list(var_list.trainable_variables))
    out = []
    for v in var_list:
        out.extend(_flatten_variables(v))
    return out


def _wrap_callable_rate(fn: Callable) -> Callable[[int], float]:
    """A learning-rate callable as ``f(step)``: Keras's zero-argument callables are accepted too."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn
    required = [p for p in sig.parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                and p.default is p.empty]
    takes_args = any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values())
    if not required and not takes_args:
        return lambda step: fn()
    return fn


class Optimizer:
    """Base class of deepprob's optimizers (the Keras 3 optimizer API on ``torch.optim``).

    Subclasses set the Keras hyper-parameters and implement ``_make_torch_optimizer``.
    The training loop calls ``build(params)`` once, then per batch ``zero_grad()``,
    ``loss.backward()`` and ``step()``. Custom loops use ``apply_gradients`` or ``minimize``
    exactly as in Keras.

    Args:
        learning_rate: A non-negative float, a ``schedules.LearningRateSchedule``, or a callable
            returning the rate (called with the iteration count, or with no argument as Keras's
            callables are).
        weight_decay: Keras's decoupled weight decay: before each update every parameter with a
            gradient is multiplied by ``1 - learning_rate * weight_decay``.
        clipnorm: Clip each gradient tensor to this L2 norm.
        clipvalue: Clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: Clip all gradients together to this global L2 norm.
        name: The optimizer's name.
        **kwargs: ``lr`` (legacy name of ``learning_rate``: it really sets the rate, with a
            DeprecationWarning), ``decay`` (legacy tf.keras 2 inverse-time decay per step:
            ``lr / (1 + decay * iterations)``, with a DeprecationWarning), and Keras 3's
            ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``, ``loss_scale_factor``,
            ``gradient_accumulation_steps`` at their defaults.

    Example:
        >>> import torch, deepprob as dp
        >>> w = torch.nn.Parameter(torch.tensor(3.0))
        >>> opt = dp.optimizers.SGD(learning_rate=0.5)
        >>> _ = opt.minimize(lambda: w**2, [w])  # gradient 6: w <- 3 - 0.5 * 6
        >>> float(w)
        0.0
    """

    #: Keras's lowercase default name, set by subclasses.
    _default_name = "optimizer"
    #: Whether the torch optimizer applies Keras's decoupled weight decay itself.
    _torch_weight_decay = False

    def __init__(self, learning_rate: Any, *, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, **kwargs):
        owner = type(self).__name__
        self.name = name if name is not None else self._default_name
        legacy_lr = kwargs.pop("lr", None)
        legacy_decay = kwargs.pop("decay", None)
        for key, default in _INERT_ARGUMENTS.items():
            value = kwargs.pop(key, default)
            if key != "ema_momentum" and value:
                raise NotImplementedError(
                    f"{owner}: argument `{key}={value!r}` is not supported by deepprob; "
                    f"leave it at its default ({default!r})."
                )
        if kwargs:
            names = self._argument_names()
            bad = sorted(kwargs)
            raise TypeError(
                f"{owner}: unexpected keyword argument(s) {', '.join(map(repr, bad))}."
                f"{suggest(bad[0], names)} Expected some of: {', '.join(names)}."
            )

        if legacy_lr is not None:
            if not isinstance(learning_rate, KerasDefault):
                raise ValueError(
                    f"{owner}: got both `learning_rate={learning_rate!r}` and the legacy "
                    f"`lr={legacy_lr!r}`; pass only `learning_rate`."
                )
            warnings.warn(
                f"{owner}: `lr` is deprecated, use `learning_rate` instead "
                f"(the rate is set to {legacy_lr!r}).", DeprecationWarning, stacklevel=3)
            learning_rate = legacy_lr

        self._schedule: Callable[[int], float] | None = None
        self._lr_value: float | None = None
        if isinstance(learning_rate, _schedules.LearningRateSchedule):
            self._schedule = learning_rate
        elif callable(learning_rate) and not isinstance(learning_rate, torch.Tensor):
            self._schedule = _wrap_callable_rate(learning_rate)
        else:
            self._lr_value = check_real(owner, "learning_rate", learning_rate, low=0.0)
        self._learning_rate_spec = learning_rate if self._lr_value is None else None

        if legacy_decay is not None and legacy_decay != 0:
            decay = check_real(owner, "decay", legacy_decay, low=0.0)
            if self._schedule is not None:
                raise ValueError(
                    f"{owner}: the legacy argument `decay={legacy_decay!r}` cannot be combined "
                    "with a learning-rate schedule; put the decay in the schedule."
                )
            warnings.warn(
                f"{owner}: `decay` is deprecated; it is applied as "
                f"schedules.InverseTimeDecay({self._lr_value}, decay_steps=1, "
                f"decay_rate={decay}) as tf.keras 2 did.", DeprecationWarning, stacklevel=3)
            self._schedule = _schedules.InverseTimeDecay(self._lr_value, 1, decay)
            self._learning_rate_spec = self._schedule
            self._lr_value = None

        self.weight_decay = (None if weight_decay is None
                             else check_real(owner, "weight_decay", weight_decay, low=0.0))
        self.clipnorm = _optional_positive(owner, "clipnorm", clipnorm)
        self.clipvalue = _optional_positive(owner, "clipvalue", clipvalue)
        self.global_clipnorm = _optional_positive(owner, "global_clipnorm", global_clipnorm)
        if sum(v is not None for v in (self.clipnorm, self.clipvalue, self.global_clipnorm)) > 1:
            raise ValueError(
                f"{owner}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set; "
                f"received clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}."
            )
        self._clipping = any(v is not None for v in (self.clipnorm, self.clipvalue,
                                                      self.global_clipnorm))
        self._manual_decay = bool(self.weight_decay) and not self._torch_weight_decay

        self.iterations: int = 0
        self.built = False
        self._params: list[torch.Tensor] = []
        self._torch: torch.optim.Optimizer | None = None
        self._applied_lr: float | None = None
        self._pending_state: dict | None = None

    # ------------------------------------------------------------------ hyper-parameters
    @classmethod
    def _argument_names(cls) -> list[str]:
        names = [p for p in inspect.signature(cls.__init__).parameters
                 if p not in ("self", "kwargs")]
        return names + ["lr", "decay", *_INERT_ARGUMENTS]

    def _hyper_config(self) -> dict:
        """Subclass hyper-parameters for ``get_config``."""
        return {}

    @property
    def learning_rate(self) -> float:
        """The current learning rate (the schedule evaluated at ``iterations``).

        Setting a float changes the rate at once (callbacks such as ``ReduceLROnPlateau`` do
        this); setting a schedule or callable replaces the rate's definition. An optimizer
        created with a schedule refuses a float, as in Keras.
        """
        if self._schedule is None:
            return self._lr_value
        return float(self._schedule(self.iterations))

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        owner = type(self).__name__
        if isinstance(value, _schedules.LearningRateSchedule) or (
                callable(value) and not isinstance(value, torch.Tensor)):
            self._schedule = (value if isinstance(value, _schedules.LearningRateSchedule)
                              else _wrap_callable_rate(value))
            self._learning_rate_spec = value
            self._lr_value = None
            if self.built:
                self._set_torch_lr(self.learning_rate)
            return
        if self._schedule is not None:
            raise TypeError(
                f"{owner}: this optimizer was created with a learning-rate schedule "
                f"({self._learning_rate_spec!r}), so its `learning_rate` cannot be set to the "
                f"float {value!r}; create the optimizer with a float `learning_rate` instead."
            )
        self._lr_value = check_real(owner, "learning_rate", value, low=0.0)
        if self.built:
            self._set_torch_lr(self._lr_value)

    # tf.keras 2 code reads and writes ``optimizer.lr``.
    lr = property(learning_rate.fget, learning_rate.fset,
                  doc="Alias of ``learning_rate`` (tf.keras 2 name).")

    @property
    def torch_optimizer(self) -> torch.optim.Optimizer | None:
        """The underlying ``torch.optim.Optimizer`` (None before ``build`` or without params)."""
        return self._torch

    @property
    def variables(self) -> list[torch.Tensor]:
        """The parameters this optimizer updates (after ``build``)."""
        return list(self._params)

    # ------------------------------------------------------------------ build / step
    def _make_torch_optimizer(self, params: list[torch.Tensor], lr: float
                              ) -> torch.optim.Optimizer:
        raise NotImplementedError

    def build(self, params: Iterable[torch.Tensor]) -> None:
        """Create the torch optimizer for ``params``.

        Calling it again with the same parameters does nothing. With a different set, a new
        torch optimizer is made and parameters present before keep their optimizer state
        (moments, accumulators) — e.g. after unfreezing layers for fine-tuning.

        Args:
            params: Iterable of ``torch.nn.Parameter`` (or a ``torch.nn.Module``).

        Example:
            >>> import torch, deepprob as dp
            >>> opt = dp.optimizers.Adam()
            >>> opt.build(torch.nn.Linear(2, 1).parameters())
            >>> opt.built
            True
        """
        params = _unique_params(params, type(self).__name__)
        if self.built and len(params) == len(self._params) and all(
                a is b for a, b in zip(params, self._params)):
            return
        old = self._torch
        lr = self.learning_rate
        self._torch = self._make_torch_optimizer(params, lr) if params else None
        if old is not None and self._torch is not None:
            for p in params:
                if p in old.state:
                    self._torch.state[p] = old.state[p]
        self._params = params
        self._applied_lr = lr
        self.built = True
        if self._pending_state is not None:
            state, self._pending_state = self._pending_state, None
            self.load_state_dict(state)

    def _set_torch_lr(self, lr: float) -> None:
        if self._torch is not None and lr != self._applied_lr:
            old = self._applied_lr
            for group in self._torch.param_groups:
                group["lr"] = lr
            self._on_lr_change(old, lr)
        self._applied_lr = lr

    def _on_lr_change(self, old: float | None, new: float) -> None:
        """Hook for optimizers whose torch state depends on the rate (SGD momentum)."""

    def _before_torch_step(self, lr: float) -> None:
        """Hook run right before the torch step (Adam's epsilon placement)."""

    def _grads(self) -> list[torch.Tensor]:
        return [p.grad for p in self._params if p.grad is not None]

    def _clip_gradients(self) -> None:
        grads = self._grads()
        if not grads:
            return
        if self.clipvalue is not None:
            torch._foreach_clamp_min_(grads, -self.clipvalue)
            torch._foreach_clamp_max_(grads, self.clipvalue)
        elif self.clipnorm is not None:
            # Keras clip_by_norm: g * clipnorm / max(||g||, clipnorm), per tensor.
            for g, norm in zip(grads, torch._foreach_norm(grads)):
                g.mul_(self.clipnorm / norm.clamp(min=self.clipnorm))
        else:
            norms = torch._foreach_norm(grads)
            total = torch.linalg.vector_norm(torch.stack([n.to(norms[0].device) for n in norms]))
            scale = self.global_clipnorm / total.clamp(min=self.global_clipnorm)
            for g in grads:
                g.mul_(scale.to(g.device))

    def step(self) -> None:
        """One update from the parameters' ``.grad``.

        Clips the gradients if configured, sets the scheduled rate for the current iteration
        (touching the torch param groups only when it changes), applies Keras's decoupled
        weight decay, runs the torch step and increments ``iterations``. Parameters whose
        ``.grad`` is None are left alone.

        Example:
            >>> import torch, deepprob as dp
            >>> w = torch.nn.Parameter(torch.ones(2))
            >>> opt = dp.optimizers.SGD(0.1, clipvalue=0.5)
            >>> opt.build([w]); w.grad = torch.tensor([2.0, -0.1]); opt.step()
            >>> w.data
            tensor([0.9500, 1.0100])
        """
        torch_opt = self._torch
        if torch_opt is None:
            if not self.built:
                raise RuntimeError(
                    f"{type(self).__name__}.step() was called before build(params); call "
                    "opt.build(model.trainable_weights) first (or use apply_gradients)."
                )
            self.iterations += 1
            return
        if self._clipping:
            self._clip_gradients()
        if self._schedule is not None:
            lr = float(self._schedule(self.iterations))
            if lr != self._applied_lr:
                self._set_torch_lr(lr)
        else:
            lr = self._applied_lr
        if self._manual_decay:
            params = [p for p in self._params if p.grad is not None]
            if params:
                with torch.no_grad():
                    torch._foreach_mul_(params, 1.0 - lr * self.weight_decay)
        self._before_torch_step(lr)
        torch_opt.step()
        self.iterations += 1

    def zero_grad(self) -> None:
        """Reset the parameters' gradients to None (``set_to_none``)."""
        if self._torch is not None:
            self._torch.zero_grad(set_to_none=True)

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, torch.Tensor]]) -> int:
        """Apply ``(gradient, variable)`` pairs, as Keras's ``apply_gradients``.

        Builds the optimizer on first use (and extends it to variables it has not seen). Only
        the listed variables are updated; the variables' ``.grad`` attributes are left as they
        were. Pairs whose gradient is None are skipped.

        Args:
            grads_and_vars: Iterable of ``(gradient tensor or None, variable)`` pairs.

        Returns:
            The iteration count after the update.

        Example:
            >>> import torch, deepprob as dp
            >>> w = torch.nn.Parameter(torch.tensor(1.0))
            >>> opt = dp.optimizers.SGD(0.1)
            >>> opt.apply_gradients([(torch.tensor(2.0), w)])
            1
            >>> round(float(w), 4)
            0.8
        """
        owner = type(self).__name__
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError(
                    f"{owner}.apply_gradients: argument `grads_and_vars` must hold "
                    f"(gradient, variable) pairs; received an element {pair!r}."
                )
        variables = [v for _, v in pairs]
        if not self.built:
            self.build(variables)
        else:
            known = {id(p) for p in self._params}
            new = [v for v in variables if id(v) not in known]
            if new:
                self.build(self._params + new)
        listed = {id(v) for v in variables}
        saved = [(p, p.grad) for p in self._params]
        try:
            for p in self._params:
                if id(p) not in listed:
                    p.grad = None
            for g, v in pairs:
                if g is None:
                    v.grad = None
                    continue
                if not isinstance(g, torch.Tensor):
                    g = torch.as_tensor(g, dtype=v.dtype, device=v.device)
                if g.shape != v.shape:
                    raise ValueError(
                        f"{owner}.apply_gradients: a gradient of shape {tuple(g.shape)} was "
                        f"given for a variable of shape {tuple(v.shape)}."
                    )
                g = g.detach().to(device=v.device, dtype=v.dtype)
                v.grad = g.clone() if self._clipping else g
            self.step()
        finally:
            for p, g in saved:
                p.grad = g
        return self.iterations

    def apply(self, grads: Iterable[Any], trainable_variables: Iterable[torch.Tensor] | None = None
              ) -> int:
        """Keras 3's ``apply(grads, trainable_variables)``: ``apply_gradients(zip(...))``.

        Args:
            grads: Gradients, one per variable.
            trainable_variables: The variables; defaults to the ones the optimizer was built with.

        Example:
            >>> import torch, deepprob as dp
            >>> w = torch.nn.Parameter(torch.tensor(1.0))
            >>> dp.optimizers.SGD(0.5).apply([torch.tensor(1.0)], [w])
            1
        """
        grads = list(grads)
        variables = list(self._params if trainable_variables is None else trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"{type(self).__name__}.apply: got {len(grads)} gradients for "
                f"{len(variables)} variables."
            )
        return self.apply_gradients(zip(grads, variables))

    def minimize(self, loss: Any, var_list: Any, tape: Any = None) -> torch.Tensor:
        """Compute the gradients of ``loss`` with respect to ``var_list`` and apply them.

        Args:
            loss: A scalar tensor (still attached to its graph) or a zero-argument callable
                returning one.
            var_list: Tensors / Parameters, Modules, objects with ``trainable_variables``, or a
                callable returning those.
            tape: Accepted for TensorFlow compatibility and ignored (torch records the graph).

        Returns:
            The loss value, detached.

        Example:
            >>> import torch, deepprob as dp
            >>> w = torch.nn.Parameter(torch.tensor(10.0))
            >>> opt = dp.optimizers.SGD(learning_rate=0.1)
            >>> _ = opt.minimize(lambda: w**2 / 2, [w])
            >>> round(float(w), 4)
            9.0
        """
        owner = type(self).__name__
        variables = _flatten_variables(var_list)
        if not variables:
            raise ValueError(f"{owner}.minimize: argument `var_list` holds no variables.")
        value = loss() if callable(loss) and not isinstance(loss, torch.Tensor) else loss
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            raise TypeError(
                f"{owner}.minimize: argument `loss` must be (or return) a scalar tensor; "
                f"received {value!r}."
            )
        if not value.requires_grad:
            raise ValueError(
                f"{owner}.minimize: the loss does not depend on any variable that requires a "
                "gradient; compute it from the variables in `var_list`."
            )
        wanted = [v for v in variables if v.requires_grad]
        grads = torch.autograd.grad(value.reshape(()), wanted, allow_unused=True)
        self.apply_gradients(zip(grads, wanted))
        return value.detach()

    # ------------------------------------------------------------------ state / config
    def state_dict(self) -> dict:
        """The optimizer's state: iterations, the float rate, and the torch optimizer's state.

        As with torch, the tensors are shared with the live optimizer (``copy.deepcopy`` the
        result to keep a snapshot in memory; ``torch.save`` it to write a checkpoint).

        Example:
            >>> import deepprob as dp
            >>> dp.optimizers.Adam().state_dict()["iterations"]
            0
        """
        return {
            "class_name": type(self).__name__,
            "iterations": int(self.iterations),
            "learning_rate": self._lr_value,
            "optimizer": None if self._torch is None else self._torch.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict()``'s output. Before ``build`` it is kept and applied by ``build``.

        Args:
            state: A dict from ``state_dict()``.

        Example:
            >>> import deepprob as dp
            >>> opt = dp.optimizers.Adam(); opt.load_state_dict({"iterations": 5})
            >>> opt.iterations
            5
        """
        owner = type(self).__name__
        if not isinstance(state, dict) or "iterations" not in state:
            raise TypeError(
                f"{owner}.load_state_dict: argument `state` must be a dict from state_dict(); "
                f"received {type(state).__name__}."
            )
        self.iterations = int(state["iterations"])
        if state.get("learning_rate") is not None and self._schedule is None:
            self._lr_value = float(state["learning_rate"])
        torch_state = state.get("optimizer")
        if torch_state is None:
            if self.built:
                self._set_torch_lr(self.learning_rate)
            return
        if not self.built:
            self._pending_state = state
            return
        if self._torch is None:
            raise ValueError(
                f"{owner}.load_state_dict: the state holds optimizer slots but this optimizer "
                "was built with no parameters."
            )
        self._torch.load_state_dict(torch_state)
        # torch restored the saved group rates; make them match this optimizer's rate.
        self._applied_lr = self._torch.param_groups[0]["lr"]
        self._set_torch_lr(self.learning_rate)

    def get_config(self) -> dict:
        """Keras-style config: name, learning rate (float or serialized schedule), hyper-parameters.

        Example:
            >>> import deepprob as dp
            >>> dp.optimizers.Adam().get_config()["epsilon"]
            1e-07
        """
        spec = self._learning_rate_spec
        if self._lr_value is not None:
            lr: Any = self._lr_value
        elif isinstance(spec, _schedules.LearningRateSchedule):
            lr = _schedules.serialize(spec)
        else:
            lr = spec  # a plain callable: kept as is (not JSON-serializable)
        config = {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                  "clipvalue": self.clipvalue}
        config.update(self._hyper_config())
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Optimizer:
        """Rebuild an optimizer from ``get_config()`` (tf.keras / Keras 3 configs load too).

        Args:
            config: The config dict.
            custom_objects: Extra schedule classes for a serialized learning-rate schedule.

        Example:
            >>> import deepprob as dp
            >>> dp.optimizers.Adam.from_config({"learning_rate": 0.01}).learning_rate
            0.01
        """
        config = dict(config)
        for key in _IGNORED_CONFIG_KEYS:
            config.pop(key, None)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            if "class_name" in lr and "config" in lr:
                config["learning_rate"] = _schedules.deserialize(lr, custom_objects)
        if config.get("decay") in (0, 0.0):
            config.pop("decay")
        return cls(**config)

    def __repr__(self) -> str:
        rate = (f"{self._lr_value:g}" if self._lr_value is not None
                else repr(self._learning_rate_spec))
        return f"{type(self).__name__}(learning_rate={rate}, iterations={self.iterations})"


def make_torch(cls: type[torch.optim.Optimizer], params: list[torch.Tensor], prefer_fused: bool,
               **kwargs) -> torch.optim.Optimizer:
    """Create ``cls(params, **kwargs)`` with the fastest implementation torch offers.

    Fused kernels (one kernel for all parameters) are tried first where torch has them for the
    parameters' devices; otherwise the multi-tensor ``foreach`` implementation is used.
    """
    if prefer_fused:
        devices = {p.device.type for p in params}
        if devices <= {"cpu", "cuda"}:
            try:
                return cls(params, fused=True, **kwargs)
            except (RuntimeError, ValueError, TypeError):
                pass
    return cls(params, foreach=True, **kwargs)

"""Masked autoregressive flows: ``AutoregressiveNetwork`` (MADE) and ``MaskedAutoregressiveFlow``.

``AutoregressiveNetwork`` is TFP's MADE (Germain et al., 2015): a dense network whose weight
matrices are multiplied by binary masks so that output ``i`` depends only on the inputs that come
before ``i`` in a chosen order. ``MaskedAutoregressiveFlow`` (Papamakarios et al., 2017) turns such
a network into a bijector: density evaluation (``inverse``) is one network pass, sampling
(``forward``) is sequential. The inverse autoregressive flow is ``Invert(MaskedAutoregressiveFlow(...))``
(one-pass sampling, sequential density), as in TFP.

Example:
    >>> made = dp.bijectors.AutoregressiveNetwork(params=2, event_shape=[2], hidden_units=[64, 64],
    ...                                           activation="relu")
    >>> maf = dp.bijectors.MaskedAutoregressiveFlow(shift_and_log_scale_fn=made)
    >>> flow = dp.distributions.TransformedDistribution(
    ...     dp.distributions.MultivariateNormalDiag(loc=[0.0, 0.0]), maf)
    >>> flow.log_prob(torch.zeros(5, 2)).shape
    torch.Size([5])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from deepprob._errors import unknown
from deepprob.bijectors.bijector import Bijector, reduce_log_det
from deepprob.engine.layer import Layer

__all__ = ["AutoregressiveNetwork", "MaskedAutoregressiveFlow"]

_ORDERS = ("left-to-right", "right-to-left", "random")
_HIDDEN_DEGREES = ("equal", "random")
_COND_LAYERS = ("all_layers", "first_layer")


# -- degrees and masks ------------------------------------------------------------------------------
def create_input_order(input_size: int, input_order: Any = "left-to-right") -> np.ndarray:
    """The degree (1-based position in the autoregressive order) of each input, as TFP.

    Args:
        input_size: number of inputs ``D``.
        input_order: ``"left-to-right"``, ``"right-to-left"``, ``"random"`` (drawn from torch's
            global generator, so ``torch.manual_seed`` fixes it) or an explicit permutation of
            ``1..D`` (TFP's convention; a permutation of ``0..D-1`` is accepted too).

    Example:
        >>> create_input_order(3, "right-to-left")
        array([3, 2, 1])
    """
    if isinstance(input_order, str):
        if input_order == "left-to-right":
            return np.arange(1, input_size + 1)
        if input_order == "right-to-left":
            return np.arange(input_size, 0, -1)
        if input_order == "random":
            return torch.randperm(input_size).numpy() + 1
        raise unknown("input order", input_order, _ORDERS, argument="input_order")
    order = np.asarray(input_order.detach().cpu() if isinstance(input_order, torch.Tensor)
                       else input_order)
    if order.ndim != 1 or order.size != input_size or not np.issubdtype(order.dtype, np.integer):
        raise ValueError(f"Argument `input_order`: expected 'left-to-right', 'right-to-left', "
                         f"'random' or a permutation of 1..{input_size} (the event size), "
                         f"received {input_order!r}.")
    ordered = np.sort(order)
    if np.array_equal(ordered, np.arange(input_size)):
        return order.astype(np.int64) + 1
    if not np.array_equal(ordered, np.arange(1, input_size + 1)):
        raise ValueError(f"Argument `input_order`: expected a permutation of 1..{input_size} (the "
                         f"event size), received {order.tolist()}.")
    return order.astype(np.int64)


def create_degrees(input_size: int, hidden_units: Sequence[int], input_order: Any = "left-to-right",
                   hidden_degrees: Any = "equal") -> list[np.ndarray]:
    """Degrees of the input units and of every hidden unit, as TFP's MADE assigns them.

    A hidden unit of degree ``k`` may see inputs of degree ``<= k``; an output of degree ``k``
    sees hidden units of degree ``< k``.

    Args:
        input_size: event size ``D``.
        hidden_units: sizes of the hidden layers.
        input_order: see :func:`create_input_order`.
        hidden_degrees: ``"equal"`` (degrees spread evenly over ``1..D-1``), ``"random"`` (drawn
            uniformly, each layer at least the previous layer's minimum) or, a deepprob
            extension, one integer array per hidden layer.

    Example:
        >>> [d.tolist() for d in create_degrees(3, [4])]
        [[1, 2, 3], [1, 1, 2, 2]]
    """
    degrees = [create_input_order(input_size, input_order)]
    explicit = not isinstance(hidden_degrees, str)
    if explicit:
        hidden_degrees = list(hidden_degrees)
        if len(hidden_degrees) != len(hidden_units):
            raise ValueError(f"Argument `hidden_degrees`: expected 'equal', 'random' or one "
                             f"degree array per hidden layer ({len(hidden_units)}), received "
                             f"{len(hidden_degrees)} arrays.")
    elif hidden_degrees not in _HIDDEN_DEGREES:
        raise unknown("hidden degrees", hidden_degrees, _HIDDEN_DEGREES, argument="hidden_degrees")
    for k, units in enumerate(hidden_units):
        low = min(int(degrees[-1].min()), input_size - 1)
        if explicit:
            deg = np.asarray(hidden_degrees[k]).astype(np.int64).reshape(-1)
            if deg.size != units:
                raise ValueError(f"Argument `hidden_degrees`: layer {k} has {units} units but "
                                 f"{deg.size} degrees were given.")
        elif hidden_degrees == "random":
            deg = torch.randint(low, max(low + 1, input_size), (units,)).numpy()
        else:
            deg = np.maximum(low, np.ceil(np.arange(1, units + 1) * (input_size - 1)
                                          / float(units + 1)).astype(np.int64))
        degrees.append(deg)
    return degrees


def create_masks(degrees: list[np.ndarray], params: int) -> list[np.ndarray]:
    """Binary masks ``[out, in]`` (torch's ``F.linear`` layout) for each layer of the network;
    the last one maps to ``D * params`` outputs ordered event-major (``i * params + p``)."""
    masks = [(d_in[None, :] <= d_out[:, None]) for d_in, d_out in zip(degrees[:-1], degrees[1:])]
    out_degrees = np.repeat(degrees[0], params)
    masks.append(degrees[-1][None, :] < out_degrees[:, None])
    return [m.astype(np.float32) for m in masks]


def _event_size(event_shape: Any, argument: str) -> int | None:
    if event_shape is None:
        return None
    if isinstance(event_shape, torch.Size | tuple | list | np.ndarray | torch.Tensor):
        shape = [int(d) for d in (event_shape.tolist() if hasattr(event_shape, "tolist")
                                  else event_shape)]
        if len(shape) != 1:
            raise ValueError(f"Argument `{argument}`: only rank-1 event shapes are supported "
                             f"(as TFP), received {list(shape)}.")
        size = shape[0]
    elif isinstance(event_shape, int | np.integer) and not isinstance(event_shape, bool):
        size = int(event_shape)
    else:
        raise TypeError(f"Argument `{argument}`: expected an int or a list of one int, received "
                        f"{event_shape!r}.")
    if size < 1:
        raise ValueError(f"Argument `{argument}`: expected a positive size, received {size}.")
    return size


def _check_nan(value: torch.Tensor, argument: str, owner: str) -> None:
    if torch.isnan(value).any():
        raise ValueError(f"{owner}: argument `{argument}` contains NaN (shape "
                         f"{list(value.shape)}); validate_args=True rejects NaN inputs.")


def _layout(fan_in: int, fan_out: int) -> tuple[int, int] | None:
    """Storage of a ``[fan_in, fan_out]`` kernel: torch's ``[out, in]`` (``(1, 0)``) or Keras's
    ``[in, out]`` (``None``), whichever keeps every GEMM of the forward and backward passes off
    BLAS's slow path for narrow row-major right-hand sides.

    ``F.linear(x, W[out, in])`` computes ``grad_x = g @ W`` and ``grad_W = g.T @ x``, both with
    ``in`` columns taken from row-major operands; ``x @ K[in, out]`` computes ``x @ K`` and
    ``grad_K = x.T @ g`` with ``out`` such columns. With MKL (one thread, ``[256, 64] @ [64, 2]``)
    a narrow row-major right-hand side costs ~10x a transposed one, so a MADE's first layer
    (``in = D``, small) is stored ``[in, out]`` and its output layer (``out = D * params``)
    ``[out, in]``; the layout is invisible to ``get_weights`` (always Keras's ``[in, out]``).
    """
    return None if fan_in < fan_out else (1, 0)


def _dense(h: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor | None,
           keras_layout: bool) -> torch.Tensor:
    """``h @ kernel + bias`` for a kernel stored ``[in, out]`` (``keras_layout``) or
    ``[out, in]``."""
    if not keras_layout:
        return F.linear(h, kernel, bias)
    if bias is not None and h.ndim == 2:
        return torch.addmm(bias, h, kernel)
    out = torch.matmul(h, kernel)
    return out if bias is None else out + bias


# -- MADE -------------------------------------------------------------------------------------------
class AutoregressiveNetwork(Layer):
    """Masked Autoencoder for Distribution Estimation (MADE), TFP's ``AutoregressiveNetwork``.

    Maps ``x`` of shape ``[..., D]`` to ``[..., D, params]`` such that output ``[..., i, :]``
    depends only on the inputs before ``i`` in ``input_order`` (and on the conditional input,
    if any). Each layer is one GEMM with a masked kernel (kernel times a constant mask buffer;
    layers whose mask is all ones skip the product); kernels start masked, as TFP's masked
    initializer does. Each kernel is stored in whichever layout keeps the forward and backward
    GEMMs on BLAS's fast path (see ``_layout``); ``get_weights`` always gives Keras's layout.

    Args:
        params: number of outputs per input dimension (2 for a shift and a log-scale).
        event_shape: ``D`` or ``[D]``; if ``None`` the network is built from the first input.
        conditional: whether the network takes ``conditional_input``.
        conditional_event_shape: ``[C]`` (or ``C``), required when ``conditional=True``.
        conditional_input_layers: ``"all_layers"`` (the conditional input feeds every layer, the
            output included) or ``"first_layer"``.
        hidden_units: sizes of the hidden layers (default none).
        input_order: ``"left-to-right"``, ``"right-to-left"``, ``"random"`` or a permutation of
            ``1..D`` (``0..D-1`` is accepted too).
        hidden_degrees: ``"equal"`` or ``"random"`` (or one degree array per hidden layer).
        activation: hidden activation (name or callable; ``None`` is linear, TFP's default).
        use_bias: whether layers have biases.
        kernel_initializer: initializer of the kernels (applied, then masked).
        bias_initializer: initializer of the biases.
        kernel_regularizer: regularizer of the kernels.
        bias_regularizer: regularizer of the biases.
        kernel_constraint: constraint of the kernels.
        bias_constraint: constraint of the biases.
        validate_args: reject NaN inputs with a clear error.
        **kwargs: ``name`` and the other ``dp.layers.Layer`` arguments.

    Raises:
        ValueError: when a hidden layer would have no incoming connections (for example
            ``event_shape=[1]`` with hidden units and no conditional input), when the input's
            last dimension does not match ``event_shape``, or for unknown identifiers.

    Example:
        >>> made = dp.bijectors.AutoregressiveNetwork(params=2, event_shape=[3],
        ...                                           hidden_units=[16], activation="tanh")
        >>> made(torch.zeros(4, 3)).shape
        torch.Size([4, 3, 2])
    """

    def __init__(self, params: int, event_shape: Any = None, conditional: bool = False,
                 conditional_event_shape: Any = None,
                 conditional_input_layers: str = "all_layers",
                 hidden_units: Sequence[int] | None = None, input_order: Any = "left-to-right",
                 hidden_degrees: Any = "equal", activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 validate_args: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        from deepprob import activations, initializers

        if isinstance(params, bool) or not isinstance(params, int | np.integer) or params < 1:
            raise ValueError(f"Argument `params`: expected a positive integer, received "
                             f"{params!r}.")
        self._params = int(params)
        self._event_size = _event_size(event_shape, "event_shape")
        units = [] if hidden_units is None else list(hidden_units)
        for u in units:
            if isinstance(u, bool) or not isinstance(u, int | np.integer) or u < 1:
                raise ValueError(f"Argument `hidden_units`: expected a list of positive integers, "
                                 f"received {hidden_units!r}.")
        self._hidden_units = [int(u) for u in units]
        self._conditional = bool(conditional)
        self._conditional_size = _event_size(conditional_event_shape, "conditional_event_shape")
        if self._conditional and self._conditional_size is None:
            raise ValueError("Argument `conditional_event_shape`: required when "
                             "conditional=True, received None.")
        if not self._conditional and conditional_event_shape is not None:
            raise ValueError("Argument `conditional_event_shape`: given, but conditional=False; "
                             "pass conditional=True to build a conditional network.")
        if conditional_input_layers not in _COND_LAYERS:
            raise unknown("conditional input layers", conditional_input_layers, _COND_LAYERS,
                          argument="conditional_input_layers")
        self._conditional_layers = conditional_input_layers
        if isinstance(input_order, str) and input_order not in _ORDERS:
            raise unknown("input order", input_order, _ORDERS, argument="input_order")
        self._input_order_arg = input_order
        if isinstance(hidden_degrees, str) and hidden_degrees not in _HIDDEN_DEGREES:
            raise unknown("hidden degrees", hidden_degrees, _HIDDEN_DEGREES,
                          argument="hidden_degrees")
        self._hidden_degrees = hidden_degrees
        self._activation_arg = activation
        self._activation = activations.get(activation)
        self._use_bias = bool(use_bias)
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = kernel_regularizer
        self._bias_regularizer = bias_regularizer
        self._kernel_constraint = kernel_constraint
        self._bias_constraint = bias_constraint
        self._validate_args = bool(validate_args)
        if self._event_size is not None:
            self.build((None, self._event_size))
            self.built = True

    # -- properties -------------------------------------------------------------------------------
    @property
    def params(self) -> int:
        """Number of outputs per input dimension."""
        return self._params

    @property
    def event_shape(self) -> torch.Size | None:
        """``[D]`` once known."""
        return None if self._event_size is None else torch.Size([self._event_size])

    @property
    def event_size(self) -> int | None:
        """``D`` once known."""
        return self._event_size

    @property
    def hidden_units(self) -> list[int]:
        """Sizes of the hidden layers."""
        return list(self._hidden_units)

    @property
    def input_order(self) -> np.ndarray:
        """The degree (1-based position in the order) of each input (after building)."""
        return self.degrees[0].cpu().numpy()

    @property
    def masks(self) -> list[torch.Tensor]:
        """The ``[out, in]`` masks of the layers (after building)."""
        return [getattr(self, f"mask_{k}") for k in range(len(self._hidden_units) + 1)]

    @property
    def degrees(self) -> list[torch.Tensor]:
        """The degrees of the input and hidden units (after building)."""
        return [getattr(self, f"degrees_{k}") for k in range(len(self._hidden_units) + 1)]

    # -- building ---------------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create masks and weights for inputs whose last dimension is the event size."""
        size = int(input_shape[-1])
        if self._event_size is not None and size != self._event_size:
            raise ValueError(f"Argument `x`: expected event size {self._event_size} on the last "
                             f"axis (event_shape=[{self._event_size}]), received input shape "
                             f"{list(input_shape)}.")
        self._event_size = size
        degrees = create_degrees(size, self._hidden_units, self._input_order_arg,
                                 self._hidden_degrees)
        masks = create_masks(degrees, self._params)
        for k in range(len(self._hidden_units)):
            fed = self._conditional and (self._conditional_layers == "all_layers" or k == 0)
            if masks[k].sum() == 0 and not fed:
                raise ValueError(
                    f"Argument `hidden_units`: hidden layer {k} ({self._hidden_units[k]} units) "
                    f"would have no connections: with event size {size}, input_order "
                    f"{degrees[0].tolist()} and hidden_degrees={self._hidden_degrees!r} every unit "
                    f"has degree {sorted(set(degrees[k + 1].tolist()))}, which sees no input "
                    f"(a MADE needs event size >= 2, or a conditional input, to have hidden "
                    f"layers).")
            if not (degrees[k + 1] < size).any():
                raise ValueError(
                    f"Argument `hidden_degrees`: hidden layer {k} has no units of degree < {size}, "
                    f"so no output depends on it (degrees {degrees[k + 1].tolist()}).")
        for k, d in enumerate(degrees):
            self.register_buffer(f"degrees_{k}", torch.as_tensor(d, dtype=torch.int64))
        sizes = [size] + self._hidden_units + [size * self._params]
        init = self._kernel_initializer
        for k, mask in enumerate(masks):
            mask_t = torch.from_numpy(mask)
            self.register_buffer(f"mask_{k}", mask_t.to(self.dtype))

            def masked_init(shape, dtype=None, mask_t=mask_t):
                return torch.as_tensor(init(shape, dtype=dtype)) * mask_t.T.to(dtype or
                                                                               torch.float32)

            self.add_weight(f"kernel_{k}", (sizes[k], sizes[k + 1]), initializer=masked_init,
                            regularizer=self._kernel_regularizer,
                            constraint=self._kernel_constraint,
                            torch_layout=_layout(sizes[k], sizes[k + 1]))
            if self._use_bias:
                self.add_weight(f"bias_{k}", (sizes[k + 1],), initializer=self._bias_initializer,
                                regularizer=self._bias_regularizer,
                                constraint=self._bias_constraint)
            if self._conditional and (self._conditional_layers == "all_layers" or k == 0):
                self.add_weight(f"conditional_kernel_{k}", (self._conditional_size, sizes[k + 1]),
                                initializer=init, regularizer=self._kernel_regularizer,
                                constraint=self._kernel_constraint,
                                torch_layout=_layout(self._conditional_size, sizes[k + 1]))
        self.built = True
        self._make_plan()

    def _make_plan(self) -> None:
        """The per-layer recipe of :meth:`_network`: parameter names, whether the kernel is
        stored in Keras layout ``[in, out]``, and the mask to apply (``None`` when the mask is
        all ones: no multiplication)."""
        plan = []
        for k in range(len(self._hidden_units) + 1):
            kernel = f"kernel_{k}"
            mask = f"mask_{k}"
            cond = f"conditional_kernel_{k}"
            plan.append((kernel, self._weight_info[kernel]["perm"] is None,
                         None if bool(self._buffers[mask].all()) else mask,
                         f"bias_{k}" if self._use_bias else None,
                         (cond, self._weight_info[cond]["perm"] is None)
                         if cond in self._parameters else None))
        self.__dict__["_plan"] = plan

    def _load_from_state_dict(self, *args: Any, **kwargs: Any) -> None:
        super()._load_from_state_dict(*args, **kwargs)
        if self.built and "_plan" in self.__dict__:  # loaded masks (a random order) may differ
            self._make_plan()

    # -- calling ----------------------------------------------------------------------------------
    def call(self, x: torch.Tensor, conditional_input: Any = None) -> torch.Tensor:
        """``[..., D] -> [..., D, params]``.

        Args:
            x: the input, last axis of size ``D``.
            conditional_input: ``[..., C]`` when ``conditional=True`` (batch dims broadcast).
        """
        return self._network(x, conditional_input)

    def _network(self, x: torch.Tensor, conditional_input: Any = None) -> torch.Tensor:
        if x.ndim < 1 or x.shape[-1] != self._event_size:
            raise ValueError(f"Argument `x`: expected event size {self._event_size} on the last "
                             f"axis (event_shape=[{self._event_size}]), received shape "
                             f"{list(x.shape)}.")
        if self._validate_args:
            _check_nan(x, "x", self.name)
        c = self._conditional_tensor(conditional_input, x)
        params, buffers = self._parameters, self._buffers
        plan = self._plan
        last = len(plan) - 1
        h = x
        for k, (kernel, keras_layout, mask, bias, cond) in enumerate(plan):
            w = params[kernel]
            if mask is not None:
                m = buffers[mask]
                w = w * (m.t() if keras_layout else m)
            h = _dense(h, w, None if bias is None else params[bias], keras_layout)
            if c is not None and cond is not None:
                h = h + _dense(c, params[cond[0]], None, cond[1])
            if k < last:
                h = self._activation(h)
        return h.unflatten(-1, (self._event_size, self._params))

    def _conditional_tensor(self, conditional_input: Any, x: torch.Tensor) -> torch.Tensor | None:
        if not self._conditional:
            if conditional_input is not None:
                raise ValueError(f"Argument `conditional_input`: network {self.name!r} was built "
                                 f"with conditional=False; pass conditional=True and "
                                 f"conditional_event_shape to condition it.")
            return None
        if conditional_input is None:
            raise ValueError(f"Argument `conditional_input`: network {self.name!r} is "
                             f"conditional (conditional_event_shape=[{self._conditional_size}]) "
                             f"and needs it, received None.")
        c = torch.as_tensor(conditional_input, dtype=x.dtype, device=x.device)
        if c.ndim < 1 or c.shape[-1] != self._conditional_size:
            raise ValueError(f"Argument `conditional_input`: expected size "
                             f"{self._conditional_size} on the last axis (conditional_event_shape="
                             f"[{self._conditional_size}]), received shape {list(c.shape)}.")
        if self._validate_args:
            _check_nan(c, "conditional_input", self.name)
        return c

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self._params,)

    def get_config(self) -> dict:
        config = super().get_config()
        order = self._input_order_arg
        if not isinstance(order, str):
            order = np.asarray(order).tolist()
        config.update({
            "params": self._params, "event_shape": self.event_shape and list(self.event_shape),
            "conditional": self._conditional,
            "conditional_event_shape": self._conditional_size and [self._conditional_size],
            "conditional_input_layers": self._conditional_layers,
            "hidden_units": self.hidden_units, "input_order": order,
            "hidden_degrees": self._hidden_degrees if isinstance(self._hidden_degrees, str)
            else [np.asarray(d).tolist() for d in self._hidden_degrees],
            "activation": self._activation_arg if isinstance(self._activation_arg, str | None)
            else getattr(self._activation_arg, "__name__", None),
            "use_bias": self._use_bias, "validate_args": self._validate_args})
        return config


# -- MAF --------------------------------------------------------------------------------------------
def owned_modules(fn: Any) -> list[torch.nn.Module]:
    """Modules a callable uses (the callable itself, a bound method's owner, or modules in its
    closure), so a flow can register them and train their parameters."""
    if isinstance(fn, torch.nn.Module):
        return [fn]
    found = []
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, torch.nn.Module):
        found.append(owner)
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if isinstance(value, torch.nn.Module):
            found.append(value)
        elif isinstance(value, list | tuple):
            found.extend(v for v in value if isinstance(v, torch.nn.Module))
    return found


def _check_fns(shift_and_log_scale_fn: Any, bijector_fn: Any, owner: str) -> None:
    if (shift_and_log_scale_fn is None) == (bijector_fn is None):
        raise ValueError(f"{owner}: give exactly one of `shift_and_log_scale_fn` and "
                         f"`bijector_fn`.")
    for name, fn in (("shift_and_log_scale_fn", shift_and_log_scale_fn),
                     ("bijector_fn", bijector_fn)):
        if fn is not None and not callable(fn):
            raise TypeError(f"Argument `{name}`: expected a callable, received "
                            f"{type(fn).__name__}.")


class MaskedAutoregressiveFlow(Bijector):
    """Masked autoregressive flow (TFP's ``MaskedAutoregressiveFlow``).

    ``forward`` (sampling direction) solves ``y = x * exp(log_scale(y)) + shift(y)`` one dimension
    at a time (``D`` network passes); ``inverse`` (density direction) is a single pass:
    ``x = (y - shift(y)) * exp(-log_scale(y))``, with inverse log-det ``-sum(log_scale(y))``.
    The inverse autoregressive flow is ``dp.bijectors.Invert(MaskedAutoregressiveFlow(...))``.

    Keyword arguments of the bijector methods (``conditional_input=c``) reach the network
    (or ``bijector_fn``), as in TFP.

    Args:
        shift_and_log_scale_fn: ``f(y, **kwargs)`` returning ``[..., D, 2]`` (unstacked into
            shift and log-scale on the last axis) or a pair ``(shift, log_scale)`` (either may be
            ``None``); typically an :class:`AutoregressiveNetwork` with ``params=2``. Modules it
            uses (itself, or modules in its closure) are registered and trained.
        bijector_fn: alternatively, ``f(y, **kwargs)`` returning a bijector (for example a
            ``RationalQuadraticSpline`` whose parameters come from a MADE); it must respect the
            autoregressive property.
        is_constant_jacobian: whether the log-scale is constant (no check).
        validate_args: reject NaN inputs.
        unroll_loop: ignored (TFP compatibility; the loop is always a Python loop).
        event_ndims: rank of one event (1, TFP's default).
        name: default ``"masked_autoregressive_flow"``.

    Example:
        >>> made = dp.bijectors.AutoregressiveNetwork(params=2, event_shape=[2], hidden_units=[8])
        >>> maf = dp.bijectors.MaskedAutoregressiveFlow(made)
        >>> x = torch.randn(3, 2)
        >>> torch.allclose(maf.inverse(maf.forward(x)), x, atol=1e-5)
        True
    """

    def __init__(self, shift_and_log_scale_fn: Callable | None = None,
                 bijector_fn: Callable | None = None, is_constant_jacobian: bool = False,
                 validate_args: bool = False, unroll_loop: bool = False, event_ndims: int = 1,
                 name: str | None = None):
        _check_fns(shift_and_log_scale_fn, bijector_fn, "MaskedAutoregressiveFlow")
        if isinstance(event_ndims, bool) or not isinstance(event_ndims, int) or event_ndims < 1:
            raise ValueError(f"Argument `event_ndims`: expected a positive integer, received "
                             f"{event_ndims!r}.")
        super().__init__(forward_min_event_ndims=event_ndims,
                         is_constant_jacobian=is_constant_jacobian, validate_args=validate_args,
                         name=name or "masked_autoregressive_flow")
        # the modules the functions use are registered once, under ``networks``
        self.networks = torch.nn.ModuleList(owned_modules(shift_and_log_scale_fn or bijector_fn))
        self.__dict__["_shift_and_log_scale_fn"] = shift_and_log_scale_fn
        self.__dict__["_bijector_fn"] = bijector_fn
        self._event_ndims_arg = event_ndims

    @property
    def shift_and_log_scale_fn(self) -> Callable | None:
        """The network giving shift and log-scale (``None`` when ``bijector_fn`` was given)."""
        return self._shift_and_log_scale_fn

    @property
    def bijector_fn(self) -> Callable | None:
        """The function giving the bijector (``None`` when ``shift_and_log_scale_fn`` was given)."""
        return self._bijector_fn

    # -- network ----------------------------------------------------------------------------------
    def _shift_log_scale(self, y: torch.Tensor, kwargs: dict):
        fn = self._shift_and_log_scale_fn
        if type(fn) is AutoregressiveNetwork and fn.built and fn._params == 2 and (
                not kwargs or (len(kwargs) == 1 and "conditional_input" in kwargs)):
            # the direct path (no Layer.__call__ bookkeeping): one network pass, one unbind
            return fn._network(y, kwargs.get("conditional_input")).unbind(-1)
        out = fn(y, **kwargs)
        if isinstance(out, torch.Tensor):
            if out.shape[-1] != 2:
                raise ValueError(f"{self.name}: `shift_and_log_scale_fn` returned a tensor of "
                                 f"shape {list(out.shape)}; expected a last axis of size 2 "
                                 f"(shift, log_scale), e.g. AutoregressiveNetwork(params=2).")
            return out.unbind(-1)
        shift, log_scale = out
        return shift, log_scale

    def _check(self, value: torch.Tensor, arg: str) -> None:
        if value.ndim < self.forward_min_event_ndims:
            raise ValueError(f"Argument `{arg}`: expected at least {self.forward_min_event_ndims} "
                             f"dimension(s) (the event), received shape {list(value.shape)}.")
        if self.validate_args:
            _check_nan(value, arg, self.name)

    def _event_dims(self) -> tuple[int, ...]:
        return tuple(range(-self.forward_min_event_ndims, 0))

    def _sum_event(self, ldj: torch.Tensor | None, like: torch.Tensor) -> torch.Tensor:
        if ldj is None:
            return like.new_zeros(like.shape[:like.ndim - self.forward_min_event_ndims])
        ldj = ldj.expand(like.shape) if ldj.shape != like.shape else ldj
        return ldj.sum(self._event_dims())

    def _inverse_pass(self, y: torch.Tensor, kwargs: dict):
        """``(x, ildj)`` from one network pass at ``y``."""
        self._check(y, "y")
        if self._bijector_fn is not None:
            b = self._bijector_fn(y, **kwargs)
            return b.inverse_and_log_det_jacobian(y, event_ndims=self.forward_min_event_ndims)
        shift, log_scale = self._shift_log_scale(y, kwargs)
        x = y if shift is None else y - shift
        if log_scale is None:
            return x, self._sum_event(None, y)
        neg = -log_scale  # one negation serves the value and the log-det
        return x * torch.exp(neg), self._sum_event(neg, y)

    def _forward_pass(self, x: torch.Tensor, kwargs: dict):
        """``(y, fldj)``: ``D`` sequential passes (the last one gives the log-det)."""
        self._check(x, "x")
        steps = math.prod(x.shape[x.ndim - self.forward_min_event_ndims:])
        y = torch.zeros_like(x)
        for _ in range(max(steps, 1)):
            if self._bijector_fn is not None:
                b = self._bijector_fn(y, **kwargs)
                y_new = b.forward(x)
            else:
                shift, log_scale = self._shift_log_scale(y, kwargs)
                y_new = x if log_scale is None else x * torch.exp(log_scale)
                if shift is not None:
                    y_new = y_new + shift
            y = y_new
        if self._bijector_fn is not None:
            b = self._bijector_fn(y, **kwargs)
            return y, b.forward_log_det_jacobian(x, event_ndims=self.forward_min_event_ndims)
        # the last pass saw every dimension that the log-scales depend on: they are final
        return y, self._sum_event(log_scale, x)

    # -- bijector hooks ---------------------------------------------------------------------------
    def _forward(self, x, **kwargs):
        return self._forward_pass(x, kwargs)[0]

    def _inverse(self, y, **kwargs):
        return self._inverse_pass(y, kwargs)[0]

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return self._inverse_pass(y, kwargs)[1]

    def _call_inverse_and_ildj(self, y, event_ndims, kwargs):
        x, ildj = self._inverse_pass(y, kwargs)
        return x, reduce_log_det(ildj, y.shape, event_ndims, self.forward_min_event_ndims)

    def _call_forward_and_fldj(self, x, event_ndims, kwargs):
        y, fldj = self._forward_pass(x, kwargs)
        return y, reduce_log_det(fldj, x.shape, event_ndims, self.forward_min_event_ndims)

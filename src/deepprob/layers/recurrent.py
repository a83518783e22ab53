"""Recurrent layers: the cells (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``), the generic
``RNN(cell)`` and the layers ``SimpleRNN``, ``LSTM`` and ``GRU``.

Weights keep Keras's layout and gate order at the boundary (``get_weights`` / ``set_weights``):
an LSTM ``kernel`` is ``(input_dim, 4 * units)`` in i, f, c, o order, a GRU's is in z, r, h order,
``recurrent_kernel`` is ``(units, gates * units)`` and a GRU with ``reset_after=True`` has a
``(2, 3 * units)`` bias (input bias, recurrent bias). Kernels are stored transposed (torch's
``(gates * units, input_dim)``), so LSTM and SimpleRNN weights feed torch's fused kernels as they
are; a GRU's gate blocks are reordered to torch's r, z, n at each call.

With the default activations and no recurrent dropout the layers run on torch's fused kernels,
masks included (see ``_rnn_kernels``); other configurations run a step loop with the same results.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F

from deepprob.engine.layer import InputSpec, Layer
from deepprob.layers import _rnn_kernels

__all__ = ["RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "SimpleRNN", "LSTM", "GRU"]


def _name_of(fn) -> str:
    from deepprob import activations

    return activations.serialize(fn) if fn is not None else "linear"


def _check_units(value, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Argument `units` of {owner}: expected a positive integer, "
                         f"received {value!r}.")
    return value


def _check_rate(value, name: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"Argument `{name}` of {owner}: expected a float in [0, 1), "
                         f"received {value!r}.")
    return float(value)


def _dropout_mask(like: torch.Tensor, rate: float) -> torch.Tensor:
    keep = 1.0 - rate
    return (torch.rand_like(like) < keep).to(like.dtype) / keep


class _Cell(Layer):
    """Shared arguments and weights of the built-in cells.

    Subclasses set ``_gates`` and implement ``_recur(x_proj, states, rec_mask)`` which takes the
    input projection of one step (``x @ kernel + input bias``) and returns ``(output, states)``.
    """

    _gates = 1

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, **kwargs):
        from deepprob import activations

        kwargs.pop("seed", None)
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.units = _check_units(units, owner)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.recurrent_constraint = recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout = _check_rate(dropout, "dropout", owner)
        self.recurrent_dropout = _check_rate(recurrent_dropout, "recurrent_dropout", owner)
        self._dp_mask = None
        self._rec_dp_mask = None

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def _bias_shape(self) -> tuple[int, ...]:
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the feature dimension of its "
                             f"input must be known, received input shape {tuple(input_shape)}.")
        g = self._gates * self.units
        # Keras layouts (in, g) and (units, g); stored transposed for F.linear / torch's kernels.
        self.add_weight("kernel", (in_dim, g), self.kernel_initializer,
                        regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                        torch_layout=(1, 0))
        self.add_weight("recurrent_kernel", (self.units, g), self.recurrent_initializer,
                        regularizer=self.recurrent_regularizer,
                        constraint=self.recurrent_constraint, torch_layout=(1, 0))
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self._bias_init(),
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    # -- math ----------------------------------------------------------------------------------
    def _input_bias(self):
        return self.bias

    def _project(self, x: torch.Tensor, dp_mask=None) -> torch.Tensor:
        if dp_mask is not None:
            x = x * dp_mask
        return F.linear(x, self.kernel, self._input_bias())

    def get_initial_state(self, batch_size: int, device=None, dtype=None) -> list[torch.Tensor]:
        """Zero states for ``batch_size`` rows."""
        dtype = dtype or self.kernel.dtype
        return [torch.zeros(batch_size, self.units, device=device or self.kernel.device,
                            dtype=dtype) for _ in range(self._n_states)]

    _n_states = 1

    def call(self, inputs, states, training=None):
        """One step: ``inputs`` ``(batch, features)``, ``states`` a list of ``(batch, units)``;
        returns ``(output, new_states)``."""
        if not isinstance(states, (list, tuple)):
            states = [states]
        dp_mask = self._dp_mask
        if dp_mask is None and training and self.dropout > 0:
            dp_mask = _dropout_mask(inputs, self.dropout)
        rec_mask = self._rec_dp_mask
        if rec_mask is None and training and self.recurrent_dropout > 0:
            rec_mask = _dropout_mask(states[0], self.recurrent_dropout)
        inputs = inputs if inputs.is_floating_point() else inputs.to(self.kernel.dtype)
        return self._recur(self._project(inputs, dp_mask), list(states), rec_mask)

    def _fused_mode(self) -> str | None:
        return None

    def _fused_weights(self) -> list[torch.Tensor]:
        raise NotImplementedError

    def get_config(self) -> dict:
        from deepprob import constraints, initializers, regularizers

        def ser(module, value):
            return module.serialize(module.get(value)) if value is not None else None

        return {**super().get_config(), "units": self.units,
                "activation": _name_of(self.activation),
                "recurrent_activation": _name_of(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": ser(initializers, self.kernel_initializer),
                "recurrent_initializer": ser(initializers, self.recurrent_initializer),
                "bias_initializer": ser(initializers, self.bias_initializer),
                "kernel_regularizer": ser(regularizers, self.kernel_regularizer),
                "recurrent_regularizer": ser(regularizers, self.recurrent_regularizer),
                "bias_regularizer": ser(regularizers, self.bias_regularizer),
                "kernel_constraint": ser(constraints, self.kernel_constraint),
                "recurrent_constraint": ser(constraints, self.recurrent_constraint),
                "bias_constraint": ser(constraints, self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: ``h = activation(x @ kernel + h @ recurrent_kernel + b)``.

    Args:
        units: size of the output / state.
        activation: activation (``"tanh"``).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers
            (Glorot uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the recurrent state dropped in training.

    Example:
        >>> cell = dp.layers.SimpleRNNCell(4)
        >>> out, states = cell(torch.ones(2, 3), [torch.zeros(2, 4)])
        >>> out.shape
        torch.Size([2, 4])
    """

    _gates = 1

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)

    def _recur(self, xp, states, rec_mask):
        h = states[0] if rec_mask is None else states[0] * rec_mask
        out = xp + F.linear(h, self.recurrent_kernel)
        if self.activation is not None:
            out = self.activation(out)
        return out, [out]

    def _fused_mode(self):
        name = _name_of(self.activation)
        return {"tanh": "RNN_TANH", "relu": "RNN_RELU"}.get(name)

    def _fused_weights(self):
        if not self.use_bias:
            return [self.kernel, self.recurrent_kernel]
        return [self.kernel, self.recurrent_kernel, self.bias, torch.zeros_like(self.bias)]

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.pop("recurrent_activation")
        return config_


class LSTMCell(_Cell):
    """One step of a long short-term memory (Hochreiter & Schmidhuber, 1997), Keras's gates:
    ``i, f, c, o`` blocks of the kernel; ``c = f * c + i * activation(z_c)``,
    ``h = o * activation(c)``.

    Args:
        units: size of the output / states.
        activation: activation of the candidate and of the cell output (``"tanh"``).
        recurrent_activation: activation of the gates (``"sigmoid"``).
        use_bias: whether to add a bias.
        unit_forget_bias: initialize the forget gate's bias to ones (Keras's default True).
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the recurrent state dropped in training.

    Example:
        >>> cell = dp.layers.LSTMCell(4)
        >>> h, (h_, c) = cell(torch.ones(2, 3), [torch.zeros(2, 4), torch.zeros(2, 4)])
        >>> c.shape
        torch.Size([2, 4])
    """

    _gates = 4
    _n_states = 2

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        from deepprob import initializers

        base = initializers.get(self.bias_initializer)
        units = self.units

        def init(shape, dtype=None):
            parts = [torch.as_tensor(base((units,), dtype=dtype)),
                     torch.ones(units, dtype=dtype),
                     torch.as_tensor(base((2 * units,), dtype=dtype))]
            return torch.cat(parts)

        return init

    def _recur(self, xp, states, rec_mask):
        h, c = states
        if rec_mask is not None:
            h = h * rec_mask
        z = xp + F.linear(h, self.recurrent_kernel)
        zi, zf, zc, zo = z.chunk(4, -1)
        act = self.activation or (lambda v: v)
        ract = self.recurrent_activation or (lambda v: v)
        c = ract(zf) * c + ract(zi) * act(zc)
        h = ract(zo) * act(c)
        return h, [h, c]

    def _fused_mode(self):
        if _name_of(self.activation) == "tanh" and _name_of(self.recurrent_activation) == "sigmoid":
            return "LSTM"
        return None

    def _fused_weights(self):
        # Keras's i, f, c, o order is torch's i, f, g, o: the weights go in as stored.
        if not self.use_bias:
            return [self.kernel, self.recurrent_kernel]
        return [self.kernel, self.recurrent_kernel, self.bias, torch.zeros_like(self.bias)]

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One step of a gated recurrent unit (Cho et al., 2014), Keras's gates ``z, r, h``:
    ``h = z * h_prev + (1 - z) * activation(x W_h + r * (h_prev U_h + b_rh))`` with
    ``reset_after=True`` (Keras's default, torch's and cuDNN's variant), or
    ``activation(x W_h + (r * h_prev) U_h)`` with ``reset_after=False``.

    Args:
        units: size of the output / state.
        activation: activation of the candidate (``"tanh"``).
        recurrent_activation: activation of the gates (``"sigmoid"``).
        use_bias: whether to add biases.
        reset_after: apply the reset gate after the recurrent matrix product; the bias is then
            ``(2, 3 * units)`` (input and recurrent biases), else ``(3 * units,)``.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the recurrent state dropped in training.

    Example:
        >>> cell = dp.layers.GRUCell(4)
        >>> h, states = cell(torch.ones(2, 3), [torch.zeros(2, 4)])
        >>> h.shape
        torch.Size([2, 4])
    """

    _gates = 3

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, reset_after: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None:
            return None
        return self.bias[0] if self.reset_after else self.bias

    def _recur(self, xp, states, rec_mask):
        h_prev = states[0]
        h_in = h_prev if rec_mask is None else h_prev * rec_mask
        u = self.units
        xz, xr, xh = xp.chunk(3, -1)
        act = self.activation or (lambda v: v)
        ract = self.recurrent_activation or (lambda v: v)
        if self.reset_after:
            inner = F.linear(h_in, self.recurrent_kernel,
                             self.bias[1] if self.bias is not None else None)
            rz, rr, rh = inner.chunk(3, -1)
            z, r = ract(xz + rz), ract(xr + rr)
            hh = act(xh + r * rh)
        else:
            inner = F.linear(h_in, self.recurrent_kernel[:2 * u])
            rz, rr = inner.chunk(2, -1)
            z, r = ract(xz + rz), ract(xr + rr)
            hh = act(xh + F.linear(r * h_in, self.recurrent_kernel[2 * u:]))
        h = z * h_prev + (1 - z) * hh
        return h, [h]

    def _fused_mode(self):
        if (self.reset_after and _name_of(self.activation) == "tanh"
                and _name_of(self.recurrent_activation) == "sigmoid"):
            return "GRU"
        return None

    def _fused_weights(self):
        # Keras's z, r, h blocks -> torch's r, z, n.
        u = self.units
        order = torch.cat([torch.arange(u, 2 * u), torch.arange(0, u), torch.arange(2 * u, 3 * u)])
        order = order.to(self.kernel.device)
        weights = [self.kernel.index_select(0, order),
                   self.recurrent_kernel.index_select(0, order)]
        if self.use_bias:
            weights += [self.bias[0].index_select(0, order), self.bias[1].index_select(0, order)]
        return weights

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}


def _as_state_list(value, owner: str) -> list:
    if value is None:
        return []
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError(f"Argument `initial_state` of {owner}: expected a tensor or a list of "
                    f"tensors, received {type(value).__name__}.")


class RNN(Layer):
    """A recurrent layer running ``cell`` over the time axis of ``(batch, steps, features)``.

    Args:
        cell: a cell layer with ``call(inputs, states, training=None) -> (output, states)``
            and ``state_size`` (an int or a list of ints), e.g. ``LSTMCell(32)``.
        return_sequences: return the output of every step ``(batch, steps, units)`` instead of
            the last one ``(batch, units)``.
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: process the sequence backwards (the returned sequence is in the reversed
            order, as Keras).
        stateful: the final states of a batch are the initial states of the next call (reset
            with ``reset_states()``).
        unroll: accepted for Keras compatibility (torch runs the loop either way).
        zero_output_for_mask: with a mask, masked steps of the returned sequence are zeros
            instead of repeating the previous output (``Bidirectional`` sets it).

    Call arguments:
        inputs: ``(batch, steps, features)``.
        mask: ``(batch, steps)`` booleans, True for real steps (from ``Embedding(mask_zero=True)``
            or ``Masking``): masked steps leave the states unchanged.
        training: enables dropout.
        initial_state: a tensor or list of tensors ``(batch, units)``.

    Example:
        >>> layer = dp.layers.RNN(dp.layers.LSTMCell(8), return_sequences=True)
        >>> layer(torch.ones(2, 5, 3)).shape
        torch.Size([2, 5, 8])
    """

    supports_masking = True

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        kwargs.pop("time_major", None)
        super().__init__(**kwargs)
        if not isinstance(cell, Layer) or not hasattr(cell, "state_size"):
            raise TypeError(
                f"Argument `cell` of {type(self).__name__}: expected a cell layer with "
                f"`call(inputs, states)` and `state_size` (e.g. LSTMCell), received "
                f"{type(cell).__name__}.")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self._stateful_states = None
        self.input_spec = InputSpec(ndim=3)

    @property
    def _state_sizes(self) -> list[int]:
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    @property
    def units(self) -> int:
        return getattr(self.cell, "units", self._state_sizes[0])

    def build(self, input_shape) -> None:
        if isinstance(input_shape, list):  # [inputs, *initial_states]
            input_shape = input_shape[0]
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs of shape "
                             f"(batch, steps, features), received {tuple(input_shape)}.")
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[-1]))
            self.cell.built = True
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})
        self.built = True

    def reset_states(self, states=None) -> None:
        """Forget (or set) the states carried between batches of a ``stateful`` layer."""
        if states is None:
            self._stateful_states = None
        else:
            self._stateful_states = [torch.as_tensor(s, dtype=self.cell.kernel.dtype)
                                     for s in _as_state_list(states, type(self).__name__)]

    reset_state = reset_states

    def _initial_states(self, x, initial_state) -> list[torch.Tensor]:
        batch = x.shape[0]
        sizes = self._state_sizes
        states = _as_state_list(initial_state, type(self).__name__)
        if (not states and self.stateful and self._stateful_states is not None
                and self._stateful_states[0].shape[0] == batch):
            states = self._stateful_states
        if not states:
            return [torch.zeros(batch, s, device=x.device, dtype=x.dtype) for s in sizes]
        if len(states) != len(sizes):
            raise ValueError(
                f"Argument `initial_state` of {type(self).__name__} {self.name!r}: expected "
                f"{len(sizes)} state tensor(s) of sizes {sizes}, received {len(states)}.")
        out = []
        for s, size in zip(states, sizes):
            s = torch.as_tensor(s).to(device=x.device, dtype=x.dtype)
            if s.dim() != 2 or s.shape[-1] != size or s.shape[0] != batch:
                raise ValueError(
                    f"Argument `initial_state` of {type(self).__name__} {self.name!r}: expected "
                    f"states of shape ({batch}, {size}), received {tuple(s.shape)}.")
            out.append(s)
        return out

    def _use_fused(self, training) -> bool:
        cell = self.cell
        return (type(cell) in (SimpleRNNCell, LSTMCell, GRUCell)
                and cell._fused_mode() is not None
                and not (training and cell.recurrent_dropout > 0))

    def call(self, inputs, mask=None, training=None, initial_state=None):
        x = inputs if inputs.is_floating_point() else inputs.to(self.dtype)
        states = self._initial_states(x, initial_state)
        if mask is not None:
            mask = mask.to(torch.bool)
            if mask.dim() == 3:
                mask = mask.any(-1)
        if self.go_backwards:
            x = x.flip(1)
            mask = mask.flip(1) if mask is not None else None
        result = None
        if self._use_fused(training):
            result = self._run_fused(x, states, mask, training)
        if result is None:
            result = self._run_loop(x, states, mask, training)
        seq, last, final = result
        if self.stateful and x.device.type != "meta":
            self._stateful_states = [s.detach() for s in final]
        output = seq if self.return_sequences else last
        if self.return_state:
            if self.return_sequences and mask is not None:
                output._keras_mask = mask.flip(1) if self.go_backwards else mask
            return [output] + list(final)
        return output

    def _run_fused(self, x, states, mask, training):
        cell = self.cell
        if training and cell.dropout > 0:
            x = x * _dropout_mask(x[:, :1], cell.dropout)
        result = _rnn_kernels.fused_rnn(
            cell._fused_mode(), x, [s.unsqueeze(0) for s in states], cell._fused_weights(),
            cell.use_bias, False, mask, self.return_sequences, self.zero_output_for_mask)
        if result is None:
            return None
        seq, last, final = result
        return seq, last[0], [f[0] for f in final]

    def _run_loop(self, x, states, mask, training):
        cell = self.cell
        builtin = isinstance(cell, _Cell)
        steps = x.shape[1]
        if builtin:
            dp_mask = (_dropout_mask(x[:, 0], cell.dropout)
                       if training and cell.dropout > 0 else None)
            rec_mask = (_dropout_mask(states[0], cell.recurrent_dropout)
                        if training and cell.recurrent_dropout > 0 else None)
            xp = cell._project(x, dp_mask)
        outputs = []
        prev = None
        for t in range(steps):
            if builtin:
                out, new_states = cell._recur(xp[:, t], list(states), rec_mask)
            else:
                out, new_states = cell(x[:, t], list(states), training=training)
                new_states = _as_state_list(new_states, type(cell).__name__)
            if prev is None:
                prev = torch.zeros_like(out)
            if mask is not None:
                m = mask[:, t].unsqueeze(-1)
                new_states = [torch.where(m, n, s) for n, s in zip(new_states, states)]
                out_seq = torch.where(m, out, torch.zeros_like(out)
                                      if self.zero_output_for_mask else prev)
                prev = torch.where(m, out, prev)
            else:
                out_seq = prev = out
            states = new_states
            if self.return_sequences:
                outputs.append(out_seq)
        seq = torch.stack(outputs, 1) if self.return_sequences else None
        return seq, prev, list(states)

    def compute_mask(self, inputs, mask=None):
        if mask is None or not self.return_sequences:
            return None
        mask = mask.to(torch.bool)
        return mask.any(-1) if mask.dim() == 3 else mask

    def get_config(self) -> dict:
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": {"class_name": type(self.cell).__name__,
                         "config": self.cell.get_config()}}

    @classmethod
    def from_config(cls, config_: dict):
        config_ = dict(config_)
        cell = config_.pop("cell")
        if isinstance(cell, dict):
            cells = {c.__name__: c for c in (SimpleRNNCell, LSTMCell, GRUCell)}
            if cell["class_name"] not in cells:
                raise ValueError(f"RNN.from_config: unknown cell class {cell['class_name']!r}.")
            cell = cells[cell["class_name"]].from_config(cell["config"])
        return cls(cell, **config_)

    def _clone(self, **overrides):
        """An unbuilt copy with new constructor arguments (``Bidirectional``'s backward layer)."""
        try:
            config_ = self.get_config()
            config_.update(overrides)
            config_.pop("name", None)
            return type(self).from_config(config_)
        except (TypeError, ValueError, KeyError):
            clone = copy.deepcopy(self)
            for key, value in overrides.items():
                setattr(clone, key, value)
            return clone


class _CellLayer(RNN):
    """A recurrent layer owning one built-in cell built from the layer's arguments."""

    _cell_class: type = _Cell
    _layer_keys = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                   "zero_output_for_mask", "name", "trainable", "dtype", "input_shape",
                   "batch_input_shape", "input_dim", "batch_size", "input_length", "weights",
                   "activity_regularizer", "time_major")

    def __init__(self, units: int, **kwargs):
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in self._layer_keys}
        dtype = layer_kwargs.get("dtype")
        cell = self._cell_class(units, dtype=dtype, name=f"{_snake(self._cell_class)}", **kwargs)
        super().__init__(cell, **layer_kwargs)

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            cell = self._modules.get("cell")
            if cell is not None and not name.startswith("_") and hasattr(cell, name):
                return getattr(cell, name)
            raise

    def get_config(self) -> dict:
        config_ = super().get_config()
        cell_config = config_.pop("cell")["config"]
        for key in ("name", "trainable", "dtype", "batch_input_shape"):
            cell_config.pop(key, None)
        return {**config_, **cell_config}

    @classmethod
    def from_config(cls, config_: dict):
        return cls(**config_)


def _snake(cls) -> str:
    from deepprob.engine.layer import to_snake_case, unique_name

    return unique_name(to_snake_case(cls.__name__))


class SimpleRNN(_CellLayer):
    """Fully connected RNN whose output is fed back: ``h_t = tanh(x_t W + h_{t-1} U + b)``.

    Runs on torch's fused ``nn.RNN`` kernel for ``activation`` tanh or relu without recurrent
    dropout (masks included); a step loop otherwise.

    Args:
        units: size of the output / state.
        activation: activation (``"tanh"``).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout: as ``SimpleRNNCell``.
        return_sequences, return_state, go_backwards, stateful, unroll: as ``RNN``.

    Example:
        >>> layer = dp.layers.SimpleRNN(4, return_state=True)
        >>> out, h = layer(torch.ones(2, 5, 3))
        >>> out.shape, h.shape
        (torch.Size([2, 4]), torch.Size([2, 4]))
    """

    _cell_class = SimpleRNNCell


class LSTM(_CellLayer):
    """Long short-term memory layer (Keras's weights, gate order i, f, c, o).

    Runs on torch's fused ``nn.LSTM`` kernel with the default activations (tanh, sigmoid) and no
    recurrent dropout, masks included (left or right padding); a step loop otherwise.

    Args:
        units: size of the output / states.
        activation: ``"tanh"``; recurrent_activation: ``"sigmoid"``.
        use_bias, unit_forget_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout:
        as ``LSTMCell``.
        return_sequences, return_state, go_backwards, stateful, unroll: as ``RNN``.

    Example:
        >>> layer = dp.layers.LSTM(8, return_sequences=True, return_state=True)
        >>> seq, h, c = layer(torch.ones(2, 5, 3))
        >>> seq.shape, c.shape
        (torch.Size([2, 5, 8]), torch.Size([2, 8]))
    """

    _cell_class = LSTMCell


class GRU(_CellLayer):
    """Gated recurrent unit layer (Keras's weights, gate order z, r, h).

    With ``reset_after=True`` (Keras's default) and the default activations it runs on torch's
    fused ``nn.GRU`` kernel (same equations), masks included; a step loop otherwise.

    Args:
        units: size of the output / state.
        activation: ``"tanh"``; recurrent_activation: ``"sigmoid"``.
        reset_after: Keras's default True (bias ``(2, 3 * units)``); False is the original
            GRU (bias ``(3 * units,)``).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout: as ``GRUCell``.
        return_sequences, return_state, go_backwards, stateful, unroll: as ``RNN``.

    Example:
        >>> layer = dp.layers.GRU(8)
        >>> layer(torch.ones(2, 5, 3)).shape
        torch.Size([2, 8])
    """

    _cell_class = GRUCell

"""Layer wrappers: ``Bidirectional`` (a recurrent layer run both ways) and ``TimeDistributed``
(a layer applied to every time step)."""

from __future__ import annotations

import inspect

import torch

from deepprob._errors import unknown
from deepprob.engine.layer import Layer
from deepprob.layers import _rnn_kernels
from deepprob.layers.recurrent import RNN

__all__ = ["Bidirectional", "TimeDistributed"]

_MERGE_MODES = ("concat", "sum", "mul", "ave")


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy of it backwards, and merge their outputs.

    The backward copy has ``go_backwards`` flipped; with ``return_sequences`` its outputs are
    reversed back so both align in time, and masked steps are zeros (as Keras). When both
    directions are fused-kernel configurations (default activations, no recurrent dropout, no
    input dropout in training, not stateful) one bidirectional torch kernel call runs both.

    Args:
        layer: a recurrent layer (``LSTM``, ``GRU``, ``SimpleRNN`` or ``RNN``).
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"``, or None to return
            ``[forward, backward]``.
        backward_layer: optional recurrent layer for the backward direction (its
            ``go_backwards`` must be the opposite of ``layer``'s).
        weights: optional initial weights (forward layer's, then backward layer's).

    Call arguments:
        inputs: ``(batch, steps, features)``.
        mask: optional ``(batch, steps)`` mask.
        training: enables dropout.
        initial_state: forward states followed by backward states.

    Example:
        >>> layer = dp.layers.Bidirectional(dp.layers.LSTM(8))
        >>> layer(torch.ones(2, 5, 3)).shape
        torch.Size([2, 16])
    """

    supports_masking = True

    def __init__(self, layer, merge_mode: str | None = "concat", weights=None,
                 backward_layer=None, **kwargs):
        if not isinstance(layer, RNN):
            raise TypeError(
                "Argument `layer` of Bidirectional: expected a recurrent layer (LSTM, GRU, "
                f"SimpleRNN or RNN), received {type(layer).__name__}.")
        if merge_mode is not None and merge_mode not in _MERGE_MODES:
            raise unknown("merge mode", merge_mode, _MERGE_MODES, argument="merge_mode")
        if backward_layer is not None:
            if not isinstance(backward_layer, RNN):
                raise TypeError(
                    "Argument `backward_layer` of Bidirectional: expected a recurrent layer, "
                    f"received {type(backward_layer).__name__}.")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError(
                    "Argument `backward_layer` of Bidirectional: its `go_backwards` must be the "
                    f"opposite of the forward layer's; both are {layer.go_backwards}.")
            if backward_layer.return_sequences != layer.return_sequences or (
                    backward_layer.return_state != layer.return_state):
                raise ValueError(
                    "Argument `backward_layer` of Bidirectional: `return_sequences` and "
                    "`return_state` must match the forward layer's.")
        super().__init__(weights=weights, **kwargs)
        if self._batch_input_shape is None and layer._batch_input_shape is not None:
            self._batch_input_shape = layer._batch_input_shape
        base = layer.name
        if backward_layer is None:
            backward_layer = layer._clone(go_backwards=not layer.go_backwards)
        else:
            base = backward_layer.name
        self.forward_layer = layer
        self.backward_layer = backward_layer
        layer.name = f"forward_{layer.name}"
        backward_layer.name = f"backward_{base}"
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        for sub in (layer, backward_layer):
            sub.zero_output_for_mask = self.return_sequences

    @property
    def layer(self):
        return self.forward_layer

    def build(self, input_shape) -> None:
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(input_shape)
                sub.built = True
        self.built = True

    def _fusable(self, training) -> bool:
        fw, bw = self.forward_layer, self.backward_layer
        return (type(fw) is type(bw) and type(fw.cell) is type(bw.cell)
                and not fw.go_backwards and bw.go_backwards
                and not fw.stateful and not bw.stateful
                and fw._use_fused(training) and bw._use_fused(training)
                and fw.cell._fused_mode() == bw.cell._fused_mode()
                and fw.cell.use_bias == bw.cell.use_bias
                and not (training and (fw.cell.dropout > 0 or bw.cell.dropout > 0)))

    def call(self, inputs, mask=None, training=None, initial_state=None):
        fw, bw = self.forward_layer, self.backward_layer
        if mask is not None:
            mask = mask.to(torch.bool)
            if mask.dim() == 3:
                mask = mask.any(-1)
        states = list(initial_state) if initial_state is not None else None
        if states is not None and len(states) % 2:
            raise ValueError(
                f"Argument `initial_state` of Bidirectional {self.name!r}: expected the forward "
                f"layer's states then the backward layer's (an even number), received "
                f"{len(states)}.")
        half = len(states) // 2 if states else 0
        fw_init = states[:half] if states else None
        bw_init = states[half:] if states else None
        result = None
        if self._fusable(training):
            result = self._call_fused(inputs, mask, fw_init, bw_init)
        if result is None:
            y_f = fw(inputs, mask=mask, training=training, initial_state=fw_init)
            y_b = bw(inputs, mask=mask, training=training, initial_state=bw_init)
            if self.return_state:
                y_f, f_states = y_f[0], list(y_f[1:])
                y_b, b_states = y_b[0], list(y_b[1:])
            else:
                f_states = b_states = []
            if self.return_sequences:
                y_b = y_b.flip(1)
        else:
            y_f, y_b, f_states, b_states = result
        output = self._merge(y_f, y_b)
        if self.return_state:
            if self.return_sequences and mask is not None and isinstance(output, torch.Tensor):
                output._keras_mask = mask
            head = [output] if isinstance(output, torch.Tensor) else list(output)
            return head + f_states + b_states
        return output

    def _call_fused(self, inputs, mask, fw_init, bw_init):
        fw, bw = self.forward_layer, self.backward_layer
        x = inputs if inputs.is_floating_point() else inputs.to(self.dtype)
        f0 = fw._initial_states(x, fw_init)
        b0 = bw._initial_states(x, bw_init)
        states = [torch.stack([a, b]) for a, b in zip(f0, b0)]
        result = _rnn_kernels.fused_rnn(
            fw.cell._fused_mode(), x, states,
            fw.cell._fused_weights() + bw.cell._fused_weights(), fw.cell.use_bias, True,
            mask, self.return_sequences, True)
        if result is None:
            return None
        seq, last, final = result
        if self.return_sequences:
            units = seq.shape[-1] // 2
            y_f, y_b = seq[..., :units], seq[..., units:]
        else:
            y_f, y_b = last[0], last[1]
        return y_f, y_b, [f[0] for f in final], [f[1] for f in final]

    def _merge(self, y_f, y_b):
        mode = self.merge_mode
        if mode == "concat":
            return torch.cat([y_f, y_b], -1)
        if mode == "sum":
            return y_f + y_b
        if mode == "mul":
            return y_f * y_b
        if mode == "ave":
            return (y_f + y_b) / 2
        return [y_f, y_b]

    def compute_mask(self, inputs, mask=None):
        if mask is None or not self.return_sequences:
            return None
        mask = mask.to(torch.bool)
        return mask.any(-1) if mask.dim() == 3 else mask

    def reset_states(self) -> None:
        """Reset both directions' carried states (stateful layers)."""
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": {"class_name": type(self.forward_layer).__name__,
                          "config": self.forward_layer.get_config()}}

    @classmethod
    def from_config(cls, config_: dict):
        from deepprob.layers import recurrent

        config_ = dict(config_)
        spec = config_.pop("layer")
        layer_cls = getattr(recurrent, spec["class_name"], None)
        if layer_cls is None:
            raise ValueError(f"Bidirectional.from_config: unknown layer class "
                             f"{spec['class_name']!r}.")
        inner = dict(spec["config"])
        inner.pop("name", None)
        return cls(layer_cls.from_config(inner), **config_)


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step: inputs ``(batch, steps, ...)`` are folded to
    ``(batch * steps, ...)``, passed through ``layer`` and unfolded.

    Args:
        layer: the layer to apply to each step (e.g. ``Dense``, ``Conv2D``).

    Example:
        >>> layer = dp.layers.TimeDistributed(dp.layers.Dense(4))
        >>> layer(torch.ones(2, 5, 3)).shape
        torch.Size([2, 5, 4])
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError("Argument `layer` of TimeDistributed: expected a layer, received "
                            f"{type(layer).__name__}.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape) -> None:
        if len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed {self.name!r}: expected inputs of shape (batch, steps, ...), "
                f"received {tuple(input_shape)}.")
        if not self.layer.built:
            self.layer.build((None,) + tuple(input_shape[2:]))
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if inputs.dim() < 3:
            raise ValueError(
                f"TimeDistributed {self.name!r}: expected inputs of shape (batch, steps, ...), "
                f"received {tuple(inputs.shape)}.")
        batch, steps = inputs.shape[:2]
        folded = inputs.reshape((batch * steps,) + tuple(inputs.shape[2:]))
        kwargs = {}
        params = inspect.signature(self.layer.call).parameters
        if "training" in params:
            kwargs["training"] = training
        if mask is not None and "mask" in params:
            kwargs["mask"] = mask.reshape(batch * steps, *mask.shape[2:])
        out = self.layer(folded, **kwargs)
        return out.reshape((batch, steps) + tuple(out.shape[1:]))

    def get_config(self) -> dict:
        return {**super().get_config(),
                "layer": {"class_name": type(self.layer).__name__,
                          "config": self.layer.get_config()}}


"""Torch's fused recurrent kernels (``torch._VF.lstm`` / ``gru`` / ``rnn_tanh`` / ``rnn_relu``)
run with Keras's masking semantics, without a Python loop over time steps.

A Keras mask is honoured when every row's unmasked steps form one contiguous block (right
padding, the course's left padding, or both). Each row is shifted so its block starts at step 0
(a gather), the batch is packed (``pack_padded_sequence``) and run through the fused kernel, and
the outputs are shifted back: steps before a row's block give zeros (Keras's initial "previous
output"), steps after it repeat the block's last output (or zeros with ``zero_output_for_mask``),
and the final states are the states after the block's last step. Rows with no unmasked step
keep their initial states. Masks with holes return ``None`` so the caller runs its step loop.
"""

from __future__ import annotations

import torch
from torch import _VF
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

_KERNELS = {"LSTM": _VF.lstm, "GRU": _VF.gru, "RNN_TANH": _VF.rnn_tanh, "RNN_RELU": _VF.rnn_relu}


def _run(mode: str, x: torch.Tensor, states: list[torch.Tensor], weights: list[torch.Tensor],
         has_bias: bool, bidirectional: bool, batch_sizes: torch.Tensor | None = None):
    """One fused call; returns ``(outputs, [h_n] or [h_n, c_n])`` with states ``(D, B, H)``."""
    kernel = _KERNELS[mode]
    hx = (states[0], states[1]) if mode == "LSTM" else states[0]
    if batch_sizes is None:
        result = kernel(x, hx, weights, has_bias, 1, 0.0, False, bidirectional, True)
    else:
        result = kernel(x, batch_sizes, hx, weights, has_bias, 1, 0.0, False, bidirectional)
    return result[0], list(result[1:])


def _mask_blocks(mask: torch.Tensor):
    """(first, length, any) per row when every row's True steps are contiguous, else None."""
    m = mask.to(torch.bool)
    steps = m.shape[1]
    count = m.sum(1)
    any_ = count > 0
    first = m.to(torch.uint8).argmax(1)
    last = steps - 1 - m.flip(1).to(torch.uint8).argmax(1)
    length = torch.where(any_, last - first + 1, torch.zeros_like(count))
    if not bool(torch.equal(length, count)):
        return None
    return first, length, any_


def fused_rnn(mode: str, x: torch.Tensor, states: list[torch.Tensor],
              weights: list[torch.Tensor], has_bias: bool, bidirectional: bool = False,
              mask: torch.Tensor | None = None, return_sequences: bool = True,
              zero_output_for_mask: bool = False):
    """Run a (bi)directional single-layer recurrence on ``x`` ``(batch, steps, features)``.

    Args:
        mode: ``"LSTM"``, ``"GRU"``, ``"RNN_TANH"`` or ``"RNN_RELU"``.
        x: the inputs, batch first.
        states: initial states, each ``(directions, batch, units)`` (``[h]``, LSTM ``[h, c]``).
        weights: torch's flat weights (``w_ih, w_hh[, b_ih, b_hh]`` per direction).
        has_bias: whether ``weights`` hold biases.
        bidirectional: run a second direction backwards over each row's unmasked block.
        mask: optional ``(batch, steps)`` Keras mask (True = keep).
        return_sequences: whether the per-step outputs are needed.
        zero_output_for_mask: masked steps after a row's block output zeros instead of
            repeating the last output.

    Returns:
        ``(sequence or None, last_outputs, final_states)`` where ``last_outputs`` is
        ``(directions, batch, units)`` (zeros for rows with no unmasked step), or ``None`` when
        the mask is not one contiguous block per row.
    """
    if mask is not None and x.device.type != "meta":
        blocks = _mask_blocks(mask)
        if blocks is None:
            return None
        first, length, any_ = blocks
        if bool(any_.all()) and bool((first == 0).all()) and bool((length == x.shape[1]).all()):
            mask = None  # nothing is masked
    else:
        mask = None
    if mask is None:
        out, final = _run(mode, x, states, weights, has_bias, bidirectional)
        return (out if return_sequences else None), final[0], final

    batch, steps = x.shape[:2]
    t = torch.arange(steps, device=x.device)
    shift = (t.unsqueeze(0) + first.unsqueeze(1)) % steps  # (B, T): source step of each slot
    xs = torch.gather(x, 1, shift.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    lengths = length.clamp(min=1).cpu()
    packed = pack_padded_sequence(xs, lengths, batch_first=True, enforce_sorted=False)
    sorted_states = [s.index_select(1, packed.sorted_indices) for s in states]
    data, final = _run(mode, packed.data, sorted_states, weights, has_bias, bidirectional,
                       packed.batch_sizes)
    final = [s.index_select(1, packed.unsorted_indices) for s in final]
    keep = any_.view(1, batch, 1)
    final = [torch.where(keep, f, s) for f, s in zip(final, states)]
    last = torch.where(keep, final[0], torch.zeros_like(final[0]))
    if not return_sequences:
        return None, last, final
    ys, _ = pad_packed_sequence(
        PackedSequence(data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices),
        batch_first=True, total_length=steps)
    rel = t.unsqueeze(0) - first.unsqueeze(1)  # (B, T): position inside the block
    inside = (rel >= 0) & (rel < length.unsqueeze(1))
    after = rel >= length.unsqueeze(1)
    index = rel.clamp(min=0).minimum((length - 1).clamp(min=0).unsqueeze(1))
    seq = torch.gather(ys, 1, index.unsqueeze(-1).expand(-1, -1, ys.shape[-1]))
    valid = inside if zero_output_for_mask else (inside | (after & any_.unsqueeze(1)))
    if bidirectional and not zero_output_for_mask:
        # The backward direction's "previous output" at steps after the block is zero
        # (it has not started yet) and before the block is its final output.
        units = ys.shape[-1] // 2
        fw = torch.where(valid.unsqueeze(-1), seq[..., :units], torch.zeros_like(seq[..., :units]))
        before = (rel < 0) & any_.unsqueeze(1)
        bw = torch.where(inside.unsqueeze(-1), seq[..., units:],
                         torch.where(before.unsqueeze(-1), last[1].unsqueeze(1),
                                     torch.zeros_like(seq[..., units:])))
        return torch.cat([fw, bw], -1), last, final
    return torch.where(valid.unsqueeze(-1), seq, torch.zeros_like(seq)), last, final

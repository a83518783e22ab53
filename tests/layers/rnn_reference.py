"""NumPy recurrences written from Keras's equations and ``get_weights()`` (test reference)."""

from __future__ import annotations

import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def simple_step(weights, activation=np.tanh):
    kernel, rec, *bias = weights
    b = bias[0] if bias else 0.0

    def step(x, states):
        h = activation(x @ kernel + states[0] @ rec + b)
        return h, [h]
    return step


def lstm_step(weights, activation=np.tanh, recurrent_activation=sigmoid):
    kernel, rec, *bias = weights
    b = bias[0] if bias else 0.0
    units = rec.shape[0]

    def step(x, states):
        h, c = states
        z = x @ kernel + h @ rec + b
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = recurrent_activation(f) * c + recurrent_activation(i) * activation(g)
        h = recurrent_activation(o) * activation(c)
        return h, [h, c]
    return step


def gru_step(weights, reset_after=True, activation=np.tanh, recurrent_activation=sigmoid):
    kernel, rec, *bias = weights
    units = rec.shape[0]
    if bias:
        b_in, b_rec = (bias[0][0], bias[0][1]) if reset_after else (bias[0], np.zeros(3 * units))
    else:
        b_in = b_rec = np.zeros(3 * units)

    def step(x, states):
        h = states[0]
        xp = x @ kernel + b_in
        xz, xr, xh = xp[:, :units], xp[:, units:2 * units], xp[:, 2 * units:]
        if reset_after:
            inner = h @ rec + b_rec
            z = recurrent_activation(xz + inner[:, :units])
            r = recurrent_activation(xr + inner[:, units:2 * units])
            hh = activation(xh + r * inner[:, 2 * units:])
        else:
            z = recurrent_activation(xz + h @ rec[:, :units])
            r = recurrent_activation(xr + h @ rec[:, units:2 * units])
            hh = activation(xh + (r * h) @ rec[:, 2 * units:])
        h = z * h + (1 - z) * hh
        return h, [h]
    return step


def run(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """Keras's RNN loop: returns (sequence, last_output, final_states).

    Masked steps keep the states; their output repeats the previous output (zeros before the
    first real step), or is zero with ``zero_output_for_mask``.
    """
    x = np.asarray(x, np.float64)
    steps = x.shape[1]
    if mask is None:
        mask = np.ones(x.shape[:2], bool)
    if go_backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]
    states = [np.asarray(s, np.float64) for s in states]
    prev = None
    seq = []
    for t in range(steps):
        out, new = step(x[:, t], states)
        if prev is None:
            prev = np.zeros_like(out)
        m = mask[:, t, None]
        states = [np.where(m, n, s) for n, s in zip(new, states)]
        seq.append(np.where(m, out, 0.0 if zero_output_for_mask else prev))
        prev = np.where(m, out, prev)
    return np.stack(seq, 1), prev, states

"""Bidirectional and TimeDistributed against NumPy recurrences and per-step application."""

from __future__ import annotations

import numpy as np
import pytest
import rnn_reference as ref
import torch

import deepprob as dp
from deepprob.layers.recurrent import GRU, LSTM, SimpleRNN
from deepprob.layers.wrappers import Bidirectional, TimeDistributed

B, T, F_, U = 4, 6, 3, 5
RNG = np.random.default_rng(0)
X = RNG.normal(size=(B, T, F_)).astype(np.float32)
MASKS = {
    "none": None,
    "pre": np.array([[0, 0, 1, 1, 1, 1], [1] * 6, [0, 0, 0, 0, 0, 1], [0] * 6], bool),
    "post": np.array([[1, 1, 1, 0, 0, 0], [1] * 6, [1, 0, 0, 0, 0, 0], [0] * 6], bool),
    "holes": np.array([[1, 0, 1, 1, 0, 1], [1] * 6, [0, 1, 0, 0, 1, 0], [1] * 6], bool),
}
STEPS = {LSTM: (ref.lstm_step, 2), GRU: (lambda w: ref.gru_step(w, True), 1),
         SimpleRNN: (ref.simple_step, 1)}
MERGE = {"concat": lambda f, b: np.concatenate([f, b], -1), "sum": np.add, "mul": np.multiply,
         "ave": lambda f, b: (f + b) / 2}


def _randomized(layer):
    layer(torch.from_numpy(X))
    rng = np.random.default_rng(3)
    layer.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32)
                       for w in layer.get_weights()])
    return [w.astype(np.float64) for w in layer.get_weights()]


def _reference(cls, weights, mask, return_sequences):
    step, n = STEPS[cls]
    half = len(weights) // 2
    zeros = [np.zeros((B, U))] * n
    f_seq, f_last, f_states = ref.run(step(weights[:half]), X, zeros, mask, False,
                                      return_sequences)
    b_seq, b_last, b_states = ref.run(step(weights[half:]), X, zeros, mask, True,
                                      return_sequences)
    if return_sequences:
        return f_seq, b_seq[:, ::-1], f_states, b_states
    return f_last, b_last, f_states, b_states


@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
@pytest.mark.parametrize("mask_name", list(MASKS))
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_matches_numpy(cls, mask_name, return_sequences):
    layer = Bidirectional(cls(U, return_sequences=return_sequences, return_state=True))
    weights = _randomized(layer)
    mask = MASKS[mask_name]
    out = layer(torch.from_numpy(X), mask=None if mask is None else torch.from_numpy(mask))
    f, b, f_states, b_states = _reference(cls, weights, mask, return_sequences)
    np.testing.assert_allclose(out[0].detach().numpy(), np.concatenate([f, b], -1), atol=1e-5)
    for got, want in zip(out[1:], f_states + b_states):
        np.testing.assert_allclose(got.detach().numpy(), want, atol=1e-5)


@pytest.mark.parametrize("merge_mode", ["sum", "mul", "ave", None])
def test_merge_modes(merge_mode):
    layer = Bidirectional(LSTM(U, return_sequences=True), merge_mode=merge_mode)
    weights = _randomized(layer)
    mask = MASKS["pre"]
    out = layer(torch.from_numpy(X), mask=torch.from_numpy(mask))
    f, b, _, _ = _reference(LSTM, weights, mask, True)
    if merge_mode is None:
        np.testing.assert_allclose(out[0].detach().numpy(), f, atol=1e-5)
        np.testing.assert_allclose(out[1].detach().numpy(), b, atol=1e-5)
    else:
        np.testing.assert_allclose(out.detach().numpy(), MERGE[merge_mode](f, b), atol=1e-5)
        assert torch.equal(out._keras_mask, torch.from_numpy(mask))


@pytest.mark.parametrize("mask_name", ["none", "pre", "post"])
def test_fused_bidirectional_equals_two_separate_layers(mask_name, monkeypatch):
    fused = Bidirectional(GRU(U, return_sequences=True))
    _randomized(fused)
    split = Bidirectional(GRU(U, return_sequences=True))
    split(torch.from_numpy(X))
    split.set_weights(fused.get_weights())
    monkeypatch.setattr(split, "_fusable", lambda training: False)
    calls = []
    original = fused._call_fused
    monkeypatch.setattr(fused, "_call_fused", lambda *a: calls.append(1) or original(*a))
    mask = MASKS[mask_name]
    kwargs = {} if mask is None else {"mask": torch.from_numpy(mask)}
    x = torch.from_numpy(X).requires_grad_(True)
    a = fused(x, **kwargs)
    (a ** 2).sum().backward()
    grad_a = x.grad.clone()
    x.grad = None
    b = split(x, **kwargs)
    (b ** 2).sum().backward()
    assert calls == [1]
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(grad_a, x.grad, atol=1e-5, rtol=1e-5)


def test_initial_state_and_weights_order():
    layer = Bidirectional(LSTM(U, return_state=True))
    weights = _randomized(layer)
    assert layer.forward_layer.name.startswith("forward_")
    assert layer.backward_layer.name.startswith("backward_")
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    states = [RNG.normal(size=(B, U)).astype(np.float32) for _ in range(4)]
    out = layer(torch.from_numpy(X), initial_state=[torch.from_numpy(s) for s in states])
    _, f_last, _ = ref.run(ref.lstm_step(weights[:3]), X, states[:2])
    _, b_last, _ = ref.run(ref.lstm_step(weights[3:]), X, states[2:], go_backwards=True)
    np.testing.assert_allclose(out[0].detach().numpy(), np.concatenate([f_last, b_last], -1),
                               atol=1e-5)


def test_bidirectional_in_a_sequential_model_trains():
    model = dp.Sequential([dp.layers.Embedding(20, 4), Bidirectional(LSTM(3)),
                           dp.layers.Dense(1)])
    x = np.random.default_rng(0).integers(1, 20, size=(16, 7))
    y = (x[:, -1:] > 10).astype(np.float32)
    model.compile(optimizer=dp.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert model.layers[1].count_params() == 2 * (4 * 3 * (4 + 3 + 1))


def test_bad_arguments():
    with pytest.raises(TypeError, match="layer"):
        Bidirectional(dp.layers.Dense(3))
    with pytest.raises(ValueError, match="merge_mode"):
        Bidirectional(LSTM(3), merge_mode="concatenate")
    with pytest.raises(ValueError, match="go_backwards"):
        Bidirectional(LSTM(3), backward_layer=LSTM(3))
    with pytest.raises(TypeError, match="layer"):
        TimeDistributed("dense")


def test_time_distributed_applies_the_layer_per_step():
    dense = dp.layers.Dense(2)
    layer = TimeDistributed(dense)
    out = layer(torch.from_numpy(X))
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(out.detach().numpy(), X @ kernel + bias, atol=1e-5)
    conv = TimeDistributed(dp.layers.Conv2D(2, 3))
    frames = torch.randn(2, 3, 5, 5, 1)
    out = conv(frames)
    assert out.shape == (2, 3, 3, 3, 2)
    torch.testing.assert_close(out[:, 1], conv.layer(frames[:, 1]))


def test_config_round_trip():
    layer = Bidirectional(GRU(4, return_sequences=True, reset_after=False), merge_mode="sum")
    clone = Bidirectional.from_config(layer.get_config())
    assert clone.merge_mode == "sum" and clone.return_sequences
    assert clone.forward_layer.reset_after is False and clone.backward_layer.go_backwards

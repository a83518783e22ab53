"""SimpleRNN / LSTM / GRU against NumPy recurrences written from Keras's equations and weights."""

from __future__ import annotations

import numpy as np
import pytest
import rnn_reference as ref
import torch

import deepprob as dp
from deepprob.layers.embedding import Embedding
from deepprob.layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell

B, T, F_, U = 4, 6, 3, 5
RNG = np.random.default_rng(0)
X = RNG.normal(size=(B, T, F_)).astype(np.float32)

MASKS = {
    "none": None,
    "pre": np.array([[0, 0, 1, 1, 1, 1], [1] * 6, [0, 0, 0, 0, 0, 1], [0] * 6], bool),
    "post": np.array([[1, 1, 1, 0, 0, 0], [1] * 6, [1, 0, 0, 0, 0, 0], [0] * 6], bool),
    "both": np.array([[0, 1, 1, 1, 0, 0], [1] * 6, [0, 0, 0, 1, 1, 0], [1, 1, 0, 0, 0, 0]], bool),
    "holes": np.array([[1, 0, 1, 1, 0, 1], [1] * 6, [0, 1, 0, 0, 1, 0], [1] * 6], bool),
}

KINDS = {
    "simple": (lambda **k: SimpleRNN(U, **k), lambda w: ref.simple_step(w), 1),
    "simple_relu": (lambda **k: SimpleRNN(U, activation="relu", **k),
                    lambda w: ref.simple_step(w, lambda v: np.maximum(v, 0)), 1),
    "lstm": (lambda **k: LSTM(U, **k), lambda w: ref.lstm_step(w), 2),
    "gru": (lambda **k: GRU(U, **k), lambda w: ref.gru_step(w, True), 1),
    "gru_v1": (lambda **k: GRU(U, reset_after=False, **k), lambda w: ref.gru_step(w, False), 1),
}


def _randomize(layer):
    """Random weights (biases included) so every gate and bias term matters."""
    rng = np.random.default_rng(1)
    layer.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32)
                       for w in layer.get_weights()])
    return [w.astype(np.float64) for w in layer.get_weights()]


def _check(kind, mask_name, go_backwards, zero_output_for_mask=False, initial=False):
    make, step, n_states = KINDS[kind]
    layer = make(return_sequences=True, return_state=True, go_backwards=go_backwards,
                 zero_output_for_mask=zero_output_for_mask)
    layer(torch.from_numpy(X))
    weights = _randomize(layer)
    mask = MASKS[mask_name]
    states0 = ([RNG.normal(size=(B, U)).astype(np.float32) for _ in range(n_states)] if initial
               else [np.zeros((B, U), np.float32) for _ in range(n_states)])
    kwargs = {"mask": torch.from_numpy(mask)} if mask is not None else {}
    if initial:
        kwargs["initial_state"] = [torch.from_numpy(s) for s in states0]
    out = layer(torch.from_numpy(X), **kwargs)
    seq, last, states = ref.run(step(weights), X, states0, mask, go_backwards,
                                zero_output_for_mask)
    np.testing.assert_allclose(out[0].detach().numpy(), seq, atol=1e-5)
    for got, want in zip(out[1:], states):
        np.testing.assert_allclose(got.detach().numpy(), want, atol=1e-5)
    # return_sequences=False gives the last output (equal to the last masked output).
    single = make(go_backwards=go_backwards)
    single(torch.from_numpy(X))
    single.set_weights(layer.get_weights())
    single_kwargs = {k: v for k, v in kwargs.items()}
    np.testing.assert_allclose(single(torch.from_numpy(X), **single_kwargs).detach().numpy(),
                               last, atol=1e-5)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("mask_name", list(MASKS))
def test_matches_numpy_recurrence(kind, mask_name):
    _check(kind, mask_name, go_backwards=False)


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru", "gru_v1"])
@pytest.mark.parametrize("mask_name", ["none", "pre", "both"])
def test_go_backwards_and_initial_state(kind, mask_name):
    _check(kind, mask_name, go_backwards=True, initial=True)


@pytest.mark.parametrize("mask_name", ["pre", "post", "both"])
def test_zero_output_for_mask(mask_name):
    _check("lstm", mask_name, go_backwards=False, zero_output_for_mask=True)
    _check("gru", mask_name, go_backwards=True, zero_output_for_mask=True)


def test_non_default_activations_use_the_step_loop():
    layer = LSTM(U, activation="relu", recurrent_activation="hard_sigmoid",
                 return_sequences=True)
    layer(torch.from_numpy(X))
    weights = _randomize(layer)
    assert layer.cell._fused_mode() is None
    hard = dp.activations.get("hard_sigmoid")
    step = ref.lstm_step(weights, lambda v: np.maximum(v, 0),
                         lambda v: hard(torch.from_numpy(v)).numpy())
    seq, _, _ = ref.run(step, X, [np.zeros((B, U))] * 2, MASKS["pre"])
    out = layer(torch.from_numpy(X), mask=torch.from_numpy(MASKS["pre"]))
    np.testing.assert_allclose(out.detach().numpy(), seq, atol=1e-5)


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
@pytest.mark.parametrize("mask_name", ["none", "pre", "post"])
def test_default_configurations_never_loop(kind, mask_name, monkeypatch):
    layer = KINDS[kind][0](return_sequences=True)

    def fail(*args, **kwargs):
        raise AssertionError("the step loop ran")

    monkeypatch.setattr(layer, "_run_loop", fail)
    mask = MASKS[mask_name]
    layer(torch.from_numpy(X), mask=None if mask is None else torch.from_numpy(mask))


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple"])
def test_fused_gradients_equal_the_step_loop(kind):
    fused = KINDS[kind][0](return_sequences=True)
    x = torch.from_numpy(X).requires_grad_(True)
    mask = torch.from_numpy(MASKS["both"])
    fused(x)
    _randomize(fused)
    loop = KINDS[kind][0](return_sequences=True)
    loop(x)
    loop.set_weights(fused.get_weights())
    loop._use_fused = lambda training: False
    grads = []
    for layer in (fused, loop):
        x.grad = None
        out = layer(x, mask=mask)
        (out ** 2).sum().backward()
        grads.append([x.grad.clone()] + [p.grad.clone() for p in layer.weights])
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_keras_weight_layout_and_unit_forget_bias():
    lstm = LSTM(7)
    lstm(torch.zeros(1, 2, 3))
    kernel, rec, bias = lstm.get_weights()
    assert kernel.shape == (3, 28) and rec.shape == (7, 28) and bias.shape == (28,)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(7), np.ones(7), np.zeros(14)])
    # The orthogonal recurrent initializer gives orthonormal columns per the (7, 28) matrix rows.
    np.testing.assert_allclose(rec @ rec.T, np.eye(7), atol=1e-5)
    gru = GRU(7, reset_after=False)
    gru(torch.zeros(1, 2, 3))
    assert [w.shape for w in gru.get_weights()] == [(3, 21), (7, 21), (21,)]
    gru2 = GRU(7)
    gru2(torch.zeros(1, 2, 3))
    assert [w.shape for w in gru2.get_weights()] == [(3, 21), (7, 21), (2, 21)]
    nobias = GRU(2, use_bias=False)
    nobias(torch.zeros(1, 2, 3))
    assert [w.shape for w in nobias.get_weights()] == [(3, 6), (2, 6)]


def test_stateful_carries_states_between_calls():
    layer = GRU(U, stateful=True, return_sequences=True)
    whole = GRU(U, return_sequences=True)
    x = torch.from_numpy(X)
    first = layer(x[:, :3])
    whole(x)
    whole.set_weights(layer.get_weights())
    second = layer(x[:, 3:])
    torch.testing.assert_close(torch.cat([first, second], 1), whole(x))
    layer.reset_states()
    torch.testing.assert_close(layer(x[:, :3]), first)


def test_generic_rnn_with_a_custom_cell():
    class MinimalCell(dp.layers.Layer):
        state_size = U

        def build(self, input_shape):
            self.add_weight("kernel", (input_shape[-1], U))
            self.built = True

        def call(self, inputs, states):
            h = torch.tanh(inputs @ self.kernel + states[0])
            return h, [h]

    layer = RNN(MinimalCell(), return_sequences=True)
    out = layer(torch.from_numpy(X), mask=torch.from_numpy(MASKS["pre"]))
    (kernel,) = layer.get_weights()

    def step(x, states):
        h = np.tanh(x @ kernel + states[0])
        return h, [h]

    seq, _, _ = ref.run(step, X, [np.zeros((B, U))], MASKS["pre"])
    np.testing.assert_allclose(out.detach().numpy(), seq, atol=1e-5)


def test_cells_step_as_keras():
    for cell, step, n in ((SimpleRNNCell(U), ref.simple_step, 1), (LSTMCell(U), ref.lstm_step, 2),
                          (GRUCell(U), ref.gru_step, 1)):
        states = [torch.randn(B, U) for _ in range(n)]
        out, new = cell(torch.from_numpy(X[:, 0]), states)
        weights = _randomize(cell)
        out, new = cell(torch.from_numpy(X[:, 0]), states)
        want, want_states = step(weights)(X[:, 0].astype(np.float64),
                                          [s.numpy().astype(np.float64) for s in states])
        np.testing.assert_allclose(out.detach().numpy(), want, atol=1e-5)
        for a, b in zip(new, want_states):
            np.testing.assert_allclose(a.detach().numpy(), b, atol=1e-5)


def test_dropout_masks_are_per_sequence_and_training_only():
    layer = SimpleRNN(U, dropout=0.5, return_sequences=True)
    x = torch.from_numpy(X)
    eval_out = layer(x)
    torch.testing.assert_close(layer(x, training=False), eval_out)
    torch.manual_seed(0)
    train_out = layer(x, training=True)
    assert not torch.allclose(train_out, eval_out)
    # Same-features-at-every-step inputs: a per-sequence dropout mask leaves a constant input,
    # so with zero recurrent weights the training outputs are constant over time.
    layer.set_weights([w if i != 1 else np.zeros_like(w) for i, w in
                       enumerate(layer.get_weights())])
    const = torch.ones(B, T, F_)
    out = layer(const, training=True)
    torch.testing.assert_close(out, out[:, :1].expand_as(out))


def test_mask_from_embedding_reaches_the_layer_in_a_model():
    ids = np.array([[0, 0, 3, 4], [5, 6, 7, 8]])
    model = dp.Sequential([Embedding(10, 3, mask_zero=True), LSTM(U)])
    out = model(torch.from_numpy(ids)).detach().numpy()
    emb, *lstm_w = model.get_weights()
    x = emb[ids]
    _, last, _ = ref.run(ref.lstm_step([w.astype(np.float64) for w in lstm_w]), x,
                         [np.zeros((2, U))] * 2, ids != 0)
    np.testing.assert_allclose(out, last, atol=1e-5)


def test_return_sequences_passes_the_mask_on():
    layer = GRU(U, return_sequences=True)
    mask = torch.from_numpy(MASKS["pre"])
    out = layer(torch.from_numpy(X), mask=mask)
    assert torch.equal(out._keras_mask, mask)
    out = GRU(U)(torch.from_numpy(X), mask=mask)
    assert getattr(out, "_keras_mask", None) is None


def test_config_round_trip():
    layer = LSTM(6, return_sequences=True, go_backwards=True, dropout=0.1, unit_forget_bias=False)
    clone = LSTM.from_config(layer.get_config())
    for key in ("units", "return_sequences", "go_backwards", "dropout", "unit_forget_bias"):
        assert getattr(clone, key) == getattr(layer, key)
    gru = GRU.from_config(GRU(3, reset_after=False).get_config())
    assert gru.reset_after is False


def test_symbolic_model_summary_shapes():
    inputs = dp.Input(shape=(T, F_))
    seq, h, c = LSTM(U, return_sequences=True, return_state=True)(inputs)
    model = dp.Model(inputs, [seq, h, c])
    outs = model(torch.from_numpy(X))
    assert [tuple(o.shape) for o in outs] == [(B, T, U), (B, U), (B, U)]


def test_bad_arguments():
    with pytest.raises(ValueError, match="units"):
        LSTM(0)
    with pytest.raises(ValueError, match="recurrent_dropout"):
        GRU(3, recurrent_dropout=1.5)
    with pytest.raises(ValueError, match="initial_state"):
        LSTM(U)(torch.from_numpy(X), initial_state=[torch.zeros(B, U)])
    with pytest.raises(ValueError, match="initial_state"):
        GRU(U)(torch.from_numpy(X), initial_state=[torch.zeros(B, U + 1)])
    with pytest.raises(TypeError, match="cell"):
        RNN(dp.layers.Dense(3))
    with pytest.raises(ValueError, match="steps"):
        LSTM(U)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="activation"):
        LSTM(U, activation="tanhh")


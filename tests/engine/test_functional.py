import numpy as np
import pytest
import torch

import deepprob as dp


def test_torch_functions_and_operators_are_recorded_between_layers():
    x = dp.Input(shape=(5,))
    h = torch.unsqueeze(x, -1) * 100.0          # no Lambda needed
    h = h[:, :, 0] - 1.0
    y = dp.layers.Dense(1, use_bias=False)(h)
    model = dp.Model(x, y)
    assert y.shape == (None, 1)
    kernel = model.layers[-1].get_weights()[0]
    data = np.random.rand(3, 5).astype("float32")
    np.testing.assert_allclose(model.predict(data, verbose=0), (data * 100 - 1) @ kernel,
                               rtol=1e-4)


def test_tensor_methods_are_recorded():
    x = dp.Input(shape=(4, 3))
    y = x.mean(dim=1)
    assert y.shape == (None, 3)
    model = dp.Model(x, y)
    data = torch.randn(2, 4, 3)
    torch.testing.assert_close(model(data), data.mean(dim=1))


def test_multiple_inputs_and_outputs_with_dict_data():
    a = dp.Input(shape=(3,), name="a")
    b = dp.Input(shape=(2,), name="b")
    ha = dp.layers.Dense(4, name="ha")(a)
    hb = dp.layers.Dense(4, name="hb")(b)
    s = ha + hb
    out1 = dp.layers.Dense(1, name="out1")(s)
    out2 = dp.layers.Dense(2, name="out2")(s)
    model = dp.Model([a, b], [out1, out2])
    xa, xb = np.random.rand(6, 3).astype("float32"), np.random.rand(6, 2).astype("float32")
    p_list = model.predict([xa, xb], verbose=0)
    p_dict = model.predict({"a": xa, "b": xb}, verbose=0)
    assert p_list[0].shape == (6, 1) and p_list[1].shape == (6, 2)
    np.testing.assert_allclose(p_list[1], p_dict[1])
    model.compile(optimizer="sgd", loss=["mse", "mse"], loss_weights=[1.0, 0.5])
    hist = model.fit([xa, xb], [np.zeros((6, 1)), np.zeros((6, 2))], epochs=1, verbose=0)
    assert set(hist.history) == {"loss", "out1_loss", "out2_loss"}
    total = hist.history["out1_loss"][0] + 0.5 * hist.history["out2_loss"][0]
    assert hist.history["loss"][0] == pytest.approx(total, rel=1e-5)


def test_cut_at_named_layer_freeze_and_new_head():
    base = dp.Sequential([
        dp.layers.Flatten(input_shape=(4, 4)),
        dp.layers.Dense(8, activation="relu", name="features"),
        dp.layers.Dense(3, activation="softmax", name="old_head"),
    ])
    for layer in base.layers:
        layer.trainable = False
    features = base.get_layer("features").output
    head = dp.layers.Dense(2, activation="softmax", name="new_head")(features)
    model = dp.Model(base.input, head)
    assert [layer.name for layer in model.layers][1:] == ["flatten", "features", "new_head"]
    frozen = [w.copy() for w in base.get_layer("features").get_weights()]
    x = np.random.rand(32, 4, 4).astype("float32")
    y = np.random.randint(0, 2, 32)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    for before, after in zip(frozen, base.get_layer("features").get_weights()):
        np.testing.assert_array_equal(before, after)
    assert model.count_params() == 16 * 8 + 8 + 8 * 2 + 2
    assert sum(p.numel() for p in model.trainable_weights) == 8 * 2 + 2


def test_nested_model_used_as_layer():
    inner_in = dp.Input(shape=(3,))
    inner = dp.Model(inner_in, dp.layers.Dense(2)(inner_in), name="inner")
    x = dp.Input(shape=(3,))
    y = dp.layers.Dense(1)(inner(x))
    outer = dp.Model(x, y)
    assert inner in outer.layers
    data = torch.randn(4, 3)
    expected = outer.layers[-1](inner(data))
    torch.testing.assert_close(outer(data), expected)
    assert outer.count_params() == (3 * 2 + 2) + (2 + 1)


def test_disconnected_graph_is_rejected():
    a = dp.Input(shape=(2,))
    b = dp.Input(shape=(2,))
    y = dp.layers.Dense(1)(a + b)
    with pytest.raises(ValueError, match="Graph disconnected"):
        dp.Model(a, y)


def test_wrong_input_shape_for_built_model():
    x = dp.Input(shape=(3,))
    model = dp.Model(x, dp.layers.Dense(1)(x))
    with pytest.raises(ValueError, match=r"expected shape \(None, 3\).*\(2, 4\)"):
        model(torch.zeros(2, 4))


def test_subclassed_model_trains():
    class TwoLayer(dp.Model):
        def __init__(self):
            super().__init__()
            self.hidden = dp.layers.Dense(16, activation="tanh")
            self.out = dp.layers.Dense(1)

        def call(self, x, training=None):
            return self.out(self.hidden(x))

    model = TwoLayer()
    x = np.linspace(-1, 1, 256, dtype="float32")[:, None]
    y = x ** 2
    model.compile(optimizer=dp.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=60, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    assert len(model.layers) == 2 and model.count_params() == 16 * 2 + 17


def test_symbolic_python_control_flow_is_a_clear_error():
    x = dp.Input(shape=(2,))
    with pytest.raises(TypeError, match="truth value"):
        if x:
            pass

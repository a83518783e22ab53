"""Configs: layers by registered name, functional graphs with torch-function nodes, functions."""

from __future__ import annotations

import json
import operator

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.engine import serialization as ser
from deepprob.engine.symbolic import symbolic_call


@ser.register_keras_serializable(package="TestSer")
class Scale(dp.layers.Layer):
    """A custom layer with one weight and a constructor argument."""

    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.add_weight("w", (input_shape[-1],), "ones")
        self.built = True

    def call(self, x):
        return self.factor * x * self.w

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _predict(model, x):
    return model.predict(x, verbose=0)


def test_layer_round_trip_by_class_name():
    layer = dp.layers.Dense(3, activation="tanh", use_bias=False, name="d")
    config = ser.serialize_keras_object(layer)
    assert config["class_name"] == "Dense" and config["registered_name"] == "Dense"
    json.dumps(config)  # JSON-ready
    again = ser.deserialize_keras_object(config)
    assert type(again) is dp.layers.Dense
    assert again.get_config() == layer.get_config()


def test_registered_custom_layer_and_unknown_class_errors():
    assert ser.get_registered_name(Scale) == "TestSer>Scale"
    config = ser.serialize_keras_object(Scale(3.0, name="scale"))
    assert config["registered_name"] == "TestSer>Scale"
    layer = ser.deserialize_keras_object(config)
    assert isinstance(layer, Scale) and layer.factor == 3.0
    with pytest.raises(ValueError, match="Did you mean 'Dense'"):
        ser.deserialize_keras_object({"class_name": "Dens", "config": {"units": 2}})
    with pytest.raises(ValueError, match="register_keras_serializable"):
        ser.deserialize_keras_object({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="package"):
        ser.register_keras_serializable(package="a>b")


def test_custom_objects_take_precedence():
    class Other(Scale):
        pass

    config = ser.serialize_keras_object(Scale(1.5))
    layer = ser.deserialize_keras_object(config, custom_objects={"TestSer>Scale": Other})
    assert type(layer) is Other and layer.factor == 1.5


def _torch_op_model():
    a = dp.Input(shape=(5,), name="a")
    b = dp.Input(shape=(3,), name="b")
    h = dp.layers.Dense(4, activation="relu")(a)
    joined = torch.cat([h, 100.0 * b], dim=-1)
    inner = dp.Sequential([dp.layers.Dense(6, activation="tanh", input_shape=(7,)),
                           dp.layers.Dense(2)])
    z = torch.unsqueeze(inner(joined), -1)
    first = z[:, 0] - 1.0
    out = Scale(0.5)(first.mean(dim=1, keepdim=True))
    return dp.Model([a, b], [z, out])


def test_functional_config_records_torch_functions_by_qualified_name():
    model = _torch_op_model()
    config = model.get_config()
    json.dumps(config)
    ops = {e["name"]: e["config"] for e in config["layers"] if e["class_name"] == "TorchFunction"}
    functions = sorted(c.get("function", "method:" + c.get("method", "")) for c in ops.values())
    assert functions == ["method:mean", "operator.getitem", "operator.mul", "operator.sub",
                         "torch.cat", "torch.unsqueeze"]
    unsqueeze = next(e for e in config["layers"] if e["config"].get("function") == "torch.unsqueeze")
    assert unsqueeze["inbound_nodes"][0]["args"][1] == -1
    getitem = next(e for e in config["layers"] if e["config"].get("function") == "operator.getitem")
    index = getitem["inbound_nodes"][0]["args"][1]
    assert ser.decode_value(index) == (slice(None, None, None), 0)
    classes = [e["class_name"] for e in config["layers"]]
    assert classes.count("InputLayer") == 2 and "Sequential" in classes
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]


def test_functional_from_config_rebuilds_the_same_function():
    model = _torch_op_model()
    again = dp.Model.from_config(json.loads(json.dumps(model.get_config())))
    assert [type(lay).__name__ for lay in again.layers] == [
        type(lay).__name__ for lay in model.layers]
    again.set_weights(model.get_weights())
    xa = np.random.rand(6, 5).astype("float32")
    xb = np.random.rand(6, 3).astype("float32")
    expected, got = _predict(model, [xa, xb]), _predict(again, [xa, xb])
    # Reference by hand: the graph's math written directly in torch.
    w = model.get_weights()
    h = np.maximum(xa @ w[0] + w[1], 0)
    joined = np.concatenate([h, 100.0 * xb], -1)
    z = np.tanh(joined @ w[2] + w[3]) @ w[4] + w[5]
    ref_out = 0.5 * (z[:, 0:1] - 1.0) * w[6]
    np.testing.assert_allclose(expected[0][..., 0], z, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(expected[1], ref_out, rtol=1e-5, atol=1e-5)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(e, g)


def test_shared_layer_and_dict_outputs_round_trip():
    x = dp.Input(shape=(4,), name="x")
    shared = dp.layers.Dense(4, name="shared")
    y = shared(shared(x))
    model = dp.Model(x, {"twice": y, "sum": y + x})
    config = model.get_config()
    entry = next(e for e in config["layers"] if e["name"] == "shared")
    assert len(entry["inbound_nodes"]) == 2
    assert entry["inbound_nodes"][1]["args"][0]["config"]["keras_history"] == ["shared", 0, 0]
    again = dp.Model.from_config(config)
    again.set_weights(model.get_weights())
    data = np.random.rand(3, 4).astype("float32")
    w, b = model.get_weights()
    ref = (data @ w + b) @ w + b
    out = again(torch.from_numpy(data))
    np.testing.assert_allclose(out["twice"].detach().numpy(), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["sum"].detach().numpy(), ref + data, rtol=1e-5, atol=1e-6)


def test_unstorable_nodes_are_refused_with_a_clear_error():
    x = dp.Input(shape=(3,))
    y = symbolic_call(lambda t: t * 2, (x,), {})
    with pytest.raises(ValueError, match="lambda or local function.*save_weights"):
        dp.Model(x, y).get_config()
    weight = torch.nn.Parameter(torch.ones(3))
    z = x * weight
    with pytest.raises(ValueError, match="Parameter.*add_weight"):
        dp.Model(x, z).get_config()


def test_serialize_function_by_name_and_bytecode():
    assert ser.serialize_function(torch.unsqueeze)["config"] == "torch.unsqueeze"
    assert ser.serialize_function(operator.mul)["config"] == "operator.mul"
    assert ser.serialize_function(torch.nn.functional.relu)["config"] in (
        "torch.nn.functional.relu", "torch.relu")
    assert ser.deserialize_function(ser.serialize_function(torch.unsqueeze)) is torch.unsqueeze

    offset = 3.0
    stored = ser.serialize_function(lambda t, k=2: torch.unsqueeze(t, -1) * k + offset)
    assert stored["class_name"] == "__lambda__"
    json.dumps(stored)
    with pytest.raises(ValueError, match="safe_mode=False"):
        ser.deserialize_function(stored)
    with ser.SafeModeScope(False):
        fn = ser.deserialize_function(json.loads(json.dumps(stored)))
    t = torch.arange(4.0).reshape(2, 2)
    torch.testing.assert_close(fn(t), torch.unsqueeze(t, -1) * 2 + 3.0)


def test_bytecode_capturing_a_module_is_refused():
    layer = dp.layers.Dense(2)
    with pytest.raises(ValueError, match="captured"):
        ser.serialize_function(lambda t: layer(t))


def test_constant_values_round_trip():
    values = [(1, 2), slice(1, None, 2), Ellipsis, torch.float64, {"k": [1, (2, 3)]},
              torch.tensor([[1.0, 2.0]]), None, "s", 2.5]
    for value in values:
        back = ser.decode_value(json.loads(json.dumps(ser.encode_value(value))))
        if isinstance(value, torch.Tensor):
            torch.testing.assert_close(back, value)
        else:
            assert back == value


def test_sequential_config_keeps_input_shape_and_dtype():
    model = dp.Sequential([dp.Input(shape=(6,), dtype="int64"),
                           dp.layers.Lambda(torch.neg), dp.layers.Dense(2)])
    config = model.get_config()
    assert config["build_input_shape"] == [None, 6] and config["input_dtype"] == "int64"
    again = dp.Sequential.from_config(config)
    assert again._input_tensor.dtype == torch.int64 and again.count_params() == 14


def test_model_to_json_and_back_and_clone_model():
    model = _torch_op_model()
    text = model.to_json()
    fresh = dp.models.model_from_json(text)
    assert json.loads(fresh.to_json())["config"]["layers"] == json.loads(text)["config"]["layers"]
    clone = dp.models.clone_model(model)
    assert clone.count_params() == model.count_params()
    assert not all(np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))
    clone.set_weights(model.get_weights())
    xa, xb = np.random.rand(2, 5).astype("float32"), np.random.rand(2, 3).astype("float32")
    for e, g in zip(_predict(model, [xa, xb]), _predict(clone, [xa, xb])):
        np.testing.assert_array_equal(e, g)
    with pytest.raises(ValueError, match="JSON"):
        dp.models.model_from_json("{not json")


def test_distribution_method_nodes_are_summarized_and_refused_clearly(tmp_path):
    dist = dp.distributions.Normal(loc=torch.zeros(2), scale=torch.ones(2))
    x = dp.Input(shape=(2,))
    model = dp.Model(x, dist.log_prob(x))
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert any("Normal.log_prob (TorchOp)" in line for line in lines)
    with pytest.raises(ValueError, match="method of a Normal object.*save_weights"):
        model.save(tmp_path / "flow.keras")
    assert not list(tmp_path.iterdir())  # nothing written

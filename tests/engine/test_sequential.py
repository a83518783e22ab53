import numpy as np
import pytest
import torch

import deepprob as dp


def first_model():
    return dp.Sequential([
        dp.layers.Flatten(input_shape=(28, 28)),
        dp.layers.Dense(128, activation="relu"),
        dp.layers.Dense(10, activation="softmax"),
    ])


def test_course_model_param_count_matches_keras():
    assert first_model().count_params() == 101_770


def test_add_pop_and_layers():
    model = dp.Sequential()
    model.add(dp.Input(shape=(3,)))
    model.add(dp.layers.Dense(4))
    model.add(dp.layers.Dense(2))
    assert model.built and model.output.shape == (None, 2)
    removed = model.pop()
    assert removed.units == 2 and len(model.layers) == 1
    assert model.output.shape == (None, 4)


def test_lazy_build_from_first_batch():
    model = dp.Sequential([dp.layers.Dense(4), dp.layers.Dense(1)])
    assert not model.built
    out = model(torch.zeros(2, 7))
    assert out.shape == (2, 1) and model.built
    assert model.count_params() == 7 * 4 + 4 + 5
    assert model.get_layer(index=0).output.shape == (None, 4)


def test_input_layer_must_be_first():
    model = dp.Sequential([dp.layers.Dense(2)])
    with pytest.raises(ValueError, match="first element"):
        model.add(dp.Input(shape=(3,)))


def test_sequential_output_equals_layer_by_layer():
    model = first_model()
    x = torch.rand(5, 28, 28)
    h = x.reshape(5, -1)
    for layer in model.layers[1:]:
        h = layer(h)
    torch.testing.assert_close(model(x), h)
    assert model(x).sum(dim=1).sub(1).abs().max() < 1e-5


def test_get_weights_in_keras_order():
    model = first_model()
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(784, 128), (128,), (128, 10), (10,)]
    weights = [np.random.rand(*s).astype("float32") for s in shapes]
    model.set_weights(weights)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)

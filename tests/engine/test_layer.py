import numpy as np
import pytest
import torch

import deepprob as dp


def test_unique_automatic_names():
    a, b, c = dp.layers.Dense(2), dp.layers.Dense(2), dp.layers.Dense(2, name="head")
    assert b.name != a.name and b.name.startswith("dense_")
    assert c.name == "head"


def test_lazy_build_and_keras_weight_layout_matches_numpy():
    layer = dp.layers.Dense(3)
    assert not layer.built
    x = torch.randn(5, 4)
    y = layer(x)
    assert layer.built
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_set_weights_round_trip_and_shape_error():
    layer = dp.layers.Dense(2)
    layer(torch.zeros(1, 3))
    w = [np.arange(6, dtype="float32").reshape(3, 2), np.array([1.0, -1.0], dtype="float32")]
    layer.set_weights(w)
    out = layer(torch.ones(1, 3)).detach().numpy()
    np.testing.assert_allclose(out, [[0 + 2 + 4 + 1, 1 + 3 + 5 - 1]])
    with pytest.raises(ValueError, match=r"expects shape \(3, 2\), received \(2, 3\)"):
        layer.set_weights([w[0].T, w[1]])
    with pytest.raises(ValueError, match="list of 2 arrays, received 1"):
        layer.set_weights([w[0]])


def test_trainable_flag_freezes_weights():
    layer = dp.layers.Dense(2)
    layer(torch.zeros(1, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not any(p.requires_grad for p in layer.parameters())
    layer.trainable = True
    assert len(layer.trainable_weights) == 2


def test_add_loss_inside_call_is_collected():
    class Penalized(dp.layers.Layer):
        def call(self, x):
            self.add_loss(x.abs().sum())
            return x

    layer = Penalized()
    layer(torch.tensor([1.0, -2.0]))
    assert len(layer.losses) == 1 and float(layer.losses[0]) == 3.0


def test_unknown_activation_suggests_the_closest():
    with pytest.raises(ValueError, match="relu"):
        dp.layers.Dense(3, activation="rleu")


@pytest.mark.parametrize("units", [0, -3, 2.5, "8"])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match=f"`units`.*received {units!r}".replace("(", r"\(")):
        dp.layers.Dense(units)


def test_wrong_input_width_for_built_layer_names_layer_and_shapes():
    layer = dp.layers.Dense(2, name="probe")
    layer(torch.zeros(1, 3))
    with pytest.raises(ValueError, match=r"probe.*axis -1.*size 3.*\(4, 5\)"):
        layer(torch.zeros(4, 5))


def test_regularizer_penalty_in_losses():
    layer = dp.layers.Dense(2, kernel_regularizer=dp.regularizers.L2(0.1))
    layer(torch.zeros(1, 3))
    kernel = layer.get_weights()[0]
    assert float(layer.losses[0].detach()) == pytest.approx(0.1 * float((kernel ** 2).sum()), rel=1e-5)


def test_config_round_trip():
    layer = dp.layers.Dense(7, activation="tanh", use_bias=False, name="d7")
    clone = dp.layers.Dense.from_config(layer.get_config())
    assert (clone.units, clone.use_bias, clone.name) == (7, False, "d7")
    x = torch.randn(2, 3)
    clone(x)
    layer(x)
    clone.set_weights(layer.get_weights())
    torch.testing.assert_close(clone(x), layer(x))

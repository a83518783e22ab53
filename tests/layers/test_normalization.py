"""BatchNormalization / LayerNormalization / UnitNormalization against hand-computed statistics."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers.normalization import (
    BatchNormalization,
    LayerNormalization,
    UnitNormalization,
)


def test_batch_norm_training_output_and_moving_average_update():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(16, 5, 4, 3)).astype("float32")
    bn = BatchNormalization()
    bn(torch.from_numpy(x))
    gamma = rng.uniform(0.5, 2, 3).astype("float32")
    beta = rng.normal(size=3).astype("float32")
    mm0 = rng.normal(size=3).astype("float32")
    mv0 = rng.uniform(0.5, 2, 3).astype("float32")
    bn.set_weights([gamma, beta, mm0, mv0])
    y = bn(torch.from_numpy(x), training=True).detach().numpy()
    x64 = x.astype("float64")
    mean = x64.mean(axis=(0, 1, 2))
    var = x64.var(axis=(0, 1, 2))  # biased, as Keras's moments
    np.testing.assert_allclose(y, (x64 - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-4)
    g, b, mm, mv = bn.get_weights()
    np.testing.assert_allclose(mm, 0.99 * mm0 + 0.01 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mv, 0.99 * mv0 + 0.01 * var, rtol=1e-5, atol=1e-6)
    # inference uses the moving statistics and does not change them
    y_inf = bn(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(y_inf, (x64 - mm) / np.sqrt(mv + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(bn.get_weights()[2], mm)


def test_batch_norm_weights_order_and_trainability():
    bn = BatchNormalization()
    bn(torch.zeros(2, 6))
    assert [tuple(w.shape) for w in bn.get_weights()] == [(6,)] * 4
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    assert bn.count_params() == 24
    np.testing.assert_array_equal(bn.get_weights()[3], np.ones(6))


def test_frozen_batch_norm_runs_in_inference_mode_even_when_training():
    x = torch.randn(8, 4) * 5 + 3
    bn = BatchNormalization()
    bn(x)
    bn.trainable = False
    before = [w.copy() for w in bn.get_weights()]
    y = bn(x, training=True)
    for a, b in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)
    torch.testing.assert_close(y, x / np.sqrt(1 + 1e-3))  # moving stats 0 / 1, gamma 1, beta 0


def test_model_called_in_training_mode_updates_moving_stats_inside_the_model():
    x = np.random.default_rng(1).normal(4.0, 1.0, size=(64, 3)).astype("float32")
    model = dp.Sequential([BatchNormalization(input_shape=(3,)), dp.layers.Dense(1)])
    model(torch.from_numpy(x), training=True)
    mm = model.layers[0].get_weights()[2]
    np.testing.assert_allclose(mm, 0.01 * x.mean(axis=0), rtol=1e-4)
    model(torch.from_numpy(x))  # inference: no update
    np.testing.assert_array_equal(model.layers[0].get_weights()[2], mm)


def test_batch_norm_channels_first_axis_and_gradients():
    x = torch.randn(4, 3, 5, 5, requires_grad=True)
    bn = BatchNormalization(axis=1)
    y = bn(x, training=True)
    ref = torch.nn.functional.batch_norm(x, None, None, training=True, eps=1e-3)
    torch.testing.assert_close(y, ref)
    (y * torch.arange(75.0).reshape(3, 5, 5)).sum().backward()
    assert bn.gamma.grad is not None and x.grad is not None
    x2 = x.detach().clone().requires_grad_(True)
    mean = x2.mean(dim=(0, 2, 3), keepdim=True)
    var = x2.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
    (((x2 - mean) / torch.sqrt(var + 1e-3)) * torch.arange(75.0).reshape(3, 5, 5)).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-4, atol=1e-4)


def test_batch_norm_masked_statistics():
    x = torch.randn(2, 4, 3)
    mask = torch.tensor([[True, True, False, False], [True, True, True, False]])
    bn = BatchNormalization()
    bn(x, training=True, mask=mask)
    kept = x[mask]
    np.testing.assert_allclose(bn.get_weights()[2], 0.01 * kept.mean(0).numpy(), rtol=1e-4,
                               atol=1e-6)


def test_layer_norm_matches_hand_computation():
    x = np.random.default_rng(2).normal(size=(3, 4, 5)).astype("float32")
    ln = LayerNormalization()
    ln(torch.from_numpy(x))
    gamma = np.linspace(0.5, 1.5, 5).astype("float32")
    beta = np.linspace(-1, 1, 5).astype("float32")
    ln.set_weights([gamma, beta])
    x64 = x.astype("float64")
    mean, var = x64.mean(-1, keepdims=True), x64.var(-1, keepdims=True)
    np.testing.assert_allclose(ln(torch.from_numpy(x)).detach().numpy(),
                               (x64 - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4,
                               atol=1e-5)
    ln2 = LayerNormalization(axis=[1, 2])
    y2 = ln2(torch.from_numpy(x)).detach().numpy()
    mean2, var2 = x64.mean((1, 2), keepdims=True), x64.var((1, 2), keepdims=True)
    np.testing.assert_allclose(y2, (x64 - mean2) / np.sqrt(var2 + 1e-3), rtol=1e-4, atol=1e-5)
    ln3 = LayerNormalization(axis=1)  # not trailing: the general path
    y3 = ln3(torch.from_numpy(x)).detach().numpy()
    mean3, var3 = x64.mean(1, keepdims=True), x64.var(1, keepdims=True)
    np.testing.assert_allclose(y3, (x64 - mean3) / np.sqrt(var3 + 1e-3), rtol=1e-4, atol=1e-5)
    assert ln3.get_weights()[0].shape == (4,)


def test_unit_normalization():
    x = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    torch.testing.assert_close(UnitNormalization()(x), torch.tensor([[0.6, 0.8], [0.0, 0.0]]))


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`momentum`.*received 1.5"):
        BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match=r"`epsilon`.*received 0"):
        LayerNormalization(epsilon=0)
    with pytest.raises(ValueError, match=r"`axis`.*received 'x'"):
        BatchNormalization(axis="x")
    with pytest.raises(ValueError, match="out of range"):
        BatchNormalization(axis=3)(torch.zeros(2, 3))
    bn = BatchNormalization()
    bn(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"expected ndim=2, received ndim=3"):
        bn(torch.zeros(2, 3, 3))

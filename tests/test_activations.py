"""Activations vs closed forms written in NumPy / math."""

import math

import numpy as np
import pytest
import torch
from scipy.special import erf

import deepprob as dp
from deepprob import activations as A

X = np.linspace(-7.0, 7.0, 57)
T = torch.tensor(X)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_softplus(x):
    return np.log1p(np.exp(x))


def np_relu6(x):
    return np.minimum(np.maximum(x, 0), 6)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

CLOSED_FORMS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": np_sigmoid,
    "tanh": np.tanh,
    "linear": lambda x: x,
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))),
    "swish": lambda x: x * np_sigmoid(x),
    "silu": lambda x: x * np_sigmoid(x),
    "softplus": np_softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "relu6": np_relu6,
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np_relu6(x + 3) / 6,
    "hard_swish": lambda x: x * np_relu6(x + 3) / 6,
    "hard_silu": lambda x: x * np_relu6(x + 3) / 6,
    "mish": lambda x: x * np.tanh(np_softplus(x)),
    "log_sigmoid": lambda x: np.log(np_sigmoid(x)),
    "celu": lambda x: np.maximum(x, 0) + np.minimum(0, np.exp(x) - 1),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "tanh_shrink": lambda x: x - np.tanh(x),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_elementwise_closed_forms(name):
    out = dp.activations.get(name)(T)
    np.testing.assert_allclose(out.numpy(), CLOSED_FORMS[name](X), rtol=1e-10, atol=1e-12)
    assert getattr(A, name) is dp.activations.get(name)


def test_relu_options_follow_keras():
    # max_value saturates, threshold zeroes below it, negative_slope applies below threshold
    out = A.relu(T, negative_slope=0.1, max_value=4.0, threshold=1.0).numpy()
    expected = np.where(X >= 4.0, 4.0, np.where(X > 1.0, X, 0.1 * (X - 1.0)))
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_allclose(A.relu(T, max_value=6.0).numpy(), np_relu6(X))
    np.testing.assert_allclose(A.relu(T, negative_slope=0.3).numpy(), np.where(X > 0, X, 0.3 * X))
    np.testing.assert_allclose(A.relu(T, threshold=2.0).numpy(), np.where(X > 2, X, 0.0))
    with pytest.raises(ValueError, match="max_value"):
        A.relu(T, max_value=-1.0)


def test_softmax_log_softmax_and_parameters():
    x = torch.tensor([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]], dtype=torch.float64)
    e = np.exp(x.numpy() - x.numpy().max(axis=-1, keepdims=True))
    np.testing.assert_allclose(A.softmax(x).numpy(), e / e.sum(-1, keepdims=True), rtol=1e-12)
    shifted = x.numpy() - x.numpy().max(axis=-1, keepdims=True)
    np.testing.assert_allclose(A.log_softmax(x).numpy(),
                               shifted - np.log(np.exp(shifted).sum(-1, keepdims=True)),
                               rtol=1e-12)
    e0 = np.exp(x.numpy() - x.numpy().max(axis=0, keepdims=True))
    np.testing.assert_allclose(A.softmax(x, axis=0).numpy(), e0 / e0.sum(0, keepdims=True))
    assert torch.isfinite(A.log_softmax(x)).all()
    np.testing.assert_allclose(A.elu(T, alpha=0.5).numpy(), np.where(X > 0, X, 0.5 * np.expm1(X)))
    c = math.sqrt(2 / math.pi)
    np.testing.assert_allclose(A.gelu(T, approximate=True).numpy(),
                               0.5 * X * (1 + np.tanh(c * (X + 0.044715 * X**3))), rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(A.leaky_relu(T, negative_slope=0.01).numpy(),
                               np.where(X > 0, X, 0.01 * X))
    glu_in = torch.tensor([2.0, 0.0, 4.0, 1.0], dtype=torch.float64)
    np.testing.assert_allclose(A.glu(glu_in).numpy(),
                               np.array([2.0, 0.0]) * np_sigmoid(np.array([4.0, 1.0])))
    with pytest.raises(ValueError, match="even"):
        A.glu(torch.ones(3))


def test_get_serialize_and_errors():
    assert dp.activations.get(None) is A.linear
    assert dp.activations.get("ReLU") is A.relu
    assert dp.activations.get(torch.tanh) is torch.tanh
    module = torch.nn.ReLU()
    assert dp.activations.get(module) is module
    assert dp.activations.get({"class_name": "function", "config": "elu"}) is A.elu
    for name in ("relu", "sigmoid", "softmax", "tanh", "linear", "gelu", "silu", "hard_sigmoid"):
        assert dp.activations.serialize(dp.activations.get(name)) == name
    assert dp.activations.serialize(A.swish) == "silu"
    assert dp.activations.serialize(torch.sigmoid) == "sigmoid"
    assert dp.activations.serialize(torch.nn.functional.relu) == "relu"

    def custom(x):
        return x * 2

    assert dp.activations.serialize(custom) == "custom"
    assert dp.activations.deserialize("custom", custom_objects={"custom": custom}) is custom
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        dp.activations.get("rleu")
    with pytest.raises(TypeError, match="activation"):
        dp.activations.get(3)


def test_gradients_flow():
    x = torch.linspace(-2.9, 2.9, 12, dtype=torch.float64, requires_grad=True)
    for name in ("relu", "selu", "gelu", "mish", "softplus", "hard_silu"):
        torch.autograd.gradcheck(lambda t, n=name: dp.activations.get(n)(t), (x,))

"""Embedding: lookup values, Keras's uniform initializer, masks, weights=[matrix], errors."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers.embedding import Embedding
from deepprob.layers.pooling import GlobalAveragePooling1D


def test_lookup_equals_table_rows_and_float_ids_are_cast():
    layer = Embedding(7, 3)
    ids = torch.tensor([[1, 6, 0], [2, 2, 5]])
    out = layer(ids)
    table = layer.get_weights()[0]
    assert table.shape == (7, 3)
    np.testing.assert_array_equal(out.detach().numpy(), table[ids.numpy()])
    torch.testing.assert_close(layer(ids.float()), out)


def test_default_initializer_is_uniform_005():
    w = Embedding(500, 40)
    w(torch.zeros(1, 1, dtype=torch.long))
    values = w.get_weights()[0]
    assert values.min() >= -0.05 and values.max() <= 0.05
    assert abs(values.std() - 0.1 / np.sqrt(12)) < 0.002  # U(-a, a) has std a / sqrt(3)


def test_mask_zero_produces_a_mask():
    layer = Embedding(5, 2, mask_zero=True)
    out = layer(torch.tensor([[3, 0, 4, 0]]))
    torch.testing.assert_close(out._keras_mask, torch.tensor([[True, False, True, False]]))
    assert layer.compute_mask(torch.tensor([[0, 1]])).tolist() == [[False, True]]
    assert getattr(Embedding(5, 2)(torch.tensor([[0, 1]])), "_keras_mask", None) is None


def test_weights_matrix_and_frozen_table():
    matrix = np.arange(12, dtype="float32").reshape(4, 3)
    layer = Embedding(4, 3, weights=[matrix], trainable=False)
    out = layer(torch.tensor([[3, 1]]))
    np.testing.assert_array_equal(out.numpy(), matrix[[3, 1]][None])
    assert layer.trainable_weights == [] and layer.count_params() == 12
    with pytest.raises(ValueError, match=r"expects shape \(4, 3\), received \(3, 4\)"):
        Embedding(4, 3, weights=[matrix.T])(torch.tensor([[1]]))


def test_input_length_gives_a_model_its_input_shape_and_parameter_count():
    model = dp.Sequential([Embedding(10000, 16, input_length=120),
                           GlobalAveragePooling1D(),
                           dp.layers.Dense(24, activation="relu"), dp.layers.Dense(1)])
    assert model.count_params() == 160_000 + (16 * 24 + 24) + 25
    out = model(torch.randint(0, 10000, (2, 120)))
    assert tuple(out.shape) == (2, 1)


def test_gradient_reaches_only_looked_up_rows():
    layer = Embedding(6, 2)
    layer(torch.tensor([[1, 1, 4]])).sum().backward()
    grad = layer.embeddings.grad
    np.testing.assert_array_equal(grad[:, 0].numpy(), [0, 2, 0, 0, 1, 0])


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`input_dim`.*received 0"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match=r"`output_dim`.*received -1"):
        Embedding(3, -1)
    with pytest.raises(ValueError, match=r"\[0, 5\).*received ids from 0 to 7"):
        Embedding(5, 2)(torch.tensor([[0, 7]]))

"""Merge layers against direct NumPy computations, in eager and functional models."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers import merging as M


@pytest.fixture
def arrays():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 4)).astype("float32") for _ in range(3)]


@pytest.mark.parametrize("cls,fn,ref", [
    (M.Add, M.add, lambda a: a[0] + a[1] + a[2]),
    (M.Multiply, M.multiply, lambda a: a[0] * a[1] * a[2]),
    (M.Average, M.average, lambda a: (a[0] + a[1] + a[2]) / 3),
    (M.Maximum, M.maximum, lambda a: np.maximum(np.maximum(a[0], a[1]), a[2])),
    (M.Minimum, M.minimum, lambda a: np.minimum(np.minimum(a[0], a[1]), a[2])),
])
def test_elementwise_merges(arrays, cls, fn, ref):
    tensors = [torch.from_numpy(a) for a in arrays]
    np.testing.assert_allclose(cls()(tensors).numpy(), ref(arrays), rtol=1e-6)
    np.testing.assert_allclose(fn(tensors).numpy(), ref(arrays), rtol=1e-6)


def test_subtract_and_broadcast(arrays):
    a, b = (torch.from_numpy(x) for x in arrays[:2])
    np.testing.assert_allclose(M.Subtract()([a, b]).numpy(), arrays[0] - arrays[1])
    np.testing.assert_allclose(M.subtract([a, b[:, :1]]).numpy(), arrays[0] - arrays[1][:, :1])
    with pytest.raises(ValueError, match="exactly 2 inputs, received 3"):
        M.Subtract()([a, b, a])


def test_concatenate_axes_and_values(arrays):
    a, b = torch.from_numpy(arrays[0]), torch.from_numpy(arrays[1][:, :2])
    np.testing.assert_array_equal(M.Concatenate()([a, b]).numpy(),
                                  np.concatenate([arrays[0], arrays[1][:, :2]], axis=-1))
    np.testing.assert_array_equal(M.concatenate([a, a], axis=0).numpy(),
                                  np.concatenate([arrays[0]] * 2, axis=0))
    with pytest.raises(ValueError, match=r"matching shapes.*\(3, 4, 1\), \(3, 2, 1\)"):
        M.Concatenate(axis=2)([a.unsqueeze(-1), b.unsqueeze(-1)])
    layer = M.Concatenate(axis=1)
    assert tuple(layer([a.unsqueeze(-1), b.unsqueeze(-1)]).shape) == (3, 6, 1)


def test_dot_batch_dot_and_cosine():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 5)).astype("float32")
    y = rng.normal(size=(2, 4, 5)).astype("float32")
    out = M.Dot(axes=(2, 2))([torch.from_numpy(x), torch.from_numpy(y)]).numpy()
    np.testing.assert_allclose(out, np.einsum("bid,bjd->bij", x, y), rtol=1e-5, atol=1e-5)
    u, v = rng.normal(size=(4, 6)).astype("float32"), rng.normal(size=(4, 6)).astype("float32")
    cos = M.dot([torch.from_numpy(u), torch.from_numpy(v)], axes=1, normalize=True).numpy()
    ref = (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    np.testing.assert_allclose(cos, ref[:, None], rtol=1e-5)


def test_functional_model_with_two_inputs():
    a, b = dp.Input(shape=(3,)), dp.Input(shape=(2,))
    merged = M.concatenate([a, b])
    assert tuple(merged.shape) == (None, 5)
    summed = M.Add()([dp.layers.Dense(4)(merged), dp.layers.Dense(4)(a)])
    model = dp.Model([a, b], summed)
    out = model([torch.ones(2, 3), torch.ones(2, 2)])
    assert tuple(out.shape) == (2, 4)


def test_bad_inputs():
    with pytest.raises(ValueError, match="list of tensors, received a single Tensor"):
        M.Add()(torch.ones(2, 3))
    with pytest.raises(ValueError, match="at least 2 inputs, received 1"):
        M.Add()([torch.ones(2, 3)])
    with pytest.raises(ValueError, match=r"incompatible shapes.*\(2, 3\), \(2, 4\)"):
        M.Add()([torch.ones(2, 3), torch.ones(2, 4)])
    with pytest.raises(ValueError, match=r"`axes`.*received 'x'"):
        M.Dot(axes="x")
    with pytest.raises(ValueError, match="contracted axes"):
        M.Dot(axes=1)([torch.ones(2, 3), torch.ones(2, 4)])

import numpy as np
import pytest
import torch

from deepprob.utils.numerical import normalize, to_categorical


def test_to_categorical_matches_identity_rows():
    y = np.array([[2], [0], [3], [1]])
    out = to_categorical(y)  # trailing axis of 1 dropped; 4 classes from max + 1
    np.testing.assert_array_equal(out, np.eye(4, dtype=np.float32)[[2, 0, 3, 1]])
    assert out.dtype == np.float32
    grid = to_categorical(np.array([[0, 1], [2, 0]]), num_classes=5)
    assert grid.shape == (2, 2, 5) and grid[1, 0, 2] == 1 and grid.sum() == 4
    t = to_categorical(torch.tensor([1, 0]), 3)
    assert isinstance(t, torch.Tensor) and torch.equal(t, torch.tensor([[0., 1, 0], [1, 0, 0]]))
    np.testing.assert_array_equal(to_categorical([1.0, 0.0], 2), [[0, 1], [1, 0]])


def test_to_categorical_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"\[0, 2\].*from -1 to 2"):
        to_categorical([0, -1, 2], num_classes=3)
    with pytest.raises(ValueError, match="labels must lie in"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="non-integer values such as 1.5"):
        to_categorical([1.5])
    with pytest.raises(ValueError, match="`num_classes`"):
        to_categorical([1], num_classes=0)


def test_normalize_against_numpy_norms():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5))
    x[2] = 0.0
    out = normalize(x)
    norms = np.linalg.norm(out, axis=-1)
    np.testing.assert_allclose(norms[[0, 1, 3]], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(out[2], 0.0)  # zero rows stay zero
    np.testing.assert_allclose(out[0], x[0] / np.sqrt((x[0] ** 2).sum()), rtol=1e-12)
    l1 = normalize(x, axis=0, order=1)
    np.testing.assert_allclose(np.abs(l1).sum(axis=0), 1.0, rtol=1e-12)
    t = normalize(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(t.numpy(), out, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="`axis`"):
        normalize(x, axis=2)

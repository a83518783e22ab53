"""ArrayData: batching by index, fit(x, x) sharing one gather."""

from __future__ import annotations

import numpy as np
import torch

from deepprob.engine.data_adapter import ArrayData


def test_same_array_as_x_and_y_is_gathered_once_and_batches_match_the_permutation():
    x = np.random.rand(50, 3).astype("float32")
    data = ArrayData(x, x, batch_size=16, shuffle=True, device=torch.device("cpu"))
    assert data.y is data.x
    torch.manual_seed(3)
    batches = list(data.batches())
    torch.manual_seed(3)
    perm = torch.randperm(50).numpy()
    assert [len(b[0]) for b in batches] == [16, 16, 16, 2]
    got = np.concatenate([b[0].numpy() for b in batches])
    np.testing.assert_array_equal(got, x[perm])
    for bx, by, _ in batches:
        assert by is bx
    train, val = data.split(0.2)
    assert train.y is train.x and val.y is val.x
    np.testing.assert_array_equal(val.x.numpy(), x[40:])


def test_different_targets_are_gathered_with_the_same_index():
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10)  # integer labels: not shared, gathered alike
    data = ArrayData(x, y, batch_size=4, shuffle=True, device=torch.device("cpu"))
    assert data.y is not data.x
    for bx, by, _ in data.batches():
        np.testing.assert_array_equal(bx[:, 0].numpy() // 2, by.reshape(-1).numpy())
    x64 = x.astype("float64")
    shared = ArrayData(x64, x64, batch_size=4, device=torch.device("cpu"))
    assert shared.y.dtype == shared.x.dtype  # shared only when both convert alike

"""dp.utils image_dataset_from_directory: Keras's indexing, split and label encodings on real
digit images."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import deepprob as dp
from deepprob.utils.image_dataset import image_dataset_from_directory


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    x, y = dp.datasets.mnist.load_sample()
    root = tmp_path_factory.mktemp("ids")
    pixels = {}
    for cls, digit, n in (("ones", 1, 6), ("sevens", 7, 4)):
        (root / cls).mkdir()
        for k, i in enumerate(np.flatnonzero(y == digit)[:n]):
            path = root / cls / f"{k}.png"
            Image.fromarray(x[i]).save(path)
            pixels[str(path)] = x[i]
    return root, pixels


def test_int_labels_images_and_message(folder, capsys):
    root, pixels = folder
    ds = image_dataset_from_directory(root, image_size=(28, 28), color_mode="grayscale",
                                      batch_size=4, shuffle=False)
    assert capsys.readouterr().out.strip() == "Found 10 files belonging to 2 classes."
    assert ds.class_names == ["ones", "sevens"] and len(ds) == 3
    xs, ys = zip(*list(ds))
    x, y = torch.cat(xs), torch.cat(ys)
    assert x.dtype == torch.float32 and y.dtype == torch.int32 and x.shape == (10, 28, 28, 1)
    np.testing.assert_array_equal(y.numpy(), [0] * 6 + [1] * 4)
    for img, path in zip(x, ds.file_paths):
        np.testing.assert_array_equal(img[..., 0].numpy(), pixels[path])


def test_split_is_shuffle_then_tail_and_modes(folder):
    root, _ = folder
    train, val = image_dataset_from_directory(root, image_size=(8, 8), batch_size=3, seed=4,
                                              validation_split=0.3, subset="both",
                                              label_mode="categorical", verbose=False)
    assert len(train.file_paths) == 7 and len(val.file_paths) == 3
    assert set(train.file_paths).isdisjoint(val.file_paths)
    order = np.random.RandomState(4).permutation(10)
    files = sorted(str(p) for p in root.rglob("*.png"))
    assert val.file_paths == [files[i] for i in order[7:]]
    _, y = next(iter(val))
    assert y.shape == (3, 2) and torch.all(y.sum(1) == 1)
    binary = image_dataset_from_directory(root, image_size=(8, 8), label_mode="binary",
                                          seed=1, verbose=False)
    assert next(iter(binary))[1].shape == (10, 1)
    with pytest.raises(ValueError, match="label_mode.*'categorical'"):
        image_dataset_from_directory(root, label_mode="categoricl")

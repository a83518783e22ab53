import gzip
import hashlib

import numpy as np
import pytest
from _idx_files import idx_bytes, write_set

import deepprob as dp
from deepprob.datasets import fashion_mnist


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "data"


def test_load_data_returns_keras_layout(data_dir):
    arrays = write_set(data_dir / "fashion_mnist")
    (x_train, y_train), (x_test, y_test) = dp.datasets.fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == np.uint8 and x_train.shape == (12, 28, 28) and y_test.shape == (5,)


def test_class_names_and_real_label_files(shared_data):
    assert fashion_mnist.CLASS_NAMES[0] == "T-shirt/top" and fashion_mnist.CLASS_NAMES[9] == \
        "Ankle boot" and len(fashion_mnist.CLASS_NAMES) == 10
    from deepprob.datasets._idx import read_idx

    folder = shared_data / "fashion_mnist"
    for split, n in (("train", 60000), ("t10k", 10000)):
        name = f"{split}-labels-idx1-ubyte.gz"
        assert hashlib.md5((folder / name).read_bytes()).hexdigest() == fashion_mnist.MD5[name]
        labels = read_idx(folder / name)
        # Fashion-MNIST is balanced: n / 10 of each class.
        assert labels.shape == (n,) and np.all(np.bincount(labels) == n // 10)
    assert fashion_mnist.CLASS_NAMES[read_idx(folder / "train-labels-idx1-ubyte.gz")[0]] == \
        "Ankle boot"


def test_missing_files_are_downloaded_with_checksums(data_dir, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    arrays = write_set(mirror, seed=3)
    md5 = {f: hashlib.md5((mirror / f).read_bytes()).hexdigest() for f in arrays}
    monkeypatch.setattr(fashion_mnist, "ORIGIN", mirror.as_uri() + "/")
    monkeypatch.setattr(fashion_mnist, "MD5", md5)
    (x_train, _), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    assert sorted(p.name for p in (data_dir / "fashion_mnist").iterdir()) == sorted(arrays)

    # A mirror serving a different file fails the checksum and leaves nothing behind.
    (data_dir / "fashion_mnist" / "t10k-images-idx3-ubyte.gz").unlink()
    md5["t10k-images-idx3-ubyte.gz"] = "0" * 32
    with pytest.raises(FileNotFoundError, match="md5 .* but 0{32} was expected"):
        fashion_mnist.load_data()
    assert not (data_dir / "fashion_mnist" / "t10k-images-idx3-ubyte.gz").exists()


def test_no_network_error_says_which_files_go_where(data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "ORIGIN", (tmp_path / "nowhere").as_uri() + "/")
    with pytest.raises(FileNotFoundError) as err:
        fashion_mnist.load_data()
    text = str(err.value)
    assert "train-images-idx3-ubyte.gz" in text and str(data_dir / "fashion_mnist") in text
    assert "Downloading them from" in text
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte.gz"):
        fashion_mnist.load_data(download=False)


def test_corrupted_and_mismatched_files(data_dir):
    folder = data_dir / "fashion_mnist"
    write_set(folder)
    labels = folder / "train-labels-idx1-ubyte.gz"
    good = gzip.decompress(labels.read_bytes())
    labels.write_bytes(gzip.compress(good[:-3]))  # truncated data
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz.*truncated"):
        fashion_mnist.load_data()
    labels.write_bytes(gzip.compress(idx_bytes(np.zeros(7, np.uint8))))
    with pytest.raises(ValueError, match="12 images but 7 labels"):
        fashion_mnist.load_data()
    labels.write_bytes(gzip.compress(idx_bytes(np.full(12, 10, np.uint8))))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 9\], found 10"):
        fashion_mnist.load_data()

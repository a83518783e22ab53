import gzip

import numpy as np
import pytest
from _idx_files import idx_bytes, write_set

import deepprob as dp


@pytest.fixture
def mnist_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "data" / "mnist"


def test_load_data_reads_the_four_files(mnist_dir):
    arrays = write_set(mnist_dir, n_train=9, n_test=4, seed=1)
    (x_train, y_train), (x_test, y_test) = dp.datasets.mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_test.shape == (4, 28, 28) and y_train.dtype == np.uint8


def test_missing_files_error_names_files_and_folders(mnist_dir):
    mnist_dir.mkdir(parents=True)
    (mnist_dir / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(
        np.zeros((1, 28, 28), np.uint8))))
    with pytest.raises(FileNotFoundError) as err:
        dp.datasets.mnist.load_data()
    text = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in text and str(mnist_dir) in text
    assert "Partial copies" in text and "load_sample()" in text


@pytest.mark.parametrize("damage, message", [
    (lambda raw: raw[: len(raw) // 2], "not a readable gzip file"),  # cut mid-stream
    (lambda raw: b"garbage" + raw, "not a readable gzip file"),
    (lambda raw: gzip.compress(gzip.decompress(raw)[:-100]), "holds .* bytes; it is truncated"),
    (lambda raw: gzip.compress(b"\x00\x00\x08\x03\x00\x00"), "truncated IDX header"),
    (lambda raw: gzip.compress(b"PK\x03\x04" + gzip.decompress(raw)[4:]), "bad magic number"),
])
def test_corrupted_or_truncated_files_are_named(mnist_dir, damage, message):
    write_set(mnist_dir)
    path = mnist_dir / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=f"t10k-images-idx3-ubyte.gz.*{message}"):
        dp.datasets.mnist.load_data()


def test_bundled_sample_is_real_mnist(shared_data):
    from deepprob.datasets._idx import read_idx

    x, y = dp.datasets.mnist.load_sample()
    assert x.shape == (6000, 28, 28) and y.shape == (6000,)
    full_x = read_idx(shared_data / "mnist" / "t10k-images-idx3-ubyte.gz")
    full_y = read_idx(shared_data / "mnist" / "t10k-labels-idx1-ubyte.gz")
    np.testing.assert_array_equal(x, full_x[:6000])
    np.testing.assert_array_equal(y, full_y[:6000])

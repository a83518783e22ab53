"""dp.datasets.imdb: Keras's load_data semantics on a small imdb.npz written here."""

import json

import numpy as np
import pytest

import deepprob as dp


def review(row):
    """Raw word indices (as stored in imdb.npz, before index_from) of review number `row`."""
    return [1 + (row * 7 + k * 3) % 20 for k in range(3 + row % 5)]


@pytest.fixture
def imdb_dir(tmp_path, monkeypatch):
    folder = tmp_path / "imdb"
    folder.mkdir()
    train = np.empty(8, dtype=object)
    train[:] = [review(r) for r in range(8)]
    test = np.empty(6, dtype=object)
    test[:] = [review(r) for r in range(100, 106)]
    np.savez(folder / "imdb.npz", x_train=train, y_train=np.arange(8),
             x_test=test, y_test=np.arange(100, 106))
    (folder / "imdb_word_index.json").write_text(json.dumps({"the": 1, "and": 2, "film": 19}))
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    return folder


def test_default_shuffle_shift_and_start(imdb_dir):
    (x_train, y_train), (x_test, y_test) = dp.datasets.imdb.load_data()
    rng = np.random.RandomState(113)  # one generator: train order first, then test order
    order_train = np.arange(8)
    rng.shuffle(order_train)
    order_test = np.arange(6)
    rng.shuffle(order_test)
    np.testing.assert_array_equal(y_train, order_train)
    np.testing.assert_array_equal(y_test, 100 + order_test)
    assert x_train.dtype == object and len(x_train) == 8 and len(x_test) == 6
    top = max(max(review(r)) for r in list(range(8)) + list(range(100, 106))) + 3
    for x, y in zip(list(x_train) + list(x_test), list(y_train) + list(y_test)):
        # Keras quirk kept: num_words=None means "below the largest index", so the largest
        # index itself becomes oov_char
        assert x == [w if w < top else 2 for w in [1] + [w + 3 for w in review(int(y))]]
    assert max(max(x) for x in x_train) < top


def test_num_words_skip_top_oov_and_maxlen(imdb_dir):
    (x_train, y_train), (x_test, y_test) = dp.datasets.imdb.load_data(num_words=10, skip_top=5)
    for x, y in zip(x_train, y_train):
        full = [1] + [w + 3 for w in review(int(y))]
        assert x == [w if 5 <= w < 10 else 2 for w in full]
    (x_train, y_train), _ = dp.datasets.imdb.load_data(num_words=10, oov_char=None)
    for x, y in zip(x_train, y_train):
        assert x == [w for w in [1] + [w + 3 for w in review(int(y))] if w < 10]
    (x_train, y_train), (x_test, y_test) = dp.datasets.imdb.load_data(maxlen=6)
    # kept: length (start char included) < maxlen, i.e. 3 or 4 raw words
    assert sorted(int(y) % 5 for y in y_train) == sorted(r % 5 for r in range(8) if 4 + r % 5 < 6)
    assert all(len(x) < 6 for x in x_test) and len(x_test) == len(y_test)
    (x_train, y_train), _ = dp.datasets.imdb.load_data(start_char=None, index_from=0, seed=5,
                                                          num_words=100)
    for x, y in zip(x_train, y_train):
        assert x == review(int(y))
    with pytest.raises(ValueError, match="maxlen=2.*Increase maxlen"):
        dp.datasets.imdb.load_data(maxlen=2)
    with pytest.raises(ValueError, match="`num_words`"):
        dp.datasets.imdb.load_data(num_words=0)


def test_word_index_and_missing_files(imdb_dir, tmp_path, monkeypatch):
    assert dp.datasets.imdb.get_word_index() == {"the": 1, "and": 2, "film": 19}
    assert dp.datasets.imdb.load_data(path=imdb_dir / "imdb.npz")[0][1].shape == (8,)
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path / "nowhere"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(FileNotFoundError, match=r"'imdb.npz' not found.*tf-keras-datasets/imdb.npz"
                                                r"[\s\S]*nowhere/imdb"):
        dp.datasets.imdb.load_data()
    with pytest.raises(FileNotFoundError, match="imdb_word_index.json"):
        dp.datasets.imdb.get_word_index()

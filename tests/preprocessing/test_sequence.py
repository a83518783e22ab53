"""pad_sequences: the course's printed arrays, Keras's documented examples, and a per-sequence
reference (Keras's algorithm written out) on random ragged input."""

import numpy as np
import pytest

from deepprob.preprocessing.sequence import pad_sequences
from deepprob.preprocessing.text import Tokenizer

SENTENCES = ["I love my dog", "I love my cat", "You love my dog!",
             "Do you think my dog is amazing?"]


def reference_pad(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """One sequence at a time, as keras.utils.pad_sequences does it."""
    maxlen = max(len(s) for s in sequences) if maxlen is None else maxlen
    x = np.full((len(sequences), maxlen), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        kept = list(s)[-maxlen:] if truncating == "pre" else list(s)[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if padding == "post":
            x[i, : len(kept)] = kept
        else:
            x[i, -len(kept):] = kept
    return x


def course_sequences():
    tok = Tokenizer(num_words=100, oov_token="<OOV>")
    tok.fit_on_texts(SENTENCES)
    return tok, tok.texts_to_sequences(SENTENCES)


def test_course_padded_arrays():
    tok, seqs = course_sequences()
    padded = pad_sequences(seqs)
    assert padded.dtype == np.int32
    np.testing.assert_array_equal(padded, [[0, 0, 0, 5, 3, 2, 4], [0, 0, 0, 5, 3, 2, 7],
                                           [0, 0, 0, 6, 3, 2, 4], [8, 6, 9, 2, 4, 10, 11]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=5),
                                  [[0, 5, 3, 2, 4], [0, 5, 3, 2, 7], [0, 6, 3, 2, 4],
                                   [9, 2, 4, 10, 11]])
    np.testing.assert_array_equal(
        pad_sequences(seqs, padding="post", truncating="post", maxlen=5),
        [[5, 3, 2, 4, 0], [5, 3, 2, 7, 0], [6, 3, 2, 4, 0], [8, 6, 9, 2, 4]])
    test_seq = tok.texts_to_sequences(["i really love my dog", "my dog loves my manatee"])
    np.testing.assert_array_equal(pad_sequences(test_seq, maxlen=10),
                                  [[0, 0, 0, 0, 0, 5, 1, 3, 2, 4], [0, 0, 0, 0, 0, 2, 4, 1, 2, 1]])


def test_keras_docstring_examples():
    seqs = [[1], [2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(pad_sequences(seqs), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(seqs, value=-1),
                                  [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(seqs, padding="post"),
                                  [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2), [[0, 1], [2, 3], [5, 6]])


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 7, 40])
def test_matches_reference_on_random_ragged(padding, truncating, maxlen):
    rng = np.random.default_rng(0)
    seqs = [rng.integers(1, 1000, size=rng.integers(0, 30)).tolist() for _ in range(200)]
    seqs[3] = []
    got = pad_sequences(seqs, maxlen=maxlen, padding=padding, truncating=truncating, value=-7)
    want = reference_pad(seqs, maxlen=maxlen, padding=padding, truncating=truncating, value=-7)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == want.dtype
    # NumPy-array rows take the concatenation path; a 2-D array the slicing path
    arrays = [np.asarray(s, dtype=np.int64) for s in seqs]
    np.testing.assert_array_equal(pad_sequences(arrays, maxlen=maxlen, padding=padding,
                                                truncating=truncating, value=-7), want)
    square = rng.integers(0, 50, size=(6, 9))
    np.testing.assert_array_equal(
        pad_sequences(square, maxlen=maxlen, padding=padding, truncating=truncating),
        reference_pad(square.tolist(), maxlen=maxlen, padding=padding, truncating=truncating))


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_matches_reference_on_long_rows(padding, truncating):
    rng = np.random.default_rng(1)
    seqs = [rng.integers(1, 99, size=rng.integers(0, 400)).tolist() for _ in range(30)]
    for maxlen in (None, 150):
        np.testing.assert_array_equal(
            pad_sequences(seqs, maxlen=maxlen, padding=padding, truncating=truncating),
            reference_pad(seqs, maxlen=maxlen, padding=padding, truncating=truncating))


def test_dtypes_values_and_vector_items():
    floats = [[0.5, 1.5], [2.25]]
    np.testing.assert_array_equal(pad_sequences(floats, dtype="float32", value=-1.0),
                                  np.array([[0.5, 1.5], [-1.0, 2.25]], dtype=np.float32))
    # float values into the default int32 truncate toward zero, as np.asarray(..., int32) does
    np.testing.assert_array_equal(pad_sequences([[1.9, -2.7]]), [[1, -2]])
    words = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert words.tolist() == [["a", "b"], ["<pad>", "c"]]
    vec = pad_sequences([[[1, 2], [3, 4]], [[5, 6]]], maxlen=3, padding="post")
    assert vec.shape == (2, 3, 2)
    np.testing.assert_array_equal(vec[1], [[5, 6], [0, 0], [0, 0]])
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([], maxlen=4).shape == (0, 4)


def test_bad_input():
    with pytest.raises(ValueError, match="`maxlen`.*positive.*0"):
        pad_sequences([[1]], maxlen=0)
    with pytest.raises(TypeError, match="`maxlen`"):
        pad_sequences([[1]], maxlen=2.5)
    with pytest.raises(ValueError, match="`padding`.*'middle'.*Expected one of: post, pre"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="`truncating`.*'pst'.*Did you mean 'post'"):
        pad_sequences([[1]], truncating="pst")
    with pytest.raises(TypeError, match="element 1 is a int"):
        pad_sequences([[1], 5])
    with pytest.raises(TypeError, match="`sequences`"):
        pad_sequences(iter([[1]]))
    with pytest.raises(ValueError, match="`value`.*dtype=object"):
        pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="element 1 has items of shape"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])

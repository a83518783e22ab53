"""dp.text.ngram_sequences: hand-worked example, and the course's loop on the Irish lyrics."""

import numpy as np
import pytest

import deepprob as dp
from deepprob.preprocessing.sequence import pad_sequences
from deepprob.preprocessing.text import Tokenizer


def test_hand_worked_example():
    tok = Tokenizer()
    tok.fit_on_texts(["in the town of athy", "the town"])
    # word_index: the 1, town 2, in 3, of 4, athy 5
    xs, labels, n = dp.text.ngram_sequences(tok, ["in the town of athy", "the town", "athy"])
    assert n == 5
    np.testing.assert_array_equal(xs, [[0, 0, 0, 3], [0, 0, 3, 1], [0, 3, 1, 2], [3, 1, 2, 4],
                                       [0, 0, 0, 1]])
    np.testing.assert_array_equal(labels, [1, 2, 4, 5, 2])
    assert xs.dtype == np.int32 and labels.dtype == np.int32


def course_loop(tokenizer, corpus):
    input_sequences = []
    for line in corpus:
        token_list = tokenizer.texts_to_sequences([line])[0]
        for i in range(1, len(token_list)):
            input_sequences.append(token_list[: i + 1])
    max_sequence_len = max(len(x) for x in input_sequences)
    padded = np.array(pad_sequences(input_sequences, maxlen=max_sequence_len, padding="pre"))
    return padded[:, :-1], padded[:, -1], max_sequence_len


def test_irish_lyrics_matches_course_loop():
    corpus = dp.datasets.irish_lyrics.load_corpus()
    tok = Tokenizer()
    tok.fit_on_texts(corpus)
    xs, labels, n = dp.text.ngram_sequences(tok, corpus)
    want_xs, want_labels, want_n = course_loop(tok, corpus)
    assert n == want_n == 16  # longest line: 16 tokens
    np.testing.assert_array_equal(xs, want_xs)
    np.testing.assert_array_equal(labels, want_labels)
    assert labels.max() < len(tok.word_index) + 1 and labels.min() >= 1


def test_bad_input():
    tok = Tokenizer()
    with pytest.raises(ValueError, match="fit_on_texts"):
        dp.text.ngram_sequences(tok, ["a b"])
    tok.fit_on_texts(["a b"])
    with pytest.raises(TypeError, match="`corpus`.*split it"):
        dp.text.ngram_sequences(tok, "a b\nb a")
    with pytest.raises(ValueError, match="no line has two"):
        dp.text.ngram_sequences(tok, ["a", "zzz"])
    with pytest.raises(TypeError, match="`tokenizer`"):
        dp.text.ngram_sequences({"a": 1}, ["a b"])

"""dp.text.generate with a fake model: a Markov chain over the vocabulary as predict()."""

import numpy as np
import pytest

import deepprob as dp
from deepprob.preprocessing.text import Tokenizer


class ChainModel:
    """predict(x) -> the row of a transition table chosen by the last input token."""

    def __init__(self, table):
        self.table = np.asarray(table, dtype=np.float32)
        self.calls = []

    def predict(self, x, verbose="auto"):
        self.calls.append((np.array(x), verbose))
        return self.table[np.asarray(x)[:, -1]]


def make_tokenizer(oov=None):
    tok = Tokenizer(oov_token=oov)
    tok.fit_on_texts(["a a a a b b b c c d"])
    return tok  # a 1, b 2, c 3, d 4 (shifted by one with an OOV token)


def test_greedy_follows_argmax_and_pads_input():
    tok = make_tokenizer()
    table = np.zeros((5, 5))
    table[1] = [0.9, 0.0, 0.05, 0.05, 0.0]  # after "a": padding 0 is most likely, must be skipped
    table[2, 3] = table[3, 4] = table[4, 1] = 1.0  # b -> c -> d -> a
    model = ChainModel(table)
    out = dp.text.generate(model, tok, "B", 5, max_sequence_len=4)
    # after b: c, d, a, then (0 skipped) b or c tie at 0.05 -> argmax picks the first, b; then c
    assert out == "B c d a b c"
    first_x, verbose = model.calls[0]
    np.testing.assert_array_equal(first_x, [[0, 0, 2]])
    np.testing.assert_array_equal(model.calls[-1][0], [[4, 1, 2]])  # last 3 tokens only
    assert verbose == 0
    assert dp.text.generate(model, tok, "b", 0, 4) == "b"


def test_oov_never_generated_and_unknown_seed_rejected():
    tok = make_tokenizer(oov="<OOV>")  # <OOV> 1, a 2, b 3, c 4, d 5
    table = np.full((6, 6), 0.01)
    table[:, 1] = 0.9  # the model loves the OOV index
    table[:, 4] = 0.05
    out = dp.text.generate(ChainModel(table), tok, "a zebra", 3, 5)
    assert out == "a zebra c c c"
    with pytest.raises(ValueError, match="`seed_text`.*no word"):
        dp.text.generate(ChainModel(table), tok, "zebra okapi", 3, 5)
    with pytest.raises(ValueError, match="`temperature`"):
        dp.text.generate(ChainModel(table), tok, "a", 1, 5, temperature=0)
    with pytest.raises(TypeError, match="`model`"):
        dp.text.generate(object(), tok, "a", 1, 5)
    with pytest.raises(ValueError, match="`max_sequence_len`"):
        dp.text.generate(ChainModel(table), tok, "a", 1, 1)


def test_sampling_seeded_and_distributed_as_tempered_probabilities():
    tok = make_tokenizer()
    p = np.array([0.0, 0.5, 0.3, 0.2, 0.0])
    model = ChainModel(np.tile(p, (5, 1)))
    a = dp.text.generate(model, tok, "a", 12, 4, temperature=1.0, seed=7)
    assert a == dp.text.generate(model, tok, "a", 12, 4, temperature=1.0, seed=7)
    assert len(a.split()) == 13 and set(a.split()) <= {"a", "b", "c"}
    # top_k=1 sampling is greedy
    assert dp.text.generate(model, tok, "a", 4, 4, top_k=1, seed=3) == "a a a a a"
    for temperature, top_k in [(0.5, None), (2.0, None), (1.0, 2)]:
        words = [dp.text.generate(model, tok, "a", 1, 4, temperature=temperature, top_k=top_k,
                                  seed=s).split()[-1] for s in range(1500)]
        freq = np.array([words.count(w) for w in "abc"]) / len(words)
        want = p[1:4] ** (1 / temperature)
        if top_k:
            want[2] = 0.0
        want /= want.sum()
        np.testing.assert_allclose(freq, want, atol=0.04)

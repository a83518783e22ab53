"""dp.text.export_embeddings writes what the course's projector loop writes."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.preprocessing.text import Tokenizer


def course_files(weights, index_word, vocab_size):
    vecs, meta = [], []
    for word_num in range(1, vocab_size):
        meta.append(index_word[word_num] + "\n")
        vecs.append("\t".join([str(x) for x in weights[word_num]]) + "\n")
    return "".join(vecs), "".join(meta)


def test_tokenizer_word_index_and_list(tmp_path):
    tok = Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(["the cat sat on the mat"])
    vocab_size = len(tok.word_index) + 1
    weights = np.random.default_rng(0).normal(size=(vocab_size, 4)).astype(np.float32)
    want_vecs, want_meta = course_files(weights, tok.index_word, vocab_size)
    vecs, meta = dp.text.export_embeddings(weights, tok, tmp_path / "a")
    assert vecs.read_text(encoding="utf-8") == want_vecs
    assert meta.read_text(encoding="utf-8") == want_meta
    dp.text.export_embeddings(torch.from_numpy(weights), tok.word_index, tmp_path / "b")
    assert (tmp_path / "b" / "vecs.tsv").read_text() == want_vecs
    assert (tmp_path / "b" / "meta.tsv").read_text() == want_meta
    words = [""] + [tok.index_word[i] for i in range(1, vocab_size)]
    dp.text.export_embeddings(weights, words, tmp_path / "c")
    assert (tmp_path / "c" / "meta.tsv").read_text() == want_meta
    back = np.loadtxt(tmp_path / "c" / "vecs.tsv", delimiter="\t", dtype=np.float32)
    np.testing.assert_array_equal(back, weights[1:])


def test_subword_tokenizer_and_bad_input(tmp_path):
    pytest.importorskip("tokenizers", reason="SubwordTokenizer needs `pip install tokenizers`")
    sub = dp.preprocessing.text.SubwordTokenizer.build_from_corpus(["ab cd ab"] * 10,
                                                                    target_vocab_size=300)
    weights = np.ones((sub.vocab_size, 2), dtype=np.float32)
    _, meta = dp.text.export_embeddings(weights, sub, tmp_path)
    lines = meta.read_text(encoding="utf-8").split("\n")[:-1]
    assert len(lines) == sub.vocab_size - 1
    assert lines[sub.encode("ab")[0] - 1] == sub.decode(sub.encode("ab")[:1])
    with pytest.raises(ValueError, match="`weights`.*2-D"):
        dp.text.export_embeddings(np.ones(3), sub, tmp_path)
    with pytest.raises(TypeError, match="`vocabulary`"):
        dp.text.export_embeddings(weights, 42, tmp_path)

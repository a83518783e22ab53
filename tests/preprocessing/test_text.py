"""dp.preprocessing.text: Tokenizer against the outputs course notebooks print, against a naive
per-word reference of Keras's algorithm (also on the full BBC corpus), matrices against closed
forms, JSON in Keras's layout; the hashing helpers; the subword tokenizer's exact round trip."""

import collections
import hashlib
import json
import math

import numpy as np
import pytest

import deepprob as dp
from deepprob.preprocessing.text import (
    SubwordTokenizer,
    Tokenizer,
    hashing_trick,
    one_hot,
    text_to_word_sequence,
    tokenizer_from_json,
)

SENTENCES = ["I love my dog", "I love my cat", "You love my dog!",
             "Do you think my dog is amazing?"]
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def reference(texts, num_words=None, oov=None, lower=True, filters=FILTERS, char_level=False):
    """Keras's rules, one word at a time: returns (word_index, word_counts, word_docs, to_seq)."""
    def words(text):
        if char_level:
            return list(text.lower() if lower else text)
        text = text.lower() if lower else text
        for c in filters:
            text = text.replace(c, " ")
        return [w for w in text.split(" ") if w]

    counts, docs, first_seen = {}, {}, {}
    for text in texts:
        ws = words(text)
        for w in ws:
            counts[w] = counts.get(w, 0) + 1
            first_seen.setdefault(w, len(first_seen))
        for w in set(ws):
            docs[w] = docs.get(w, 0) + 1
    order = sorted(counts, key=lambda w: (-counts[w], first_seen[w]))
    vocab = ([oov] if oov is not None else []) + order
    word_index = {w: i + 1 for i, w in enumerate(vocab)}

    def to_seq(text):
        out = []
        for w in words(text):
            i = word_index.get(w)
            if i is not None and not (num_words and i >= num_words):
                out.append(i)
            elif oov is not None:
                out.append(word_index[oov])
        return out

    return word_index, counts, docs, to_seq


def test_course_sentences_with_oov():
    tok = Tokenizer(num_words=100, oov_token="<OOV>")
    tok.fit_on_texts(SENTENCES)
    assert tok.word_index == {"<OOV>": 1, "my": 2, "love": 3, "dog": 4, "i": 5, "you": 6, "cat": 7,
                              "do": 8, "think": 9, "is": 10, "amazing": 11}
    assert list(tok.word_index) == ["<OOV>", "my", "love", "dog", "i", "you", "cat", "do", "think",
                                    "is", "amazing"]
    assert tok.texts_to_sequences(SENTENCES) == [[5, 3, 2, 4], [5, 3, 2, 7], [6, 3, 2, 4],
                                                 [8, 6, 9, 2, 4, 10, 11]]
    # "i <OOV> love my dog" / "my dog <OOV> my <OOV>", as the lecture reads them out
    assert tok.texts_to_sequences(["i really love my dog", "my dog loves my manatee"]) == [
        [5, 1, 3, 2, 4], [2, 4, 1, 2, 1]]
    assert tok.index_word[1] == "<OOV>" and tok.index_word[11] == "amazing"
    assert tok.document_count == 4
    assert tok.word_counts == collections.OrderedDict(
        [("i", 2), ("love", 3), ("my", 4), ("dog", 3), ("cat", 1), ("you", 2), ("do", 1),
         ("think", 1), ("is", 1), ("amazing", 1)])
    assert dict(tok.word_docs) == {"i": 2, "love": 3, "my": 4, "dog": 3, "cat": 1, "you": 2,
                                   "do": 1, "think": 1, "is": 1, "amazing": 1}
    assert tok.sequences_to_texts([[5, 1, 3, 2, 4]]) == ["i <OOV> love my dog"]


def test_course_sentences_without_oov_drop_unknown_words():
    # printed in a course-notebook copy: {'love': 1, 'my': 2, 'i': 3, 'dog': 4, 'cat': 5, 'you': 6}
    tok = Tokenizer(num_words=100)
    tok.fit_on_texts(["i love my dog", "I, love my cat", "You love my dog!"])
    assert tok.word_index == {"love": 1, "my": 2, "i": 3, "dog": 4, "cat": 5, "you": 6}
    assert tok.texts_to_sequences(["i really love my dog", "my dog love my mantees"]) == [
        [3, 1, 2, 4], [2, 4, 1, 2]]


def test_printed_notebook_with_ties_and_oov():
    texts = ["I really love progarmming", "It is often seen as something difficult but beautiful",
             "This is another text!", "Do you like something else?"]
    tok = Tokenizer(num_words=50)
    tok.fit_on_texts(texts)
    assert list(tok.word_index.items())[:6] == [("is", 1), ("something", 2), ("i", 3),
                                                ("really", 4), ("love", 5), ("progarmming", 6)]
    assert tok.word_index["else"] == 20 and len(tok.word_index) == 20
    assert tok.texts_to_sequences(texts) == [[3, 4, 5, 6], [7, 1, 8, 9, 10, 2, 11, 12, 13],
                                             [14, 1, 15, 16], [17, 18, 19, 2, 20]]
    tests = ["I would like another cup of coffee", "I really like something beautiful"]
    assert tok.texts_to_sequences(tests) == [[3, 19, 15], [3, 4, 19, 2, 13]]
    tok = Tokenizer(num_words=50, oov_token="<OOV>")
    tok.fit_on_texts(texts)
    assert tok.texts_to_sequences(tests) == [[4, 1, 20, 16, 1, 1, 1], [4, 5, 20, 3, 14]]


def test_num_words_applies_at_conversion_only():
    texts = ["a a a a b b b c c d", "d e"]
    tok = Tokenizer(num_words=3)
    tok.fit_on_texts(texts)
    assert tok.word_index == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}  # not cut
    assert tok.texts_to_sequences(["a b c d e z"]) == [[1, 2]]
    assert tok.sequences_to_texts([[1, 2, 3, 4]]) == ["a b"]
    tok = Tokenizer(num_words=3, oov_token="<OOV>")
    tok.fit_on_texts(texts)
    assert tok.word_index == {"<OOV>": 1, "a": 2, "b": 3, "c": 4, "d": 5, "e": 6}
    assert tok.texts_to_sequences(["a b c z"]) == [[2, 1, 1, 1]]
    assert tok.sequences_to_texts([[2, 3, 0, 6]]) == ["a <OOV> <OOV> <OOV>"]
    m = tok.texts_to_matrix(["a b c"], mode="count")
    assert m.shape == (1, 3) and m.tolist() == [[0.0, 2.0, 1.0]]


def test_filters_lower_split_and_char_level():
    tok = Tokenizer(filters="", lower=False)
    tok.fit_on_texts(["Hi, there! Hi,"])
    assert tok.word_index == {"Hi,": 1, "there!": 2}
    tok = Tokenizer(split=",")
    tok.fit_on_texts(["red,green blue,red"])
    assert tok.word_index == {"red": 1, "green blue": 2}
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(["Abba!", "cab"])  # filters do not apply at character level (as in Keras)
    assert tok.word_index == {"a": 1, "b": 2, "!": 3, "c": 4}  # a, b tie at 3: first seen first
    assert tok.texts_to_sequences(["bad!"]) == [[2, 1, 3]]
    tok = Tokenizer()
    tok.fit_on_texts([["Pre", "tokenized"], ["pre"]])  # lists of tokens, lower-cased
    assert tok.word_index == {"pre": 1, "tokenized": 2}
    assert text_to_word_sequence("Hello,  World!\tok") == ["hello", "world", "ok"]


def test_refitting_accumulates_like_one_fit():
    a, b = ["x y y", "z"], ["z z w", "y"]
    once = Tokenizer(oov_token="<OOV>")
    once.fit_on_texts(a + b)
    twice = Tokenizer(oov_token="<OOV>")
    twice.fit_on_texts(a)
    twice.fit_on_texts(iter(b))  # any iterable, e.g. a generator
    assert list(twice.word_index.items()) == list(once.word_index.items())
    assert list(twice.word_counts.items()) == list(once.word_counts.items())
    assert dict(twice.word_docs) == dict(once.word_docs) and twice.document_count == 4


def test_matrix_modes_against_closed_forms():
    texts = ["the cat sat on the mat", "the dog", "cat cat cat"]
    tok = Tokenizer()
    tok.fit_on_texts(texts)
    seqs = tok.texts_to_sequences(texts)
    v = len(tok.word_index) + 1
    count = np.zeros((3, v))
    for r, s in enumerate(seqs):
        for j in s:
            count[r, j] += 1
    np.testing.assert_array_equal(tok.texts_to_matrix(texts, "count"), count)
    np.testing.assert_array_equal(tok.texts_to_matrix(texts, "binary"), (count > 0) * 1.0)
    np.testing.assert_allclose(tok.texts_to_matrix(texts, "freq"),
                               count / np.array([6, 2, 3])[:, None])
    tfidf = np.zeros((3, v))
    for r in range(3):
        for j in np.nonzero(count[r])[0]:
            docs = tok.index_docs[j]
            tfidf[r, j] = (1 + math.log(count[r, j])) * math.log(1 + 3 / (1 + docs))
    np.testing.assert_allclose(tok.texts_to_matrix(texts, "tfidf"), tfidf, rtol=1e-12)
    assert tok.index_docs[tok.word_index["cat"]] == 2 and tok.index_docs[tok.word_index["the"]] == 2
    # indices beyond num_words are skipped, but still count in the freq denominator
    small = Tokenizer(num_words=2)
    small.fit_on_texts(texts)
    np.testing.assert_allclose(small.sequences_to_matrix([[1, 1, 5, 7]], mode="freq"), [[0, 0.5]])
    with pytest.raises(ValueError, match="`mode`.*'tfdif'.*Did you mean 'tfidf'"):
        tok.texts_to_matrix(texts, mode="tfdif")
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer().texts_to_matrix(["a"])


def test_json_round_trip_and_keras_layout():
    tok = Tokenizer(num_words=10, oov_token="<OOV>")
    tok.fit_on_texts(SENTENCES)
    payload = json.loads(tok.to_json())
    assert payload["class_name"] == "Tokenizer"
    assert list(payload["config"]) == ["num_words", "filters", "lower", "split", "char_level",
                                       "oov_token", "document_count", "word_counts", "word_docs",
                                       "index_docs", "index_word", "word_index"]
    assert json.loads(payload["config"]["index_word"])["1"] == "<OOV>"
    back = tokenizer_from_json(tok.to_json())
    assert back.word_index == tok.word_index and back.index_word == tok.index_word
    assert back.num_words == 10 and back.document_count == 4
    assert back.texts_to_sequences(["do you love my manatee"]) == tok.texts_to_sequences(
        ["do you love my manatee"])
    np.testing.assert_array_equal(back.texts_to_matrix(SENTENCES, "tfidf"),
                                  tok.texts_to_matrix(SENTENCES, "tfidf"))
    # a JSON string written by Keras (hand-made in its layout) loads as well
    keras_json = json.dumps({"class_name": "Tokenizer", "config": {
        "num_words": None, "filters": FILTERS, "lower": True, "split": " ", "char_level": False,
        "oov_token": None, "document_count": 1, "word_counts": '{"b": 2, "a": 1}',
        "word_docs": '{"b": 1, "a": 1}', "index_docs": '{"1": 1, "2": 1}',
        "index_word": '{"1": "b", "2": "a"}', "word_index": '{"b": 1, "a": 2}'}})
    k = tokenizer_from_json(keras_json)
    assert k.texts_to_sequences(["a b c"]) == [[2, 1]] and k.index_word == {1: "b", 2: "a"}


def test_bad_input_names_argument_and_position():
    tok = Tokenizer()
    with pytest.raises(TypeError, match="`texts`.*single str.*wrap it in a list"):
        tok.fit_on_texts("I love my dog")
    with pytest.raises(TypeError, match="`texts`: element 2 is a int"):
        tok.fit_on_texts(["a", "b", 3])
    tok.fit_on_texts(["a"])
    with pytest.raises(TypeError, match="element 1 is a NoneType"):
        tok.texts_to_sequences(["a", None])
    with pytest.raises(ValueError, match="`num_words`"):
        Tokenizer(num_words=-1)
    with pytest.raises(TypeError, match="unrecognized keyword"):
        Tokenizer(nmu_words=3)
    with pytest.raises(ValueError, match="`split`"):
        Tokenizer(split="")


def test_hashing_helpers():
    def md5(w):
        return int(hashlib.md5(w.encode()).hexdigest(), 16)

    assert hashing_trick("The cat, the hat.", 7, hash_function="md5") == [
        md5(w) % 6 + 1 for w in ["the", "cat", "the", "hat"]]
    assert hashing_trick("ab cd", 5, hash_function=len) == [3, 3]
    idx = one_hot("The cat, the hat.", 50)
    assert idx == [hash(w) % 49 + 1 for w in ["the", "cat", "the", "hat"]]
    with pytest.raises(ValueError, match="`n`"):
        one_hot("a", 1)


def test_matches_reference_on_bbc_corpus(shared_data):
    texts, _, _ = dp.datasets.bbc_news.load_data(shared_data / "bbc_news")
    texts = texts[::3]  # a third of the corpus keeps the naive reference quick
    word_index, counts, docs, to_seq = reference(texts, num_words=1000, oov="<OOV>")
    tok = Tokenizer(num_words=1000, oov_token="<OOV>")
    tok.fit_on_texts(texts)
    assert list(tok.word_index.items()) == list(word_index.items())
    assert dict(tok.word_counts) == counts and dict(tok.word_docs) == docs
    assert tok.texts_to_sequences(texts[:200]) == [to_seq(t) for t in texts[:200]]
    char_index, _, _, _ = reference(texts[:50], char_level=True, lower=False)
    ctok = Tokenizer(char_level=True, lower=False)
    ctok.fit_on_texts(texts[:50])
    assert ctok.word_index == char_index


def test_subword_round_trip_save_load(tmp_path):
    pytest.importorskip("tokenizers", reason="SubwordTokenizer needs `pip install tokenizers`")
    corpus = ["Hello, world! TensorFlow in practice.", "Natural language processing in TensorFlow",
              "Sequences, time series and prediction"] * 30
    tok = SubwordTokenizer.build_from_corpus(corpus, target_vocab_size=400)
    assert 257 < tok.vocab_size <= 400
    for text in ["Hello,  world!\n\ttabs and  double spaces ", "Unseen wörds — “quotes” ☃ 😀", ""]:
        ids = tok.encode(text)
        assert all(1 <= i < tok.vocab_size for i in ids)
        assert tok.decode(ids) == text
        assert tok.decode(np.array([0] + ids + [0, 0])) == text  # padding ids are skipped
    common = tok.encode("TensorFlow")
    assert len(common) < len("TensorFlow")  # a frequent word merges into few subwords
    assert "".join(tok.decode([i]) for i in tok.encode("in practice")) == "in practice"
    assert tok.encode_batch(["Hello", "world"]) == [tok.encode("Hello"), tok.encode("world")]
    tok.save(tmp_path / "sub.json")
    back = SubwordTokenizer.load(tmp_path / "sub.json")
    assert back.vocab_size == tok.vocab_size and back.encode(corpus[0]) == tok.encode(corpus[0])
    assert len(tok.subwords) == tok.vocab_size - 1
    with pytest.raises(ValueError, match="`ids`"):
        tok.decode([tok.vocab_size])
    with pytest.raises(ValueError, match="`target_vocab_size`"):
        SubwordTokenizer.build_from_corpus(corpus, target_vocab_size=100)
    with pytest.raises(TypeError, match="element 1"):
        SubwordTokenizer.build_from_corpus(["a", 3])

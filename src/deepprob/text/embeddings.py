"""Embedding export for the TensorBoard projector (``vecs.tsv`` / ``meta.tsv``, as the course)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def _weights_array(weights) -> np.ndarray:
    if hasattr(weights, "get_weights") and callable(weights.get_weights):  # an Embedding layer
        got = weights.get_weights()
        if not got:
            raise ValueError("Argument `weights`: the layer has no weights yet (build it first).")
        weights = got[0]
    if hasattr(weights, "detach"):  # a torch tensor
        weights = weights.detach().cpu().numpy()
    arr = np.asarray(weights)
    if arr.ndim != 2:
        raise ValueError(f"Argument `weights`: expected a 2-D (vocabulary, dim) matrix, received "
                         f"shape {arr.shape}.")
    return arr


def _word_of(vocabulary):
    """A function index -> word (or None) from a tokenizer, word_index, index_word or list."""
    if hasattr(vocabulary, "index_word"):
        table = vocabulary.index_word
        return table.get
    if hasattr(vocabulary, "decode") and hasattr(vocabulary, "vocab_size"):  # subword tokenizer
        return lambda i: vocabulary.decode([i]) if 0 < i < vocabulary.vocab_size else None
    if isinstance(vocabulary, dict):
        if vocabulary and all(isinstance(k, str) for k in vocabulary):
            inverse = {int(i): w for w, i in vocabulary.items()}
            return inverse.get
        return {int(i): w for i, w in vocabulary.items()}.get
    if isinstance(vocabulary, (list, tuple)):
        return lambda i: vocabulary[i] if i < len(vocabulary) else None
    raise TypeError(f"Argument `vocabulary`: expected a Tokenizer, a word_index dict "
                    f"(word -> index), an index_word dict, a SubwordTokenizer or a list of words, "
                    f"received {type(vocabulary).__name__}.")


def export_embeddings(weights, vocabulary, out_dir: str | os.PathLike = ".") -> tuple[Path, Path]:
    """Write ``vecs.tsv`` (one tab-separated vector per line) and ``meta.tsv`` (the matching word
    per line) for https://projector.tensorflow.org, as the course's loop does.

    Rows ``1 .. vocabulary_size - 1`` of ``weights`` are written (row 0 is padding); rows whose
    index has no word are skipped (both files stay aligned). Numbers are written as ``str`` of the
    float32 values, as the course's ``'\\t'.join([str(x) for x in embeddings])``.

    Args:
        weights: the embedding matrix ``(vocabulary_size, dim)``: a NumPy array, a tensor, or an
            ``Embedding`` layer (its ``get_weights()[0]``).
        vocabulary: a fitted ``Tokenizer`` (``index_word``), a ``word_index`` dict, an
            ``index_word`` dict, a ``SubwordTokenizer`` (``decode([i])``) or a list of words
            indexed by row (e.g. ``TextVectorization.get_vocabulary()``).
        out_dir: the folder to write into (created if needed).

    Returns:
        The paths of ``vecs.tsv`` and ``meta.tsv``.

    Example:
        >>> weights = model.layers[0].get_weights()[0]
        >>> dp.text.export_embeddings(weights, tokenizer, "projector/")
    """
    arr = _weights_array(weights)
    word_of = _word_of(vocabulary)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vecs_path, meta_path = out / "vecs.tsv", out / "meta.tsv"
    with open(vecs_path, "w", encoding="utf-8") as vecs, \
            open(meta_path, "w", encoding="utf-8") as meta:
        for index in range(1, arr.shape[0]):
            word = word_of(index)
            if word is None:
                continue
            word = str(word).replace("\n", " ").replace("\t", " ")
            meta.write(word + "\n")
            vecs.write("\t".join(map(str, arr[index])) + "\n")
    return vecs_path, meta_path

"""N-gram prefixes of a corpus as next-word training data (the course's text-generation recipe)."""

from __future__ import annotations

import numpy as np

from deepprob.preprocessing.sequence import pad_sequences


def ngram_sequences(tokenizer, corpus) -> tuple[np.ndarray, np.ndarray, int]:
    """``(xs, labels, max_sequence_len)`` for next-word prediction, as the course builds them.

    Every line is tokenized with ``tokenizer.texts_to_sequences``; each prefix of 2 or more tokens
    is one example. Prefixes are pre-padded with 0 to ``max_sequence_len`` (the longest prefix);
    ``xs`` holds all but the last column and ``labels`` the last (the next word's index, for
    ``sparse_categorical_crossentropy``, or one-hot encode them with ``num_classes=
    len(tokenizer.word_index) + 1``).

    Args:
        tokenizer: a fitted :class:`deepprob.preprocessing.text.Tokenizer`.
        corpus: a list of lines (strings), e.g. ``text.lower().split("\\n")``.

    Returns:
        ``xs`` int32 ``(n, max_sequence_len - 1)``, ``labels`` int32 ``(n,)``, ``max_sequence_len``.

    Example:
        >>> tok = dp.preprocessing.text.Tokenizer(); tok.fit_on_texts(["a b c"])
        >>> xs, labels, n = dp.text.ngram_sequences(tok, ["a b c"])
        >>> xs.tolist(), labels.tolist(), n
        ([[0, 1], [1, 2]], [2, 3], 3)
    """
    if not hasattr(tokenizer, "texts_to_sequences"):
        raise TypeError(f"Argument `tokenizer`: expected a fitted Tokenizer, received "
                        f"{type(tokenizer).__name__}.")
    if not getattr(tokenizer, "word_index", None):
        raise ValueError("Argument `tokenizer`: the tokenizer has an empty vocabulary; call "
                         "tokenizer.fit_on_texts(corpus) first.")
    if isinstance(corpus, str):
        raise TypeError("Argument `corpus`: expected a list of lines, received one string; "
                        "split it first, e.g. corpus = text.lower().split('\\n').")
    prefixes = []
    for tokens in tokenizer.texts_to_sequences(list(corpus)):
        prefixes.extend(tokens[: i + 1] for i in range(1, len(tokens)))
    if not prefixes:
        raise ValueError("Argument `corpus`: no line has two or more known tokens, so there is no "
                         "next word to learn.")
    max_sequence_len = max(len(p) for p in prefixes)
    padded = pad_sequences(prefixes, maxlen=max_sequence_len, padding="pre")
    return padded[:, :-1], padded[:, -1].copy(), int(max_sequence_len)

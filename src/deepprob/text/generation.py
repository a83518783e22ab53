"""Next-word text generation from a trained model (the course's loop, plus sampling)."""

from __future__ import annotations

import inspect

import numpy as np

from deepprob.preprocessing.sequence import pad_sequences


def _predict_fn(model):
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise TypeError(f"Argument `model`: expected an object with a predict(x) method returning "
                        f"probabilities, received {type(model).__name__}.")
    try:
        params = inspect.signature(predict).parameters
    except (TypeError, ValueError):
        params = {}
    if "verbose" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return lambda x: predict(x, verbose=0)
    return predict


def _check_positive_int(value, name: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"Argument `{name}`: expected an integer, received "
                        f"{type(value).__name__} ({value!r}).")
    if value < (0 if allow_zero else 1):
        bound = ">= 0" if allow_zero else ">= 1"
        raise ValueError(f"Argument `{name}`: expected an integer {bound}, received {value}.")
    return int(value)


def generate(
    model,
    tokenizer,
    seed_text: str,
    next_words: int,
    max_sequence_len: int,
    temperature: float | None = None,
    top_k: int | None = None,
    seed: int | None = None,
) -> str:
    """Extend ``seed_text`` by ``next_words`` words predicted one at a time, as the course does.

    At each step the text so far is tokenized, pre-padded (or cut) to ``max_sequence_len - 1`` and
    fed to ``model.predict``; the next word is the most probable index (greedy, the default) or is
    sampled when ``temperature`` or ``top_k`` is given. Index 0 (padding), the OOV index and
    indices with no word never come out, so every added word is a real vocabulary word.

    Args:
        model: anything whose ``predict(x)`` returns next-word probabilities of shape
            ``(1, vocabulary)`` for an int array ``x`` of shape ``(1, max_sequence_len - 1)``.
        tokenizer: the fitted :class:`~deepprob.preprocessing.text.Tokenizer` used for training.
        seed_text: the starting text; it must hold at least one known word.
        next_words: how many words to add (>= 0).
        max_sequence_len: the ``max_sequence_len`` from :func:`ngram_sequences`.
        temperature: sample from ``p ** (1 / temperature)`` (renormalized); ``> 0``.
        top_k: sample among the ``top_k`` most probable words only.
        seed: seed of the sampler (same seed, same text).

    Returns:
        ``seed_text`` followed by the generated words, separated by spaces.

    Example:
        >>> text = dp.text.generate(model, tokenizer, "Laurence went to dublin", 10,
        ...                         max_sequence_len)
    """
    predict = _predict_fn(model)
    if not isinstance(seed_text, str):
        raise TypeError(f"Argument `seed_text`: expected a string, received "
                        f"{type(seed_text).__name__}.")
    next_words = _check_positive_int(next_words, "next_words", allow_zero=True)
    max_sequence_len = _check_positive_int(max_sequence_len, "max_sequence_len")
    if max_sequence_len < 2:
        raise ValueError(f"Argument `max_sequence_len`: expected >= 2 (inputs are "
                         f"max_sequence_len - 1 long), received {max_sequence_len}.")
    if temperature is not None and not (isinstance(temperature, (int, float, np.floating))
                                        and temperature > 0):
        raise ValueError(f"Argument `temperature`: expected a number > 0, received "
                         f"{temperature!r}.")
    if top_k is not None:
        top_k = _check_positive_int(top_k, "top_k")
    oov_token = getattr(tokenizer, "oov_token", None)
    oov_index = tokenizer.word_index.get(oov_token) if oov_token is not None else None
    tokens = tokenizer.texts_to_sequences([seed_text])[0]
    if not [t for t in tokens if t != oov_index]:
        raise ValueError(f"Argument `seed_text`: {seed_text!r} holds no word of the tokenizer's "
                         "vocabulary, so there is nothing to predict from.")
    sample = temperature is not None or top_k is not None
    rng = np.random.default_rng(seed)
    index_word = tokenizer.index_word
    allowed = None
    text = seed_text
    for _ in range(next_words):
        x = pad_sequences([tokens], maxlen=max_sequence_len - 1, padding="pre")
        probs = np.asarray(predict(x), dtype=np.float64).reshape(-1)
        if allowed is None or allowed.shape != probs.shape:
            allowed = np.zeros(probs.shape, dtype=bool)
            for i in index_word:
                if 0 < i < probs.size and i != oov_index:
                    allowed[i] = True
            if not allowed.any():
                raise ValueError(f"Argument `model`: predict() returned {probs.size} "
                                 "probabilities, none of which is a vocabulary word's index.")
        probs = np.where(allowed, probs, 0.0)
        if not sample:
            index = int(np.argmax(np.where(allowed, probs, -np.inf)))
        else:
            logp = np.log(np.maximum(probs, 1e-300)) / (temperature or 1.0)
            logp[~allowed] = -np.inf
            if top_k is not None and top_k < int(allowed.sum()):
                cut = np.partition(logp, -top_k)[-top_k]
                logp[logp < cut] = -np.inf
            weights = np.exp(logp - logp.max())
            index = int(rng.choice(probs.size, p=weights / weights.sum()))
        word = index_word[index]
        text += " " + word
        tokens = tokens + tokenizer.texts_to_sequences([word])[0]
    return text

"""``TextVectorization``: raw strings to token ids or bag-of-words vectors, as Keras.

Strings are standardized (lower-cased, punctuation stripped), split on whitespace, optionally
joined into n-grams, and looked up in a vocabulary learned by ``adapt(texts)``: tokens sorted by
count (ties by the token, high to low, as Keras), index 0 the padding ``""`` and 1 ``"[UNK]"`` in
``"int"`` mode; in the other modes index 0 is ``"[UNK]"``. Text processing runs in Python on the
host (strings have no torch dtype); the outputs are torch tensors.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch

from deepprob._errors import unknown
from deepprob.engine.layer import Layer

__all__ = ["TextVectorization"]

_STRIP = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_MODES = ("int", "multi_hot", "count", "tf_idf")
_PAD, _OOV = "", "[UNK]"


def _as_texts(data, argument: str) -> list[str]:
    """A flat list of Python strings from a string, list, NumPy array, tensor-free iterable."""
    if isinstance(data, (str, bytes)):
        data = [data]
    if isinstance(data, np.ndarray):
        data = data.reshape(-1).tolist()
    elif isinstance(data, torch.Tensor):
        raise TypeError(f"Argument `{argument}` of TextVectorization: expected strings, received "
                        f"a tensor of dtype {data.dtype}.")
    out = []
    for i, text in enumerate(data):
        if isinstance(text, np.ndarray):
            out.extend(_as_texts(text, argument))
            continue
        if isinstance(text, (list, tuple)):
            out.extend(_as_texts(list(text), argument))
            continue
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise TypeError(f"Argument `{argument}` of TextVectorization: expected strings, "
                            f"received {type(text).__name__} at index {i}.")
        out.append(text)
    return out


def _is_text_input(x) -> bool:
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "USO"
    return isinstance(x, (list, tuple)) and len(x) > 0 and isinstance(x[0], (str, bytes))


class TextVectorization(Layer):
    """Map raw strings to token ids (``"int"``) or to vocabulary-sized vectors.

    Args:
        max_tokens: largest vocabulary size, special tokens included (padding and ``[UNK]`` in
            ``"int"`` mode, ``[UNK]`` otherwise); None for no limit.
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, None, or a callable ``str -> str``.
        split: ``"whitespace"`` (default), ``"character"``, None (one token per string), or a
            callable ``str -> list[str]``.
        ngrams: None, an int ``n`` (all 1..n-grams) or a tuple of n-gram sizes.
        output_mode: ``"int"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: ``"int"`` mode: pad with 0 / truncate each row to this length
            (None pads to the longest row of the batch).
        pad_to_max_tokens: other modes: make the output ``max_tokens`` wide.
        vocabulary: optional list of tokens (without the special tokens) instead of ``adapt``.
        idf_weights: with ``"tf_idf"`` and ``vocabulary``, the weights per vocabulary entry.

    Example:
        >>> layer = dp.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["the cat sat", "the dog"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> layer(["The cat, the bird!"])
        tensor([[2, 5, 2, 1]])
    """

    def __init__(self, max_tokens: int | None = None,
                 standardize: str | Callable | None = "lower_and_strip_punctuation",
                 split: str | Callable | None = "whitespace", ngrams=None,
                 output_mode: str = "int", output_sequence_length: int | None = None,
                 pad_to_max_tokens: bool = False, vocabulary: Sequence[str] | None = None,
                 idf_weights=None, **kwargs):
        kwargs.pop("sparse", None)
        kwargs.pop("ragged", None)
        kwargs.pop("encoding", None)
        super().__init__(**kwargs)
        if output_mode not in _MODES:
            raise unknown("output mode", output_mode, _MODES, argument="output_mode")
        if isinstance(standardize, str) and standardize not in _STANDARDIZE:
            raise unknown("standardization", standardize, _STANDARDIZE, argument="standardize")
        if standardize is not None and not isinstance(standardize, str) and not callable(
                standardize):
            raise TypeError("Argument `standardize` of TextVectorization: expected a name, a "
                            f"callable or None, received {type(standardize).__name__}.")
        if isinstance(split, str) and split not in _SPLIT:
            raise unknown("split", split, _SPLIT, argument="split")
        if split is not None and not isinstance(split, str) and not callable(split):
            raise TypeError("Argument `split` of TextVectorization: expected a name, a callable "
                            f"or None, received {type(split).__name__}.")
        special = 2 if output_mode == "int" else 1
        if max_tokens is not None and (isinstance(max_tokens, bool)
                                       or not isinstance(max_tokens, int)
                                       or max_tokens <= special):
            raise ValueError(
                f"Argument `max_tokens` of TextVectorization: expected None or an integer > "
                f"{special} (the special tokens count), received {max_tokens!r}.")
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError("Argument `output_sequence_length` of TextVectorization: only "
                                 f"valid with output_mode='int', received output_mode="
                                 f"{output_mode!r}.")
            if (isinstance(output_sequence_length, bool)
                    or not isinstance(output_sequence_length, int)
                    or output_sequence_length <= 0):
                raise ValueError("Argument `output_sequence_length` of TextVectorization: "
                                 "expected a positive integer, received "
                                 f"{output_sequence_length!r}.")
        if ngrams is not None:
            sizes = (tuple(range(1, ngrams + 1)) if isinstance(ngrams, int)
                     else tuple(ngrams))
            if not sizes or any(not isinstance(n, int) or n <= 0 for n in sizes):
                raise ValueError("Argument `ngrams` of TextVectorization: expected None, a "
                                 f"positive integer or a tuple of them, received {ngrams!r}.")
            self._ngram_sizes = sizes
        else:
            self._ngram_sizes = (1,)
        if pad_to_max_tokens and max_tokens is None and output_mode != "int":
            raise ValueError("Argument `pad_to_max_tokens` of TextVectorization needs "
                             "`max_tokens`.")
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._vocab: list[str] = []
        self._index: dict[str, int] = {}
        self._idf: torch.Tensor | None = None
        self.built = True
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- text processing -----------------------------------------------------------------------
    def _standardize(self, text: str) -> str:
        mode = self.standardize
        if mode is None:
            return text
        if callable(mode):
            return mode(text)
        if mode in ("lower_and_strip_punctuation", "lower"):
            text = text.lower()
        if mode in ("lower_and_strip_punctuation", "strip_punctuation"):
            text = _STRIP.sub("", text)
        return text

    def _tokens(self, text: str) -> list[str]:
        text = self._standardize(text)
        if self.split is None:
            tokens = [text]
        elif callable(self.split):
            tokens = list(self.split(text))
        elif self.split == "whitespace":
            tokens = text.split()
        else:
            tokens = list(text)
        if self._ngram_sizes == (1,):
            return tokens
        out = []
        for n in self._ngram_sizes:
            out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return out

    # -- vocabulary ----------------------------------------------------------------------------
    @property
    def _n_special(self) -> int:
        return 2 if self.output_mode == "int" else 1

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary (and, for ``"tf_idf"``, document frequencies) from ``data``.

        Args:
            data: strings: a list, a NumPy array, or an iterable of them / of batches
                (e.g. a ``dp.data.Dataset`` of strings).
            batch_size, steps: accepted for Keras compatibility.
        """
        counts: Counter = Counter()
        doc_counts: Counter = Counter()
        documents = 0
        for text in self._iter_texts(data):
            tokens = self._tokens(text)
            counts.update(tokens)
            if self.output_mode == "tf_idf":
                doc_counts.update(set(tokens))
                documents += 1
        counts.pop(_PAD, None)
        counts.pop(_OOV, None)
        ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[:self.max_tokens - self._n_special]
        tokens = [t for t, _ in ordered]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1.0 + documents / (1.0 + doc_counts[t])) for t in tokens]
        self._set(tokens, idf)

    def _iter_texts(self, data) -> Iterable[str]:
        if isinstance(data, (str, bytes, np.ndarray, list, tuple)):
            yield from _as_texts(data, "data")
            return
        if isinstance(data, torch.Tensor):
            _as_texts(data, "data")
        try:
            iterator = iter(data)
        except TypeError:
            raise TypeError("Argument `data` of TextVectorization.adapt: expected strings or an "
                            f"iterable of strings, received {type(data).__name__}.") from None
        for item in iterator:
            if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[0], str):
                item = item[0]  # (x, y) pairs from a dataset
            yield from _as_texts(item, "data")

    def set_vocabulary(self, vocabulary: Sequence[str], idf_weights=None) -> None:
        """Set the vocabulary (without or with the leading special tokens).

        Args:
            vocabulary: tokens, most frequent first.
            idf_weights: ``"tf_idf"`` mode: one weight per token.
        """
        tokens = _as_texts(list(vocabulary), "vocabulary")
        lead = [_PAD, _OOV] if self.output_mode == "int" else [_OOV]
        if tokens[:len(lead)] == lead:
            tokens = tokens[len(lead):]
            if idf_weights is not None and len(idf_weights) == len(tokens) + len(lead):
                idf_weights = list(idf_weights)[len(lead):]
        repeated = [t for t, c in Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError("Argument `vocabulary` of TextVectorization: repeated tokens "
                             f"{repeated[:5]}.")
        if self.output_mode == "tf_idf":
            if idf_weights is None or len(idf_weights) != len(tokens):
                raise ValueError(
                    "Argument `idf_weights` of TextVectorization: with output_mode='tf_idf' "
                    f"expected {len(tokens)} weights (one per token), received "
                    f"{None if idf_weights is None else len(idf_weights)}.")
            idf_weights = [float(w) for w in idf_weights]
        if self.max_tokens is not None and len(tokens) + self._n_special > self.max_tokens:
            raise ValueError(
                f"Argument `vocabulary` of TextVectorization: {len(tokens)} tokens plus "
                f"{self._n_special} special token(s) exceed max_tokens={self.max_tokens}.")
        self._set(tokens, idf_weights)

    def _set(self, tokens: list[str], idf: list[float] | None) -> None:
        lead = [_PAD, _OOV] if self.output_mode == "int" else [_OOV]
        self._vocab = lead + list(tokens)
        start = len(lead)
        self._index = {t: i + start for i, t in enumerate(tokens)}
        if self.output_mode == "tf_idf":
            mean = float(np.mean(idf)) if idf else 0.0
            self._idf = torch.tensor([mean] + list(idf), dtype=self.dtype)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The vocabulary, index by index (``["", "[UNK]", ...]`` in ``"int"`` mode)."""
        return list(self._vocab) if include_special_tokens else self._vocab[self._n_special:]

    def vocabulary_size(self) -> int:
        """Number of entries of ``get_vocabulary()``."""
        return len(self._vocab)

    # -- calling -------------------------------------------------------------------------------
    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else len(self._vocab)

    def _ids(self, texts: list[str]) -> list[list[int]]:
        index = self._index
        oov = 1 if self.output_mode == "int" else 0
        return [[index.get(t, oov) for t in self._tokens(text) if t != _PAD] for text in texts]

    def vectorize(self, texts) -> torch.Tensor:
        """Vectorize strings (what calling the layer on strings does)."""
        if not self._vocab:
            raise RuntimeError(f"TextVectorization {self.name!r} has no vocabulary: call "
                               "`adapt(texts)` or pass `vocabulary=` first.")
        shape = np.shape(texts) if isinstance(texts, np.ndarray) else None
        texts = _as_texts(texts, "inputs")
        if shape is not None and len(shape) == 2 and shape[-1] != 1:
            raise ValueError("TextVectorization: expected one string per row, received an array "
                             f"of shape {shape}.")
        rows = self._ids(texts)
        if self.output_mode == "int":
            length = self.output_sequence_length
            if length is None:
                length = max((len(r) for r in rows), default=0)
            out = np.zeros((len(rows), length), np.int64)
            for i, r in enumerate(rows):
                r = r[:length]
                out[i, :len(r)] = r
            return torch.from_numpy(out)
        depth = self._depth()
        counts = np.zeros((len(rows), depth), np.float32)
        for i, r in enumerate(rows):
            if r:
                np.add.at(counts[i], r, 1.0)
        out = torch.from_numpy(counts)
        if self.output_mode == "multi_hot":
            return (out > 0).to(self.dtype)
        if self.output_mode == "count":
            return out.to(self.dtype)
        idf = self._idf
        if idf.numel() < depth:
            idf = torch.cat([idf, idf.new_zeros(depth - idf.numel())])
        return out.to(self.dtype) * idf

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        if _is_text_input(inputs):
            return self.vectorize(inputs)
        return super().__call__(*args, **kwargs)

    def call(self, inputs):
        # Numeric inputs only reach here as placeholders for shape inference (strings are
        # handled in __call__): give an output of the right shape and dtype.
        batch = inputs.shape[0]
        if self.output_mode == "int":
            length = self.output_sequence_length or batch  # unknown length varies
            return torch.zeros(batch, length, dtype=torch.int64, device=inputs.device)
        return torch.zeros(batch, self._depth(), dtype=self.dtype, device=inputs.device)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "standardize": self.standardize if not callable(self.standardize) else None,
                "split": self.split if not callable(self.split) else None,
                "ngrams": self.ngrams, "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary": self.get_vocabulary(False) if self._vocab else None,
                "idf_weights": (self._idf[1:].tolist() if self._idf is not None else None)}

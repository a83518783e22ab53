"""Text preprocessing as in ``tf.keras.preprocessing.text``: ``Tokenizer``,
``text_to_word_sequence``, ``one_hot``, ``hashing_trick``, ``tokenizer_from_json``, and a
subword tokenizer (``SubwordTokenizer``, in place of ``tfds.deprecated.text.SubwordTextEncoder``).

``Tokenizer`` gives the same indices, counts and JSON as Keras's, character for character, and is
faster (counting with ``collections.Counter``, one translation table per call). Where Keras is
surprising it does better, and says so: a single string passed where a list of texts is expected is
an error (Keras would silently treat every character as a document), and non-string texts are
reported with their position.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import json
from collections.abc import Callable, Iterable

import numpy as np

from deepprob._errors import unknown

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")

__all__ = [
    "DEFAULT_FILTERS", "SubwordTokenizer", "Tokenizer", "hashing_trick", "one_hot",
    "text_to_word_sequence", "tokenizer_from_json",
]


@functools.lru_cache(maxsize=32)
def _splitter(filters: str, lower: bool, split: str) -> Callable[[str], list[str]]:
    """Keras's word splitting (lower, filters -> split, split, drop empties) as one function.

    With ASCII filters and a one-character ASCII ``split`` (the usual case) the filters are applied
    to the UTF-8 bytes with ``bytes.translate``, an order of magnitude faster than
    ``str.translate`` on non-ASCII text and exact: UTF-8 never uses bytes < 128 inside a multi-byte
    character.
    """
    if not filters:
        def words(text: str) -> list[str]:
            return [w for w in (text.lower() if lower else text).split(split) if w]
    elif filters.isascii() and split.isascii() and len(split) == 1:
        table = bytes.maketrans(filters.encode(), split.encode() * len(filters))

        def words(text: str) -> list[str]:
            if lower:
                text = text.lower()
            text = text.encode("utf-8", "surrogatepass").translate(table).decode(
                "utf-8", "surrogatepass")
            return [w for w in text.split(split) if w]
    else:
        mapping = str.maketrans({c: split for c in filters})

        def words(text: str) -> list[str]:
            if lower:
                text = text.lower()
            return [w for w in text.translate(mapping).split(split) if w]
    return words


def _check_split(split) -> None:
    if not isinstance(split, str) or not split:
        raise ValueError(f"Argument `split`: expected a non-empty string, received {split!r}.")


def text_to_word_sequence(
    input_text: str, filters: str = DEFAULT_FILTERS, lower: bool = True, split: str = " "
) -> list[str]:
    """Split a text into words as Keras does: lower-case, replace every character of ``filters``
    by ``split``, split on ``split`` and drop empty strings.

    Args:
        input_text: the text.
        filters: characters removed (replaced by ``split``); default: punctuation, tab, newline.
        lower: lower-case the text first.
        split: the word separator.

    Example:
        >>> text_to_word_sequence("Do you think my dog is amazing?")
        ['do', 'you', 'think', 'my', 'dog', 'is', 'amazing']
    """
    if not isinstance(input_text, str):
        raise TypeError(f"Argument `input_text`: expected a string, received "
                        f"{type(input_text).__name__}.")
    _check_split(split)
    return _splitter(filters, bool(lower), split)(input_text)


def hashing_trick(
    text: str,
    n: int,
    hash_function: Callable[[str], int] | str | None = None,
    filters: str = DEFAULT_FILTERS,
    lower: bool = True,
    split: str = " ",
    analyzer: Callable[[str], list[str]] | None = None,
) -> list[int]:
    """Map each word of ``text`` to ``hash(word) % (n - 1) + 1`` (indices in ``[1, n - 1]``), as
    Keras does.

    Args:
        text: the text.
        n: size of the hashing space (> 1).
        hash_function: ``None`` for Python's ``hash`` (salted per process unless ``PYTHONHASHSEED``
            is set, exactly as in Keras), ``"md5"`` for a stable hash, or a callable ``str -> int``.
        filters, lower, split: as in :func:`text_to_word_sequence`.
        analyzer: optional callable splitting a text into words (replaces the three above).

    Example:
        >>> hashing_trick("the cat the", 10, hash_function="md5")
        [6, 3, 6]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"Argument `n`: expected an integer >= 2, received {n!r}.")
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(w: str) -> int:
            return int(hashlib.md5(w.encode(), usedforsecurity=False).hexdigest(), 16)
    elif not callable(hash_function):
        raise TypeError(f"Argument `hash_function`: expected None, 'md5' or a callable, received "
                        f"{hash_function!r}.")
    words = analyzer(text) if analyzer is not None else text_to_word_sequence(
        text, filters=filters, lower=lower, split=split)
    return [hash_function(w) % (n - 1) + 1 for w in words]


def one_hot(
    input_text: str,
    n: int,
    filters: str = DEFAULT_FILTERS,
    lower: bool = True,
    split: str = " ",
    analyzer: Callable[[str], list[str]] | None = None,
) -> list[int]:
    """Keras's ``one_hot``: :func:`hashing_trick` with Python's ``hash`` (indices in
    ``[1, n - 1]``).

    Args:
        input_text: the text.
        n: size of the hashing space.
        filters, lower, split, analyzer: as in :func:`hashing_trick`.

    Example:
        >>> idx = one_hot("the cat the", 10)
        >>> idx[0] == idx[2] and all(1 <= i <= 9 for i in idx)
        True
    """
    return hashing_trick(input_text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split, analyzer=analyzer)


class Tokenizer:
    """Keras's text tokenizer: a vocabulary ranked by frequency, and texts turned into index lists
    or matrices.

    ``word_index`` is 1-based (0 is left for padding), ordered by descending count with ties in the
    order words were first seen, the ``oov_token`` (if any) at index 1. ``num_words`` does not
    shrink ``word_index``: it applies when converting (only indices ``< num_words`` are kept;
    others become the OOV index, or are dropped without an ``oov_token``).

    Args:
        num_words: keep the ``num_words - 1`` most frequent words when converting (``None``: all).
        filters: characters removed from texts (replaced by ``split``).
        lower: lower-case texts.
        split: word separator.
        char_level: every character is a token (``filters`` do not apply, as in Keras).
        oov_token: token for out-of-vocabulary words, placed at index 1.
        analyzer: optional callable ``str -> list of tokens`` replacing filters/lower/split.
        document_count: starting document count (used when restoring from JSON).

    Example:
        >>> tok = Tokenizer(num_words=100, oov_token="<OOV>")
        >>> tok.fit_on_texts(["I love my dog", "I love my cat", "You love my dog!"])
        >>> tok.word_index
        {'<OOV>': 1, 'love': 2, 'my': 3, 'i': 4, 'dog': 5, 'cat': 6, 'you': 7}
        >>> tok.texts_to_sequences(["i really love my dog"])
        [[4, 1, 2, 3, 5]]
    """

    def __init__(
        self,
        num_words: int | None = None,
        filters: str = DEFAULT_FILTERS,
        lower: bool = True,
        split: str = " ",
        char_level: bool = False,
        oov_token: str | None = None,
        analyzer: Callable[[str], list[str]] | None = None,
        **kwargs,
    ):
        if "nb_words" in kwargs:
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Tokenizer: unrecognized keyword arguments {sorted(kwargs)}.")
        if num_words is not None and (isinstance(num_words, bool)
                                      or not isinstance(num_words, (int, np.integer))
                                      or num_words < 0):
            raise ValueError(f"Argument `num_words`: expected None or an integer >= 0, received "
                             f"{num_words!r}.")
        if not isinstance(filters, str):
            raise TypeError(f"Argument `filters`: expected a string of characters, received "
                            f"{type(filters).__name__}.")
        if not char_level and analyzer is None:
            _check_split(split)
        self.word_counts: collections.OrderedDict[str, int] = collections.OrderedDict()
        self.word_docs: collections.defaultdict[str, int] = collections.defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = None if num_words is None else int(num_words)
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs: collections.defaultdict[int, int] = collections.defaultdict(int)
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}
        self.analyzer = analyzer

    # -- tokenizing -------------------------------------------------------------------------------
    def _tokenizer(self) -> Callable[[object, int], list]:
        """A function ``(text, position) -> tokens`` with Keras's rules, tables built once."""
        lower, char_level, analyzer = self.lower, self.char_level, self.analyzer
        words = None if char_level or analyzer is not None else _splitter(
            self.filters, bool(lower), self.split)

        def tokens(text, position: int):
            if isinstance(text, str):
                if char_level:
                    return list(text.lower() if lower else text)
                if analyzer is not None:
                    return analyzer(text)
                return words(text)
            if isinstance(text, list):  # a pre-tokenized text, as Keras accepts
                return [t.lower() for t in text] if lower else text
            raise TypeError(f"Argument `texts`: element {position} is a {type(text).__name__} "
                            f"({text!r:.60}); expected a string (or a list of tokens).")

        return tokens

    @staticmethod
    def _check_texts(texts, argument: str = "texts"):
        if isinstance(texts, (str, bytes)):
            raise TypeError(f"Argument `{argument}`: expected a list of texts, received a single "
                            f"{type(texts).__name__} ({texts!r:.60}); wrap it in a list: [text].")
        if not isinstance(texts, Iterable):
            raise TypeError(f"Argument `{argument}`: expected a list of texts, received "
                            f"{type(texts).__name__}.")
        return texts

    def fit_on_texts(self, texts: Iterable[str]) -> None:
        """Update the vocabulary (``word_counts``, ``word_docs``, ``word_index``...) from texts.

        Args:
            texts: a list (or any iterable) of strings, or of lists of tokens.

        Example:
            >>> tok = Tokenizer(); tok.fit_on_texts(["a b b"]); tok.word_index
            {'b': 1, 'a': 2}
        """
        tokens = self._tokenizer()
        counts: collections.Counter = collections.Counter()
        docs: collections.Counter = collections.Counter()
        n_docs = 0
        for position, text in enumerate(self._check_texts(texts)):
            seq = tokens(text, position)
            counts.update(seq)
            docs.update(dict.fromkeys(seq).keys())
            n_docs += 1
        self.document_count += n_docs
        if self.word_counts:
            for w, c in counts.items():
                self.word_counts[w] = self.word_counts.get(w, 0) + c
        else:
            self.word_counts = collections.OrderedDict(counts)
        for w, c in docs.items():
            self.word_docs[w] += c
        # Python's sort is stable, also with reverse=True: ties keep first-seen order.
        ranked = sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)
        vocab = [] if self.oov_token is None else [self.oov_token]
        vocab.extend(w for w, _ in ranked)
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))
        self.index_word = {i: w for w, i in self.word_index.items()}
        word_index = self.word_index
        for w, c in self.word_docs.items():
            self.index_docs[word_index[w]] = c

    def fit_on_sequences(self, sequences: Iterable[Iterable[int]]) -> None:
        """Update ``index_docs`` and ``document_count`` from index sequences (for ``tfidf``).

        Args:
            sequences: a list of lists of integer indices.
        """
        sequences = list(sequences)
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def _lookup(self) -> tuple[dict, int | None]:
        """The word -> index table ``num_words`` leaves, and the OOV index (or None)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        num_words = self.num_words
        if num_words and len(self.word_index) >= num_words:
            return {w: i for w, i in self.word_index.items() if i < num_words}, oov
        return self.word_index, oov

    def texts_to_sequences(self, texts: Iterable[str]) -> list[list[int]]:
        """Turn each text into a list of word indices (see ``num_words`` and ``oov_token``).

        Args:
            texts: a list of strings (or of lists of tokens).

        Example:
            >>> tok = Tokenizer(); tok.fit_on_texts(["a b b"]); tok.texts_to_sequences(["b a c"])
            [[1, 2]]
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts: Iterable[str]):
        """Generator form of :meth:`texts_to_sequences` (one list per text).

        Args:
            texts: a list of strings (or of lists of tokens).
        """
        tokens = self._tokenizer()
        lookup, oov = self._lookup()
        get = lookup.get
        keep_oov = self.oov_token is not None
        for position, text in enumerate(self._check_texts(texts)):
            seq = tokens(text, position)
            if keep_oov:
                yield [get(w, oov) for w in seq]
            else:
                yield [i for i in map(get, seq) if i is not None]

    def sequences_to_texts(self, sequences: Iterable[Iterable[int]]) -> list[str]:
        """Turn index lists back into space-joined texts (unknown indices become the OOV token or
        are dropped, as in Keras).

        Args:
            sequences: a list of lists of integer indices (NumPy arrays work too).

        Example:
            >>> tok = Tokenizer(); tok.fit_on_texts(["a b b"]); tok.sequences_to_texts([[1, 2, 0]])
            ['b a']
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences: Iterable[Iterable[int]]):
        """Generator form of :meth:`sequences_to_texts`.

        Args:
            sequences: a list of lists of integer indices.
        """
        oov_index = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        oov_word = self.index_word.get(oov_index) if oov_index is not None else None
        num_words = self.num_words
        index_word = self.index_word
        if num_words:
            index_word = {i: w for i, w in index_word.items() if i < num_words}
        get = index_word.get
        for seq in sequences:
            if isinstance(seq, np.ndarray):
                seq = seq.tolist()
            if self.oov_token is not None:
                words = [get(i, oov_word) for i in seq]
                yield " ".join(w for w in words if w is not None)
            else:
                yield " ".join(w for w in map(get, seq) if w is not None)

    def texts_to_matrix(self, texts: Iterable[str], mode: str = "binary") -> np.ndarray:
        """A ``(len(texts), num_words)`` float64 matrix (``num_words`` defaults to
        ``len(word_index) + 1``) in one of Keras's modes.

        Args:
            texts: a list of strings.
            mode: ``"binary"``, ``"count"``, ``"freq"`` or ``"tfidf"``.

        Example:
            >>> tok = Tokenizer(); tok.fit_on_texts(["a b b"])
            >>> tok.texts_to_matrix(["b b"], "count")
            array([[0., 2., 0.]])
        """
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode: str = "binary") -> np.ndarray:
        """Matrix form of index sequences (see :meth:`texts_to_matrix`); indices ``>= num_words``
        are ignored, ``freq`` divides by the full sequence length, ``tfidf`` is
        ``(1 + log count) * log(1 + document_count / (1 + docs containing the index))``.

        Args:
            sequences: a list of lists of integer indices.
            mode: ``"binary"``, ``"count"``, ``"freq"`` or ``"tfidf"``.
        """
        if mode not in MATRIX_MODES:
            raise unknown("vectorization mode", mode, MATRIX_MODES, argument="mode")
        if not self.num_words:
            if not self.word_index:
                raise ValueError("Specify a dimension (`num_words` argument), or fit on some text "
                                 "data first.")
            num_words = len(self.word_index) + 1
        else:
            num_words = self.num_words
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        seqs = [s.tolist() if isinstance(s, np.ndarray) else list(s) for s in sequences]
        x = np.zeros((len(seqs), num_words))
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        if lengths.sum() == 0:
            return x
        flat = np.fromiter((j for s in seqs for j in s), dtype=np.int64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(seqs)), lengths)
        keep = (flat < num_words) & (flat >= 0)
        counts = np.bincount(rows[keep] * num_words + flat[keep],
                             minlength=len(seqs) * num_words).reshape(len(seqs), num_words)
        present = counts > 0
        if mode == "count":
            x[present] = counts[present]
        elif mode == "binary":
            x[present] = 1.0
        elif mode == "freq":
            x[present] = (counts / np.maximum(lengths, 1)[:, None])[present]
        else:
            docs = np.zeros(num_words)
            for j, c in self.index_docs.items():
                if 0 <= j < num_words:
                    docs[j] = c
            idf = np.log(1 + self.document_count / (1 + docs))
            r, c = np.nonzero(present)
            x[r, c] = (1 + np.log(counts[r, c])) * idf[c]
        return x

    # -- serialization ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The configuration Keras writes (vocabulary tables as JSON strings).

        Example:
            >>> sorted(Tokenizer().get_config())[:3]
            ['char_level', 'document_count', 'filters']
        """
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """The tokenizer as Keras's JSON (``{"class_name": "Tokenizer", "config": ...}``); read it
        back with :func:`tokenizer_from_json` (here or in Keras).

        Args:
            **kwargs: passed to ``json.dumps`` (e.g. ``ensure_ascii=False``).
        """
        return json.dumps({"class_name": self.__class__.__name__, "config": self.get_config()},
                          **kwargs)

    def __repr__(self) -> str:
        return (f"Tokenizer(num_words={self.num_words}, oov_token={self.oov_token!r}, "
                f"vocabulary={len(self.word_index)}, documents={self.document_count})")


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuild a :class:`Tokenizer` from :meth:`Tokenizer.to_json` output (also Keras's).

    Args:
        json_string: the JSON text.

    Example:
        >>> tok = Tokenizer(); tok.fit_on_texts(["a b b"])
        >>> tokenizer_from_json(tok.to_json()).word_index
        {'b': 1, 'a': 2}
    """
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"Argument `json_string`: expected a JSON string, received "
                        f"{type(json_string).__name__}.")
    payload = json.loads(json_string)
    if not isinstance(payload, dict) or not isinstance(payload.get("config"), dict):
        raise ValueError("Argument `json_string`: expected Keras tokenizer JSON with a 'config' "
                         "object (as written by Tokenizer.to_json()).")
    config = dict(payload["config"])
    word_counts = json.loads(config.pop("word_counts"))
    word_docs = json.loads(config.pop("word_docs"))
    index_docs = {int(k): v for k, v in json.loads(config.pop("index_docs")).items()}
    index_word = {int(k): v for k, v in json.loads(config.pop("index_word")).items()}
    word_index = json.loads(config.pop("word_index"))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(word_counts)
    tokenizer.word_docs = collections.defaultdict(int, word_docs)
    tokenizer.index_docs = collections.defaultdict(int, index_docs)
    tokenizer.word_index = word_index
    tokenizer.index_word = index_word
    return tokenizer



def _hf_tokenizers():
    try:
        import tokenizers
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("SubwordTokenizer needs the Hugging Face `tokenizers` package: "
                          "pip install tokenizers") from err
    return tokenizers


class SubwordTokenizer:
    """A byte-level BPE subword tokenizer (Hugging Face ``tokenizers``), in place of
    ``tfds.deprecated.text.SubwordTextEncoder``.

    Ids start at 1; 0 is left for padding (as in TFDS), so ``vocab_size`` counts it and an
    ``Embedding(tokenizer.vocab_size, ...)`` fits. Any text round-trips exactly:
    ``decode(encode(text)) == text`` (spaces, punctuation, newlines and any Unicode included), also
    for words never seen in training.

    Args:
        tokenizer: a trained ``tokenizers.Tokenizer``; usually built by :meth:`build_from_corpus` or
            :meth:`load`.

    Example:
        >>> tok = SubwordTokenizer.build_from_corpus(["TensorFlow, from basics to mastery"] * 20,
        ...                                          target_vocab_size=300)
        >>> ids = tok.encode("TensorFlow rocks!")
        >>> tok.decode(ids)
        'TensorFlow rocks!'
    """

    def __init__(self, tokenizer):
        tk = _hf_tokenizers()
        if not isinstance(tokenizer, tk.Tokenizer):
            raise TypeError(f"Argument `tokenizer`: expected a tokenizers.Tokenizer, received "
                            f"{type(tokenizer).__name__}; build one with "
                            "SubwordTokenizer.build_from_corpus(texts).")
        self._tk = tokenizer

    @classmethod
    def build_from_corpus(cls, texts: Iterable[str], target_vocab_size: int = 8000,
                          min_frequency: int = 2) -> SubwordTokenizer:
        """Learn a subword vocabulary of about ``target_vocab_size`` entries from texts.

        The vocabulary always holds the 256 byte symbols (so nothing is ever out of vocabulary);
        merges are learned until ``target_vocab_size - 1`` entries (one id is padding) or until the
        corpus offers no pair seen ``min_frequency`` times.

        Args:
            texts: an iterable of strings (read once, streamed).
            target_vocab_size: the vocabulary size wanted, padding id included (>= 258).
            min_frequency: a merge needs a pair seen at least this often.

        Example:
            >>> tok = SubwordTokenizer.build_from_corpus(["a b c"] * 5, target_vocab_size=300)
        """
        tk = _hf_tokenizers()
        if isinstance(target_vocab_size, bool) or not isinstance(target_vocab_size,
                                                                 (int, np.integer)):
            raise TypeError(f"Argument `target_vocab_size`: expected an integer, received "
                            f"{type(target_vocab_size).__name__}.")
        if target_vocab_size < 258:
            raise ValueError(f"Argument `target_vocab_size`: expected >= 258 (256 byte symbols, "
                             f"padding and one merge), received {target_vocab_size}.")
        if isinstance(texts, (str, bytes)):
            raise TypeError("Argument `texts`: expected a list of strings, received a single "
                            "string; wrap it in a list: [text].")

        def checked():
            for i, text in enumerate(texts):
                if not isinstance(text, str):
                    raise TypeError(f"Argument `texts`: element {i} is a {type(text).__name__}; "
                                    "expected a string.")
                yield text

        tokenizer = tk.Tokenizer(tk.models.BPE())
        tokenizer.pre_tokenizer = tk.pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = tk.decoders.ByteLevel()
        trainer = tk.trainers.BpeTrainer(
            vocab_size=int(target_vocab_size) - 1, min_frequency=int(min_frequency),
            initial_alphabet=tk.pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tokenizer.train_from_iterator(checked(), trainer)
        return cls(tokenizer)

    @property
    def vocab_size(self) -> int:
        """Number of ids, the padding id 0 included (ids are ``0 .. vocab_size - 1``)."""
        return self._tk.get_vocab_size() + 1

    @property
    def subwords(self) -> list[str]:
        """The text of each id ``1 .. vocab_size - 1`` (byte pieces that are not whole UTF-8
        characters show as U+FFFD)."""
        return [self._tk.decode([i]) for i in range(self._tk.get_vocab_size())]

    def encode(self, text: str) -> list[int]:
        """Subword ids (>= 1) of a text.

        Args:
            text: the string to encode.

        Example:
            >>> tok = SubwordTokenizer.build_from_corpus(["ab ab"] * 5, target_vocab_size=300)
            >>> all(i >= 1 for i in tok.encode("ab ba"))
            True
        """
        if not isinstance(text, str):
            raise TypeError(f"Argument `text`: expected a string, received {type(text).__name__}.")
        return [i + 1 for i in self._tk.encode(text, add_special_tokens=False).ids]

    def encode_batch(self, texts: Iterable[str]) -> list[list[int]]:
        """:meth:`encode` for many texts at once (runs in parallel inside ``tokenizers``).

        Args:
            texts: a list of strings.
        """
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"Argument `texts`: element {i} is a {type(text).__name__}; "
                                "expected a string.")
        encoded = self._tk.encode_batch(texts, add_special_tokens=False)
        return [[i + 1 for i in e.ids] for e in encoded]

    def decode(self, ids: Iterable[int]) -> str:
        """The text of a list of ids (padding ids 0 are skipped).

        Args:
            ids: integer ids, e.g. from :meth:`encode` (a NumPy array or tensor works).

        Example:
            >>> tok = SubwordTokenizer.build_from_corpus(["ab ab"] * 5, target_vocab_size=300)
            >>> tok.decode(tok.encode("ab, ba!"))
            'ab, ba!'
        """
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        ids = [int(i) for i in ids]
        bad = [i for i in ids if i < 0 or i >= self.vocab_size]
        if bad:
            raise ValueError(f"Argument `ids`: ids must lie in [0, {self.vocab_size - 1}]; "
                             f"received {bad[0]}.")
        return self._tk.decode([i - 1 for i in ids if i != 0], skip_special_tokens=False)

    def save(self, path) -> None:
        """Write the tokenizer to one JSON file (Hugging Face's format).

        Args:
            path: the file to write.
        """
        from pathlib import Path

        Path(path).write_text(self._tk.to_str(), encoding="utf-8")

    @classmethod
    def load(cls, path) -> SubwordTokenizer:
        """Read a tokenizer written by :meth:`save`.

        Args:
            path: the JSON file.
        """
        from pathlib import Path

        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"Argument `path`: no such file {str(p)!r}.")
        return cls(_hf_tokenizers().Tokenizer.from_str(p.read_text(encoding="utf-8")))

    save_to_file = save
    load_from_file = load

    def __repr__(self) -> str:
        return f"SubwordTokenizer(vocab_size={self.vocab_size})"

"""Tokenizer benchmark: ``fit_on_texts`` + ``texts_to_sequences`` (+ ``pad_sequences``) on the full
BBC News corpus (2,225 articles, ~1M words), as the course's BBC classifier runs them.

Compared in one run (best of ``--repeats``, same texts, outputs checked equal):

* deepprob's ``Tokenizer`` / ``pad_sequences``,
* Keras's own legacy ``Tokenizer`` / ``pad_sequences``, only if ``import keras`` works here
  (it is not installed for you; nothing here installs it),
* otherwise a documented baseline: Keras's algorithm as its source runs it — a translation table
  built per text, then one dictionary update per word (``OrderedDict`` counts, ``set`` per text
  for document counts), one ``dict.get`` per word when converting, and one NumPy assignment per
  sequence when padding. This is the cost profile of ``keras/src/legacy/preprocessing/text.py``
  and ``keras/src/utils/sequence_utils.py``.

Run: ``python benchmarks/bench_tokenizer.py [--path ../shared/data/bbc_news] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

import numpy as np

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc_news"


class BaselineTokenizer:
    """Keras's per-word algorithm (see the module docstring); only what the benchmark calls."""

    def __init__(self, num_words=None, oov_token=None):
        self.num_words, self.oov_token = num_words, oov_token
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.word_index = {}

    @staticmethod
    def words(text):
        text = text.lower().translate(str.maketrans({c: " " for c in FILTERS}))
        return [w for w in text.split(" ") if w]

    def fit_on_texts(self, texts):
        for text in texts:
            seq = self.words(text)
            for w in seq:
                if w in self.word_counts:
                    self.word_counts[w] += 1
                else:
                    self.word_counts[w] = 1
            for w in set(seq):
                self.word_docs[w] += 1
        ranked = sorted(self.word_counts.items(), key=lambda x: x[1], reverse=True)
        vocab = ([self.oov_token] if self.oov_token is not None else []) + [w for w, _ in ranked]
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))

    def texts_to_sequences(self, texts):
        out, oov = [], self.word_index.get(self.oov_token)
        for text in texts:
            vect = []
            for w in self.words(text):
                i = self.word_index.get(w)
                if i is not None:
                    if self.num_words and i >= self.num_words:
                        if oov is not None:
                            vect.append(oov)
                    else:
                        vect.append(i)
                elif self.oov_token is not None:
                    vect.append(oov)
            out.append(vect)
        return out


def baseline_pad(sequences, maxlen):
    x = np.zeros((len(sequences), maxlen), dtype="int32")
    for i, s in enumerate(sequences):
        if len(s):
            kept = np.asarray(s[-maxlen:], dtype="int32")
            x[i, -len(kept):] = kept
    return x


def keras_impl():
    """Keras's Tokenizer and pad_sequences, or None when Keras does not import."""
    for mod in ("keras.src.legacy.preprocessing.text", "keras.preprocessing.text",
                "tensorflow.keras.preprocessing.text"):
        try:
            text = __import__(mod, fromlist=["Tokenizer"])
            from keras.utils import pad_sequences
            return mod, text.Tokenizer, pad_sequences
        except Exception:  # noqa: BLE001 - any failure means "not available"
            continue
    return None


def time_best(fn, repeats):
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def run(texts, tokenizer_cls, pad, repeats, num_words=1000, maxlen=120):
    def tokenize():
        tok = tokenizer_cls(num_words=num_words, oov_token="<OOV>")
        tok.fit_on_texts(texts)
        return tok, tok.texts_to_sequences(texts)

    t_tok, (tok, seqs) = time_best(tokenize, repeats)
    t_pad, padded = time_best(lambda: pad(seqs, maxlen=maxlen), repeats)
    return t_tok, t_pad, tok, seqs, padded


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default=str(DEFAULT_PATH))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    import deepprob as dp
    from deepprob.preprocessing.sequence import pad_sequences
    from deepprob.preprocessing.text import Tokenizer

    try:
        texts, _, _ = dp.datasets.bbc_news.load_data(args.path)
    except FileNotFoundError as err:
        print(f"skipped: {err}")
        return 0
    n_words = sum(len(t.split()) for t in texts)
    print(f"BBC News: {len(texts)} articles, ~{n_words:,} whitespace words; best of {args.repeats}")

    ours = run(texts, Tokenizer, pad_sequences, args.repeats)
    keras = keras_impl()
    if keras is not None:
        name, tok_cls, pad = keras
        other = run(texts, tok_cls, pad, args.repeats)
        label = f"Keras ({name})"
    else:
        other = run(texts, BaselineTokenizer, baseline_pad, args.repeats)
        label = "baseline (Keras's algorithm, keras not importable here)"
    assert list(ours[2].word_index.items()) == list(other[2].word_index.items()), "word_index"
    assert ours[3] == other[3], "sequences differ"
    np.testing.assert_array_equal(ours[4], other[4])
    rows = {
        "deepprob": {"fit+texts_to_sequences_s": ours[0], "pad_sequences_s": ours[1]},
        label: {"fit+texts_to_sequences_s": other[0], "pad_sequences_s": other[1]},
    }
    for who, r in rows.items():
        print(f"{who:>58}: fit+texts_to_sequences {r['fit+texts_to_sequences_s'] * 1e3:8.1f} ms"
              f"   pad_sequences {r['pad_sequences_s'] * 1e3:6.2f} ms")
    print(f"speed-up: tokenizer x{other[0] / ours[0]:.2f}, pad_sequences x{other[1] / ours[1]:.2f}"
          " (outputs identical)")
    print(json.dumps({"vocabulary": len(ours[2].word_index), **rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

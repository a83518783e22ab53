"""dp.datasets.sonnets: bundled Gutenberg text with headings and blank lines dropped."""

import re

import pytest

import deepprob as dp
from deepprob.preprocessing.text import Tokenizer


def test_bundled_verse_lines(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    corpus = dp.datasets.sonnets.load_corpus()
    assert corpus[0] == "from fairest creatures we desire increase,"
    assert corpus[-1] == "love's fire heats water, water cools not love."
    assert not any(line.startswith("sonnet ") or not line.strip() for line in corpus)
    raw = dp.datasets.sonnets.load_data(raw=True)
    assert raw.count("Sonnet ") >= 154
    # the heading lines (155: the file numbers one sonnet "CVI" twice) and blank lines are the
    # only lines dropped
    kept = [ln for ln in raw.splitlines() if ln.strip()]
    headings = [ln for ln in kept if re.fullmatch(r"Sonnet [IVXLC]+", ln)]
    assert len(headings) == 155
    assert corpus == [ln.lower() for ln in kept if ln not in headings]
    tok = Tokenizer()
    tok.fit_on_texts(corpus)
    assert len(tok.word_index) == 3209  # course file: 3,210 (a close variant, see SOURCES.md)


def test_explicit_path(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("Sonnet I\n\nShall I compare thee\n  \nSonnet II\nTo a summer's day\n")
    assert dp.datasets.sonnets.load_corpus(f) == ["shall i compare thee", "to a summer's day"]
    with pytest.raises(FileNotFoundError, match="`path`"):
        dp.datasets.sonnets.load_data(tmp_path / "nope.txt")

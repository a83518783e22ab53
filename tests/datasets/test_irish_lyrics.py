"""dp.datasets.irish_lyrics: the bundled corpus equals the shared copy of the course file; its
vocabulary size by the course recipe."""

import deepprob as dp
from deepprob.preprocessing.text import Tokenizer


def test_bundled_corpus_matches_course(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    data = dp.datasets.irish_lyrics.load_data()
    corpus = data.lower().split("\n")
    assert len(corpus) == 1692 and corpus[0] == "come all ye maidens young and fair"
    assert dp.datasets.irish_lyrics.load_corpus() == corpus
    tok = Tokenizer()
    tok.fit_on_texts(corpus)
    assert len(tok.word_index) + 1 == 2690  # total_words for this file (course recipe)


def test_reads_data_folder_and_shared_copy(monkeypatch, tmp_path, shared_data):
    (tmp_path / "irish_lyrics").mkdir()
    (tmp_path / "irish_lyrics" / "irish-lyrics-eof.txt").write_text("One line\nTwo")
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    assert dp.datasets.irish_lyrics.load_corpus() == ["one line", "two"]
    shared = shared_data / "irish_lyrics" / "irish-lyrics-eof.txt"
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path / "none"))
    assert dp.datasets.irish_lyrics.load_data() == shared.read_text(encoding="utf-8")

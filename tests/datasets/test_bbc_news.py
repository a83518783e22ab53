"""dp.datasets.bbc_news: the raw folder layout and the course's CSV, on small files and on the full
corpus in ../shared/data when present."""

import numpy as np
import pytest

import deepprob as dp


def test_raw_layout_and_csv(tmp_path, monkeypatch):
    root = tmp_path / "bbc_news" / "bbc"
    classes = {"tech": ["Chips\n\nFast chips.", "Web\n\nNew web."], "sport": ["Goal!"]}
    for cls, docs in classes.items():
        (root / cls).mkdir(parents=True)
        for i, doc in enumerate(docs, start=1):
            (root / cls / f"{i:03d}.txt").write_bytes(doc.encode("utf-8"))
    (root / "sport" / "002.txt").write_bytes("Caf\xe9 league".encode("latin-1"))  # not UTF-8
    (root / "README.TXT").write_text("not an article")
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    texts, labels, names = dp.datasets.bbc_news.load_data()
    assert names == ["sport", "tech"]
    assert texts == ["Goal!", "Caf\xe9 league", "Chips\n\nFast chips.", "Web\n\nNew web."]
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    assert labels.dtype == np.int64
    csv_file = tmp_path / "bbc-text.csv"
    csv_file.write_text('category,text\ntech,"tv future, in the hands"\nbusiness,shares up\n')
    texts, labels, names = dp.datasets.bbc_news.load_data(csv_file)
    assert texts == ["tv future, in the hands", "shares up"] and names == ["business", "tech"]
    np.testing.assert_array_equal(labels, [1, 0])
    with pytest.raises(FileNotFoundError, match="`path`"):
        dp.datasets.bbc_news.load_data(tmp_path / "missing")
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(FileNotFoundError, match=r"BBC News corpus not found[\s\S]*empty/bbc_news"):
        dp.datasets.bbc_news.load_data()


def test_full_corpus(shared_data):
    texts, labels, names = dp.datasets.bbc_news.load_data(shared_data / "bbc_news")
    assert names == ["business", "entertainment", "politics", "sport", "tech"]
    # the class counts of the course's bbc-text.csv
    np.testing.assert_array_equal(np.bincount(labels), [510, 386, 417, 511, 401])
    assert texts[0].startswith("Ad sales boost Time Warner profit")
    assert all(isinstance(t, str) and t for t in texts)

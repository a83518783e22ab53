"""dp.datasets.sarcasm: the course's JSON array and the original one-record-per-line format."""

import json

import numpy as np
import pytest

import deepprob as dp

RECORDS = [
    {"article_link": "https://a.example/1", "headline": "former versace store clerk sues",
     "is_sarcastic": 0},
    {"article_link": "https://b.example/2", "headline": "mom starting to fear son's web series",
     "is_sarcastic": 1},
    {"article_link": "https://c.example/3", "headline": "boehner just wants wife to listen",
     "is_sarcastic": 1},
]


def test_course_json_array(tmp_path, monkeypatch):
    (tmp_path / "sarcasm").mkdir()
    (tmp_path / "sarcasm" / "sarcasm.json").write_text(json.dumps(RECORDS))
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path))
    sentences, labels, urls = dp.datasets.sarcasm.load_data()
    assert sentences == [r["headline"] for r in RECORDS]
    np.testing.assert_array_equal(labels, [0, 1, 1])
    assert urls == [r["article_link"] for r in RECORDS]


def test_json_lines_and_errors(tmp_path, monkeypatch):
    lines = tmp_path / "Sarcasm_Headlines_Dataset.json"
    lines.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
    sentences, labels, _ = dp.datasets.sarcasm.load_data(lines)
    assert sentences[1] == "mom starting to fear son's web series" and labels.sum() == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(RECORDS[0]) + "\n{oops\n")
    with pytest.raises(ValueError, match="line 2"):
        dp.datasets.sarcasm.load_data(bad)
    bad.write_text(json.dumps([{"headline": "x"}]))
    with pytest.raises(ValueError, match="record 0 lacks"):
        dp.datasets.sarcasm.load_data(bad)
    monkeypatch.setenv("DEEPPROB_DATA", str(tmp_path / "none"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(FileNotFoundError, match=r"sarcasm.json[\s\S]*none/sarcasm"):
        dp.datasets.sarcasm.load_data()

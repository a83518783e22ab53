"""News Headlines Dataset for Sarcasm Detection (R. Misra), the course's ``sarcasm.json``.

``load_data()`` reads the course's ``sarcasm.json`` (one JSON array of records) or the original
``Sarcasm_Headlines_Dataset.json`` / ``_v2.json`` (one JSON record per line), each record holding
``article_link``, ``headline`` and ``is_sarcastic``, from ``path``, ``$DEEPPROB_DATA/sarcasm/`` or
``~/.deepprob/datasets/sarcasm/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from deepprob.datasets._idx import data_dirs

FILENAMES = ("sarcasm.json", "Sarcasm_Headlines_Dataset.json", "Sarcasm_Headlines_Dataset_v2.json")
COURSE_URL = "https://storage.googleapis.com/tensorflow-1-public/course3/sarcasm.json"


def _records(file: Path) -> list[dict]:
    text = file.read_text(encoding="utf-8").strip()
    if not text:
        raise ValueError(f"{file}: the file is empty.")
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"{file}: not valid JSON ({err}).") from None
    records = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{file}, line {line_no}: not a JSON record ({err}).") from None
    return records


def load_data(path=None) -> tuple[list[str], np.ndarray, list[str]]:
    """``(sentences, labels, urls)`` as the course builds them: the headlines, ``is_sarcastic``
    as an int64 array of 0/1, and the article links, in file order.

    Args:
        path: the JSON file (array or one record per line); default: search as above.

    Example:
        >>> sentences, labels, urls = dp.datasets.sarcasm.load_data()
        >>> training_sentences = sentences[:20000]
    """
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise FileNotFoundError(f"Argument `path`: no such file {str(file)!r}.")
    else:
        file = next((d / n for d in data_dirs("sarcasm") for n in FILENAMES
                     if (d / n).is_file()), None)
        if file is None:
            tried = "\n".join(f"  {d}" for d in data_dirs("sarcasm"))
            raise FileNotFoundError(
                f"Sarcasm headlines not found. Put {FILENAMES[0]} (the course's file, "
                f"{COURSE_URL}) or {FILENAMES[1]} into one of:\n{tried}\n(or set DEEPPROB_DATA to "
                "a folder holding a 'sarcasm' subfolder, or pass path=...).")
    sentences, labels, urls = [], [], []
    for i, item in enumerate(_records(file)):
        if not isinstance(item, dict) or "headline" not in item or "is_sarcastic" not in item:
            raise ValueError(f"{file}: record {i} lacks 'headline' or 'is_sarcastic' "
                             f"(found {item!r:.80}).")
        sentences.append(item["headline"])
        labels.append(int(item["is_sarcastic"]))
        urls.append(item.get("article_link", ""))
    return sentences, np.array(labels, dtype=np.int64), urls

"""BBC News articles in five classes (business, entertainment, politics, sport, tech): 2,225 texts.

``load_data()`` reads the raw corpus layout (one folder per class of ``NNN.txt`` articles, as in
the original ``bbc/`` download by D. Greene and P. Cunningham, ICML 2006) or the course's flattened
``bbc-text.csv`` (``category,text``), from ``path`` or from ``$DEEPPROB_DATA/bbc_news/`` or
``~/.deepprob/datasets/bbc_news/`` (a ``bbc/`` subfolder is looked into too).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from deepprob.datasets._idx import data_dirs

CSV_NAME = "bbc-text.csv"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # one article of the original corpus is latin-1
        return raw.decode("latin-1")


def _class_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.txt")))


def _resolve(path) -> Path | None:
    """The CSV file, or the folder whose subfolders are the classes; None when nothing fits."""
    p = Path(path)
    if p.is_file():
        return p
    if p.is_dir():
        for candidate in (p, p / "bbc"):
            if candidate.is_dir() and _class_folders(candidate):
                return candidate
        if (p / CSV_NAME).is_file():
            return p / CSV_NAME
    return None


def _read_csv(file: Path):
    reader = csv.reader(io.StringIO(_decode(file.read_bytes())))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:2]] != ["category", "text"]:
        raise ValueError(f"{file}: expected a CSV with header 'category,text' (the course's "
                         f"bbc-text.csv), found {header!r}.")
    categories, texts = [], []
    for line_no, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < 2:
            raise ValueError(f"{file}, line {line_no}: expected 2 fields, found {len(row)}.")
        categories.append(row[0])
        texts.append(row[1])
    class_names = sorted(set(categories))
    lookup = {c: i for i, c in enumerate(class_names)}
    return texts, np.array([lookup[c] for c in categories], dtype=np.int64), class_names


def load_data(path=None) -> tuple[list[str], np.ndarray, list[str]]:
    """``(texts, labels, class_names)`` of the BBC News corpus.

    From the raw layout, ``class_names`` are the folder names in sorted order, ``labels`` (int64)
    index into them, and articles come class by class in file-name order (title line, blank line,
    body, as in the files). Shuffle before splitting, as the course does. From ``bbc-text.csv`` the
    rows keep the file's order.

    Args:
        path: the corpus folder (holding the class folders, or a ``bbc/`` folder holding them) or
            a ``bbc-text.csv`` file; default: search the data folders named above.

    Example:
        >>> texts, labels, class_names = dp.datasets.bbc_news.load_data()
        >>> len(texts), class_names
        (2225, ['business', 'entertainment', 'politics', 'sport', 'tech'])
    """
    if path is not None:
        found = _resolve(path)
        if found is None:
            raise FileNotFoundError(
                f"Argument `path`: {str(path)!r} is neither a {CSV_NAME} file nor a folder of "
                "class folders holding .txt articles (e.g. bbc/business/001.txt).")
    else:
        found = next((f for f in map(_resolve, data_dirs("bbc_news")) if f is not None), None)
        if found is None:
            tried = "\n".join(f"  {d}" for d in data_dirs("bbc_news"))
            raise FileNotFoundError(
                "BBC News corpus not found. Put the raw corpus folder 'bbc/' (bbc/business/001.txt "
                f"...) or the course's {CSV_NAME} into one of:\n{tried}\n(or set DEEPPROB_DATA to "
                "a folder holding a 'bbc_news' subfolder, or pass path=...).")
    if found.is_file():
        return _read_csv(found)
    texts, labels = [], []
    class_folders = _class_folders(found)
    for label, folder in enumerate(class_folders):
        for file in sorted(folder.glob("*.txt")):
            texts.append(_decode(file.read_bytes()))
            labels.append(label)
    return texts, np.array(labels, dtype=np.int64), [f.name for f in class_folders]

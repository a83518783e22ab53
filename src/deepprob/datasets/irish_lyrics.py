"""Irish song lyrics, the course's text-generation corpus (``irish-lyrics-eof.txt``, 1,692 lines).

``load_data()`` reads ``irish-lyrics-eof.txt`` from ``path``, ``$DEEPPROB_DATA/irish_lyrics/`` or
``~/.deepprob/datasets/irish_lyrics/``, else the complete copy bundled with deepprob (origin in
``_bundled/SOURCES.md``).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from deepprob.datasets._idx import bundled, data_dirs

FILENAME = "irish-lyrics-eof.txt"


def _read_text(name: str, filename: str, bundled_name: str, path=None) -> str:
    """``path``, else ``<data dir>/<name>/<filename>``, else the bundled gzip copy, as text."""
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise FileNotFoundError(f"Argument `path`: no such file {str(file)!r}.")
    else:
        file = next((d / filename for d in data_dirs(name) if (d / filename).is_file()),
                    bundled(bundled_name))
    raw = file.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def load_data(path=None) -> str:
    """The whole corpus as one string, as the course reads it (``open(...).read()``).

    Args:
        path: an explicit file; default: search as above, then the bundled copy.

    Example:
        >>> data = dp.datasets.irish_lyrics.load_data()
        >>> corpus = data.lower().split("\\n")
        >>> len(corpus), corpus[0]
        (1692, 'come all ye maidens young and fair')
    """
    return _read_text("irish_lyrics", FILENAME, "irish-lyrics-eof.txt.gz", path)


def load_corpus(path=None) -> list[str]:
    """The course's ``corpus``: the text lower-cased and split into lines.

    Args:
        path: as in :func:`load_data`.
    """
    return load_data(path).lower().split("\n")

"""Shakespeare's sonnets, the course's second text-generation corpus (``sonnets.txt``).

The bundled copy is Project Gutenberg's text (a close variant of the course file; origin in
``_bundled/SOURCES.md``). ``load_data()`` drops its "Sonnet N" heading lines and blank lines, so
the lines are the verse lines the course trains on. A ``sonnets.txt`` in ``path``,
``$DEEPPROB_DATA/sonnets/`` or ``~/.deepprob/datasets/sonnets/`` is read instead when present.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from deepprob.datasets._idx import bundled, data_dirs

FILENAME = "sonnets.txt"
_HEADING = re.compile(r"^\s*sonnet\s+[ivxlcdm]+\s*$", re.IGNORECASE)


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


def load_data(path=None, raw: bool = False) -> str:
    """The sonnets as one string of verse lines joined by newlines.

    Args:
        path: an explicit file; default: search as above, then the bundled copy.
        raw: return the file unchanged (headings and blank lines kept).

    Example:
        >>> corpus = dp.datasets.sonnets.load_data().lower().split("\\n")
        >>> corpus[0]
        'from fairest creatures we desire increase,'
    """
    text = _read_text("sonnets", FILENAME, "sonnets.txt.gz", path)
    if raw:
        return text
    lines = (line.rstrip() for line in text.splitlines())
    return "\n".join(line for line in lines if line.strip() and not _HEADING.match(line))


def load_corpus(path=None) -> list[str]:
    """The course's ``corpus``: verse lines, lower-cased.

    Args:
        path: as in :func:`load_data`.
    """
    return load_data(path).lower().split("\n")

"""Shared helpers for clear error messages (argument, expectation, received value)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(value: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest option, or ``""``."""
    close = difflib.get_close_matches(str(value), list(options), n=1, cutoff=0.5)
    return f" Did you mean {close[0]!r}?" if close else ""


def unknown(kind: str, value, options: Iterable[str], argument: str | None = None) -> ValueError:
    """Build the ValueError for an unknown string identifier.

    Example:
        >>> raise unknown("activation", "rleu", ["relu", "tanh"], argument="activation")
    """
    options = sorted(options)
    where = f"Argument `{argument}`: " if argument else ""
    return ValueError(
        f"{where}unknown {kind} {value!r}.{suggest(value, options)} "
        f"Expected one of: {', '.join(options)}."
    )

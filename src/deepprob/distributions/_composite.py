"""Helpers for distributions built from other distributions."""

from __future__ import annotations

from .distribution import Distribution


def check_distribution(value, argument: str, owner: str) -> Distribution:
    """Raise a TypeError naming ``argument`` unless ``value`` is a deepprob Distribution."""
    if not isinstance(value, Distribution):
        raise TypeError(f"{owner}: argument `{argument}` must be a deepprob Distribution; "
                        f"received {type(value).__name__}.")
    return value

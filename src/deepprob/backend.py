"""Keras's ``backend`` helpers that course code calls (``dp.backend.clear_session()``)."""

from __future__ import annotations

import gc

from deepprob import config
from deepprob.engine.layer import reset_names


def clear_session() -> None:
    """Forget issued layer names (the next Dense is ``dense`` again) and free memory."""
    reset_names()
    gc.collect()


def floatx() -> str:
    """The default float type's name (``"float32"``)."""
    return str(config.floatx()).replace("torch.", "")


def epsilon() -> float:
    """Keras's fuzz factor, 1e-7."""
    return 1e-7


def backend() -> str:
    """The engine's name: ``"torch"``."""
    return "torch"

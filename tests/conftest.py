"""Shared fixtures: repeatable seeds, and the course datasets in ../shared/data when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _seed():
    import deepprob as dp

    # generated layer names (dense, dense_1 ...) start afresh per test; only the name counters
    # (clear_session's gc.collect costs ~0.5 s a test with torch loaded)
    from deepprob.engine.layer import reset_names

    reset_names()
    dp.utils.set_random_seed(1234)
    yield


@pytest.fixture
def shared_data() -> Path:
    """The full course datasets beside the checkout (``../shared/data``); skip when absent."""
    path = Path(os.environ.get("DEEPPROB_SHARED_DATA", SHARED_DATA))
    if not path.is_dir():
        pytest.skip(f"course datasets not found at {path} (they sit beside the checkout in CI)")
    return path

"""The probabilistic layers' tests run on one intra-op thread: their tensors are small, and on a
shared 2-core machine two OpenMP threads wait on each other whenever the other core is busy
(a 64 x 28 x 28 conv2d forward: 0.8 ms on one thread, ~24 ms on two under load)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

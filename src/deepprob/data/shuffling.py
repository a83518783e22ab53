"""tf.data's shuffle buffer, computed as index streams (vectorized) or over elements.

The buffer algorithm: fill a buffer with the first ``buffer_size`` elements; then repeatedly
output a uniformly chosen buffer element and put the next input element in its place; when the
input is exhausted, drain the buffer in uniformly random order.

Vectorized form used here: label the buffer's slots ``0..B-1``. At step ``t`` (while input
remains) a uniform slot ``r_t`` is drawn; it outputs what it holds and receives input element
``B + t``. So the output of step ``t`` is slot ``r_t``'s initial element if the slot was never
drawn before, else input element ``B + t'`` where ``t'`` is the slot's previous draw. Previous
draws within a chunk of steps come from one stable sort; the slots' contents carry across
chunks, so memory is O(buffer_size + chunk) whatever the input length.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator

import torch


def buffer_shuffle_indices(n: int, buffer_size: int, generator: torch.Generator,
                           chunk: int = 1 << 16) -> Iterator[torch.Tensor]:
    """Yield, in chunks, the order in which a shuffle buffer emits input positions ``0..n-1``.

    Args:
        n: number of input elements.
        buffer_size: tf.data's ``buffer_size``.
        generator: the torch generator that draws the slots.
        chunk: steps computed per chunk.

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> torch.cat(list(buffer_shuffle_indices(5, 1, g))).tolist()
        [0, 1, 2, 3, 4]
    """
    b = min(int(buffer_size), n)
    if n == 0:
        return
    if b <= 1:
        for start in range(0, n, chunk):
            yield torch.arange(start, min(n, start + chunk))
        return
    content = torch.arange(b)
    fill_steps = n - b
    t0 = 0
    while t0 < fill_steps:
        t1 = min(t0 + chunk, fill_steps)
        m = t1 - t0
        r = torch.randint(b, (m,), generator=generator)
        order = torch.sort(r, stable=True).indices
        sorted_r = r[order]
        same = sorted_r[1:] == sorted_r[:-1]
        prev = torch.full((m,), -1, dtype=torch.long)
        prev[order[1:][same]] = order[:-1][same]
        steps = torch.arange(t0, t1)
        out = torch.where(prev >= 0, b + t0 + prev, content[r])
        # each drawn slot now holds the element that entered at its last draw (the largest value)
        content.scatter_reduce_(0, r, b + steps, reduce="amax")
        yield out
        t0 = t1
    drain = content[torch.randperm(b, generator=generator)]
    for start in range(0, b, chunk):
        yield drain[start:start + chunk]


def buffer_shuffle_elements(elements: Iterable, buffer_size: int, seed: int) -> Iterator:
    """The same buffer over any iterable of elements (lengths unknown, one element at a time).

    Args:
        elements: the input elements.
        buffer_size: how many elements the buffer holds.
        seed: seed of the draws.
    """
    rng = random.Random(seed)
    buf: list = []
    for x in elements:
        if len(buf) < buffer_size:
            buf.append(x)
            continue
        i = rng.randrange(len(buf))
        out = buf[i]
        buf[i] = x
        yield out
    while buf:
        i = rng.randrange(len(buf))
        buf[i], buf[-1] = buf[-1], buf[i]
        yield buf.pop()

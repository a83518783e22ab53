"""Shuffle buffer semantics: valid buffer orders, the exact output distribution of tf.data's
buffer algorithm (enumerated), seeds and reshuffling."""

import itertools
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
import torch
from scipy import stats

import deepprob as dp
from deepprob.data.shuffling import buffer_shuffle_elements, buffer_shuffle_indices

Dataset = dp.data.Dataset


def exact_buffer_distribution(n, b):
    """P(output order) of the buffer algorithm, by enumerating every choice it can make."""
    probs = Counter()

    def walk(buffer, next_item, out, p):
        if not buffer:
            probs[tuple(out)] += p
            return
        for i in range(len(buffer)):
            rest = buffer[:i] + buffer[i + 1:]
            if next_item < n:
                rest = rest + [next_item]
            walk(rest, next_item + 1 if next_item < n else n, out + [buffer[i]],
                 p * Fraction(1, len(buffer)))

    walk(list(range(min(b, n))), min(b, n), [], Fraction(1))
    return probs


def is_valid_buffer_order(order, b):
    seen = set()
    for k, v in enumerate(order):
        if v >= b + k or v in seen:  # only the first b + k inputs can have entered the buffer
            return False
        seen.add(v)
    return sorted(order) == list(range(len(order)))


@pytest.mark.parametrize("n,b", [(4, 2), (5, 3)])
def test_vectorized_shuffle_matches_exact_distribution(n, b):
    exact = exact_buffer_distribution(n, b)
    draws = 6000
    g = torch.Generator().manual_seed(7)
    counts = Counter(tuple(torch.cat(list(buffer_shuffle_indices(n, b, g))).tolist())
                     for _ in range(draws))
    assert set(counts) <= set(exact)  # never an order the buffer cannot produce
    keys = sorted(exact)
    observed = [counts[k] for k in keys]
    expected = [float(exact[k]) * draws for k in keys]
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_element_path_shuffle_matches_exact_distribution():
    n, b = 4, 2
    exact = exact_buffer_distribution(n, b)
    draws = 6000
    counts = Counter(tuple(buffer_shuffle_elements(range(n), b, seed)) for seed in range(draws))
    keys = sorted(exact)
    assert set(counts) <= set(exact)
    assert stats.chisquare([counts[k] for k in keys],
                           [float(exact[k]) * draws for k in keys]).pvalue > 1e-3


def test_chunked_stream_is_valid_and_first_output_uniform():
    n, b = 5000, 100
    g = torch.Generator().manual_seed(0)
    order = torch.cat(list(buffer_shuffle_indices(n, b, g, chunk=333))).tolist()
    assert is_valid_buffer_order(order, b)
    # element 0 leaves at step k with probability (1/b)(1 - 1/b)^k: mean wait b - 1
    waits = []
    for seed in range(300):
        g = torch.Generator().manual_seed(seed)
        first = next(iter(buffer_shuffle_indices(400, 20, g, chunk=64)))
        waits.append(int(torch.nonzero(first == 0)[0]) if bool((first == 0).any()) else 64)
    assert abs(np.mean(np.minimum(waits, 64)) - 19 * (1 - (19 / 20) ** 64)) < 2.0


def test_dataset_shuffle_semantics():
    ds = Dataset.range(50).shuffle(10, seed=5)
    a, b = [int(e) for e in ds], [int(e) for e in ds]
    assert is_valid_buffer_order(a, 10) and is_valid_buffer_order(b, 10)
    assert a != b  # reshuffled on every iteration by default
    ds2 = Dataset.range(50).shuffle(10, seed=5)
    assert [int(e) for e in ds2] == a  # same seed, same sequence of orders
    fixed = Dataset.range(50).shuffle(10, seed=5, reshuffle_each_iteration=False)
    assert [int(e) for e in fixed] == [int(e) for e in fixed]
    assert [int(e) for e in Dataset.range(20).shuffle(1)] == list(range(20))
    # shuffle inside repeat: each epoch is a new permutation of all elements
    rep = [int(e) for e in Dataset.range(30).shuffle(30, seed=1).repeat(2)]
    assert sorted(rep[:30]) == sorted(rep[30:]) == list(range(30)) and rep[:30] != rep[30:]


def test_shuffle_of_unknown_length_input_uses_buffer_per_element():
    ds = Dataset.from_generator(lambda: iter(range(40))).shuffle(8, seed=2)
    order = [int(e) for e in ds]
    assert is_valid_buffer_order(order, 8)
    filtered = Dataset.range(100).filter(lambda x: x % 3 == 0).shuffle(5, seed=0)
    got = [int(e) for e in filtered]
    assert sorted(got) == list(range(0, 100, 3))


def test_shuffle_bad_arguments():
    with pytest.raises(ValueError, match="`buffer_size`.*received 0"):
        Dataset.range(3).shuffle(0)
    with pytest.raises(TypeError, match="`seed`"):
        Dataset.range(3).shuffle(2, seed="x")


def test_exact_distribution_helper_sums_to_one():
    probs = exact_buffer_distribution(4, 2)
    assert sum(probs.values()) == 1
    assert len(probs) == sum(1 for p in itertools.permutations(range(4))
                             if is_valid_buffer_order(list(p), 2))

"""Windows and flat_map: the courses' printed outputs, tf.data's documented examples, and the
vectorized path checked against a plain-Python reference of tf.data's window semantics."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.data.windowing import WindowBatchDataset

Dataset = dp.data.Dataset


def windows_as_lists(ds):
    return [[int(e) for e in w] for w in ds]


def reference_windows(n, size, shift, stride, drop):
    """tf.data's window rule written out plainly: windows start at k*shift while start < n."""
    out = []
    start = 0
    while start < n:
        w = [start + j * stride for j in range(size) if start + j * stride < n]
        if len(w) == size or not drop:
            out.append(w)
        start += shift
    return out


def test_course_window_range10():
    got = windows_as_lists(Dataset.range(10).window(5, shift=1))
    assert got == [[0, 1, 2, 3, 4], [1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7],
                   [4, 5, 6, 7, 8], [5, 6, 7, 8, 9], [6, 7, 8, 9], [7, 8, 9], [8, 9], [9]]
    got = windows_as_lists(Dataset.range(10).window(5, shift=1, drop_remainder=True))
    assert got == [[i, i + 1, i + 2, i + 3, i + 4] for i in range(6)]


def test_course_flat_map_and_split():
    ds = Dataset.range(10).window(5, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda window: window.batch(5))
    assert isinstance(ds, WindowBatchDataset)  # recognised: runs on strided views
    assert [w.tolist() for w in ds] == [list(range(i, i + 5)) for i in range(6)]
    ds = ds.map(lambda window: (window[:-1], window[-1:]))
    pairs = [(x.tolist(), y.tolist()) for x, y in ds]
    assert pairs == [(list(range(i, i + 4)), [i + 4]) for i in range(6)]


def test_course_shuffle_batch_shapes():
    ds = Dataset.range(10).window(5, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(5)).map(lambda w: (w[:-1], w[-1:]))
    ds = ds.shuffle(buffer_size=10, seed=3).batch(2).prefetch(1)
    batches = list(ds)
    assert [tuple(x.shape) for x, _ in batches] == [(2, 4)] * 3
    assert [tuple(y.shape) for _, y in batches] == [(2, 1)] * 3
    xs = torch.cat([x for x, _ in batches])
    ys = torch.cat([y for _, y in batches])
    assert torch.equal(ys[:, 0], xs[:, -1] + 1)  # each label follows its own window
    assert sorted(xs[:, 0].tolist()) == list(range(6))


@pytest.mark.parametrize("n,size,shift,stride,drop", [
    (7, 3, 1, 1, False), (7, 3, 2, 1, False), (7, 3, 1, 2, False), (7, 3, 1, 2, True),
    (10, 4, 3, 2, False), (10, 4, 3, 2, True), (3, 5, 1, 1, False), (3, 5, 1, 1, True),
    (12, 2, 5, 3, True),
])
def test_window_matches_reference(n, size, shift, stride, drop):
    expected = reference_windows(n, size, shift, stride, drop)
    ds = Dataset.range(n).window(size, shift, stride, drop)
    assert windows_as_lists(ds) == expected
    assert ds.cardinality() == len(expected)
    # the same windows from a generator source (streaming element path)
    gen = Dataset.from_generator(lambda: iter(range(n)))
    assert windows_as_lists(gen.window(size, shift, stride, drop)) == expected
    # flat_map(batch) on the vectorized path and on the general path
    flat = ds.flat_map(lambda w: w.batch(size))
    assert [w.tolist() for w in flat] == expected
    assert flat.cardinality() == len(expected)
    general = gen.window(size, shift, stride, drop).flat_map(lambda w: w.batch(size))
    assert [w.tolist() for w in general] == expected


def test_tf_doc_examples():
    assert windows_as_lists(Dataset.range(7).window(3, 2)) == [[0, 1, 2], [2, 3, 4], [4, 5, 6],
                                                                [6]]
    assert windows_as_lists(Dataset.range(7).window(3, 1, 2, True)) == [[0, 2, 4], [1, 3, 5],
                                                                         [2, 4, 6]]


def test_window_longer_than_data_yields_nothing():
    ds = Dataset.from_tensor_slices(np.arange(5.0)).window(8, shift=1, drop_remainder=True)
    assert list(ds) == [] and ds.cardinality() == 0
    assert list(ds.flat_map(lambda w: w.batch(8))) == []


def test_vectorized_chain_equals_per_element_chain():
    series = np.random.default_rng(0).normal(size=200).astype(np.float32)

    def chain(ds):
        ds = ds.window(11, shift=2, drop_remainder=True).flat_map(lambda w: w.batch(11))
        return ds.map(lambda w: (w[:-1] * 2.0, w[-1])).batch(7)

    fast = list(chain(Dataset.from_tensor_slices(series)))
    slow = list(chain(Dataset.from_generator(lambda: iter(series))))
    assert len(fast) == len(slow) == int(np.ceil(95 / 7))
    for (a, b), (c, d) in zip(fast, slow):
        torch.testing.assert_close(a, c)
        torch.testing.assert_close(b, d)
    starts = np.arange(0, 190, 2)
    np.testing.assert_allclose(torch.cat([a for a, _ in fast]).numpy(),
                               2.0 * series[starts[:, None] + np.arange(10)])


def test_map_after_batch_inside_flat_map_and_partial_windows():
    ds = Dataset.range(6).window(4, shift=2).flat_map(lambda w: w.batch(4).map(lambda b: b * 10))
    assert [w.tolist() for w in ds] == [[0, 10, 20, 30], [20, 30, 40, 50], [40, 50]]
    dropped = Dataset.range(6).window(4, shift=2).flat_map(lambda w: w.batch(4, True))
    assert [w.tolist() for w in dropped] == [[0, 1, 2, 3], [2, 3, 4, 5]]


def test_general_flat_map_and_window_of_tuples():
    ds = Dataset.range(4).flat_map(lambda x: Dataset.range(x))
    assert [int(e) for e in ds] == [0, 0, 1, 0, 1, 2]
    pairs = Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10)).window(2, 2, 1, True)
    ds = pairs.flat_map(lambda a, b: Dataset.zip((a.batch(2), b.batch(2))))
    assert [(a.tolist(), b.tolist()) for a, b in ds] == [([0, 1], [0, 10]), ([2, 3], [20, 30])]
    with pytest.raises(TypeError, match="must return a Dataset.*element 0"):
        list(Dataset.range(2).flat_map(lambda x: x))


def test_interleave_tf_doc_example():
    ds = Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(6),
                                        cycle_length=2, block_length=4)
    assert [int(e) for e in ds] == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                                    3, 3, 4, 4, 5, 5, 5, 5, 5, 5]


def test_window_bad_arguments():
    with pytest.raises(ValueError, match="`shift`.*>= 1.*received 0"):
        Dataset.range(5).window(2, shift=0)
    with pytest.raises(ValueError, match="`size`"):
        Dataset.range(5).window(0)
    with pytest.raises(TypeError, match="as_numpy_iterator"):
        list(Dataset.range(5).window(2).as_numpy_iterator())


def test_course_week4_expand_dims_seq2seq_windows():
    series = np.arange(30, dtype=np.float32)
    ds = Dataset.from_tensor_slices(torch.unsqueeze(torch.from_numpy(series), -1))
    ds = ds.window(6, shift=1, drop_remainder=True).flat_map(lambda w: w.batch(6))
    ds = ds.shuffle(8, seed=0).map(lambda w: (w[:-1], w[1:])).batch(4)
    batches = list(ds)
    assert len(batches) == 7 and ds.cardinality() == 7
    x = torch.cat([b[0] for b in batches])
    y = torch.cat([b[1] for b in batches])
    assert x.shape == (25, 5, 1) and y.shape == (25, 5, 1)
    torch.testing.assert_close(y, x + 1)
    starts = x[:, 0, 0].long()
    assert sorted(starts.tolist()) == list(range(25))
    torch.testing.assert_close(x[:, :, 0], (starts[:, None] + torch.arange(5)).float())

"""Dataset sources and transformations: tf.data's documented outputs, counts and errors."""

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.data.transforms import MapDataset

Dataset = dp.data.Dataset
INF, UNKNOWN = dp.data.INFINITE_CARDINALITY, dp.data.UNKNOWN_CARDINALITY


def ints(ds):
    return [int(e) for e in ds]


def test_from_tensor_slices_structures():
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    ds = Dataset.from_tensor_slices((x, {"a": np.array([1, 2, 3]), "b": [[1], [2], [3]]}))
    elems = list(ds)
    assert len(elems) == 3 and ds.cardinality() == 3
    first = elems[0]
    assert isinstance(first, tuple) and isinstance(first[1], dict)
    assert first[0].dtype == torch.float32 and first[0].tolist() == [0.0, 1.0]
    assert elems[2][1]["a"].item() == 3 and elems[2][1]["b"].tolist() == [3]
    spec = ds.element_spec
    assert spec[0] == dp.data.TensorSpec((2,), torch.float32)
    assert spec[1]["b"] == dp.data.TensorSpec((1,), torch.int64)
    # a list is one tensor (tf.data), not a structure
    assert [e.tolist() for e in Dataset.from_tensor_slices([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]
    assert [e.tolist() for e in Dataset.from_tensors([1, 2])] == [[1, 2]]
    assert [s for s in Dataset.from_tensor_slices(np.array(["a", "b"]))] == ["a", "b"]
    # as_numpy_iterator gives NumPy
    out = list(Dataset.from_tensor_slices({"k": x}).as_numpy_iterator())
    np.testing.assert_array_equal(out[1]["k"], x[1])


def test_from_tensor_slices_bad_input():
    with pytest.raises(ValueError, match=r"same first dimension.*\[0\]: 3.*\[1\]: 2"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(2)))
    with pytest.raises(ValueError, match="at least one dimension"):
        Dataset.from_tensor_slices(np.float32(3.0))
    with pytest.raises(ValueError, match="different lengths"):
        Dataset.from_tensor_slices([[1, 2], [3]])


def test_range_generator_zip_concatenate_enumerate():
    assert ints(Dataset.range(5)) == [0, 1, 2, 3, 4]
    assert ints(Dataset.range(2, 5)) == [2, 3, 4]
    assert ints(Dataset.range(1, 5, 2)) == [1, 3]
    assert ints(Dataset.range(5, 1, -2)) == [5, 3]
    assert Dataset.range(5, 1, -2).cardinality() == 2

    def gen(stop):
        for i in range(stop):
            yield i, [i] * 2

    g = Dataset.from_generator(gen, args=(3,))
    assert [(int(a), b.tolist()) for a, b in g] == [(0, [0, 0]), (1, [1, 1]), (2, [2, 2])]
    assert g.cardinality() == UNKNOWN
    z = Dataset.zip((Dataset.range(3), Dataset.range(3, 7)))
    assert [(int(a), int(b)) for a, b in z] == [(0, 3), (1, 4), (2, 5)]
    assert z.cardinality() == 3
    zd = Dataset.zip({"x": Dataset.range(2), "y": Dataset.range(5, 7)})
    assert [(int(e["x"]), int(e["y"])) for e in zd] == [(0, 5), (1, 6)]
    assert ints(Dataset.range(3).concatenate(Dataset.range(7, 9))) == [0, 1, 2, 7, 8]
    assert Dataset.range(3).concatenate(Dataset.range(2)).cardinality() == 5
    en = Dataset.from_tensor_slices(np.array([10, 20])).enumerate(start=3)
    assert [(int(i), int(v)) for i, v in en] == [(3, 10), (4, 20)]


def test_map_unpacks_tuples_and_is_vectorized_when_possible():
    ds = Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10))
    mapped = ds.map(lambda a, b: {"sum": a + b, "pair": torch.stack([a, b])})
    got = list(mapped)
    assert [int(e["sum"]) for e in got] == [0, 11, 22, 33]
    assert got[3]["pair"].tolist() == [3, 30]
    assert isinstance(mapped, MapDataset) and mapped._fn.vectorizable is True


def test_map_falls_back_per_element_with_identical_results():
    calls = []

    def python_branching(x):
        calls.append(1)
        return x * 2 if int(x) % 2 else x - 1  # int() on a value: vmap cannot run it

    ds = Dataset.range(6).map(python_branching)
    assert ints(ds) == [-1, 2, 1, 6, 3, 10]
    assert ds._fn.vectorizable is False
    # element shapes depending on values (tf's docs example, via padded_batch)
    ragged = Dataset.range(1, 5).map(lambda x: torch.full((int(x),), int(x)))
    assert [b.tolist() for b in ragged.padded_batch(2)] == [[[1, 0], [2, 2]],
                                                           [[3, 3, 3, 0], [4, 4, 4, 4]]]
    assert [b.tolist() for b in ragged.padded_batch(2, padded_shapes=5, padding_values=-1)] == [
        [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]], [[3, 3, 3, -1, -1], [4, 4, 4, 4, -1]]]
    with pytest.raises(ValueError, match="smaller than"):
        list(ragged.padded_batch(2, padded_shapes=[2]))


def test_map_error_names_transformation_and_element():
    def fails_on_three(x):
        if int(x) == 3:
            raise KeyError("boom")
        return x

    with pytest.raises(KeyError, match=r"Dataset\.map.*fails_on_three.*element 3.*boom"):
        list(Dataset.range(5).map(fails_on_three))
    # vectorized path: a failure inside vmap is traced back to the element
    data = Dataset.from_tensor_slices(np.ones((4, 3), dtype=np.float32))
    with pytest.raises(RuntimeError, match=r"Dataset\.map.*element 0"):
        list(data.map(lambda v: v @ torch.ones(5)))


def test_filter_batch_unbatch_counts():
    ev = Dataset.range(10).filter(lambda x: x % 2 == 0)
    assert ints(ev) == [0, 2, 4, 6, 8] and ev.cardinality() == UNKNOWN
    with pytest.raises(TypeError, match="scalar boolean"):
        list(Dataset.range(3).filter(lambda x: x + 1))
    b = Dataset.range(10).batch(4)
    assert [x.tolist() for x in b] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert b.cardinality() == 3 and Dataset.range(10).batch(4, True).cardinality() == 2
    assert [x.tolist() for x in Dataset.range(10).batch(4, drop_remainder=True)] == [
        [0, 1, 2, 3], [4, 5, 6, 7]]
    assert b.element_spec == dp.data.TensorSpec((None,), torch.int64)
    assert Dataset.range(9).batch(3, True).element_spec == dp.data.TensorSpec((3,), torch.int64)
    assert ints(b.unbatch()) == list(range(10))
    assert ints(Dataset.range(6).batch(3).unbatch()) == list(range(6))
    assert Dataset.range(6).batch(3, True).unbatch().cardinality() == 6
    with pytest.raises(ValueError, match="different shapes.*padded_batch"):
        list(Dataset.range(1, 3).map(lambda x: torch.ones(int(x))).batch(2))
    with pytest.raises(ValueError, match="`batch_size`.*received 0"):
        Dataset.range(3).batch(0)
    with pytest.raises(ValueError, match="`batch_size`.*received -2"):
        Dataset.range(3).batch(-2)


def test_repeat_take_skip_counts():
    ds = Dataset.range(3)
    assert ints(ds.repeat(3)) == [0, 1, 2] * 3 and ds.repeat(3).cardinality() == 9
    assert ds.repeat().cardinality() == INF
    assert ints(ds.repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert ds.repeat().take(7).cardinality() == 7
    assert ints(ds.take(10)) == [0, 1, 2] and ds.take(-1).cardinality() == 3
    assert ints(ds.skip(1)) == [1, 2] and ds.skip(5).cardinality() == 0
    assert ints(ds.skip(-1)) == [] and ints(ds.repeat(0)) == []
    assert ints(Dataset.range(10).repeat(2).skip(8).take(4)) == [8, 9, 0, 1]
    gen = Dataset.from_generator(lambda: iter(range(4)))
    assert ints(gen.repeat(2).skip(3).take(3)) == [3, 0, 1]
    assert ints(Dataset.from_generator(lambda: iter([])).repeat()) == []
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    assert len(ds.batch(2)) == 2


def test_cache_replays_first_pass(tmp_path):
    counter = {"n": 0}

    def gen():
        counter["n"] += 1
        yield from range(3)

    ds = Dataset.from_generator(gen).map(lambda x: x * 2).cache()
    assert ints(ds) == [0, 2, 4] and ints(ds) == [0, 2, 4] and counter["n"] == 1
    shuffled = Dataset.range(20).shuffle(20, seed=0).cache()
    assert ints(shuffled) == ints(shuffled)  # the first order is kept
    path = tmp_path / "cache.pt"
    first = Dataset.range(4).map(lambda x: x + 1).cache(str(path))
    assert ints(first) == [1, 2, 3, 4] and path.exists()
    again = Dataset.range(100).cache(str(path))  # reads the file, as tf.data does
    assert ints(again) == [1, 2, 3, 4]


def test_prefetch_autotune_and_reduce():
    ds = Dataset.range(4).prefetch(dp.data.AUTOTUNE)
    assert ints(ds) == [0, 1, 2, 3] and ds.cardinality() == 4
    assert int(Dataset.range(5).reduce(0, lambda s, x: s + x)) == 10
    assert dp.data.experimental.cardinality(Dataset.range(3)) == 3
    with pytest.raises(ValueError, match="`buffer_size`"):
        Dataset.range(3).prefetch(-5)


def test_generator_signature_and_argument_errors():
    sig = dp.data.TensorSpec((2,), torch.float32)
    ok = Dataset.from_generator(lambda: iter([np.ones(2, np.float32)]), output_signature=sig)
    assert ok.element_spec == sig and len(list(ok)) == 1
    bad = Dataset.from_generator(lambda: iter([np.ones(3, np.float32)]), output_signature=sig)
    with pytest.raises(ValueError, match=r"element 0 has shape \(3,\).*\(2,\)"):
        list(bad)
    with pytest.raises(TypeError, match="`generator`.*callable"):
        Dataset.from_generator(iter([1, 2]))
    with pytest.raises(TypeError, match="`dataset`: expected a Dataset"):
        Dataset.range(2).concatenate([1, 2])
    with pytest.raises(TypeError, match="`datasets`"):
        Dataset.zip((Dataset.range(2), [1, 2]))
    with pytest.raises(TypeError, match="Dataset.map: expected a callable"):
        Dataset.range(2).map(3)


def test_map_returning_a_list_gives_a_tuple_as_tf_data():
    ds = Dataset.range(3).map(lambda x: [x, x * 10])
    assert [(int(a), int(b)) for a, b in ds] == [(0, 0), (1, 10), (2, 20)]
    slow = Dataset.range(3).map(lambda x: [x, torch.full((int(x),), 1)])
    assert [len(b) for _, b in slow] == [0, 1, 2]

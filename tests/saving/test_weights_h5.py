"""save_weights / load_weights: HDF5 in Keras 3's layout, matched by layer order, clear mismatches."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.saving import weights_h5


def mlp(hidden: int = 16, name: str | None = None):
    return dp.Sequential([
        dp.layers.Flatten(input_shape=(4, 3)),
        dp.layers.Dense(hidden, activation="relu"),
        dp.layers.Dense(5),
    ], name=name)


def test_round_trip_into_a_fresh_model_with_other_layer_names(tmp_path):
    source = mlp()
    path = tmp_path / "w.weights.h5"
    source.save_weights(path)
    target = mlp()  # generated names differ (dense_2, dense_3): matched by order and class
    assert [lay.name for lay in target.layers] != [lay.name for lay in source.layers]
    target.load_weights(path)
    x = np.random.rand(3, 4, 3).astype("float32")
    np.testing.assert_array_equal(source.predict(x, verbose=0), target.predict(x, verbose=0))


def test_file_layout_is_keras_3s(tmp_path):
    model = mlp()
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        groups: list[str] = []
        f.visit(groups.append)
        assert "layers/flatten/vars" in groups and "vars" in groups
        kernel, bias = model.layers[1].get_weights()
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], kernel)
        np.testing.assert_array_equal(f["layers/dense/vars/1"][()], bias)
        assert f["layers/dense/vars/0"].shape == (12, 16)  # Keras layout (in, out)
        assert f["layers/dense_1/vars/0"].shape == (16, 5)


def test_nested_models_and_functional_graphs(tmp_path):
    def build():
        x = dp.Input(shape=(3,))
        inner = dp.Sequential([dp.layers.Dense(4, input_shape=(3,)), dp.layers.Dense(2)])
        bn = dp.layers.Dense(2)(inner(x))
        return dp.Model(x, torch.tanh(bn))

    source, target = build(), build()
    source.save_weights(tmp_path / "n.weights.h5")
    with h5py.File(tmp_path / "n.weights.h5", "r") as f:
        assert f["layers/sequential/layers/dense/vars/0"].shape == (3, 4)
        assert "layers/input_layer/vars" in f
    target.load_weights(tmp_path / "n.weights.h5")
    for u, v in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_shape_mismatch_names_the_layer_and_both_shapes(tmp_path):
    path = tmp_path / "w.weights.h5"
    mlp(hidden=16).save_weights(path)
    other = mlp(hidden=8)
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"layer 'dense_\d+'.*\(12, 8\) in the model but "
                                         r"\(12, 16\) in the file.*skip_mismatch"):
        other.load_weights(path)
    for u, v in zip(before, other.get_weights()):  # nothing half-loaded
        np.testing.assert_array_equal(u, v)


def test_skip_mismatch_loads_what_matches_and_warns(tmp_path):
    path = tmp_path / "w.weights.h5"
    source = dp.Sequential([dp.layers.Dense(4, input_shape=(3,)), dp.layers.Dense(2)])
    source.save_weights(path)
    target = dp.Sequential([dp.layers.Dense(4, input_shape=(3,)), dp.layers.Dense(7)])
    head_before = target.layers[1].get_weights()
    with pytest.warns(UserWarning, match=r"skipping layer .*\(4, 7\) in the model but \(4, 2\)"):
        target.load_weights(path, skip_mismatch=True)
    for u, v in zip(source.layers[0].get_weights(), target.layers[0].get_weights()):
        np.testing.assert_array_equal(u, v)
    for u, v in zip(head_before, target.layers[1].get_weights()):
        np.testing.assert_array_equal(u, v)


def test_missing_and_extra_layers_are_errors(tmp_path):
    path = tmp_path / "w.weights.h5"
    dp.Sequential([dp.layers.Dense(4, input_shape=(3,))]).save_weights(path)
    bigger = dp.Sequential([dp.layers.Dense(4, input_shape=(3,)), dp.layers.Dense(2)])
    with pytest.raises(ValueError, match="no weights for it.*layers/dense_1"):
        bigger.load_weights(path)
    path2 = tmp_path / "w2.weights.h5"
    bigger.save_weights(path2)
    smaller = dp.Sequential([dp.layers.Dense(4, input_shape=(3,))])
    with pytest.raises(ValueError, match="no layer for"):
        smaller.load_weights(path2)


def test_keras2_hdf5_files_load_by_layer_order(tmp_path):
    model = dp.Sequential([dp.layers.Dense(4, input_shape=(3,)), dp.layers.Dense(2)])
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype("float32") for s in [(3, 4), (4,), (4, 2), (2,)]]
    path = tmp_path / "legacy.h5"
    with h5py.File(path, "w") as f:  # the layout tf.keras 2 writes
        f.attrs["layer_names"] = [b"dense_a", b"dense_b"]
        for layer, (k, b) in zip(("dense_a", "dense_b"), (arrays[:2], arrays[2:])):
            g = f.create_group(layer)
            g.attrs["weight_names"] = [f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()]
            g.create_dataset(f"{layer}/kernel:0", data=k)
            g.create_dataset(f"{layer}/bias:0", data=b)
    model.load_weights(path)
    for u, v in zip(arrays, model.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_bad_arguments_and_atomicity(tmp_path, monkeypatch):
    model = mlp()
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "checkpoint")
    model.save_weights(tmp_path / "course_style.h5")  # tf.keras 2 name, accepted
    mlp().load_weights(tmp_path / "course_style.h5")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save_weights(tmp_path / "nope" / "w.weights.h5")
    with pytest.raises(FileNotFoundError):
        model.load_weights(tmp_path / "absent.weights.h5")
    (tmp_path / "junk.weights.h5").write_bytes(b"junk")
    with pytest.raises(ValueError, match="not a readable HDF5"):
        model.load_weights(tmp_path / "junk.weights.h5")
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    before = path.read_bytes()

    def crash(owner, attr, tensor):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(weights_h5.weight_paths, "read", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        mlp().save_weights(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    with pytest.raises(ValueError, match="not built"):
        dp.Sequential([dp.layers.Dense(2)]).save_weights(tmp_path / "u.weights.h5")

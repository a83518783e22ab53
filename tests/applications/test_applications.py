"""dp.applications: Keras's parameter counts, layer names and outputs (fixtures written by
tools/make_keras_fixtures.py with TensorFlow), Keras HDF5 weight files, preprocess_input."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.applications import keras_h5

from ._recipe import layer_arrays, sample_input

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "keras"
SMALL = {"InceptionV3": (75, 75, 3), "MobileNetV2": (32, 32, 3), "ResNet50": (32, 32, 3),
         "VGG16": (32, 32, 3)}


def _fixture(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} missing: run tools/make_keras_fixtures.py with TensorFlow")
    return path


def _non_trainable(model) -> int:
    return sum(p.numel() for p in model.non_trainable_weights)


def test_parameter_counts_equal_keras():
    base = dp.applications.InceptionV3(input_shape=(150, 150, 3), include_top=False, weights=None)
    assert base.count_params() == 21_802_784 and _non_trainable(base) == 34_432
    assert base.get_layer("mixed7").output.shape == (None, 7, 7, 768)
    assert base.output.shape == (None, 3, 3, 2048)
    assert dp.applications.MobileNetV2(weights=None).count_params() == 3_538_984
    assert dp.applications.ResNet50(weights=None).count_params() == 25_636_712
    assert dp.applications.VGG16(include_top=False, weights=None).count_params() == 14_714_688


@pytest.mark.parametrize("name", sorted(SMALL))
def test_architecture_outputs_equal_keras(name):
    """Same layer names as Keras and, with the same (deterministic) weights, the same outputs."""
    names = json.loads(_fixture("apps_layers.json").read_text())[name]
    ref = np.load(_fixture("apps_parity.npz"))[f"{name}_y"]
    dp.backend.clear_session()
    model = getattr(dp.applications, name)(include_top=False, weights=None,
                                           input_shape=SMALL[name], pooling="avg")
    weighted = [lay for lay in model.layers if lay.weights]
    assert [lay.name for lay in weighted] == names or sorted(
        lay.name for lay in weighted) == sorted(names)
    for layer in weighted:
        shapes = [w.shape for w in layer.get_weights()]
        wnames = ["kernel" if len(s) > 1 else n for s, n in zip(
            shapes, _weight_kinds(layer))]
        layer.set_weights(layer_arrays(layer.name, shapes, wnames))
    out = model.predict(sample_input(SMALL[name]), verbose=0)
    scale = np.abs(ref).max()
    np.testing.assert_allclose(out / scale, ref / scale, atol=1e-4, rtol=0)


def _weight_kinds(layer) -> list[str]:
    kind = type(layer).__name__
    if kind == "BatchNormalization":
        return (["gamma"] if layer.scale else []) + (["beta"] if layer.center else []) + [
            "moving_mean", "moving_variance"]
    if kind == "DepthwiseConv2D":
        return ["depthwise_kernel", "bias"]
    return ["kernel", "bias"]


def _tiny(filters: int = 8):
    layers = dp.layers
    dp.backend.clear_session()
    inputs = dp.Input(shape=(12, 12, 3))
    x = layers.Conv2D(filters, 3, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.DepthwiseConv2D(3, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(scale=False)(x)
    x = layers.Conv2D(6, 1, use_bias=False, name="project")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(4, activation="softmax", name="predictions")(x)
    return dp.Model(inputs, x)


@pytest.mark.parametrize("fname", ["tiny_model.h5", "tiny_weights.h5"])
def test_keras_h5_files_load_to_keras_outputs(fname):
    io = np.load(_fixture("tiny_io.npz"))
    model = _tiny()
    keras_h5.load_keras_weights(model, _fixture(fname))
    np.testing.assert_allclose(model.predict(io["x"], verbose=0), io["y"], atol=1e-5, rtol=1e-4)


def _renumbered_copy(src: Path, dst: Path) -> None:
    """A Keras 2 style copy: auto-named layers numbered from _1 and listed in reverse order."""
    def rename(name):
        base, _, num = name.rpartition("_")
        if name in ("conv2d", "batch_normalization", "depthwise_conv2d"):
            return name + "_1"
        if num.isdigit() and base in ("conv2d", "batch_normalization"):
            return f"{base}_{int(num) + 1}"
        return name

    with h5py.File(src, "r") as fin, h5py.File(dst, "w") as fout:
        names = keras_h5._decode(fin.attrs["layer_names"])
        for name in names:
            g = fout.create_group(rename(name))
            wnames = keras_h5._decode(fin[name].attrs["weight_names"])
            new_w = [rename(name) + "/" + w.split("/", 1)[1] for w in wnames]
            for old, new in zip(wnames, new_w):
                g.create_dataset(new, data=fin[name][old][()])
            g.attrs["weight_names"] = [w.encode() for w in new_w]
        fout.attrs["layer_names"] = [rename(n).encode() for n in reversed(names)]


def test_keras2_numbering_and_order_are_matched_by_name(tmp_path):
    io = np.load(_fixture("tiny_io.npz"))
    path = tmp_path / "renumbered.h5"
    _renumbered_copy(_fixture("tiny_weights.h5"), path)
    model = _tiny()
    keras_h5.load_keras_weights(model, path)
    np.testing.assert_allclose(model.predict(io["x"], verbose=0), io["y"], atol=1e-5, rtol=1e-4)


def test_mismatching_weights_file_names_layer_and_shapes():
    model = _tiny(filters=9)
    with pytest.raises(ValueError, match=r"layer 'conv2d'.*\(3, 3, 3, 8\).*\(3, 3, 3, 9\)"):
        keras_h5.load_keras_weights(model, _fixture("tiny_weights.h5"))
    with pytest.raises(ValueError, match="not an HDF5 file"):
        bad = FIXTURES / "image_transforms.json"
        keras_h5.load_keras_weights(model, bad)


def _write_keras2_h5(model, path) -> None:
    """Write a model's weights in the Keras 2 layout (layer_names / weight_names)."""
    with h5py.File(path, "w") as f:
        names = []
        for layer in model.layers:
            arrays = layer.get_weights()
            if not arrays:
                continue
            names.append(layer.name.encode())
            g = f.create_group(layer.name)
            wn = [f"{layer.name}/w{i}:0" for i in range(len(arrays))]
            for n, a in zip(wn, arrays):
                g.create_dataset(n, data=a)
            g.attrs["weight_names"] = [n.encode() for n in wn]
        f.attrs["layer_names"] = names


def test_application_load_weights_then_frozen_training_changes_nothing(tmp_path):
    """The course's pattern on a small MobileNetV2: weights=None, load_weights(h5), freeze every
    layer, cut at a named layer, new head, fit: the base (BN statistics included) is unchanged."""
    dp.utils.set_random_seed(3)
    source = dp.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, include_top=False,
                                         weights=None)
    _write_keras2_h5(source, tmp_path / "w_notop.h5")
    dp.backend.clear_session()
    base = dp.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, include_top=False,
                                       weights=None)
    assert base.name == "mobilenetv2_0_35_32"
    base.load_weights(str(tmp_path / "w_notop.h5"))
    for a, b in zip(source.get_weights(), base.get_weights()):
        np.testing.assert_array_equal(a, b)
    before = [w.copy() for w in base.get_weights()]
    for layer in base.layers:
        layer.trainable = False
    x = dp.layers.GlobalAveragePooling2D()(base.get_layer("block_6_expand_relu").output)
    out = dp.layers.Dense(1, activation="sigmoid")(x)
    model = dp.Model(base.input, out)
    model.compile(optimizer=dp.optimizers.RMSprop(learning_rate=1e-3), loss="binary_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.uniform(-1, 1, (16, 32, 32, 3)).astype("float32"),
              rng.integers(0, 2, (16, 1)).astype("float32"), epochs=1, batch_size=8, verbose=0)
    for a, b in zip(before, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    # block_6_expand has 6 * 16 channels at alpha=0.35: the new head holds 96 + 1 weights.
    assert sum(p.numel() for p in model.trainable_weights) == 96 + 1


def test_preprocess_input_modes_and_decode_predictions(tmp_path, monkeypatch):
    x = np.array([[[10.0, 20.0, 30.0]]], dtype=np.float32)
    keep = x.copy()
    np.testing.assert_allclose(dp.applications.vgg16.preprocess_input(x),
                               [[[30 - 103.939, 20 - 116.779, 10 - 123.68]]], rtol=1e-6)
    np.testing.assert_array_equal(x, keep)  # not modified in place
    np.testing.assert_allclose(dp.applications.inception_v3.preprocess_input(x),
                               x / 127.5 - 1, rtol=1e-6)
    t = dp.applications.imagenet_utils.preprocess_input(torch.tensor(x), mode="torch")
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(t.numpy(), (x / 255 - mean) / std, rtol=1e-5)
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    preds = np.zeros((2, 1000))
    preds[0, [5, 17, 3]] = [0.5, 0.3, 0.2]
    preds[1, 999] = 1.0
    got = dp.applications.imagenet_utils.decode_predictions(preds, top=2, class_index_path=path)
    assert got[0] == [("n00000005", "class_5", 0.5), ("n00000017", "class_17", 0.3)]
    assert got[1][0][1] == "class_999"
    with pytest.raises(ValueError, match=r"\(samples, 1000\).*\(2, 10\)"):
        dp.applications.resnet50.decode_predictions(np.zeros((2, 10)))


def test_imagenet_weights_offline_says_which_file_where(monkeypatch):
    import deepprob.utils.files as files

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(files, "get_file", offline)
    with pytest.raises(OSError, match=r"vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5.*"
                                      r"put it at .*models"):
        dp.applications.VGG16(include_top=False, weights="imagenet", input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="Argument `weights`.*'imagnet'"):
        dp.applications.VGG16(weights="imagnet")
    with pytest.raises(ValueError, match="input_shape.*at least 75"):
        dp.applications.InceptionV3(include_top=False, input_shape=(60, 60, 3))

"""Regenerate the Keras-side fixtures under tests/fixtures/keras/ (run with TensorFlow installed,
in a separate environment; the test suite itself never needs TensorFlow):

    python -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install tensorflow-cpu==2.21.0
    /tmp/tfenv/bin/python tools/make_keras_fixtures.py

Writes:
* ``image_transforms.json`` / ``image_transforms.npz``: ``ImageDataGenerator.get_random_transform``
  for fixed seeds, and ``apply_transform`` outputs for shifts, flips, channel shifts and
  brightness on a fixed image;
* ``apps_parity.npz``: InceptionV3 / MobileNetV2 / ResNet50 / VGG16 (no top, average pooling, small
  inputs) outputs with the deterministic weights of tests/applications/_recipe.py, and the names
  of their layers with weights;
* ``tiny_model.h5`` (whole model, Keras's legacy HDF5), ``tiny_weights.h5`` (Keras 2 weights file
  layout, as the ``*_notop.h5`` downloads) and ``tiny_io.npz`` (its input and output).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "keras"


def _recipe():
    spec = importlib.util.spec_from_file_location("_recipe",
                                                  ROOT / "tests" / "applications" / "_recipe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def transforms(keras) -> None:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    gen = ImageDataGenerator(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
                             shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
                             vertical_flip=True, brightness_range=(0.5, 1.5),
                             channel_shift_range=20.0)
    draws = {}
    for seed in range(5):
        p = gen.get_random_transform((150, 120, 3), seed=seed)
        draws[str(seed)] = {k: (None if v is None else float(v)) for k, v in p.items()}
    image = np.random.default_rng(3).integers(0, 256, size=(12, 10, 3)).astype("float32")
    plain = ImageDataGenerator()
    cases = {
        "shift": {"tx": 3, "ty": -2},
        "flip_h": {"flip_horizontal": True},
        "flip_v": {"flip_vertical": True},
        "channel_shift": {"channel_shift_intensity": 25.0},
        "brightness": {"brightness": 0.7},
        "brightness_up": {"brightness": 1.6},
    }
    arrays = {"image": image}
    for name, params in cases.items():
        arrays[name] = plain.apply_transform(image.copy(), params)
    constant = ImageDataGenerator(fill_mode="constant", cval=9.0)
    arrays["shift_constant"] = constant.apply_transform(image.copy(), {"tx": 3, "ty": -2})
    reflect = ImageDataGenerator(fill_mode="reflect")
    arrays["shift_reflect"] = reflect.apply_transform(image.copy(), {"tx": 3, "ty": -2})
    (OUT / "image_transforms.json").write_text(json.dumps({"draws": draws, "cases": cases},
                                                          indent=1))
    np.savez_compressed(OUT / "image_transforms.npz", **arrays)


def apps(keras) -> None:
    recipe = _recipe()
    specs = {
        "InceptionV3": (keras.applications.InceptionV3, (75, 75, 3)),
        "MobileNetV2": (keras.applications.MobileNetV2, (32, 32, 3)),
        "ResNet50": (keras.applications.ResNet50, (32, 32, 3)),
        "VGG16": (keras.applications.VGG16, (32, 32, 3)),
    }
    arrays, names = {}, {}
    for name, (build, shape) in specs.items():
        keras.backend.clear_session()
        model = build(include_top=False, weights=None, input_shape=shape, pooling="avg")
        names[name] = []
        for layer in model.layers:
            if not layer.weights:
                continue
            names[name].append(layer.name)
            layer.set_weights(recipe.layer_arrays(
                layer.name, [tuple(w.shape) for w in layer.weights],
                [w.path for w in layer.weights]))
        x = recipe.sample_input(shape)
        arrays[f"{name}_y"] = np.asarray(model.predict(x, verbose=0))
    np.savez_compressed(OUT / "apps_parity.npz", **arrays)
    (OUT / "apps_layers.json").write_text(json.dumps(names))


def tiny(keras) -> None:
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    layers = keras.layers
    inputs = keras.Input(shape=(12, 12, 3))
    x = layers.Conv2D(8, 3, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.DepthwiseConv2D(3, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(scale=False)(x)
    x = layers.Conv2D(6, 1, use_bias=False, name="project")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(4, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, x, name="tiny")
    rng = np.random.default_rng(1)
    for layer in model.layers:  # non-trivial statistics, so BN inference math is exercised
        ws = layer.get_weights()
        if ws:
            layer.set_weights([(rng.uniform(0.5, 1.5, w.shape) if "variance" in v.path
                                else rng.normal(0, 0.3, w.shape)).astype("float32")
                               for w, v in zip(ws, layer.weights)])
    x_in = rng.uniform(0, 1, size=(3, 12, 12, 3)).astype("float32")
    np.savez_compressed(OUT / "tiny_io.npz", x=x_in, y=model.predict(x_in, verbose=0))
    model.save(OUT / "tiny_model.h5")
    with h5py.File(OUT / "tiny_weights.h5", "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import keras
    except ImportError:
        sys.exit("TensorFlow/Keras is not installed in this environment (see the docstring).")
    OUT.mkdir(parents=True, exist_ok=True)
    transforms(keras)
    tiny(keras)
    apps(keras)
    print("fixtures written to", OUT, "with keras", keras.__version__)


if __name__ == "__main__":
    main()

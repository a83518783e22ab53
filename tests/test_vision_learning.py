"""The courses' vision exercises on real MNIST digits: the MNIST CNN, and transfer learning
(frozen base cut at a named layer, new head trained from an image folder)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import deepprob as dp


@pytest.fixture(scope="module")
def digits():
    x, y = dp.datasets.mnist.load_sample()
    return x, y


def test_course_mnist_cnn_reaches_97_percent(digits):
    x, y = digits
    x = (x / 255.0).astype("float32")[..., None]
    x_train, y_train, x_test, y_test = x[:5000], y[:5000], x[5000:], y[5000:]
    model = dp.Sequential([
        dp.layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
        dp.layers.MaxPooling2D(2, 2),
        dp.layers.Flatten(),
        dp.layers.Dense(128, activation="relu"),
        dp.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=6, batch_size=32, verbose=0)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"MNIST CNN held-out accuracy: {acc:.4f}")
    assert acc >= 0.97, acc


def test_transfer_from_digits_0_4_to_5_9_with_frozen_base(digits, tmp_path):
    x, y = digits
    low = y < 5
    xs = (x[low] / 255.0).astype("float32")[..., None]
    inputs = dp.Input(shape=(28, 28, 1))
    h = dp.layers.Conv2D(16, 3, activation="relu")(inputs)
    h = dp.layers.BatchNormalization()(h)
    h = dp.layers.MaxPooling2D(2)(h)
    h = dp.layers.Conv2D(32, 3, activation="relu")(h)
    h = dp.layers.MaxPooling2D(2, name="last_pool")(h)
    h = dp.layers.Flatten()(h)
    h = dp.layers.Dense(5, activation="softmax")(h)
    base = dp.Model(inputs, h)
    base.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    base.fit(xs, y[low], epochs=2, batch_size=64, verbose=0)

    # 5-9 as an image folder: 500 training images, the rest held out.
    high = np.flatnonzero(y >= 5)
    rng = np.random.default_rng(0)
    rng.shuffle(high)
    for split, idx in (("train", high[:500]), ("test", high[500:1500])):
        for i in idx:
            folder = tmp_path / split / f"digit_{y[i]}"
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(x[i]).save(folder / f"{i}.png")

    for layer in base.layers:
        layer.trainable = False
    frozen = [w.copy() for w in base.get_weights()]
    last = base.get_layer("last_pool").output
    t = dp.layers.Flatten()(last)
    t = dp.layers.Dense(64, activation="relu")(t)
    t = dp.layers.Dropout(0.2)(t)
    t = dp.layers.Dense(5, activation="softmax")(t)
    model = dp.Model(base.input, t)
    model.compile(optimizer=dp.optimizers.RMSprop(learning_rate=1e-3),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    gen = dp.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
    train = gen.flow_from_directory(tmp_path / "train", target_size=(28, 28),
                                    color_mode="grayscale", batch_size=20, seed=0, verbose=False)
    test = gen.flow_from_directory(tmp_path / "test", target_size=(28, 28),
                                   color_mode="grayscale", batch_size=100, shuffle=False,
                                   verbose=False)
    assert train.samples == 500 and train.class_indices["digit_5"] == 0
    history = model.fit(train, steps_per_epoch=25, epochs=6, validation_data=test,
                        validation_steps=2, verbose=0)
    assert len(history.history["val_accuracy"]) == 6
    _, acc = model.evaluate(test, steps=len(test), verbose=0)
    print(f"transfer held-out accuracy: {acc:.4f}")
    assert acc >= 0.90, acc
    for before, after in zip(frozen, base.get_weights()):  # BN moving statistics included
        np.testing.assert_array_equal(before, after)

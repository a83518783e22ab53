"""Small models and data shared by the callback tests."""

from __future__ import annotations

import numpy as np

import deepprob as dp


def make_model(optimizer="sgd", dropout: float = 0.0, metrics=None, seed: int = 0):
    dp.utils.set_random_seed(seed)
    layers = [dp.layers.Dense(8, activation="relu", input_shape=(3,))]
    if dropout:
        layers.append(dp.layers.Dropout(dropout))
    layers.append(dp.layers.Dense(1))
    model = dp.Sequential(layers)
    model.compile(optimizer=optimizer, loss="mse", metrics=metrics)
    return model


def make_data(n: int = 64, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], dtype="float32") + 0.3)[:, None]
    return x, y


class Scripted(dp.callbacks.Callback):
    """Overwrites ``logs[key]`` with a scripted sequence and snapshots the weights each epoch."""

    def __init__(self, key: str, values):
        super().__init__()
        self.key, self.values, self.weights = key, list(values), []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())

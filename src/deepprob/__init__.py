"""deepprob: Keras-style deep learning and TFP-style probability on PyTorch.

``import deepprob as dp`` gives the Keras names (``dp.Sequential``, ``dp.Model``,
``dp.Input``, ``dp.layers``, ``dp.optimizers`` ...) and the TensorFlow Probability
names (``dp.distributions``, ``dp.bijectors``). Submodules load on first use.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "activations", "applications", "backend", "bijectors", "callbacks", "cli", "config",
    "constraints", "data", "datasets", "distribute", "distributions", "engine", "initializers",
    "layers", "losses", "metrics", "models", "optimizers", "plot", "preprocessing",
    "regularizers", "saving", "text", "timeseries", "uncertainty", "util", "utils", "vae",
}
_ENGINE_NAMES = {"Sequential": "sequential", "Model": "model", "Input": "input_layer"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"deepprob.{name}")
        globals()[name] = module
        return module
    if name in _ENGINE_NAMES:
        module = importlib.import_module(f"deepprob.engine.{_ENGINE_NAMES[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'deepprob' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_ENGINE_NAMES))

"""Utilities: seeding, ``to_categorical`` / ``normalize``, ``get_file``, and helpers Keras keeps
under ``keras.utils``."""

from __future__ import annotations

import random

import numpy as np
import torch

from deepprob.utils.files import extract_archive, get_file, hash_file
from deepprob.utils.numerical import normalize, to_categorical


def set_random_seed(seed: int) -> None:
    """Seed Python's, NumPy's and torch's generators (all devices) so runs repeat.

    Args:
        seed: a non-negative integer.

    Example:
        >>> import deepprob as dp
        >>> dp.utils.set_random_seed(42)
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"Argument `seed`: expected a non-negative integer, received {seed!r}.")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    torch.manual_seed(int(seed))


def __getattr__(name: str):
    # Helpers that live elsewhere, loaded on first use (Keras exposes them under keras.utils).
    if name == "register_keras_serializable":
        from deepprob.engine.serialization import register_keras_serializable

        return register_keras_serializable
    if name == "image_dataset_from_directory":
        from deepprob.utils.image_dataset import image_dataset_from_directory

        return image_dataset_from_directory
    if name == "timeseries_dataset_from_array":
        from deepprob.data.sequences import timeseries_dataset_from_array

        return timeseries_dataset_from_array
    raise AttributeError(f"module 'deepprob.utils' has no attribute {name!r}")

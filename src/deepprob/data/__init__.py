"""``dp.data``: tf.data's pipelines on torch tensors, vectorized where the chain allows.

``dp.data.Dataset`` mirrors ``tf.data.Dataset`` (sources, transformations, windows, shuffle
buffer semantics). Elements are torch tensors (tuples / dicts as given); ``as_numpy_iterator``
yields NumPy. Chains of slices, windows + ``flat_map(batch)``, shuffle, vmappable ``map`` and
``batch`` run as strided views and batched gathers; anything else runs element by element with
the same results.

Example:
    >>> import deepprob as dp
    >>> ds = dp.data.Dataset.from_tensor_slices(series)  # doctest: +SKIP
    >>> ds = ds.window(21, shift=1, drop_remainder=True).flat_map(lambda w: w.batch(21))
    >>> ds = ds.shuffle(1000).map(lambda w: (w[:-1], w[-1])).batch(32).prefetch(1)
"""

from deepprob.data import experimental
from deepprob.data.dataset import AUTOTUNE, Dataset
from deepprob.data.functions import ElementFunctionError
from deepprob.data.readers import CsvDataset, TextLineDataset
from deepprob.data.sequences import timeseries_dataset_from_array
from deepprob.data.structure import (
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    DatasetSpec,
    TensorSpec,
)

__all__ = [
    "AUTOTUNE", "CsvDataset", "Dataset", "DatasetSpec", "ElementFunctionError",
    "INFINITE_CARDINALITY", "TensorSpec", "TextLineDataset", "UNKNOWN_CARDINALITY",
    "experimental", "timeseries_dataset_from_array",
]

"""``dp.data.experimental``: the names tf.data keeps under ``tf.data.experimental``."""

from deepprob.data.dataset import AUTOTUNE
from deepprob.data.readers import CsvDataset
from deepprob.data.structure import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


def cardinality(dataset) -> int:
    """``dataset.cardinality()`` (tf.data.experimental.cardinality).

    Args:
        dataset: a ``dp.data.Dataset``.

    Example:
        >>> import deepprob as dp
        >>> cardinality(dp.data.Dataset.range(4))
        4
    """
    return dataset.cardinality()


__all__ = ["AUTOTUNE", "CsvDataset", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality"]

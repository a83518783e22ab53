"""``timeseries_dataset_from_array``: Keras's sliding-window dataset, built from views."""

from __future__ import annotations

import numpy as np
import torch

from deepprob.data import structure as st
from deepprob.data.dataset import Dataset, _check_int
from deepprob.data.index import Index


class _SequenceDataset(Dataset):
    """Windows ``data[s + j * rate]`` (``j < length``) for the given start positions."""

    def __init__(self, data: torch.Tensor, starts: torch.Tensor, length: int, rate: int):
        self._data, self._starts = data, starts
        self._offsets = torch.arange(length) * rate

    def _index(self) -> Index:
        def gather(idx):
            return self._data[self._starts[idx][:, None] + self._offsets]

        return Index(len(self._starts), gather)

    def _elements(self):
        return iter(st.unstack(self._index().gather(torch.arange(len(self._starts)))))

    def _cardinality(self) -> int:
        return len(self._starts)


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128,
                                  shuffle: bool = False, seed: int | None = None,
                                  start_index: int | None = None,
                                  end_index: int | None = None) -> Dataset:
    """Sliding windows over an array as a Dataset of ``(sequences, targets)`` batches (Keras).

    Window ``i`` starts at ``start_index + p_i`` with ``p_i = i * sequence_stride`` and holds
    ``sequence_length`` rows taken every ``sampling_rate`` rows; its target is
    ``targets[start_index + p_i]``. Start positions are shuffled with NumPy's
    ``RandomState(seed)`` as Keras does, then locally with a buffer of ``8 * batch_size``.

    Args:
        data: array of shape ``(timesteps, ...)``.
        targets: array aligned with ``data`` (``targets[i]`` goes with the window starting at
            ``i``), or ``None`` for sequences only.
        sequence_length: rows per window (> 0).
        sequence_stride: step between window starts (> 0).
        sampling_rate: step between rows inside a window (> 0).
        batch_size: windows per batch, or ``None`` for single windows.
        shuffle: shuffle the windows.
        seed: shuffle seed.
        start_index, end_index: restrict to ``data[start_index:end_index]``.

    Example:
        >>> ds = timeseries_dataset_from_array(np.arange(10), np.arange(10) * 10, 3, batch_size=4)
        >>> x, y = next(iter(ds))
        >>> x.tolist(), y.tolist()
        ([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [0, 10, 20, 30])
    """
    data_t = st.to_leaf(np.asarray(data) if not isinstance(data, torch.Tensor) else data, "data")
    if not isinstance(data_t, torch.Tensor) or data_t.dim() == 0:
        raise ValueError("Argument `data`: expected a numeric array with a time dimension.")
    n = int(data_t.shape[0])
    sequence_length = _check_int(sequence_length, "sequence_length", 1)
    sequence_stride = _check_int(sequence_stride, "sequence_stride", 1)
    sampling_rate = _check_int(sampling_rate, "sampling_rate", 1)
    if batch_size is not None:
        batch_size = _check_int(batch_size, "batch_size", 1)
    start = 0 if start_index is None else _check_int(start_index, "start_index", 0)
    end = n if end_index is None else _check_int(end_index, "end_index", 0)
    if start >= n:
        raise ValueError(
            f"Argument `start_index`: expected a value lower than the length of `data` ({n}), "
            f"received {start}."
        )
    if end <= start or end > n:
        raise ValueError(
            f"Argument `end_index`: expected a value in ({start}, {n}], received {end}."
        )
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    targets_t = None
    if targets is not None:
        targets_t = st.to_leaf(targets if isinstance(targets, torch.Tensor)
                               else np.asarray(targets), "targets")
        if len(targets_t) != n:
            raise ValueError(
                f"Arguments `data` and `targets` must have the same length; received {n} and "
                f"{len(targets_t)}."
            )
        num_seqs = min(num_seqs, len(targets_t))
    if num_seqs <= 0:
        raise ValueError(
            f"Argument `sequence_length`: {sequence_length} rows taken every {sampling_rate} "
            f"do not fit in the {end - start} rows between start_index and end_index."
        )
    positions = np.arange(0, num_seqs, sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(1_000_000))
        np.random.RandomState(seed).shuffle(positions)
    starts = torch.from_numpy(positions)
    windows = _SequenceDataset(data_t[start:end], starts, sequence_length, sampling_rate)
    dataset: Dataset = windows
    if targets_t is not None:
        dataset = Dataset.zip((windows, Dataset.from_tensor_slices(targets_t[start:end][starts])))
    if batch_size is not None:
        if shuffle:
            dataset = dataset.shuffle(batch_size * 8, seed=seed)
        dataset = dataset.batch(batch_size)
    elif shuffle:
        dataset = dataset.shuffle(1024, seed=seed)
    return dataset

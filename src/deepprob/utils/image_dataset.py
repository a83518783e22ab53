"""``image_dataset_from_directory``: Keras's image folder loader as a ``dp.data.Dataset``.

Files are indexed as Keras does (class sub-folders in sorted order, or ``class_names``; files
sorted within each class, sub-folders included), shuffled once with ``seed`` before the
``validation_split`` (the validation subset is the last ``int(split * n)`` files), decoded and
resized with Pillow in worker threads, and yielded as batches ``(images, labels)`` of torch
tensors (images float32 0-255, ``(batch, height, width, channels)``). With ``shuffle=True``
each pass over the dataset visits the files in a new order (repeatable with ``seed``).

Keras resizes with TensorFlow's ``tf.image.resize``; deepprob uses Pillow's filters (the same
``interpolation`` names), so pixels may differ slightly from Keras's after resizing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch

from deepprob.data.dataset import Dataset

__all__ = ["image_dataset_from_directory"]

_LABEL_MODES = ("int", "categorical", "binary", None)


class ImageFolderDataset(Dataset):
    """Batches of images decoded from a list of files (see ``image_dataset_from_directory``).

    Attributes:
        class_names: the class names, index order.
        file_paths: the files, in index order (before per-epoch shuffling).
    """

    def __init__(self, paths: list[str], labels, class_names, batch_size: int | None,
                 image_size: tuple[int, int], color_mode: str, interpolation: str,
                 shuffle: bool, seed: int, crop_to_aspect_ratio: bool, workers: int):
        self.file_paths = list(paths)
        self._labels = labels
        self.class_names = list(class_names) if class_names is not None else None
        self._batch_size = batch_size
        self._size = image_size
        self._color_mode = color_mode
        self._interpolation = interpolation
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._crop = crop_to_aspect_ratio
        self._workers = workers

    def _cardinality(self) -> int:
        if self._batch_size is None:
            return len(self.file_paths)
        return -(-len(self.file_paths) // self._batch_size)

    def __len__(self) -> int:
        return self._cardinality()

    def _load(self, order: np.ndarray) -> torch.Tensor:
        from deepprob.preprocessing.image import _decode_check, _pool

        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[self._color_mode]
        out = np.empty((len(order),) + self._size + (channels,), dtype=np.uint8)

        def fill(k):
            path = self.file_paths[order[k]]
            try:
                out[k] = _decode_check(path, self._color_mode, self._size, self._interpolation,
                                       self._crop)
            except Exception as err:
                raise ValueError(f"Cannot decode image {path!r}: {type(err).__name__}: "
                                 f"{err}.") from err

        list(_pool(self._workers).map(fill, range(len(order))))
        return torch.from_numpy(out).to(torch.float32)

    def _elements(self):
        n = len(self.file_paths)
        order = self._rng.permutation(n) if self._shuffle else np.arange(n)
        size = self._batch_size or 1
        for start in range(0, n, size):
            idx = order[start:start + size]
            x = self._load(idx)
            if self._batch_size is None:
                x = x[0]
            if self._labels is None:
                yield x
                continue
            y = self._labels[torch.from_numpy(idx)]
            yield (x, y if self._batch_size is not None else y[0])


def image_dataset_from_directory(directory, labels="inferred", label_mode: str | None = "int",
                                 class_names: Sequence[str] | None = None,
                                 color_mode: str = "rgb", batch_size: int | None = 32,
                                 image_size=(256, 256), shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 verbose: bool = True, workers: int | None = None):
    """A dataset of ``(images, labels)`` batches from class sub-folders, as Keras builds it.

    Args:
        directory: folder with one sub-folder per class (``labels="inferred"``).
        labels: ``"inferred"``, None (images only), or a list of integer labels, one per file
            in sorted path order.
        label_mode: ``"int"`` (int32), ``"categorical"`` (one-hot float32), ``"binary"``
            (float32 ``(batch, 1)``, two classes) or None.
        class_names: explicit class folder order (inferred labels only).
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        batch_size: images per batch (32), or None for single images.
        image_size: ``(height, width)`` every image is resized to (256, 256).
        shuffle: shuffle the files (once before splitting, and again every pass).
        seed: seed of the shuffling and of the split.
        validation_split: fraction of the files kept for ``subset="validation"``.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns both datasets).
        interpolation: Pillow resize filter (``"bilinear"``).
        follow_links: follow symbolic links.
        crop_to_aspect_ratio: crop the centre to the target aspect ratio before resizing.
        verbose: print Keras's "Found N files belonging to K classes." messages.
        workers: decoding threads.

    Returns:
        A ``dp.data.Dataset`` with ``class_names`` and ``file_paths`` (a pair with ``"both"``).

    Example:
        >>> train = dp.utils.image_dataset_from_directory("flowers", validation_split=0.2,
        ...     subset="training", seed=123, image_size=(180, 180), batch_size=32)
        Found 3670 files belonging to 5 classes.
        Using 2936 files for training.
    """
    from deepprob.preprocessing.image import (
        _check_choice,
        _check_size,
        _default_workers,
        list_image_files,
    )

    size = _check_size(image_size, "image_size")
    if size is None:
        raise ValueError("Argument `image_size`: expected two positive integers, received None.")
    _check_choice(color_mode, ("grayscale", "rgb", "rgba"), "color_mode", "color_mode")
    _check_choice(label_mode, _LABEL_MODES, "label_mode", "label_mode")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, int) or batch_size <= 0):
        raise ValueError(f"Argument `batch_size`: expected a positive integer or None, received "
                         f"{batch_size!r}.")
    if labels is None:
        label_mode = None
    elif not (labels == "inferred" if isinstance(labels, str) else isinstance(
            labels, (list, tuple, np.ndarray))):
        raise ValueError("Argument `labels`: expected 'inferred', None or a list of integer "
                         f"labels, received {labels!r}.")
    if class_names is not None and labels != "inferred":
        raise ValueError("Argument `class_names`: only valid with labels='inferred'.")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"Argument `validation_split`: expected a float in (0, 1), received "
                         f"{validation_split!r}.")
    if subset is not None:
        _check_choice(subset, ("training", "validation", "both"), "subset", "subset")
        if validation_split is None:
            raise ValueError("Argument `subset` needs `validation_split`.")
    if validation_split is not None and subset is None:
        raise ValueError("Argument `validation_split` needs `subset` ('training', 'validation' "
                         "or 'both').")
    if validation_split and shuffle and seed is None:
        raise ValueError("Argument `seed`: a validation split with shuffle=True needs a seed so "
                         "that the training and validation subsets do not overlap.")
    if seed is None:
        seed = int(np.random.default_rng().integers(1_000_000))

    if labels == "inferred" or labels is None:
        names, files = list_image_files(directory, class_names, follow_links=follow_links)
        paths = [os.path.join(str(directory), f) for f, _ in files]
        label_ids = np.asarray([c for _, c in files], dtype=np.int64)
        names_out = names
    else:
        all_names, files = list_image_files(directory, None, follow_links=follow_links) \
            if any(os.path.isdir(os.path.join(directory, d)) for d in os.listdir(directory)) \
            else ([], [])
        if not files:
            files = sorted((f, 0) for f in os.listdir(directory)
                           if f.lower().endswith(("png", "jpg", "jpeg", "bmp", "gif")))
        paths = [os.path.join(str(directory), f) for f, _ in files]
        label_ids = np.asarray(labels, dtype=np.int64)
        if len(label_ids) != len(paths):
            raise ValueError(f"Argument `labels`: expected one label per image file "
                             f"({len(paths)} found in {str(directory)!r}), received "
                             f"{len(label_ids)}.")
        names_out = None
    num_classes = len(names_out) if names_out is not None else int(label_ids.max(initial=-1) + 1)
    if verbose:
        print(f"Found {len(paths)} files belonging to {num_classes} classes.")
    if not paths:
        raise ValueError(f"No images found in directory {str(directory)!r}. Allowed formats: "
                         "png, jpg, jpeg, bmp, ppm, tif, tiff.")
    if label_mode == "binary" and num_classes != 2:
        raise ValueError(f"Argument `label_mode`: 'binary' needs exactly 2 classes, found "
                         f"{num_classes}.")
    if shuffle:
        order = np.random.RandomState(seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        label_ids = label_ids[order]

    def encode(ids: np.ndarray):
        if label_mode is None:
            return None
        t = torch.from_numpy(ids)
        if label_mode == "int":
            return t.to(torch.int32)
        if label_mode == "binary":
            return t.to(torch.float32).unsqueeze(-1)
        return torch.nn.functional.one_hot(t, num_classes).to(torch.float32)

    def make(sl: slice, what: str | None):
        sub_paths, sub_ids = paths[sl], label_ids[sl]
        if what is not None and verbose:
            print(f"Using {len(sub_paths)} files for {what}.")
        ds = ImageFolderDataset(sub_paths, encode(sub_ids), names_out, batch_size, size,
                                color_mode, interpolation, shuffle, seed, crop_to_aspect_ratio,
                                int(workers) if workers else _default_workers())
        return ds

    if subset is None:
        return make(slice(None), None)
    n_val = int(validation_split * len(paths))
    train_sl, val_sl = slice(0, len(paths) - n_val), slice(len(paths) - n_val, None)
    if subset == "both":
        return make(train_sl, "training"), make(val_sl, "validation")
    return make(train_sl if subset == "training" else val_sl, subset)




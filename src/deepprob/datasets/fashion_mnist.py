"""Fashion-MNIST: ``dp.datasets.fashion_mnist.load_data()`` as in Keras.

Reads the four standard IDX files (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) from
``$DEEPPROB_DATA/fashion_mnist/`` or ``~/.deepprob/datasets/fashion_mnist/``. Missing files are
downloaded once, where a network exists, from Keras's mirror with their MD5 checksums checked
(the digests published by Zalando Research; the two label files' digests are verified against
the copies in the courses' data folder). Without a network the error says which files to put
where.
"""

from __future__ import annotations

import numpy as np

from deepprob.datasets._idx import data_dirs
from deepprob.datasets.mnist import _load_files

NAME = "fashion_mnist"
FILES = {
    "x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz",
}
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
"""The names of labels 0 to 9, in Keras's documentation order."""


def load_data(download: bool = True):
    """``((x_train, y_train), (x_test, y_test))``: uint8 arrays of shapes (60000, 28, 28),
    (60000,), (10000, 28, 28), (10000,), as Keras returns them; labels index ``CLASS_NAMES``.

    Args:
        download: fetch missing files (checksums verified) into the first data folder
            (``$DEEPPROB_DATA/fashion_mnist`` or ``~/.deepprob/datasets/fashion_mnist``).

    Raises:
        FileNotFoundError: files missing and not downloadable (the message says which, where).
        ValueError: a file is corrupted or truncated, or images and labels disagree.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = dp.datasets.fashion_mnist.load_data()
        >>> dp.datasets.fashion_mnist.CLASS_NAMES[y_train[0]]
        'Ankle boot'
    """
    try:
        (x_train, y_train), (x_test, y_test) = _load_files(NAME, FILES)
    except FileNotFoundError as missing:
        if not download:
            raise
        try:
            _download()
        except (OSError, ValueError) as err:
            raise FileNotFoundError(f"{missing}\nDownloading them from {ORIGIN} failed: {err}") \
                from err
        (x_train, y_train), (x_test, y_test) = _load_files(NAME, FILES)
    _check(x_train, y_train, "train")
    _check(x_test, y_test, "t10k")
    return (x_train, y_train), (x_test, y_test)


def _check(x: np.ndarray, y: np.ndarray, split: str) -> None:
    files = f"{split}-images-idx3-ubyte.gz / {split}-labels-idx1-ubyte.gz"
    if x.ndim != 3 or x.dtype != np.uint8 or y.ndim != 1 or y.dtype != np.uint8:
        raise ValueError(
            f"fashion_mnist {files}: expected uint8 images (n, 28, 28) and labels (n,), found "
            f"{x.dtype} {x.shape} and {y.dtype} {y.shape}; the files are not Fashion-MNIST.")
    if len(x) != len(y):
        raise ValueError(
            f"fashion_mnist {files}: {len(x)} images but {len(y)} labels; one of the files is "
            "from another copy or corrupted.")
    if y.size and int(y.max()) >= len(CLASS_NAMES):
        raise ValueError(
            f"fashion_mnist {split}-labels-idx1-ubyte.gz: labels must lie in [0, 9], found "
            f"{int(y.max())}; the file is corrupted.")


def _download() -> None:
    from deepprob.utils.files import get_file

    folder = data_dirs(NAME)[0]
    folder.mkdir(parents=True, exist_ok=True)
    for fname in FILES.values():
        if not (folder / fname).is_file():
            get_file(fname, origin=ORIGIN + fname, file_hash=MD5[fname], cache_dir=str(folder),
                     cache_subdir="")

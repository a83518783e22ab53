"""MNIST handwritten digits: ``dp.datasets.mnist.load_data()`` as in Keras.

``load_data()`` reads the four standard IDX files (``train-images-idx3-ubyte.gz``,
``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``)
from ``$DEEPPROB_DATA/mnist/`` or ``~/.deepprob/datasets/mnist/``.
``load_sample()`` returns 6,000 real test-set digits bundled with the package (no files needed).
"""

from __future__ import annotations

import numpy as np

from deepprob.datasets._idx import bundled, data_dirs, read_idx

FILES = {
    "x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz",
}


def _load_files(name: str, files: dict[str, str]):
    for folder in data_dirs(name):
        if all((folder / f).is_file() for f in files.values()):
            arrays = {k: read_idx(folder / f) for k, f in files.items()}
            return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    tried = "\n".join(f"  {d}" for d in data_dirs(name))
    present = {d: [f for f in files.values() if (d / f).is_file()] for d in data_dirs(name)}
    found = "; ".join(f"{d} has {v}" for d, v in present.items() if v)
    raise FileNotFoundError(
        f"{name} files not found. Put {', '.join(files.values())} into one of:\n{tried}\n"
        "(or set DEEPPROB_DATA to a folder holding a '" + name + "' subfolder)."
        + (f" Partial copies: {found}." if found else "")
        + f" For a quick start without files use dp.datasets.{name}.load_sample()."
    )


def load_data():
    """``((x_train, y_train), (x_test, y_test))``: uint8 arrays of shapes (60000, 28, 28),
    (60000,), (10000, 28, 28), (10000,), as Keras returns them.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = dp.datasets.mnist.load_data()
    """
    return _load_files("mnist", FILES)


def load_sample() -> tuple[np.ndarray, np.ndarray]:
    """6,000 real MNIST digits bundled with deepprob: ``(x, y)`` uint8 of shapes (6000, 28, 28)
    and (6000,). They are the first 6,000 images of the official MNIST test set (t10k)."""
    x = read_idx(bundled("mnist-sample-images-idx3-ubyte.gz"))
    y = read_idx(bundled("mnist-sample-labels-idx1-ubyte.gz"))
    return x, y

"""Shared pieces of the pretrained architectures: ``preprocess_input`` modes,
``decode_predictions``, input-shape checks and ``weights=`` resolution (download or local file)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np
import torch

from deepprob._errors import unknown

CLASS_INDEX_URL = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                   "imagenet_class_index.json")
_CLASS_INDEX: dict | None = None
_MODES = ("caffe", "tf", "torch")


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """Scale images as a network's ImageNet weights expect (Keras's three modes).

    ``"caffe"``: RGB -> BGR and subtract the ImageNet channel means (VGG16, ResNet50);
    ``"tf"``: map 0-255 to [-1, 1] (InceptionV3, MobileNetV2); ``"torch"``: 0-1, then subtract
    the mean and divide by the std per channel. Unlike Keras, a float NumPy input is not
    modified in place.

    Args:
        x: images ``(..., H, W, 3)`` with values 0-255 (NumPy array or torch tensor).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        mode: ``"caffe"``, ``"tf"`` or ``"torch"``.

    Returns:
        An array (or tensor, for tensor input) of float32.

    Example:
        >>> preprocess_input(np.array([[[0.0, 127.5, 255.0]]]), mode="tf")
        array([[[-1.,  0.,  1.]]], dtype=float32)
    """
    if mode not in _MODES:
        raise unknown("preprocess_input mode", mode, _MODES, argument="mode")
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise unknown("data_format", data_format, ("channels_last", "channels_first"),
                      argument="data_format")
    is_tensor = isinstance(x, torch.Tensor)
    t = x if is_tensor else torch.from_numpy(np.array(x, dtype=np.float32, copy=True))
    if not t.is_floating_point():
        t = t.to(torch.float32)
    axis = -1 if data_format == "channels_last" else (-3 if t.dim() > 3 else 0)
    if t.shape[axis] != 3 and mode != "tf":
        raise ValueError(f"Argument `x` of preprocess_input: expected 3 channels on axis "
                         f"{axis}, received shape {tuple(t.shape)}.")
    shape = [1] * t.dim()
    shape[axis] = 3
    if mode == "tf":
        out = t / 127.5 - 1.0
    elif mode == "torch":
        mean = torch.tensor([0.485, 0.456, 0.406], dtype=t.dtype).view(shape)
        std = torch.tensor([0.229, 0.224, 0.225], dtype=t.dtype).view(shape)
        out = (t / 255.0 - mean) / std
    else:
        mean = torch.tensor([103.939, 116.779, 123.68], dtype=t.dtype).view(shape)
        out = t.flip(axis) - mean
    return out if is_tensor else out.numpy()


def decode_predictions(preds, top: int = 5, class_index_path: str | None = None) -> list:
    """ImageNet class names of the ``top`` best scores of each prediction.

    The class list (``imagenet_class_index.json``) is downloaded once into
    ``~/.deepprob/models``; without a network, put the file there (or pass its path).

    Args:
        preds: scores ``(samples, 1000)``.
        top: how many classes per sample.
        class_index_path: a local copy of ``imagenet_class_index.json``.

    Returns:
        For each sample, a list of ``(class_id, class_name, score)`` best first.

    Example:
        >>> decode_predictions(model.predict(x), top=3)[0][0]  # doctest: +SKIP
        ('n02123045', 'tabby', 0.71)
    """
    p = preds.detach().cpu().numpy() if isinstance(preds, torch.Tensor) else np.asarray(preds)
    if p.ndim != 2 or p.shape[1] != 1000:
        raise ValueError(
            "Argument `preds` of decode_predictions: expected a batch of ImageNet predictions "
            f"of shape (samples, 1000), received shape {p.shape}.")
    index = _class_index(class_index_path)
    out = []
    for row in p:
        best = np.argsort(row)[-top:][::-1]
        out.append([tuple(index[str(i)]) + (float(row[i]),) for i in best])
    return out


def _class_index(path: str | None) -> dict:
    global _CLASS_INDEX
    if path is None and _CLASS_INDEX is not None:
        return _CLASS_INDEX
    if path is None:
        path = fetch("imagenet_class_index.json", CLASS_INDEX_URL,
                     "c2c37ea517e94d9795004a39431a14cb", what="the ImageNet class index")
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if path is not None:
        _CLASS_INDEX = index
    return index


def fetch(fname: str, url: str, file_hash: str | None, what: str) -> str:
    """``fname`` from the cache ``~/.deepprob/models``, downloading it once (hash-checked);
    without a network the error says which file to put where."""
    from deepprob.utils.files import default_cache_dir, get_file

    target = os.path.join(default_cache_dir(), "models", fname)
    try:
        return get_file(fname, url, cache_subdir="models", file_hash=file_hash, progress=False)
    except Exception as err:  # noqa: BLE001 - any network/IO failure gets the same advice
        raise OSError(
            f"Could not obtain {what} ({fname}): {type(err).__name__}: {err}. Without a network,"
            f" download {url} elsewhere and put it at {target!r}, or pass the local path as "
            "`weights=`.") from err


def obtain_input_shape(input_shape, default_size: int, min_size: int, include_top: bool,
                       weights, name: str) -> tuple:
    """Keras's input-shape rules for the applications (channels-last)."""
    if input_shape is None:
        # Keras leaves the spatial size open without a top; deepprob's symbolic graph records
        # concrete sizes, so the default size stands in (other sizes still run).
        return (default_size, default_size, 3)
    try:
        shape = tuple(None if v is None else int(v) for v in input_shape)
    except (TypeError, ValueError):
        shape = ()
    if len(shape) != 3:
        raise ValueError(f"Argument `input_shape` of {name}: expected (height, width, channels), "
                         f"received {input_shape!r}.")
    if weights == "imagenet" and shape[2] != 3:
        raise ValueError(f"Argument `input_shape` of {name}: ImageNet weights need 3 channels, "
                         f"received {shape}.")
    for size in shape[:2]:
        if size is not None and size < min_size:
            raise ValueError(f"Argument `input_shape` of {name}: height and width must be at "
                             f"least {min_size}, received {shape}.")
    if include_top and weights == "imagenet" and shape[:2] != (default_size, default_size):
        raise ValueError(f"Argument `input_shape` of {name}: with include_top=True and ImageNet "
                         f"weights the input must be ({default_size}, {default_size}, 3), "
                         f"received {shape}.")
    return shape


def check_weights(weights, include_top: bool, classes: int, name: str) -> None:
    if not (weights in (None, "imagenet") or isinstance(weights, (str, os.PathLike))
            and os.path.exists(weights)):
        raise ValueError(
            f"Argument `weights` of {name}: expected None (random initialization), 'imagenet' or "
            f"the path to an existing weights file, received {weights!r}.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(f"Argument `classes` of {name}: ImageNet weights with include_top=True "
                         f"need classes=1000, received {classes}.")


def correct_pad(size: Sequence[int | None], kernel_size: int) -> tuple:
    """Zero padding before a stride-2 'valid' convolution that matches TensorFlow's 'same'."""
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    c = kernel_size // 2
    return ((c - adjust[0], c), (c - adjust[1], c))


def load_application_weights(model, weights, files: dict, include_top: bool, name: str) -> None:
    """Load ``weights`` ('imagenet' downloads ``files['top' | 'notop']`` = (url, hash))."""
    if weights is None:
        return
    from deepprob.applications.keras_h5 import load_keras_weights

    if weights == "imagenet":
        url, file_hash = files["top" if include_top else "notop"]
        weights = fetch(url.rsplit("/", 1)[-1], url, file_hash, f"{name}'s ImageNet weights")
    load_keras_weights(model, weights)


def application_model(inputs, outputs, name: str):
    """The functional model of an application: a ``dp.Model`` whose ``load_weights`` also
    reads Keras's HDF5 files, matching layers by name (see ``keras_h5``)."""
    from deepprob.engine.model import Model

    class Application(Model):
        def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
            """Load a Keras HDF5 file (``*_notop.h5``, whole-model ``.h5``) by layer name, or a
            deepprob weights file.

            Args:
                filepath: the weights file.
                skip_mismatch: skip layers whose shapes differ.
                **kwargs: passed to ``dp.Model.load_weights`` for other formats.
            """
            from deepprob.applications.keras_h5 import is_keras2_h5, load_keras_weights

            if is_keras2_h5(filepath):
                load_keras_weights(self, filepath, skip_mismatch=skip_mismatch)
            else:
                super().load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)

    Application.__name__ = Application.__qualname__ = "Functional"
    return Application(inputs, outputs, name=name)


def input_tensor_or_new(input_tensor, shape):
    """``dp.Input(shape)``, or the given ``input_tensor`` (a ``dp.Input`` tensor)."""
    from deepprob.engine.input_layer import Input

    if input_tensor is None:
        return Input(shape=shape)
    return input_tensor


def top(x, include_top: bool, pooling, classes: int, classifier_activation, name: str,
        flatten_top=None):
    """Keras's heads: the classifier, or global average / max pooling without it."""
    from deepprob import layers

    if include_top:
        if flatten_top is not None:
            return flatten_top(x)
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        from deepprob import activations

        activations.get(classifier_activation)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D()(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D()(x)
    if pooling is not None:
        raise unknown("pooling", pooling, ("avg", "max"), argument="pooling")
    return x

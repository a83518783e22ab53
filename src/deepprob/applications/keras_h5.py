"""Read Keras HDF5 weight files (``*_notop.h5`` and whole-model ``.h5``) into deepprob models.

Keras 2 files list their layers in ``layer_names`` and each layer's arrays in ``weight_names``,
in Keras's layouts (a Conv2D kernel is ``(kh, kw, in, out)``), which ``Layer.set_weights``
takes as they are. Layers are matched by name; layers Keras named automatically
(``conv2d_12``, ``batch_normalization_3``) are matched within their family by the order of
their numbers, so a file written by Keras 2 (numbering from ``_1``) loads into a model numbered
from ``conv2d`` (Keras 3 and deepprob), whatever the layers' order in the file.
"""

from __future__ import annotations

import os
import re

import numpy as np

__all__ = ["load_keras_weights", "read_keras_h5"]

_AUTO = re.compile(r"^(?P<base>[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*?)(?:_(?P<n>\d+))?$")


def read_keras_h5(filepath) -> dict[str, list[np.ndarray]]:
    """The arrays of every layer with weights in a Keras HDF5 file, in the file's order.

    Args:
        filepath: a Keras 2 weights file or a whole-model ``.h5`` (``model_weights`` group).

    Returns:
        ``{layer_name: [arrays in Keras's order and layout]}``.

    Example:
        >>> arrays = read_keras_h5("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
        >>> arrays["conv2d_1"][0].shape  # doctest: +SKIP
        (3, 3, 3, 32)
    """
    import h5py

    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"Argument `filepath`: no weights file at {path!r}.")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise ValueError(f"Argument `filepath`: {path!r} is not an HDF5 file ({err}).") from err
    with f:
        root = f["model_weights"] if "model_weights" in f else f
        if "layer_names" not in root.attrs:
            raise ValueError(
                f"Argument `filepath`: {path!r} is not a Keras 2 / legacy HDF5 weights file (no "
                "`layer_names` attribute); Keras 3 `.weights.h5` files load with "
                "`model.load_weights`.")
        out = {}
        for name in _decode(root.attrs["layer_names"]):
            group = root[name]
            names = _decode(group.attrs.get("weight_names", []))
            if names:
                out[name] = [np.asarray(group[w]) for w in names]
        return out


def is_keras2_h5(filepath) -> bool:
    """Whether ``filepath`` is a Keras 2 / legacy HDF5 weights or whole-model file."""
    import h5py

    path = os.fspath(filepath)
    if not (os.path.isfile(path) and h5py.is_hdf5(path)):
        return False
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        return "layer_names" in root.attrs


def _decode(values) -> list[str]:
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]


def _family(name: str) -> tuple[str, int] | None:
    m = _AUTO.match(name)
    if m is None:
        return None
    return m.group("base"), int(m.group("n") or 0)


def _weighted_layers(model) -> list:
    return [layer for layer in model.layers if getattr(layer, "weights", None)]


def _pairing(file_names: list[str], layers: list) -> list[tuple[str, object]]:
    by_name = {layer.name: layer for layer in layers}
    pairs, rest_file, used = [], [], set()
    for name in file_names:
        if name in by_name:
            pairs.append((name, by_name[name]))
            used.add(name)
        else:
            rest_file.append(name)
    rest_model = [layer for layer in layers if layer.name not in used]
    if not rest_file and not rest_model:
        return pairs
    families_file: dict[str, list[tuple[int, str]]] = {}
    families_model: dict[str, list[tuple[int, object]]] = {}
    for name in rest_file + [n for n, _ in pairs if _family(n) is not None]:
        fam = _family(name)
        if fam is None:
            raise ValueError(_missing(name, layers))
        families_file.setdefault(fam[0], []).append((fam[1], name))
    for layer in rest_model + [lay for _, lay in pairs if _family(lay.name) is not None]:
        fam = _family(layer.name)
        if fam is not None:
            families_model.setdefault(fam[0], []).append((fam[1], layer))
    # Families that need re-pairing are matched wholly by number order.
    touched = {(_family(n) or ("",))[0] for n in rest_file}
    pairs = [(n, lay) for n, lay in pairs if (_family(n) or ("",))[0] not in touched]
    for base in sorted(touched):
        in_file = [n for _, n in sorted(families_file.get(base, []))]
        in_model = [lay for _, lay in sorted(families_model.get(base, []), key=lambda t: t[0])]
        if len(in_file) != len(in_model):
            raise ValueError(
                f"The weights file has {len(in_file)} layers named {base}_* with weights, the "
                f"model has {len(in_model)}: the file does not fit this architecture "
                f"(first file layer {in_file[0]!r}).")
        pairs += list(zip(in_file, in_model))
    return pairs


def _missing(name: str, layers) -> str:
    from deepprob._errors import suggest

    return (f"The weights file has a layer {name!r} that the model does not have."
            f"{suggest(name, [lay.name for lay in layers])}")


def load_keras_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Set a model's weights from a Keras HDF5 file (``*_notop.h5``, whole-model ``.h5``).

    Every file layer must find a model layer (by name, auto-numbered families by number order)
    with the same number of arrays and the same shapes in Keras's layout; the first mismatch is
    reported with both shapes. Model layers with weights that the file lacks are an error too
    (a ``*_notop.h5`` file fits ``include_top=False``).

    Args:
        model: a deepprob model (e.g. ``dp.applications.InceptionV3(weights=None)``).
        filepath: the ``.h5`` file.
        skip_mismatch: skip layers whose shapes differ instead of raising.

    Example:
        >>> base = dp.applications.InceptionV3(input_shape=(150, 150, 3), include_top=False,
        ...                                    weights=None)
        >>> load_keras_weights(base, "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
    """
    arrays = read_keras_h5(filepath)
    layers = _weighted_layers(model)
    pairs = _pairing(list(arrays), layers)
    paired = {id(lay) for _, lay in pairs}
    missing = [lay.name for lay in layers if id(lay) not in paired]
    if missing:
        raise ValueError(
            f"The weights file {os.fspath(filepath)!r} has no weights for the model's layer(s) "
            f"{missing[:5]}{' ...' if len(missing) > 5 else ''} (a *_notop.h5 file fits "
            "include_top=False).")
    for file_name, layer in pairs:
        values = arrays[file_name]
        expected = [tuple(w.shape) for w in layer.get_weights()]
        got = [tuple(v.shape) for v in values]
        if expected != got:
            if skip_mismatch:
                continue
            raise ValueError(
                f"Weights file layer {file_name!r} does not fit model layer {layer.name!r}: the "
                f"file has shapes {got}, the layer expects {expected} (Keras layout).")
    for file_name, layer in pairs:
        values = arrays[file_name]
        if [tuple(v.shape) for v in values] == [tuple(w.shape) for w in layer.get_weights()]:
            layer.set_weights(values)

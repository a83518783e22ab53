"""``save_weights`` / ``load_weights``: HDF5 ``.weights.h5`` files in Keras 3's layout.

A model's layers are groups ``layers/<snake_case class>[_n]`` (matched by class and order, not by
the layers' generated names), each holding its variables as ``vars/0``, ``vars/1`` ... in Keras's
order and shapes. Keras 2 HDF5 weight files (``layer_names`` / ``weight_names`` attributes) load
too, matched by the order of the layers that have weights.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np

from deepprob.saving import weight_paths
from deepprob.saving.atomic import atomic_write, check_target

__all__ = ["save_weights", "load_weights"]


def _h5py():
    try:
        import h5py
    except ImportError as err:  # pragma: no cover - h5py is a dependency
        raise ImportError("save_weights/load_weights need h5py: pip install h5py") from err
    return h5py


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Write the model's weights to an HDF5 ``.weights.h5`` file, atomically.

    Args:
        model: the model (built: its weights must exist).
        filepath: the target, ending in ``.weights.h5`` (Keras 3 requires it; the courses'
            ``.h5`` names are accepted too).
        overwrite: replace an existing file (otherwise raise ``FileExistsError``).

    Example:
        >>> model.save_weights("ckpt.weights.h5")
        >>> model.load_weights("ckpt.weights.h5")
    """
    h5py = _h5py()
    path = os.fspath(filepath)
    if not path.endswith((".weights.h5", ".h5", ".hdf5")):
        raise ValueError(
            "Argument `filepath` of save_weights: the file name must end in `.weights.h5` "
            f"(Keras 3's name; `.h5` is accepted too), received {path!r}."
        )
    _require_built(model, "save_weights")
    check_target(path, overwrite, what="weights")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for entry in weight_paths.collect(model):
            group = f.require_group(entry.h5_path) if entry.h5_path else f
            vars_group = group.create_group("vars")
            for i, (owner, attr, tensor) in enumerate(entry.variables):
                vars_group.create_dataset(str(i), data=weight_paths.read(owner, attr, tensor))
    with atomic_write(path, what="weights") as handle:
        handle.write(buffer.getbuffer())


def _require_built(model, what: str) -> None:
    if not getattr(model, "built", False):
        raise ValueError(
            f"{what}: model {getattr(model, 'name', '')!r} is not built yet, so its weights do "
            "not exist. Call it on data, give the first layer `input_shape=`, start it with "
            "dp.Input, or call model.build(input_shape) first."
        )


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
    """Load weights written by :func:`save_weights` (or a Keras 3 / Keras 2 HDF5 weight file).

    Layers are matched by their place in the model (class and order); a missing layer or a shape
    that differs raises an error naming the layer and both shapes, or, with
    ``skip_mismatch=True``, is skipped with a warning.

    Args:
        model: the (built) model to fill.
        filepath: a ``.weights.h5`` (or Keras 2 ``.h5``) file.
        skip_mismatch: skip layers whose variables do not match instead of raising.
        by_name: Keras 2 files only: match layers by name instead of by order.

    Example:
        >>> model.load_weights("ckpt.weights.h5")
    """
    h5py = _h5py()
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load_weights: no file at {path!r}.")
    _require_built(model, "load_weights")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise ValueError(f"load_weights: {path!r} is not a readable HDF5 file ({err}).") from None
    with f:
        root = f["model_weights"] if "model_weights" in f else f
        if "layer_names" in root.attrs:
            _load_keras2(model, root, path, skip_mismatch, by_name)
        else:
            load_from_h5_group(model, f, path, skip_mismatch)


def load_from_h5_group(model, f, path: str, skip_mismatch: bool) -> None:
    """Fill ``model`` from a Keras 3 layout HDF5 file object (``layers/.../vars/i``)."""
    assignments, problems = [], []
    used = set()
    for entry in weight_paths.collect(model):
        group_path = f"{entry.h5_path}/vars" if entry.h5_path else "vars"
        label = _label(entry)
        if not entry.variables:
            used.add(group_path)
            continue
        if group_path not in f:
            problems.append(f"{label}: the file has no weights for it (expected group "
                            f"{group_path!r} with {len(entry.variables)} variables)")
            continue
        used.add(group_path)
        group = f[group_path]
        stored = [group[str(i)] for i in range(len(group)) if str(i) in group]
        if len(stored) != len(entry.variables):
            problems.append(f"{label}: the model has {len(entry.variables)} variables, the file "
                            f"holds {len(stored)}")
            continue
        bad = _shape_problems(entry, [tuple(d.shape) for d in stored])
        if bad:
            problems.append(f"{label}: {bad}")
            continue
        assignments += [(owner, attr, tensor, np.asarray(d)) for (owner, attr, tensor), d
                        in zip(entry.variables, stored)]
    extra = []
    f.visit(lambda name: extra.append(name) if name.endswith("/vars") or name == "vars" else None)
    extra = [g for g in extra if g not in used and len(f[g])]
    if extra:
        problems.append(f"the file holds weights for {extra} that the model has no layer for")
    _finish(assignments, problems, path, skip_mismatch)


def _label(entry) -> str:
    layer = entry.layer
    return (f"layer {getattr(layer, 'name', '?')!r} ({type(layer).__name__}, file group "
            f"{entry.h5_path or '/'!r})")


def _shape_problems(entry, shapes) -> str:
    msgs = []
    for i, ((owner, attr, tensor), shape) in enumerate(zip(entry.variables, shapes)):
        expected = weight_paths.keras_shape(owner, attr, tensor)
        if tuple(expected) != tuple(shape):
            msgs.append(f"variable {i} ({attr}) has shape {expected} in the model but {shape} "
                        "in the file")
    return "; ".join(msgs)


def _finish(assignments, problems, path, skip_mismatch) -> None:
    if problems and not skip_mismatch:
        raise ValueError(
            f"load_weights: {path!r} does not match the model: " + "; ".join(problems)
            + ". (Pass skip_mismatch=True to load the layers that match.)"
        )
    for problem in problems:
        warnings.warn(f"load_weights: skipping {problem}.", stacklevel=3)
    for owner, attr, tensor, value in assignments:
        weight_paths.assign(owner, attr, tensor, value)


def _decode(values) -> list[str]:
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]


def _load_keras2(model, root, path: str, skip_mismatch: bool, by_name: bool) -> None:
    """Keras 2 layout: ``layer_names`` at the root, each group listing its ``weight_names``."""
    file_layers = []
    for name in _decode(root.attrs["layer_names"]):
        group = root[name]
        names = _decode(group.attrs.get("weight_names", []))
        file_layers.append((name, [np.asarray(group[w]) for w in names]))
    entries = [e for e in weight_paths.collect(model)[1:] if e.variables]
    file_with = [(n, ws) for n, ws in file_layers if ws]
    assignments, problems = [], []
    if by_name:
        lookup = dict(file_with)
        pairs = [(e, lookup.get(getattr(e.layer, "name", None))) for e in entries]
    else:
        if len(file_with) != len(entries):
            problems.append(f"the model has {len(entries)} layers with weights, the file "
                            f"{len(file_with)}")
        pairs = [(e, ws) for e, (_, ws) in zip(entries, file_with)]
    for entry, values in pairs:
        if values is None:
            problems.append(f"{_label(entry)}: not in the file")
            continue
        if len(values) != len(entry.variables):
            problems.append(f"{_label(entry)}: the model has {len(entry.variables)} variables, "
                            f"the file holds {len(values)}")
            continue
        bad = _shape_problems(entry, [v.shape for v in values])
        if bad:
            problems.append(f"{_label(entry)}: {bad}")
            continue
        assignments += [(o, a, t, v) for (o, a, t), v in zip(entry.variables, values)]
    _finish(assignments, problems, path, skip_mismatch)

"""``save_model`` / ``load_model``: one ``.keras`` zip file, written atomically.

The archive holds:

* ``config.json``: the architecture (``serialize_keras_object(model)``) and ``compile_config``
  (optimizer config, loss and metrics by name or config, loss weights);
* ``metadata.json``: versions and date;
* ``model.weights.safetensors``: every weight in Keras's layout, keyed by its Keras path
  (``dense/kernel``, ``sequential/dense_1/bias``);
* ``optimizer.safetensors`` + ``optimizer.json`` (when ``include_optimizer`` and the optimizer has
  state): the optimizer's slots keyed ``<weight path>/<slot>`` and its iteration count.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import platform
import zipfile

import numpy as np
import torch

from deepprob.engine import serialization
from deepprob.saving import weight_paths
from deepprob.saving.atomic import atomic_write, check_target

__all__ = ["save_model", "load_model"]

CONFIG, METADATA = "config.json", "metadata.json"
WEIGHTS, OPTIMIZER, OPTIMIZER_META = ("model.weights.safetensors", "optimizer.safetensors",
                                      "optimizer.json")


# -- saving --------------------------------------------------------------------------------------
def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True,
               **kwargs) -> None:
    """Save a model's architecture, compile configuration, weights and optimizer state to one
    ``.keras`` file. The write is atomic: an error or a kill leaves any previous file intact.

    Args:
        model: a built ``dp.Sequential``, functional ``dp.Model``, or registered subclassed model.
        filepath: the target, ending in ``.keras``; its folder must exist.
        overwrite: replace an existing file (otherwise ``FileExistsError``).
        include_optimizer: also store the optimizer's state (moments, iteration count), so that
            training continues exactly where it stopped.
        **kwargs: ``save_format="keras"`` is accepted for compatibility.

    Example:
        >>> model.save("model.keras")
        >>> same = dp.models.load_model("model.keras")
    """
    path = os.fspath(filepath)
    fmt = kwargs.pop("save_format", None)
    if kwargs:
        raise TypeError(f"save_model: unexpected keyword argument(s) {sorted(kwargs)}.")
    if fmt not in (None, "keras") or not path.endswith(".keras"):
        hint = (" To save only the weights, use model.save_weights('name.weights.h5')."
                if path.endswith(".h5") else "")
        raise ValueError(
            "Argument `filepath` of save_model: expected a path ending in `.keras` (the only "
            f"model format deepprob writes), received {path!r}.{hint}"
        )
    if not getattr(model, "built", False):
        raise ValueError(
            f"save_model: model {model.name!r} is not built yet, so it has no weights to save. "
            "Call it on data or give its first layer `input_shape=` first."
        )
    check_target(path, overwrite, what="model")
    config = serialization.serialize_keras_object(model)
    compile_config = _compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    config_json = json.dumps(config, indent=1)
    metadata = json.dumps({
        "format": "deepprob.keras", "format_version": 1,
        "deepprob_version": _version(), "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "weights": WEIGHTS})
    weights = _weights_bytes(model)
    optimizer = _optimizer_bytes(model) if include_optimizer else None
    with atomic_write(path, what="model") as handle:
        with zipfile.ZipFile(handle, "w") as archive:
            archive.writestr(METADATA, metadata, compress_type=zipfile.ZIP_DEFLATED)
            archive.writestr(CONFIG, config_json, compress_type=zipfile.ZIP_DEFLATED)
            archive.writestr(WEIGHTS, weights)
            if optimizer is not None:
                archive.writestr(OPTIMIZER, optimizer[0])
                archive.writestr(OPTIMIZER_META, optimizer[1])


def _version() -> str:
    import deepprob

    return getattr(deepprob, "__version__", "unknown")


def weight_arrays(model) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """``{Keras path: array in Keras layout}`` for every weight (and persistent buffer), and
    ``{Keras path: structural path}`` (``layers/dense/vars/0``: reproducible even where layer
    names are generated, as in subclassed models)."""
    arrays: dict[str, np.ndarray] = {}
    structure: dict[str, str] = {}
    for entry in weight_paths.collect(model):
        for i, (owner, attr, tensor) in enumerate(entry.variables):
            key = _unique_key(arrays, entry.key(attr))
            arrays[key] = weight_paths.read(owner, attr, tensor)
            structure[key] = f"{entry.h5_path}/vars/{i}" if entry.h5_path else f"vars/{i}"
    return arrays, structure


def _unique_key(existing: dict, key: str) -> str:
    if key not in existing:
        return key
    n = 1
    while f"{key}_{n}" in existing:
        n += 1
    return f"{key}_{n}"


def _weights_bytes(model) -> bytes:
    from safetensors.numpy import save

    arrays, structure = weight_arrays(model)
    return save(arrays, metadata={"format": "deepprob", "layout": "keras",
                                  "structure": json.dumps(structure)})


def _safetensors_metadata(data: bytes) -> dict:
    """The ``__metadata__`` of a safetensors buffer (8-byte little-endian header size, JSON)."""
    try:
        size = int.from_bytes(data[:8], "little")
        return json.loads(data[8:8 + size]).get("__metadata__") or {}
    except (ValueError, UnicodeDecodeError):
        return {}


def _param_keys(model) -> dict[int, str]:
    keys: dict[int, str] = {}
    seen: dict = {}
    for entry in weight_paths.collect(model):
        for _, attr, tensor in entry.variables:
            key = _unique_key(seen, entry.key(attr))
            seen[key] = True
            keys[id(tensor)] = key
    return keys


def _optimizer_bytes(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", False):
        return None
    from safetensors.torch import save

    state = optimizer.state_dict()
    torch_state = state.get("optimizer")
    keys = _param_keys(model)
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict] = {}
    if torch_state is not None:
        params = [p for g in optimizer.torch_optimizer.param_groups for p in g["params"]]
        for index, slots in torch_state["state"].items():
            key = keys.get(id(params[index]), f"param_{index}")
            for slot, value in slots.items():
                if isinstance(value, torch.Tensor):
                    tensors[f"{key}/{slot}"] = value.detach().cpu().contiguous().clone()
                else:
                    scalars.setdefault(key, {})[slot] = value
    meta = {"class_name": state.get("class_name"), "iterations": state.get("iterations"),
            "learning_rate": state.get("learning_rate"), "scalars": scalars}
    return save(tensors), json.dumps(meta)


def _compile_config(model):
    cc = getattr(model, "_compile_config", None)
    if not getattr(model, "compiled", False) or cc is None:
        return None
    from deepprob import optimizers

    try:
        return {
            "optimizer": optimizers.serialize(model.optimizer),
            "loss": _serialize_spec(cc.get("loss"), "loss"),
            "metrics": _serialize_spec(cc.get("metrics"), "metric"),
            "loss_weights": cc.get("loss_weights"),
            "jit_compile": bool(cc.get("jit_compile", False)),
        }
    except serialization.Unstorable as err:
        raise ValueError(f"save_model: the compile configuration cannot be stored: {err}. "
                         "Register the function with @dp.saving.register_keras_serializable(), "
                         "or save without it: model.save_weights(...).") from None


def _serialize_spec(spec, kind: str):
    if spec is None or isinstance(spec, (str, bool, int, float)):
        return spec
    if isinstance(spec, (list, tuple)):
        return [_serialize_spec(s, kind) for s in spec]
    if isinstance(spec, dict):
        return {k: _serialize_spec(v, kind) for k, v in spec.items()}
    if not callable(spec) or (hasattr(spec, "get_config") and not isinstance(spec, type)
                              and not _is_plain_function(spec)):
        if not hasattr(spec, "get_config"):
            raise serialization.Unstorable(f"the {kind} {spec!r} has no get_config()")
        cls = type(spec)
        return {"module": cls.__module__, "class_name": cls.__name__,
                "config": spec.get_config(),
                "registered_name": serialization.get_registered_name(cls)}
    return serialization.serialize_function(spec)


def _is_plain_function(obj) -> bool:
    import types

    return isinstance(obj, (types.FunctionType, types.BuiltinFunctionType))


def _deserialize_spec(spec, kind: str, custom_objects):
    if spec is None or isinstance(spec, (str, bool, int, float)):
        return spec
    if isinstance(spec, list):
        return [_deserialize_spec(s, kind, custom_objects) for s in spec]
    if not isinstance(spec, dict):
        return spec
    if "class_name" not in spec:
        return {k: _deserialize_spec(v, kind, custom_objects) for k, v in spec.items()}
    if spec["class_name"] in ("function", "__lambda__"):
        return serialization.deserialize_function(spec, custom_objects, what=f"(the {kind})")
    import deepprob

    module = getattr(deepprob, "losses" if kind == "loss" else "metrics", None)
    name = spec.get("registered_name") or spec["class_name"]
    cls = serialization.get_registered_object(name, custom_objects)
    if cls is None:
        cls = serialization.get_registered_object(spec["class_name"], custom_objects,
                                                  vars(module) if module else None)
    if cls is None:
        raise ValueError(
            f"Unknown {kind} class {name!r} in the compile configuration: pass it in "
            "`custom_objects`, register it, or load with compile=False."
        )
    config = spec.get("config") or {}
    if hasattr(cls, "from_config"):
        return cls.from_config(config)
    return cls(**config)


# -- loading -------------------------------------------------------------------------------------
def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuild a model saved by :func:`save_model`: architecture, weights, compile configuration
    and optimizer state; predictions equal the saved model's.

    Args:
        filepath: a ``.keras`` file.
        custom_objects: ``{name: class or function}`` for custom layers, models, losses and
            functions that are not registered with ``register_keras_serializable``.
        compile: compile the model as it was compiled when saved (and restore the optimizer).
        safe_mode: refuse to rebuild functions (``Lambda`` layers, lambda losses) from bytecode
            stored in the file, since that runs code from the file. Pass False only for files
            you trust.

    Example:
        >>> model = dp.models.load_model("model.keras")
        >>> model.predict(x)
    """
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load_model: no file at {path!r}.")
    if path.endswith(".weights.h5"):
        raise ValueError(
            f"load_model: {path!r} holds only weights; build the model in code and call "
            "model.load_weights(path)."
        )
    if not zipfile.is_zipfile(path):
        raise ValueError(f"load_model: {path!r} is not a .keras file (not a zip archive).")
    with zipfile.ZipFile(path, "r") as archive:
        names = set(archive.namelist())
        if CONFIG not in names:
            raise ValueError(f"load_model: {path!r} has no {CONFIG}; it is not a .keras file.")
        try:
            config = json.loads(archive.read(CONFIG))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"load_model: {path!r}: {CONFIG} is corrupted ({err}).") from None
        with serialization.SafeModeScope(safe_mode), \
                serialization.CustomObjectScope(custom_objects or {}):
            model = serialization.deserialize_keras_object(config, custom_objects)
            if WEIGHTS in names:
                _load_safetensors(model, archive.read(WEIGHTS), path)
            elif "model.weights.h5" in names:  # a Keras 3 file
                import h5py

                from deepprob.saving.weights_h5 import load_from_h5_group

                with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as f:
                    load_from_h5_group(model, f, path, skip_mismatch=False)
            compile_config = config.get("compile_config")
            if compile and compile_config:
                _compile_from_config(model, compile_config, custom_objects)
                if OPTIMIZER in names and OPTIMIZER_META in names:
                    _load_optimizer(model, archive.read(OPTIMIZER),
                                    json.loads(archive.read(OPTIMIZER_META)))
    return model


def _load_safetensors(model, data: bytes, path: str) -> None:
    from safetensors.numpy import load

    try:
        stored = load(data)
    except Exception as err:  # noqa: BLE001 - safetensors raises its own error types
        raise ValueError(f"load_model: {path!r}: the weights are corrupted ({err}).") from None
    if not getattr(model, "built", False) and stored:
        raise ValueError(
            f"load_model: the model rebuilt from {path!r} is not built, so its weights cannot be "
            "set. A subclassed model needs a known input shape: call it on data (or "
            "model.build(input_shape)) before saving."
        )
    targets, by_structure = {}, {}
    for entry in weight_paths.collect(model):
        for i, (owner, attr, tensor) in enumerate(entry.variables):
            key = _unique_key(targets, entry.key(attr))
            targets[key] = (owner, attr, tensor)
            by_structure[f"{entry.h5_path}/vars/{i}" if entry.h5_path else f"vars/{i}"] = key
    missing = sorted(set(targets) - set(stored))
    unexpected = sorted(set(stored) - set(targets))
    if not missing and not unexpected:
        pairs = [(targets[k], stored[k]) for k in targets]
    else:
        # Generated layer names differ (subclassed models): match by place in the model.
        try:
            structure = json.loads(_safetensors_metadata(data).get("structure", "{}"))
        except ValueError:
            structure = {}
        located = {structure[k]: k for k in stored if k in structure}
        if len(located) != len(stored) or set(located) != set(by_structure):
            raise ValueError(
                f"load_model: the weights in {path!r} do not match the rebuilt model: missing "
                f"{missing[:10]}, unexpected {unexpected[:10]}."
            )
        pairs = [(targets[by_structure[place]], stored[key]) for place, key in located.items()]
    for (owner, attr, tensor), value in pairs:
        expected = weight_paths.keras_shape(owner, attr, tensor)
        if tuple(value.shape) != tuple(expected):
            raise ValueError(
                f"load_model: weight {attr!r} of {getattr(owner, 'name', type(owner).__name__)!r} "
                f"has shape {expected} in the rebuilt model but {tuple(value.shape)} in {path!r}."
            )
    for (owner, attr, tensor), value in pairs:
        weight_paths.assign(owner, attr, tensor, value)


def _compile_from_config(model, cc: dict, custom_objects) -> None:
    from deepprob import optimizers

    try:
        optimizer = cc.get("optimizer", "rmsprop")
        if isinstance(optimizer, dict):
            optimizer = optimizers.deserialize(optimizer, custom_objects)
        loss = _deserialize_spec(cc.get("loss"), "loss", custom_objects)
        metrics = _deserialize_spec(cc.get("metrics"), "metric", custom_objects)
    except ValueError as err:
        raise ValueError(
            f"{err} (while compiling the loaded model; pass compile=False to load the model "
            "without its compile configuration)"
        ) from None
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                  loss_weights=cc.get("loss_weights"), jit_compile=cc.get("jit_compile", False))


def _load_optimizer(model, data: bytes, meta: dict) -> None:
    from safetensors.torch import load

    optimizer = model.optimizer
    tensors = load(data)
    params = list(model.parameters())
    optimizer.build(params)
    torch_opt = optimizer.torch_optimizer
    state: dict = {"iterations": int(meta.get("iterations") or 0),
                   "learning_rate": meta.get("learning_rate")}
    if torch_opt is not None and (tensors or meta.get("scalars")):
        keys = _param_keys(model)
        order = [p for g in torch_opt.param_groups for p in g["params"]]
        slots: dict[int, dict] = {}
        for i, p in enumerate(order):
            key = keys.get(id(p), f"param_{i}")
            prefix = key + "/"
            entry = {name[len(prefix):]: value for name, value in tensors.items()
                     if name.startswith(prefix) and "/" not in name[len(prefix):]}
            entry.update(meta.get("scalars", {}).get(key, {}))
            if entry:
                slots[i] = entry
        state["optimizer"] = {"state": slots, "param_groups": torch_opt.state_dict()[
            "param_groups"]}
    optimizer.load_state_dict(state)

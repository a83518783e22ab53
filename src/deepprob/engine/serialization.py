"""Configs of layers and models: Keras's ``{"class_name", "config", ...}`` format, on deepprob.

* ``serialize_keras_object`` / ``deserialize_keras_object``: any layer or model by registered class
  name (``deepprob.layers`` classes, ``dp.Sequential``, functional ``dp.Model`` as ``"Functional"``,
  and classes registered with :func:`register_keras_serializable` or passed in ``custom_objects``).
* ``functional_config`` / ``functional_from_config``: the functional graph in Keras 3's layout
  (``layers`` with ``inbound_nodes``, ``input_layers``, ``output_layers``), including nodes made by
  torch functions, operators and tensor methods applied to symbolic tensors (stored by importable
  name, e.g. ``torch.unsqueeze`` or ``operator.mul``, with their constant arguments) and nested
  models.
* ``sequential_config`` / ``sequential_from_config``.
* ``serialize_function`` / ``deserialize_function``: Python functions (a ``Lambda``'s), by name when
  importable, else as marshalled bytecode (base64) as Keras does; rebuilding bytecode runs stored
  code, so it is refused in safe mode (the default) unless the user opts in.
"""

from __future__ import annotations

import base64
import builtins
import importlib
import inspect
import marshal
import math
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from deepprob._errors import suggest
from deepprob.engine import symbolic
from deepprob.engine.symbolic import KerasTensor, MethodCall, Node

__all__ = [
    "register_keras_serializable", "get_registered_name", "get_registered_object",
    "serialize_keras_object", "deserialize_keras_object", "serialize_function",
    "deserialize_function", "functional_config", "functional_from_config", "sequential_config",
    "sequential_from_config", "SafeModeScope", "CustomObjectScope", "enable_unsafe_deserialization",
    "in_safe_mode", "node_display_name", "TORCH_FUNCTION",
]

TORCH_FUNCTION = "TorchFunction"  # class_name of a config entry for a torch-function node
_REGISTRY: dict[str, Any] = {}  # "Package>Name" -> class or function
_REGISTERED_NAMES: dict[int, str] = {}  # id(object) -> "Package>Name"
_STATE = threading.local()
_UNSAFE_GLOBAL = {"enabled": False}
# Modules whose functions a config may name and that loading may import in safe mode.
_SAFE_MODULES = ("operator", "torch", "torch.nn.functional", "torch.special", "torch.linalg",
                 "torch.fft", "math")
_SAFE_PREFIXES = ("torch.", "operator.", "math.", "deepprob.")


# -- registry and scopes -------------------------------------------------------------------------
def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator registering a class or function so that configs can name it (Keras's API).

    The object is stored under ``"package>name"`` (``name`` defaults to the class or function
    name); ``deserialize_keras_object`` / ``load_model`` find it there without ``custom_objects``.

    Args:
        package: namespace of the registered name (``"Custom"`` by default).
        name: the name inside the package; the object's ``__name__`` when omitted.

    Example:
        >>> @dp.saving.register_keras_serializable(package="MyLayers")
        ... class Double(dp.layers.Layer):
        ...     def call(self, x):
        ...         return 2 * x
        >>> dp.saving.get_registered_name(Double)
        'MyLayers>Double'
    """
    if not isinstance(package, str) or not package or ">" in package:
        raise ValueError(
            "Argument `package` of register_keras_serializable: expected a non-empty string "
            f"without '>', received {package!r}."
        )

    def decorator(obj):
        if not (inspect.isclass(obj) or callable(obj)):
            raise TypeError(
                "register_keras_serializable: expected a class or a function to register, "
                f"received {obj!r}."
            )
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise TypeError(
                f"register_keras_serializable: class {obj.__name__} has no get_config(); "
                "serializable classes must define it."
            )
        key = f"{package}>{name or obj.__name__}"
        _REGISTRY[key] = obj
        _REGISTERED_NAMES[id(obj)] = key
        return obj

    return decorator


def get_registered_name(obj) -> str:
    """The name a config stores for ``obj``: its registered ``"package>name"`` or its ``__name__``.

    Args:
        obj: a class or function.

    Example:
        >>> get_registered_name(dp.layers.Dense)
        'Dense'
    """
    key = _REGISTERED_NAMES.get(id(obj))
    if key is not None:
        return key
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module_objects: dict | None = None):
    """Find a class or function by name: ``custom_objects``, active scopes, the registry, then
    ``module_objects``. Returns ``None`` when nothing matches.

    Args:
        name: a registered name (``"Custom>Double"``) or a plain class / function name.
        custom_objects: ``{name: object}`` given by the caller.
        module_objects: a fallback namespace.

    Example:
        >>> get_registered_object("Dense", module_objects=vars(dp.layers)) is dp.layers.Dense
        True
    """
    for mapping in [custom_objects or {}] + list(reversed(_scopes())):
        if name in mapping:
            return mapping[name]
        short = name.split(">")[-1]
        if short in mapping:
            return mapping[short]
    if name in _REGISTRY:
        return _REGISTRY[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def _scopes() -> list[dict]:
    if not hasattr(_STATE, "scopes"):
        _STATE.scopes = []
    return _STATE.scopes


class CustomObjectScope:
    """Make ``{name: object}`` visible to deserialization inside a ``with`` block (Keras's name).

    Args:
        custom_objects: the objects; several dicts may be given.

    Example:
        >>> with CustomObjectScope({"Double": Double}):
        ...     model = dp.models.load_model("m.keras")
    """

    def __init__(self, *custom_objects: dict):
        self.objects: dict = {}
        for mapping in custom_objects:
            self.objects.update(mapping or {})

    def __enter__(self):
        _scopes().append(self.objects)
        return self

    def __exit__(self, *exc):
        _scopes().pop()


def in_safe_mode() -> bool:
    """Whether deserialization may not run stored code (the default)."""
    if _UNSAFE_GLOBAL["enabled"]:
        return False
    value = getattr(_STATE, "safe_mode", None)
    return True if value is None else value


class SafeModeScope:
    """Set safe mode inside a ``with`` block (``safe_mode=None`` keeps the current setting).

    Args:
        safe_mode: True refuses to rebuild functions from stored bytecode.
    """

    def __init__(self, safe_mode: bool | None = True):
        self.safe_mode = safe_mode

    def __enter__(self):
        self.saved = getattr(_STATE, "safe_mode", None)
        if self.safe_mode is not None:
            _STATE.safe_mode = bool(self.safe_mode)
        return self

    def __exit__(self, *exc):
        _STATE.safe_mode = self.saved


def enable_unsafe_deserialization() -> None:
    """Allow rebuilding ``Lambda`` functions from stored bytecode everywhere (Keras's name).

    Only do this for files you trust: loading such a file runs the code stored in it.
    """
    _UNSAFE_GLOBAL["enabled"] = True


# -- constants in configs ------------------------------------------------------------------------
class Unstorable(ValueError):
    """A value or function that a JSON config cannot hold."""


def _dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


def encode_value(value, tensor_ref: Callable[[KerasTensor], list] | None = None, where: str = ""):
    """A JSON-ready form of a constant argument (symbolic tensors via ``tensor_ref``)."""
    if isinstance(value, KerasTensor):
        if tensor_ref is None:
            raise Unstorable(f"{where}: a symbolic tensor cannot be stored here")
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(value.shape), "dtype": _dtype_name(value.dtype),
                           "keras_history": tensor_ref(value)}}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, torch.Size):
        value = tuple(value)
    if isinstance(value, list):
        return [encode_value(v, tensor_ref, where) for v in value]
    if isinstance(value, tuple):
        return {"class_name": "__tuple__",
                "config": [encode_value(v, tensor_ref, where) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Unstorable(f"{where}: a dict with non-string keys {list(value)!r}")
        return {"class_name": "__dict__",
                "config": {k: encode_value(v, tensor_ref, where) for k, v in value.items()}}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": [
            encode_value(v, tensor_ref, where) for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": None}
    if isinstance(value, torch.dtype):
        return {"class_name": "__dtype__", "config": _dtype_name(value)}
    if isinstance(value, torch.device):
        return {"class_name": "__device__", "config": str(value)}
    if isinstance(value, nn.Parameter):
        raise Unstorable(
            f"{where}: a torch Parameter of shape {tuple(value.shape)} (a trainable weight used "
            "outside a layer); create it in a layer (add_weight) so that the layer stores it"
        )
    if isinstance(value, (torch.Tensor, np.ndarray)):
        array = value.detach().cpu() if isinstance(value, torch.Tensor) else torch.as_tensor(value)
        if array.numel() > 10_000:
            raise Unstorable(
                f"{where}: a constant tensor of shape {tuple(array.shape)} is too large for a "
                "JSON config; hold it in a layer weight instead"
            )
        return {"class_name": "__tensor__",
                "config": {"value": array.tolist(), "dtype": _dtype_name(array.dtype),
                           "numpy": isinstance(value, np.ndarray)}}
    raise Unstorable(f"{where}: a value of type {type(value).__name__} ({value!r:.80})")


class _MissingTensor(Exception):
    """A tensor reference whose producing node is not rebuilt yet."""


def decode_value(value, tensor_lookup: Callable[[list], KerasTensor] | None = None):
    """Inverse of :func:`encode_value`."""
    if isinstance(value, list):
        return [decode_value(v, tensor_lookup) for v in value]
    if not isinstance(value, dict):
        return value
    kind, config = value.get("class_name"), value.get("config")
    if kind == "__keras_tensor__":
        if tensor_lookup is None:
            raise ValueError("A symbolic tensor reference appears outside a functional config.")
        return tensor_lookup(config["keras_history"])
    if kind == "__tuple__":
        return tuple(decode_value(v, tensor_lookup) for v in config)
    if kind == "__dict__":
        return {k: decode_value(v, tensor_lookup) for k, v in config.items()}
    if kind == "__slice__":
        return slice(*(decode_value(v, tensor_lookup) for v in config))
    if kind == "__ellipsis__":
        return Ellipsis
    if kind == "__dtype__":
        return _torch_dtype(config)
    if kind == "__device__":
        return torch.device(config)
    if kind == "__tensor__":
        tensor = torch.tensor(config["value"], dtype=_torch_dtype(config["dtype"]))
        return tensor.numpy() if config.get("numpy") else tensor
    # A serialized object (an initializer config, say): left for the receiving class.
    return value


def _torch_dtype(name: str) -> torch.dtype:
    value = getattr(torch, str(name).replace("torch.", ""), None)
    if not isinstance(value, torch.dtype):
        raise ValueError(f"Unknown dtype {name!r} in a stored config.")
    return value


# -- functions -----------------------------------------------------------------------------------
_REVERSE: dict[str, dict[int, str]] = {}


def _reverse_index(module_name: str) -> dict[int, str]:
    index = _REVERSE.get(module_name)
    if index is None:
        module = importlib.import_module(module_name)
        index = {}
        for attr, obj in vars(module).items():
            if callable(obj) and not attr.startswith("__") and id(obj) not in index:
                index[id(obj)] = attr
        _REVERSE[module_name] = index
    return index


def qualified_name(fn) -> str | None:
    """An importable ``module.name`` that resolves to ``fn`` itself (``torch.unsqueeze``,
    ``operator.mul``, ``torch.nn.functional.relu``), or None."""
    module = getattr(fn, "__module__", None)
    module = {"_operator": "operator"}.get(module, module)
    qualname = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if module and qualname and "<" not in qualname and module not in ("__main__",):
        try:
            obj: Any = importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part)
            if obj is fn:
                preferred = _preferred_safe_name(fn)
                return preferred or f"{module}.{qualname}"
        except (ImportError, AttributeError):
            pass
    return _preferred_safe_name(fn)


def _preferred_safe_name(fn) -> str | None:
    for module_name in _SAFE_MODULES:
        attr = _reverse_index(module_name).get(id(fn))
        if attr is not None:
            return f"{module_name}.{attr}"
    return None


def _import_qualified(name: str, safe: bool):
    module_name, _, attr = name.rpartition(".")
    candidates = []
    # The longest importable module prefix (``torch.nn.functional.relu``, ``pkg.mod.Class.f``).
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        candidates.append((".".join(parts[:i]), parts[i:]))
    allowed = name.startswith(_SAFE_PREFIXES) or name.split(".")[0] in ("operator", "math")
    if safe and not allowed:
        raise ValueError(
            f"The stored config names the function {name!r} from outside torch/operator/math. "
            "Loading does not import other modules in safe mode: pass it in "
            f"`custom_objects={{{attr!r}: {attr}}}`, register it with "
            "@dp.saving.register_keras_serializable(), or load with `safe_mode=False` if you "
            "trust the file."
        )
    for module_name, rest in candidates:
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError:
            continue
        try:
            for part in rest:
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj
    raise ValueError(f"The stored config names the function {name!r}, which cannot be imported.")


def _is_anonymous(fn) -> bool:
    qualname = getattr(fn, "__qualname__", "") or ""
    return isinstance(fn, types.FunctionType) and ("<lambda>" in qualname or "<locals>" in qualname
                                                   or fn.__module__ == "__main__")


def serialize_function(fn: Callable) -> dict:
    """Store a Python function: by registered or importable name, or as bytecode (lambdas and
    local functions, as Keras's ``func_dump``: marshal + base64, with defaults and closure).

    Args:
        fn: the function (a ``Lambda`` layer's, a loss ...).

    Returns:
        ``{"class_name": "function", "config": name, "module": ...}`` or
        ``{"class_name": "__lambda__", "config": {"code", "defaults", "closure", ...}}``.

    Example:
        >>> serialize_function(torch.unsqueeze)["config"]
        'torch.unsqueeze'
    """
    if not callable(fn):
        raise TypeError(f"serialize_function: expected a callable, received {fn!r}.")
    key = _REGISTERED_NAMES.get(id(fn))
    if key is not None:
        return {"module": getattr(fn, "__module__", None), "class_name": "function",
                "config": key, "registered_name": key}
    if not _is_anonymous(fn):
        name = qualified_name(fn)
        if name is not None:
            return {"module": getattr(fn, "__module__", None), "class_name": "function",
                    "config": name, "registered_name": "function"}
    if not isinstance(fn, types.FunctionType):
        raise Unstorable(
            f"The callable {fn!r} cannot be stored: it is neither an importable function nor a "
            "Python function whose code can be saved. Register it with "
            "@dp.saving.register_keras_serializable()."
        )
    where = f"function {fn.__qualname__}"
    defaults = encode_value(fn.__defaults__, where=f"a default argument of {where}") \
        if fn.__defaults__ else None
    closure = None
    if fn.__closure__:
        try:
            closure = [encode_value(c.cell_contents, where=f"a variable captured by {where}")
                       for c in fn.__closure__]
        except ValueError as err:  # an empty cell or an unstorable capture
            raise Unstorable(
                f"{err}. Functions stored as bytecode may only capture plain constants; pass "
                "values through `arguments=` or use a registered custom layer."
            ) from None
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    return {"class_name": "__lambda__", "config": {
        "code": code, "defaults": defaults, "closure": closure, "module": fn.__module__,
        "python_version": list(sys.version_info[:2])}}


_LAMBDA_REFUSED = (
    "Refusing to rebuild the function {what} from bytecode stored in the file: that would run "
    "code from the file, which safe mode (the default) forbids. If you trust the file, load it "
    "with `safe_mode=False` (dp.models.load_model(path, safe_mode=False)) or call "
    "dp.saving.enable_unsafe_deserialization(); or pass the function in `custom_objects`."
)


def deserialize_function(config, custom_objects: dict | None = None, what: str = "") -> Callable:
    """Inverse of :func:`serialize_function`; bytecode only outside safe mode.

    Args:
        config: the dict ``serialize_function`` made, or a plain name.
        custom_objects: ``{name: function}`` consulted first.
        what: description for error messages (``"of Lambda layer 'lambda'"``).

    Example:
        >>> deserialize_function(serialize_function(torch.unsqueeze)) is torch.unsqueeze
        True
    """
    if isinstance(config, str):
        config = {"class_name": "function", "config": config}
    kind = config.get("class_name")
    if kind == "__lambda__":
        if in_safe_mode():
            raise ValueError(_LAMBDA_REFUSED.format(what=what or "(a lambda)"))
        spec = config["config"]
        version = tuple(spec.get("python_version") or ())
        if version and version != tuple(sys.version_info[:2]):
            raise ValueError(
                f"The function {what} was stored as Python {'.'.join(map(str, version))} bytecode;"
                f" this is Python {sys.version_info[0]}.{sys.version_info[1]}, which cannot run it."
                " Rebuild the model in code and load its weights instead."
            )
        code = marshal.loads(base64.b64decode(spec["code"]))
        namespace = _lambda_globals(spec.get("module"))
        defaults = decode_value(spec.get("defaults"))
        closure = None
        if spec.get("closure") is not None:
            closure = tuple(types.CellType(decode_value(v)) for v in spec["closure"])
        return types.FunctionType(code, namespace, code.co_name,
                                  tuple(defaults) if defaults else None, closure)
    if kind != "function":
        raise ValueError(f"Expected a stored function, received {config!r}.")
    name = config["config"]
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    if "." not in name:
        raise ValueError(
            f"Unknown function {name!r} {what}: pass it in `custom_objects={{{name!r}: ...}}` or "
            "register it with @dp.saving.register_keras_serializable()."
        )
    return _import_qualified(name, in_safe_mode())


def _lambda_globals(module_name: str | None) -> dict:
    import deepprob

    namespace: dict[str, Any] = {}
    if module_name and module_name != "__main__":
        try:
            namespace.update(vars(importlib.import_module(module_name)))
        except ImportError:
            pass
    namespace.update({"__builtins__": builtins, "torch": torch, "np": np, "numpy": np,
                      "math": math, "F": torch.nn.functional, "dp": deepprob,
                      "deepprob": deepprob, "nn": nn})
    return namespace


# -- layers and models ---------------------------------------------------------------------------
def _module_objects() -> dict:
    import deepprob.layers as layers_mod
    from deepprob.engine.layer import Layer
    from deepprob.engine.model import Model
    from deepprob.engine.sequential import Sequential

    objects: dict[str, Any] = {}
    # Layer classes of deepprob.layers' submodules (loaded ones), then its public names.
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("deepprob.layers.") and module is not None:
            for k, v in vars(module).items():
                if inspect.isclass(v) and issubclass(v, Layer) and not k.startswith("_"):
                    objects.setdefault(k, v)
    objects.update({k: v for k, v in vars(layers_mod).items() if inspect.isclass(v)})
    objects.update({"Sequential": Sequential, "Functional": Model, "Model": Model})
    return objects


def serialize_keras_object(obj) -> Any:
    """Keras's ``{"module", "class_name", "config", "registered_name"}`` for a layer or model
    (functions give :func:`serialize_function`'s form; plain values pass through).

    Args:
        obj: a layer, model, function, or JSON value.

    Example:
        >>> serialize_keras_object(dp.layers.Dense(3))["class_name"]
        'Dense'
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, types.FunctionType) or (callable(obj) and not hasattr(obj, "get_config")):
        return serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise Unstorable(f"{type(obj).__name__} objects cannot be serialized (no get_config()).")
    cls = type(obj)
    class_name = cls.__name__
    if _is_functional(obj) and cls.__name__ == "Model":
        class_name = "Functional"
    registered = _REGISTERED_NAMES.get(id(cls))
    try:
        config = obj.get_config()
    except NotImplementedError as err:
        raise Unstorable(f"{class_name} {getattr(obj, 'name', '')!r}: get_config() is not "
                         f"implemented ({err}).") from None
    config = _jsonable(config, f"the config of {class_name} {getattr(obj, 'name', '')!r}")
    out = {"module": cls.__module__, "class_name": class_name, "config": config,
           "registered_name": registered or class_name}
    build_shape = getattr(obj, "_build_input_shape", None)
    if build_shape is not None and not _is_functional(obj):
        out["build_config"] = {"input_shape": _shape_to_json(build_shape)}
    return out


def _jsonable(value, where: str):
    """A config made JSON-ready: functions stored by :func:`serialize_function`, tuples as lists;
    anything else that JSON cannot hold is refused, naming where it is."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, torch.dtype):
        return _dtype_name(value)
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
        return serialize_function(value)
    if hasattr(value, "get_config") and not isinstance(value, type):
        return serialize_keras_object(value)
    raise Unstorable(f"{where} holds a {type(value).__name__} ({value!r:.60}), which JSON cannot "
                     "store")


def _shape_to_json(shape):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_shape_to_json(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _shape_to_json(v) for k, v in shape.items()}
    return [None if d is None else int(d) for d in shape]


def _is_functional(obj) -> bool:
    from deepprob.engine.sequential import Sequential

    return getattr(obj, "_graph", None) is not None and not isinstance(obj, Sequential)


def deserialize_keras_object(config, custom_objects: dict | None = None,
                             module_objects: dict | None = None, safe_mode: bool | None = None):
    """Rebuild a layer or model from :func:`serialize_keras_object`'s dict.

    Classes are found in ``custom_objects`` (by registered or class name), in the registry of
    :func:`register_keras_serializable`, then among ``deepprob.layers`` and the model classes.

    Args:
        config: the dict (``{"class_name": ..., "config": ...}``).
        custom_objects: ``{name: class or function}``.
        module_objects: extra fallback namespace.
        safe_mode: True (default when loading) refuses stored bytecode; None keeps the setting.

    Example:
        >>> layer = deserialize_keras_object(serialize_keras_object(dp.layers.Dense(3)))
        >>> layer.units
        3
    """
    with SafeModeScope(safe_mode):
        return _deserialize(config, custom_objects, module_objects)


def _deserialize(config, custom_objects, module_objects):
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            "deserialize_keras_object: argument `config` must be a dict with 'class_name' and "
            f"'config', received {config!r:.200}."
        )
    class_name = config["class_name"]
    if class_name in ("function", "__lambda__"):
        return deserialize_function(config, custom_objects)
    registered = config.get("registered_name") or class_name
    objects = dict(_module_objects())
    objects.update(module_objects or {})
    cls = get_registered_object(registered, custom_objects, objects)
    if cls is None:
        cls = get_registered_object(class_name, custom_objects, objects)
    if cls is None:
        names = sorted(set(objects) | set(_REGISTRY) | set(custom_objects or {}))
        raise ValueError(
            f"Unknown layer or model class {registered!r} in the stored config."
            f"{suggest(class_name, names)} A custom class must be registered with "
            "@dp.saving.register_keras_serializable() or passed in `custom_objects`."
        )
    inner = _prepare_config(dict(config.get("config") or {}), class_name, custom_objects)
    from_config = cls.from_config
    try:
        params = inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        params = {}
    with CustomObjectScope(custom_objects or {}):
        if "custom_objects" in params:
            obj = from_config(inner, custom_objects=custom_objects)
        else:
            obj = from_config(inner)
    build = config.get("build_config") or {}
    if build.get("input_shape") is not None and not getattr(obj, "built", True):
        shape = build["input_shape"]
        obj.build(_shape_from_json(shape))
    return obj


def _shape_from_json(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], list):
        return [_shape_from_json(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _shape_from_json(v) for k, v in shape.items()}
    return tuple(shape)


def _prepare_config(inner: dict, class_name: str, custom_objects) -> dict:
    """Turn stored functions back into callables; custom activations by name."""
    for key, value in list(inner.items()):
        if isinstance(value, dict) and value.get("class_name") in ("function", "__lambda__"):
            inner[key] = deserialize_function(
                value, custom_objects, what=f"(argument `{key}` of {class_name} "
                                            f"{inner.get('name', '')!r})")
        elif key == "activation" and isinstance(value, str):
            found = get_registered_object(value, custom_objects)
            if found is not None:
                inner[key] = found
        elif key == "arguments" and isinstance(value, dict):
            inner[key] = {k: decode_value(v) for k, v in value.items()}
    return inner


# -- node names (summary and functional configs share them) -------------------------------------
def node_display_name(node: Node) -> str:
    """A readable name for a non-layer node: ``torch.unsqueeze``, ``operator.mul``,
    ``Tensor.mean``, ``Normal.log_prob``."""
    op = node.op
    if isinstance(op, MethodCall):
        target = node.args[0] if node.args else None
        if isinstance(target, KerasTensor):
            example = target._example
            owner = "Tensor" if example is None or isinstance(example, torch.Tensor) \
                else type(example).__name__
        else:
            owner = type(target).__name__
        return f"{owner}.{op.name}"
    bound = getattr(op, "__self__", None)
    if bound is not None and not inspect.ismodule(bound) and not isinstance(bound, type):
        return f"{type(bound).__name__}.{getattr(op, '__name__', 'call')}"
    name = None
    try:
        name = qualified_name(op)
    except Exception:  # noqa: BLE001 - a display name must never fail
        name = None
    return name or getattr(op, "__qualname__", None) or getattr(op, "__name__", None) or repr(op)


def _function_spec(node: Node) -> dict:
    """How a torch-function node is stored; :class:`Unstorable` when it cannot be."""
    op = node.op
    display = node_display_name(node)
    if isinstance(op, MethodCall):
        target = node.args[0] if node.args else None
        if not isinstance(target, KerasTensor):
            raise Unstorable(
                f"the graph node {display!r} calls a method of a {type(target).__name__} object, "
                "which a config cannot describe"
            )
        return {"method": op.name}
    if node.owners:
        raise Unstorable(
            f"the graph node {display!r} uses modules "
            f"{[type(m).__name__ for m in node.owners]} that a config cannot describe"
        )
    bound = getattr(op, "__self__", None)
    if bound is not None and not inspect.ismodule(bound) and not isinstance(bound, type):
        raise Unstorable(
            f"the graph node {display!r} calls a method of a {type(bound).__name__} object, "
            "which a config cannot describe"
        )
    key = _REGISTERED_NAMES.get(id(op))
    if key is not None:
        return {"function": key}
    if _is_anonymous(op):
        raise Unstorable(f"the graph node {display!r} applies a lambda or local function")
    name = qualified_name(op)
    if name is None:
        raise Unstorable(f"the graph node {display!r} applies {op!r}, which has no importable name")
    return {"function": name}


def _resolve_function_spec(spec: dict, custom_objects) -> Callable:
    if "method" in spec:
        return MethodCall(spec["method"])
    name = spec["function"]
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    return _import_qualified(name, in_safe_mode())


_UNSTORABLE_HINT = (
    " Models whose graph holds such nodes cannot be saved as a config (model.save, to_json, "
    "get_config). Save the weights with model.save_weights() and rebuild the model in code, or "
    "move the computation into a custom layer registered with "
    "@dp.saving.register_keras_serializable()."
)


# -- functional ----------------------------------------------------------------------------------
def functional_config(model) -> dict:
    """Keras 3's functional config: ``name``, ``trainable``, ``layers`` (each with its
    ``inbound_nodes``), ``input_layers``, ``output_layers`` (and deepprob's ``loss_outputs``).

    Args:
        model: a functional ``dp.Model``.

    Example:
        >>> x = dp.Input((3,)); model = dp.Model(x, torch.unsqueeze(dp.layers.Dense(2)(x), -1))
        >>> [e["class_name"] for e in functional_config(model)["layers"]]
        ['InputLayer', 'Dense', 'TorchFunction']
    """
    from deepprob.engine.layer import Layer

    graph = model._graph
    entries: list[dict] = []
    layer_entry: dict[int, dict] = {}
    node_ref: dict[int, tuple[str, int]] = {}
    used_names = {getattr(n.op, "name", None) for n in graph.nodes if isinstance(n.op, nn.Module)}
    used_names |= {t.node.op.name for t in graph.inputs}
    counts: dict[str, int] = {}

    def ref(t: KerasTensor) -> list:
        name, index = node_ref[id(t.node)]
        return [name, index, t.node.output_tensors.index(t) if t.node.outputs is not t else 0]

    def add_layer_entry(layer) -> dict:
        entry = layer_entry.get(id(layer))
        if entry is None:
            try:
                entry = serialize_keras_object(layer)
            except Unstorable as err:
                raise ValueError(f"Model {model.name!r}: layer {layer.name!r}: {err}."
                                 + _UNSTORABLE_HINT) from None
            entry["name"] = layer.name
            entry["inbound_nodes"] = []
            layer_entry[id(layer)] = entry
            entries.append(entry)
        return entry

    for t in graph.inputs:
        entry = add_layer_entry(t.node.op)
        node_ref[id(t.node)] = (entry["name"], 0)
    for node in graph.nodes:
        if isinstance(node.op, nn.Module):
            if not isinstance(node.op, Layer):
                raise ValueError(
                    f"Model {model.name!r}: the torch module {type(node.op).__name__} in its graph "
                    "is not a dp layer, so a config cannot describe it." + _UNSTORABLE_HINT)
            entry = add_layer_entry(node.op)
        else:
            try:
                spec = _function_spec(node)
            except Unstorable as err:
                raise ValueError(f"Model {model.name!r}: {err}." + _UNSTORABLE_HINT) from None
            base = node_display_name(node)
            name = base
            while name in used_names:
                counts[base] = counts.get(base, 0) + 1
                name = f"{base}_{counts[base]}"
            used_names.add(name)
            entry = {"module": "deepprob.engine.symbolic", "class_name": TORCH_FUNCTION,
                     "config": {"name": name, **spec}, "registered_name": TORCH_FUNCTION,
                     "name": name, "inbound_nodes": []}
            entries.append(entry)
        try:
            args = [encode_value(a, ref, where=f"an argument of {entry['name']!r}")
                    for a in node.args]
            kwargs = {k: encode_value(v, ref, where=f"argument `{k}` of {entry['name']!r}")
                      for k, v in node.kwargs.items()}
        except Unstorable as err:
            raise ValueError(f"Model {model.name!r}: the graph holds {err}, which a config "
                             "cannot store." + _UNSTORABLE_HINT) from None
        node_ref[id(node)] = (entry["name"], len(entry["inbound_nodes"]))
        entry["inbound_nodes"].append({"args": args, "kwargs": kwargs})

    def structure(s):
        if isinstance(s, KerasTensor):
            return ref(s)
        if isinstance(s, dict):
            return {k: structure(v) for k, v in s.items()}
        return [structure(v) for v in s]

    config = {"name": model.name, "trainable": model.trainable, "layers": entries,
              "input_layers": structure(graph.input_structure),
              "output_layers": structure(graph.output_structure)}
    if graph.loss_outputs:
        config["loss_outputs"] = [ref(t) for t in graph.loss_outputs]
    return config


def _is_ref(value) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


def functional_from_config(cls, config: dict, custom_objects: dict | None = None):
    """Rebuild a functional model from :func:`functional_config`'s dict (or Keras 3's).

    Layers are created first, then their nodes are replayed in dependency order: each layer is
    called on the symbolic tensors its stored node names, each torch-function node re-applies its
    function, so the rebuilt graph equals the stored one.

    Args:
        cls: the model class (``dp.Model`` or a subclass).
        config: the stored config.
        custom_objects: ``{name: class or function}`` for custom layers and functions.
    """
    from deepprob.engine.input_layer import InputLayer

    layers: dict[str, Any] = {}
    outputs: dict[tuple[str, int], Any] = {}
    queue: list[tuple[str, int, dict]] = []
    for entry in config.get("layers", []):
        name = entry.get("name") or entry.get("config", {}).get("name")
        if entry.get("class_name") == TORCH_FUNCTION:
            layers[name] = _resolve_function_spec(entry["config"], custom_objects)
        else:
            layer = _deserialize(entry, custom_objects, None)
            layers[name] = layer
            if isinstance(layer, InputLayer):
                outputs[(name, 0)] = layer.output
        for i, node in enumerate(entry.get("inbound_nodes") or []):
            queue.append((name, i, _keras2_node(node)))

    def lookup(history):
        key = (history[0], int(history[1]))
        if key not in outputs:
            raise _MissingTensor(key)
        tensors = [t for t in symbolic.flatten(outputs[key]) if isinstance(t, KerasTensor)]
        return tensors[int(history[2])]

    while queue:
        remaining, progress = [], False
        for name, index, node in queue:
            if index > 0 and (name, index - 1) not in outputs:
                remaining.append((name, index, node))
                continue
            try:
                args = [decode_value(a, lookup) for a in node.get("args", [])]
                kwargs = {k: decode_value(v, lookup) for k, v in node.get("kwargs", {}).items()}
            except _MissingTensor:
                remaining.append((name, index, node))
                continue
            op = layers[name]
            if isinstance(op, nn.Module):
                outputs[(name, index)] = op(*args, **kwargs)
            else:
                outputs[(name, index)] = symbolic.symbolic_call(op, tuple(args), kwargs)
            progress = True
        if not progress:
            missing = sorted({n for n, _, _ in remaining})
            raise ValueError(
                f"Cannot rebuild model {config.get('name')!r}: the nodes of {missing} need tensors "
                "that no layer in the config produces (the config is incomplete or corrupted)."
            )
        queue = remaining

    def structure(s):
        if _is_ref(s):
            return lookup(s)
        if isinstance(s, dict):
            return {k: structure(v) for k, v in s.items()}
        if isinstance(s, list) and len(s) == 1 and _is_ref(s[0]):
            return [lookup(s[0])]
        return [structure(v) for v in s]

    inputs = structure(config["input_layers"])
    outs = structure(config["output_layers"])
    kwargs = {"name": config.get("name")}
    if "trainable" in config:
        kwargs["trainable"] = config["trainable"]
    model = cls(inputs=inputs, outputs=outs, **kwargs)
    for history in config.get("loss_outputs", []):
        model.add_loss(lookup(history))
    return model


def _keras2_node(node):
    """Keras 2 stored a node as ``[[layer, node_index, tensor_index, kwargs], ...]``."""
    if isinstance(node, dict):
        return node
    args = [{"class_name": "__keras_tensor__", "config": {"keras_history": item[:3]}}
            for item in node]
    kwargs = node[0][3] if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    return {"args": [args[0]] if len(args) == 1 else [args], "kwargs": kwargs}


# -- sequential ----------------------------------------------------------------------------------
def sequential_config(model) -> dict:
    """Keras's Sequential config: ``name``, ``trainable``, ``layers`` and, when known,
    ``build_input_shape`` and the input's dtype.

    Args:
        model: a ``dp.Sequential``.
    """
    entries = []
    for layer in model.layers:
        try:
            entries.append(serialize_keras_object(layer))
        except Unstorable as err:
            raise ValueError(f"Model {model.name!r}: layer {layer.name!r}: {err}."
                             + _UNSTORABLE_HINT) from None
    config = {"name": model.name, "trainable": model.trainable,
              "dtype": _dtype_name(model.dtype), "layers": entries}
    shape = model._input_spec_shape()
    if shape is not None:
        config["build_input_shape"] = [None if d is None else int(d) for d in shape]
        tensor = model._input_tensor
        if tensor is not None:
            config["input_dtype"] = _dtype_name(tensor.dtype)
    return config


def sequential_from_config(cls, config: dict, custom_objects: dict | None = None):
    """Rebuild a ``dp.Sequential`` from :func:`sequential_config`'s dict (or Keras's).

    Args:
        cls: ``dp.Sequential`` or a subclass.
        config: the stored config.
        custom_objects: ``{name: class or function}``.
    """
    from deepprob.engine.input_layer import Input, InputLayer

    config = dict(config)
    layer_configs = config.pop("layers", [])
    layers: list = []
    for entry in layer_configs:
        layer = _deserialize(entry, custom_objects, None)
        if isinstance(layer, InputLayer):
            layer = layer.output
        layers.append(layer)
    shape = config.pop("build_input_shape", None)
    dtype = config.pop("input_dtype", None)
    first = layers[0] if layers else None
    if (shape is not None and first is not None and not isinstance(first, KerasTensor)
            and first._batch_input_shape is None):
        layers.insert(0, Input(batch_shape=tuple(shape), dtype=dtype))
    kwargs = {k: config[k] for k in ("name", "trainable") if k in config}
    return cls(layers, **kwargs)

"""Keras's ``{"class_name": ..., "config": ...}`` (de)serialization, shared by initializers,
regularizers and constraints."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from deepprob._errors import unknown


def serialize_object(obj: Any, base: type) -> dict | str | None:
    """The config dict for an instance of ``base``; a plain callable gives its ``__name__``."""
    if obj is None:
        return None
    if isinstance(obj, base):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", type(obj).__name__)


def deserialize_object(config: Any, custom_objects: dict | None, *, base: type, kind: str,
                       module: str, find: Callable[[str], Any], names: Iterable[str],
                       get: Callable[[Any], Any], instantiate_plain: bool = False) -> Any:
    """Rebuild an object from :func:`serialize_object`'s dict, or a name.

    Args:
        config: ``{"class_name": name, "config": dict}`` or a name.
        custom_objects: extra ``{name: class or function}``.
        base: the family's base class (its subclasses are rebuilt with ``from_config``).
        kind: the word used in errors (``"initializer"``).
        module: the module named in errors (``"initializers"``).
        find: the family's lookup of a class name (``None`` when unknown).
        names: the names listed when the class name is unknown.
        get: the family's ``get`` (for plain names).
        instantiate_plain: call classes that are not ``base`` subclasses with the config
            (initializers do; regularizers and constraints return them as given).
    """
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        if config in custom_objects:
            obj = custom_objects[config]
            return obj() if instantiate_plain and isinstance(obj, type) else obj
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(f"{module}.deserialize: argument `config` must be a name or a dict "
                        f"with 'class_name' and 'config'; received {config!r}.")
    name = config["class_name"]
    cls = custom_objects.get(name) or find(name)
    if cls is None:
        raise unknown(kind, name, names, argument=kind)
    kwargs = dict(config.get("config") or {})
    if isinstance(cls, type) and issubclass(cls, base):
        return cls.from_config(kwargs)
    if instantiate_plain and isinstance(cls, type):
        return cls(**kwargs)
    return cls

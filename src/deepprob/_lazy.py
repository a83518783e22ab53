"""Lazy submodule loading for namespace packages (``dp.datasets.mnist`` imports on first use)."""

from __future__ import annotations

import importlib
import pkgutil


def lazy_submodules(package_name: str, package_path, namespace: dict):
    """Return a module ``__getattr__`` that imports ``package_name.<attr>`` on first access."""

    def __getattr__(name: str):
        if any(m.name == name for m in pkgutil.iter_modules(package_path)):
            module = importlib.import_module(f"{package_name}.{name}")
            namespace[name] = module
            return module
        raise AttributeError(f"module {package_name!r} has no attribute {name!r}")

    return __getattr__

"""Bijector parameters follow the protocol of ``deepprob.distributions._params``.

A parameter may be a number, list, array, tensor (kept as a constant buffer), an ``nn.Parameter``
(trained) or an ``nn.Module`` returning a tensor when called (``dp.util.TransformedVariable``,
trained through its own parameters and re-read at every use).
"""

from __future__ import annotations

from typing import Any

import torch


def register(owner: torch.nn.Module, name: str, value: Any, dtype: torch.dtype | None = None):
    """Store ``value`` on ``owner`` under ``name`` (parameter, submodule or constant buffer)."""
    # imported here: deepprob.distributions imports the bijectors package in turn
    from deepprob.distributions._params import register_parameter

    if isinstance(value, torch.Tensor) and not isinstance(value, torch.nn.Parameter) \
            and not value.is_floating_point():
        value = value.to(dtype or torch.get_default_dtype())
    register_parameter(owner, name, value, dtype=dtype)


def read(owner: torch.nn.Module, name: str) -> torch.Tensor:
    """The current tensor value of parameter ``name`` (modules are called at every read)."""
    value = owner._parameters.get(name)
    if value is not None:
        return value
    value = owner._buffers.get(name)
    if value is not None:
        return value
    module = owner._modules.get(name)
    if module is not None:
        return module()
    return owner.__dict__[name]


def read_optional(owner: torch.nn.Module, name: str) -> torch.Tensor | None:
    """Like :func:`read`, ``None`` when the parameter was not given."""
    if name in owner._parameters or name in owner._buffers or name in owner._modules:
        return read(owner, name)
    return None

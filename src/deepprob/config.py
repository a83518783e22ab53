"""Global settings: the device deepprob trains on and the default float type.

Example:
    >>> import deepprob as dp
    >>> dp.config.set_device("cpu")
    >>> dp.config.get_device()
    device(type='cpu')
"""

from __future__ import annotations

import torch

_DEVICE: torch.device | None = None
_FLOATX = torch.float32


def get_device() -> torch.device:
    """The device models train on: the one set with :func:`set_device`, else CUDA when available."""
    if _DEVICE is not None:
        return _DEVICE
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def set_device(device: str | torch.device | None) -> None:
    """Set the device for ``fit`` / ``evaluate`` / ``predict`` (``None`` restores the automatic choice).

    Args:
        device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, a ``torch.device`` or ``None``.
    """
    global _DEVICE
    if device is None:
        _DEVICE = None
        return
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f"Argument `device`: expected a device string such as 'cpu' or 'cuda:0', "
            f"received {device!r}."
        ) from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"Argument `device`: {device!r} was requested but CUDA is not available.")
    _DEVICE = dev


def floatx() -> torch.dtype:
    """The default float dtype (``torch.float32``)."""
    return _FLOATX


def set_floatx(dtype: str | torch.dtype) -> None:
    """Set the default float dtype: ``"float16"``, ``"bfloat16"``, ``"float32"`` or ``"float64"``."""
    global _FLOATX
    table = {"float16": torch.float16, "bfloat16": torch.bfloat16,
             "float32": torch.float32, "float64": torch.float64}
    if isinstance(dtype, str):
        if dtype not in table:
            from deepprob._errors import unknown

            raise unknown("float type", dtype, table, argument="dtype")
        dtype = table[dtype]
    if dtype not in table.values():
        raise ValueError(f"Argument `dtype`: expected a float dtype, received {dtype!r}.")
    _FLOATX = dtype

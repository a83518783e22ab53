"""Where each weight lives in a saved file.

Two addressing schemes, both walked in the same order:

* **paths by name** (``dense/kernel``, ``sequential/dense_1/bias``): Keras's variable paths, the
  keys of the safetensors weights inside ``.keras`` files;
* **HDF5 groups** as Keras 3 writes ``.weights.h5``: a model's layers under
  ``layers/<snake_case class name>[_<n>]`` (so ``layers/dense``, ``layers/dense_1`` whatever the
  layers are called, matched by order within the model), other sub-layers under their attribute
  name, and each layer's own variables in ``<group>/vars/0``, ``vars/1`` ... (Keras's order:
  trainable, then non-trainable).

Values are read and written in Keras's layouts (a Dense kernel ``(in, out)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from deepprob.engine.layer import Layer, to_snake_case

__all__ = ["LayerVariables", "collect", "read", "assign", "keras_shape"]


@dataclass
class LayerVariables:
    """One layer's own variables: ``(owner module, attribute name, tensor)`` in Keras order."""

    layer: nn.Module
    name_path: str  # "sequential/dense"
    h5_path: str  # "layers/dense"
    variables: list[tuple[nn.Module, str, torch.Tensor]] = field(default_factory=list)

    def key(self, attr: str) -> str:
        return f"{self.name_path}/{attr}" if self.name_path else attr


def _is_container_model(layer) -> bool:
    return getattr(layer, "_graph", None) is not None or hasattr(layer, "_seq")


def _own_variables(layer: nn.Module) -> list[tuple[nn.Module, str, torch.Tensor]]:
    out: list[tuple[nn.Module, str, torch.Tensor]] = []
    if isinstance(layer, Layer):
        lookup = {id(p): n for n, p in layer._parameters.items() if p is not None}
        for p in layer._own_weights(None):
            out.append((layer, lookup[id(p)], p))
    else:
        out += [(layer, n, p) for n, p in layer._parameters.items() if p is not None]
    out += _persistent_buffers(layer, "")
    for child_name, child in layer.named_children():
        if not isinstance(child, Layer):
            for n, p in child.named_parameters():
                out.append((child, n, p))
            for n, b in child.named_buffers():
                owner, _, attr = _split(child, n)
                if attr not in getattr(owner, "_non_persistent_buffers_set", ()):
                    out.append((owner, f"{child_name}.{n}", b))
    return out


def _persistent_buffers(module: nn.Module, prefix: str):
    skip = getattr(module, "_non_persistent_buffers_set", set())
    return [(module, prefix + n, b) for n, b in module._buffers.items()
            if b is not None and n not in skip]


def _split(module: nn.Module, dotted: str):
    parts = dotted.split(".")
    for part in parts[:-1]:
        module = getattr(module, part)
    return module, ".".join(parts[:-1]), parts[-1]


def _sublayers(layer: nn.Module) -> list[tuple[str, nn.Module]]:
    """(h5 relative path, child layer) in order."""
    if _is_container_model(layer):
        used: dict[str, int] = {}
        out = []
        for child in layer.layers:
            base = to_snake_case(type(child).__name__)
            if base in used:
                used[base] += 1
                name = f"{base}_{used[base]}"
            else:
                used[base] = 0
                name = base
            out.append((f"layers/{name}", child))
        return out
    return [(attr, child) for attr, child in layer.named_children() if isinstance(child, Layer)]


def collect(model: nn.Module) -> list[LayerVariables]:
    """Every layer of ``model`` (itself first) with its own variables, depth first.

    Args:
        model: a deepprob model or layer.
    """
    out: list[LayerVariables] = []
    seen: set[int] = set()
    seen_tensors: set[int] = set()

    def walk(layer, name_path: str, h5_path: str):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        entry = LayerVariables(layer, name_path, h5_path)
        for owner, attr, tensor in _own_variables(layer):
            if id(tensor) not in seen_tensors:
                seen_tensors.add(id(tensor))
                entry.variables.append((owner, attr, tensor))
        out.append(entry)
        for rel, child in _sublayers(layer):
            child_name = getattr(child, "name", rel)
            walk(child, f"{name_path}/{child_name}" if name_path else child_name,
                 f"{h5_path}/{rel}" if h5_path else rel)

    root_name = getattr(model, "name", "model")
    out_root = LayerVariables(model, "", "")
    seen.add(id(model))
    for owner, attr, tensor in _own_variables(model):
        seen_tensors.add(id(tensor))
        out_root.variables.append((owner, attr, tensor))
    out_root.name_path = root_name
    out.append(out_root)
    for rel, child in _sublayers(model):
        walk(child, getattr(child, "name", rel), rel)
    return out


def _perm(owner: nn.Module, attr: str):
    if isinstance(owner, Layer):
        return owner._weight_info.get(attr, {}).get("perm")
    return None


def keras_shape(owner: nn.Module, attr: str, tensor: torch.Tensor) -> tuple[int, ...]:
    """The Keras shape of a stored tensor."""
    perm = _perm(owner, attr)
    if perm is None:
        return tuple(tensor.shape)
    return tuple(tensor.shape[i] for i in np.argsort(perm))


def read(owner: nn.Module, attr: str, tensor: torch.Tensor) -> np.ndarray:
    """The value in Keras's layout, as a contiguous NumPy array."""
    value = tensor.detach().cpu()
    perm = _perm(owner, attr)
    if perm is not None:
        value = value.permute(*np.argsort(perm))
    return np.ascontiguousarray(value.numpy())


def assign(owner: nn.Module, attr: str, tensor: torch.Tensor, value) -> None:
    """Write ``value`` (Keras layout) into ``tensor`` in place."""
    value = torch.as_tensor(np.asarray(value))
    perm = _perm(owner, attr)
    if perm is not None:
        value = value.permute(*perm)
    with torch.no_grad():
        tensor.copy_(value.to(dtype=tensor.dtype, device=tensor.device))

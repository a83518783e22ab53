"""The functional graph: recorded nodes between ``dp.Input`` tensors and a model's outputs."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from deepprob.engine import symbolic
from deepprob.engine.symbolic import KerasTensor, Node


def add_symbolic_loss(layer, loss: KerasTensor) -> None:
    """``model.add_loss(symbolic_tensor)`` on a functional model: a graph output added to the loss."""
    graph = getattr(layer, "_graph", None)
    if graph is None:
        raise ValueError(
            f"add_loss on {getattr(layer, 'name', layer)!r} received a symbolic tensor; this is "
            "only possible on a functional dp.Model built from the same inputs."
        )
    graph.add_loss_output(loss)


class Graph:
    """The nodes between ``inputs`` and ``outputs`` in execution order.

    Args:
        inputs: a KerasTensor from ``dp.Input``, or a list / dict of them.
        outputs: a KerasTensor or a (nested) list / dict of them.
    """

    def __init__(self, inputs: Any, outputs: Any):
        self.input_structure = inputs
        self.output_structure = outputs
        self.inputs: list[KerasTensor] = symbolic.flatten(inputs)
        self.outputs: list[KerasTensor] = symbolic.flatten(outputs)
        for name, group in (("inputs", self.inputs), ("outputs", self.outputs)):
            if not group:
                raise ValueError(f"Argument `{name}` of dp.Model is empty.")
            for t in group:
                if not isinstance(t, KerasTensor):
                    raise TypeError(
                        f"Argument `{name}` of dp.Model: expected symbolic tensors (from dp.Input "
                        f"and layers), received {type(t).__name__}: {t!r}."
                    )
        for t in self.inputs:
            if type(getattr(t.node, "op", None)).__name__ != "InputLayer":
                raise ValueError(
                    f"Argument `inputs` of dp.Model: {t!r} is not made by dp.Input (a model's "
                    "inputs must be its InputLayers' tensors)."
                )
        self.loss_outputs: list[KerasTensor] = []
        self._topological_sort()

    def add_loss_output(self, t: KerasTensor) -> None:
        self.loss_outputs.append(t)
        self._topological_sort()

    def _topological_sort(self) -> None:
        input_ids = {id(t) for t in self.inputs}
        order: list[Node] = []
        state: dict[int, int] = {}

        def visit(node: Node, via: KerasTensor):
            mark = state.get(node.id)
            if mark == 2:
                return
            if mark == 1:
                raise ValueError("The functional graph has a cycle.")
            state[node.id] = 1
            for t in node.inbound_tensors:
                if id(t) in input_ids:
                    continue
                if t.node is None or type(t.node.op).__name__ == "InputLayer":
                    raise ValueError(
                        f"Graph disconnected: cannot obtain value for {t!r} needed by "
                        f"{node!r}: it comes from an input that is not among the model's "
                        f"`inputs` {[i.name for i in self.inputs]}."
                    )
                visit(t.node, t)
            state[node.id] = 2
            order.append(node)

        for t in self.outputs + self.loss_outputs:
            if id(t) not in input_ids:
                visit(t.node, t)
        self.nodes = order

    # -- what the model owns -------------------------------------------------------------------
    def layers(self) -> list[nn.Module]:
        """InputLayers first (in input order), then every layer in execution order, unique."""
        seen, out = set(), []
        for t in self.inputs:
            layer = t.node.op
            if id(layer) not in seen:
                seen.add(id(layer))
                out.append(layer)
        for node in self.nodes:
            if isinstance(node.op, nn.Module) and id(node.op) not in seen:
                seen.add(id(node.op))
                out.append(node.op)
        return out

    def owned_modules(self) -> list[nn.Module]:
        """Modules used by non-layer nodes: bound methods' owners, declared owners, arguments."""
        seen, out = set(), []

        def add(m):
            if isinstance(m, (nn.Module, nn.Parameter)) and id(m) not in seen:
                seen.add(id(m))
                out.append(m)

        for node in self.nodes:
            if isinstance(node.op, nn.Module):
                continue
            add(getattr(node.op, "__self__", None))
            for m in node.owners:
                add(m)
            for leaf in symbolic.flatten((node.args, node.kwargs)):
                add(leaf)
        return out

    # -- running -------------------------------------------------------------------------------
    def run(self, inputs: list, training=None) -> tuple[list, list]:
        """Evaluate the graph on real values of the flat ``inputs``; returns (outputs, added losses)."""
        values: dict[int, Any] = {id(t): v for t, v in zip(self.inputs, inputs)}

        def fetch(leaf):
            return values[id(leaf)] if isinstance(leaf, KerasTensor) else leaf

        for node in self.nodes:
            args, kwargs = node.args, node.kwargs
            if len(args) == 1 and isinstance(args[0], KerasTensor):
                args = (values[id(args[0])],)
            else:
                args = symbolic.map_structure(fetch, args)
            if kwargs:
                kwargs = symbolic.map_structure(fetch, kwargs)
                if "training" in kwargs and kwargs["training"] is None:
                    kwargs["training"] = training
            out = node.op(*args, **kwargs)
            if isinstance(node.outputs, KerasTensor):
                values[id(node.outputs)] = out
            else:
                _assign(node.outputs, out, values)
        outputs = [values[id(t)] for t in self.outputs]
        losses = [values[id(t)] for t in self.loss_outputs]
        return outputs, losses


def _assign(spec, value, values: dict) -> None:
    if isinstance(spec, KerasTensor):
        values[id(spec)] = value
    elif isinstance(spec, (list, tuple)):
        for s, v in zip(spec, value):
            _assign(s, v, values)
    elif isinstance(spec, dict):
        for k, s in spec.items():
            _assign(s, value[k], values)


def pack(structure, flat: list):
    """Rebuild ``structure`` (nested lists/dicts of KerasTensors) from a flat list of values."""
    it = iter(flat)
    return symbolic.map_structure(lambda _: next(it), structure)


def is_tensor_like(x) -> bool:
    return isinstance(x, torch.Tensor)

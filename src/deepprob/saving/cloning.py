"""``clone_model``: the same architecture with new layers (fresh weights by default)."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from deepprob.engine import symbolic
from deepprob.engine.symbolic import KerasTensor

__all__ = ["clone_model"]


def _default_clone(layer):
    from deepprob.engine import serialization

    return serialization.deserialize_keras_object(serialization.serialize_keras_object(layer))


def clone_model(model, input_tensors=None, clone_function: Callable | None = None):
    """A new model with the same graph whose layers are new instances (new weights).

    Functional graphs are replayed node by node, so torch-function nodes and nested models are
    cloned too; Sequential models clone layer by layer; subclassed models are rebuilt from their
    config.

    Args:
        model: the model to clone.
        input_tensors: ``dp.Input`` tensors to build the clone on (a functional model's inputs by
            default, new ones of the same shapes).
        clone_function: ``layer -> new layer`` (default: rebuilt from the layer's config); return
            the layer itself to share it.

    Example:
        >>> twin = dp.models.clone_model(model)
        >>> twin.set_weights(model.get_weights())
    """
    from deepprob.engine.input_layer import Input, InputLayer
    from deepprob.engine.model import Model
    from deepprob.engine.sequential import Sequential

    clone = clone_function or _default_clone
    if not isinstance(model, Model):
        raise TypeError(
            f"Argument `model` of clone_model: expected a dp.Model, received {type(model).__name__}."
        )
    if isinstance(model, Sequential):
        layers = [clone(layer) for layer in model.layers]
        head: list = []
        if input_tensors is not None:
            head = [symbolic.flatten(input_tensors)[0]]
        elif model._input_tensor is not None and (
                not layers or layers[0]._batch_input_shape is None):
            t = model._input_tensor
            head = [Input(batch_shape=t.shape, dtype=t.dtype)]
        return Sequential(head + layers, name=model.name)
    graph = model._graph
    if graph is None:
        if input_tensors is not None:
            raise ValueError("clone_model: `input_tensors` only applies to Sequential and "
                             "functional models, not to subclassed ones.")
        return type(model).from_config(model.get_config())
    if input_tensors is None:
        new_inputs = [Input(batch_shape=t.shape, dtype=t.dtype) for t in graph.inputs]
    else:
        new_inputs = symbolic.flatten(input_tensors)
        if len(new_inputs) != len(graph.inputs):
            raise ValueError(
                f"Argument `input_tensors` of clone_model: the model has {len(graph.inputs)} "
                f"inputs, received {len(new_inputs)} tensors."
            )
    values = {id(t): v for t, v in zip(graph.inputs, new_inputs)}
    clones: dict[int, nn.Module] = {}

    def fetch(leaf):
        return values[id(leaf)] if isinstance(leaf, KerasTensor) else leaf

    for node in graph.nodes:
        args = symbolic.map_structure(fetch, node.args)
        kwargs = symbolic.map_structure(fetch, node.kwargs)
        if isinstance(node.op, nn.Module) and not isinstance(node.op, InputLayer):
            layer = clones.get(id(node.op))
            if layer is None:
                layer = clone(node.op)
                clones[id(node.op)] = layer
            out = layer(*args, **kwargs)
        else:
            out = symbolic.symbolic_call(node.op, args, kwargs, owners=node.owners)
        for old, new in zip(symbolic.flatten(node.outputs), symbolic.flatten(out)):
            if isinstance(old, KerasTensor):
                values[id(old)] = new

    def rebuild(s):
        return symbolic.map_structure(fetch, s)

    inputs = rebuild(graph.input_structure) if input_tensors is None else input_tensors
    return Model(inputs, rebuild(graph.output_structure), name=model.name)

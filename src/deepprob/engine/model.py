"""``dp.Model``: functional (``dp.Model(inputs, outputs)``) or subclassed (override ``call``)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from deepprob.engine import functional, symbolic
from deepprob.engine.layer import Layer
from deepprob.engine.trainer import Trainer


class Model(Trainer, Layer):
    """A layer with training: ``compile``, ``fit``, ``evaluate``, ``predict``.

    Two ways to make one, as in Keras:

    * functional: ``dp.Model(inputs, outputs)`` where ``inputs`` come from ``dp.Input`` (a tensor,
      a list or a dict) and ``outputs`` are what layers and torch functions made from them;
    * subclassing: ``class MyModel(dp.Model)`` creating layers in ``__init__`` (after
      ``super().__init__()``) and overriding ``call(inputs, training=None)``.

    Args:
        inputs: the functional model's inputs.
        outputs: the functional model's outputs.
        name: model name.

    Example:
        >>> x = dp.Input(shape=(4,))
        >>> h = dp.layers.Dense(8, activation="relu")(x)
        >>> model = dp.Model(x, dp.layers.Dense(1)(h))
        >>> model.compile(optimizer="adam", loss="mse")
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if args:
            inputs = args[0] if inputs is None else inputs
            if len(args) > 1:
                outputs = args[1] if outputs is None else outputs
            if len(args) > 2:
                raise TypeError("dp.Model takes at most two positional arguments: inputs, outputs.")
        if (inputs is None) != (outputs is None):
            raise ValueError(
                "A functional dp.Model needs both `inputs` and `outputs`; received "
                f"inputs={inputs!r}, outputs={outputs!r}."
            )
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)
        self._graph: functional.Graph | None = None
        if inputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs) -> None:
        graph = functional.Graph(inputs, outputs)
        self.__dict__["_graph"] = graph
        self._register_graph_modules()
        self.inputs = graph.inputs
        self.outputs = graph.outputs
        self.built = True
        self._batch_input_shape = graph.inputs[0].shape if len(graph.inputs) == 1 else None

    def _register_graph_modules(self) -> None:
        graph = self._graph
        names: dict[str, nn.Module] = {}
        for layer in graph.layers():
            name = getattr(layer, "name", None) or f"module_{len(names)}"
            if name in names and names[name] is not layer:
                raise ValueError(
                    f"The name {name!r} is used by two layers in this model; all layer names "
                    "must be unique."
                )
            names[name] = layer
            if self._modules.get(name) is not layer:
                self.add_module(name, layer)
        for i, owned in enumerate(graph.owned_modules()):
            if isinstance(owned, nn.Parameter):
                self.register_parameter(f"_graph_param_{i}", owned)
            else:
                self.add_module(f"_graph_module_{i}", owned)

    def __call__(self, *args, **kwargs):
        # Keras accepts a one-element list for a single-input model (`decoder(encoder.outputs)`).
        if args and isinstance(args[0], (list, tuple)) and len(args[0]) == 1 and \
                self._single_input():
            args = (args[0][0],) + args[1:]
        return super().__call__(*args, **kwargs)

    def _single_input(self) -> bool:
        graph = self.__dict__.get("_graph")
        if graph is not None:
            return len(graph.inputs) == 1
        return type(self).__name__ == "Sequential" or hasattr(self, "_seq")

    # -- structure -----------------------------------------------------------------------------
    @property
    def layers(self) -> list[nn.Module]:
        """The model's layers, in order (a functional model's InputLayers first)."""
        if self._graph is not None:
            return self._graph.layers()
        return [m for m in self.children() if isinstance(m, Layer)]

    def get_layer(self, name: str | None = None, index: int | None = None):
        """Find a layer by ``name`` or by ``index`` in ``layers``.

        Args:
            name: the layer's name.
            index: position in ``model.layers``.
        """
        if name is not None and index is not None:
            raise ValueError("Pass either `name` or `index` to get_layer, not both.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Argument `index`: the model has {len(layers)} layers, received {index}."
                )
            return layers[index]
        if name is None:
            raise ValueError("get_layer needs a `name` or an `index`.")
        for layer in layers:
            if getattr(layer, "name", None) == name:
                return layer
        from deepprob._errors import suggest

        names = [getattr(lay, "name", "") for lay in layers]
        raise ValueError(
            f"Argument `name`: no layer named {name!r} in model {self.name!r}."
            f"{suggest(name, names)} Layers: {names}."
        )

    @property
    def input(self):
        if self._graph is None:
            return Layer.input.fget(self)
        return self._graph.input_structure

    @property
    def output(self):
        if self._graph is None:
            return Layer.output.fget(self)
        return self._graph.output_structure

    @property
    def output_names(self) -> list[str]:
        if self._graph is not None:
            names = []
            for t in self._graph.outputs:
                layer = getattr(t.node, "layer", None)
                names.append(layer.name if layer is not None else f"output_{len(names) + 1}")
            return names
        return ["output_1"]

    # -- calling -------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        graph = self._graph
        if graph is None:
            raise NotImplementedError(
                f"Model {self.name!r} has no graph: a subclassed dp.Model must override call()."
            )
        flat = _flatten_inputs(inputs, graph)
        for t, v in zip(graph.inputs, flat):
            if isinstance(v, torch.Tensor) and (
                    v.dim() != len(t.shape)
                    or any(d is not None and d != s for d, s in zip(t.shape, v.shape))):
                raise ValueError(
                    f"Input {t.name!r} of model {self.name!r} is incompatible: expected shape "
                    f"{t.shape} (None = any size), received {tuple(v.shape)}."
                )
        outputs, losses = graph.run(flat, training=training)
        for loss in losses:
            self.add_loss(loss)
        return functional.pack(graph.output_structure, outputs)

    def build(self, input_shape) -> None:
        if self._graph is None and input_shape is not None:
            self.__dict__["_build_input_shape"] = input_shape
            # A subclassed model: run it once on placeholders so that its layers build.
            spec = symbolic.map_structure(
                lambda s: s, input_shape)
            placeholder = _placeholder(spec)
            with torch.no_grad():
                self(placeholder)
        self.built = True

    def _maybe_build(self, inputs) -> None:
        # Subclassed models build their layers lazily in their first real call; the input shape
        # (batch size None) is kept so that a saved config can build the model again.
        if self.__dict__.get("_build_input_shape") is None:
            from deepprob.engine.layer import _shape_of

            shape = _shape_of(inputs)
            self.__dict__["_build_input_shape"] = _batchless(shape)
        self.built = True

    # -- inspection and saving (implemented in deepprob.engine.summary and deepprob.saving) -----
    def summary(self, line_length: int | None = None, positions=None, print_fn=None,
                expand_nested: bool = False, show_trainable: bool = False) -> None:
        """Print Keras's table of layers, output shapes and parameter counts."""
        from deepprob.engine import summary

        return summary.print_summary(self, line_length=line_length, positions=positions,
                                     print_fn=print_fn, expand_nested=expand_nested,
                                     show_trainable=show_trainable)

    def save(self, filepath, overwrite: bool = True, include_optimizer: bool = True,
             **kwargs) -> None:
        """Save architecture, compile configuration and weights to a ``.keras`` file (atomic)."""
        from deepprob import saving

        saving.save_model(self, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights to an HDF5 ``.weights.h5`` file (atomic)."""
        from deepprob import saving

        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights saved by ``save_weights`` (or a Keras HDF5 weight file)."""
        from deepprob import saving

        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs) -> str:
        """The architecture as a JSON string (``dp.models.model_from_json`` rebuilds it)."""
        from deepprob import saving

        return saving.model_to_json(self, **kwargs)

    def get_config(self) -> dict:
        config_ = Layer.get_config(self)
        if self._graph is None:
            return config_
        from deepprob.engine import serialization

        return serialization.functional_config(self)

    @classmethod
    def from_config(cls, config_: dict, custom_objects: dict | None = None):
        from deepprob.engine import serialization

        if "layers" in config_:
            return serialization.functional_from_config(cls, config_, custom_objects)
        return cls(**config_)


def _batchless(shape):
    """``(32, 4)`` -> ``(None, 4)``; lists and dicts of shapes element-wise."""
    if isinstance(shape, tuple):
        return (None,) + tuple(shape[1:]) if shape else shape
    if isinstance(shape, list):
        return [_batchless(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _batchless(v) for k, v in shape.items()}
    return shape


def _placeholder(spec):
    if isinstance(spec, list) and spec and isinstance(spec[0], (list, tuple)):
        return [_placeholder(s) for s in spec]
    return torch.zeros(tuple(2 if d is None else d for d in spec))


def _flatten_inputs(inputs, graph: functional.Graph) -> list:
    n = len(graph.inputs)
    if isinstance(inputs, dict):
        names = [t.name for t in graph.inputs]
        missing = [k for k in names if k not in inputs]
        if missing and isinstance(graph.input_structure, dict):
            names = list(graph.input_structure)
            missing = [k for k in names if k not in inputs]
        if missing:
            raise ValueError(
                f"Missing input(s) {missing} for model with inputs {names}; received keys "
                f"{sorted(inputs)}."
            )
        return [_tensor(inputs[k]) for k in names]
    if n == 1:
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and not isinstance(
                inputs[0], (int, float)):
            inputs = inputs[0]
        return [_tensor(inputs)]
    if not isinstance(inputs, (list, tuple)) or len(inputs) != n:
        got = len(inputs) if isinstance(inputs, (list, tuple)) else type(inputs).__name__
        raise ValueError(f"The model expects {n} inputs, received {got}.")
    return [_tensor(v) for v in inputs]


def _tensor(x: Any):
    if isinstance(x, torch.Tensor) or hasattr(x, "_convert_to_tensor"):
        return x
    from deepprob.engine.layer import _to_torch

    return _to_torch(x)

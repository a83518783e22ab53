"""``dp.Sequential``: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from deepprob.engine.input_layer import Input, InputLayer
from deepprob.engine.layer import Layer
from deepprob.engine.model import Model
from deepprob.engine.symbolic import KerasTensor


class Sequential(Model):
    """A stack of layers.

    The input shape comes from the first layer's ``input_shape=``, from a leading ``dp.Input`` /
    ``dp.layers.InputLayer``, or from the first data it sees. Once it is known, the model also has
    a functional graph, so ``model.get_layer(name).output`` can start a new model.

    Args:
        layers: the layers, first to last.
        name: model name.
        trainable: whether the model's weights train.

    Example:
        >>> model = dp.Sequential([
        ...     dp.layers.Flatten(input_shape=(28, 28)),
        ...     dp.layers.Dense(128, activation="relu"),
        ...     dp.layers.Dense(10, activation="softmax"),
        ... ])
        >>> model.count_params()
        101770
    """

    def __init__(self, layers: Sequence | None = None, name: str | None = None,
                 trainable: bool = True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self.__dict__["_seq"] = []
        self.__dict__["_input_tensor"] = None
        for layer in layers or []:
            self.add(layer, _rebuild=False)
        self._rebuild_graph()

    def add(self, layer, _rebuild: bool = True) -> None:
        """Append a layer (or a ``dp.Input`` tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            op = getattr(layer.node, "op", None)
            if not isinstance(op, InputLayer):
                raise TypeError(
                    "Sequential.add: a symbolic tensor is accepted only from dp.Input, "
                    f"received {layer!r}."
                )
            self._check_first("a dp.Input")
            self.__dict__["_input_tensor"] = layer
        elif isinstance(layer, InputLayer):
            self._check_first("an InputLayer")
            self.__dict__["_input_tensor"] = layer.output
        elif isinstance(layer, nn.Module):
            if any(existing.name == getattr(layer, "name", None) for existing in self._seq):
                raise ValueError(
                    f"Sequential.add: the model already has a layer named {layer.name!r}; "
                    "layer names must be unique."
                )
            if not isinstance(layer, Layer):
                raise TypeError(
                    "Sequential.add: expected a dp.layers.Layer (wrap a torch module in a Layer subclass "
                    f"or a Lambda), received {type(layer).__name__}."
                )
            self._seq.append(layer)
            self.add_module(layer.name, layer)
        else:
            raise TypeError(
                f"Argument `layer` of Sequential.add: expected a Layer, received {layer!r}."
            )
        if _rebuild:
            self._rebuild_graph()

    def _check_first(self, what: str) -> None:
        if self._seq or self._input_tensor is not None:
            raise ValueError(f"Sequential: {what} can only be the first element of the model.")

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._seq:
            raise IndexError("Sequential.pop: the model has no layers.")
        layer = self._seq.pop()
        del self._modules[layer.name]
        self.__dict__["_graph"] = None
        self._rebuild_graph()
        return layer

    @property
    def layers(self) -> list[Layer]:
        """The layers in order (without the InputLayer, as in Keras)."""
        return list(self._seq)

    def _input_spec_shape(self):
        if self._input_tensor is not None:
            return self._input_tensor.shape
        if self._seq and self._seq[0]._batch_input_shape is not None:
            return self._seq[0]._batch_input_shape
        return None

    def _rebuild_graph(self) -> None:
        shape = self._input_spec_shape()
        if shape is None or not self._seq:
            self.__dict__["_graph"] = None
            self.built = False
            return
        self.build(shape)

    def build(self, input_shape=None) -> None:
        """Build every layer for inputs of ``input_shape`` (batch dimension included)."""
        if input_shape is None:
            input_shape = self._input_spec_shape()
        if input_shape is None:
            raise ValueError(
                f"Sequential model {self.name!r} cannot build: its input shape is unknown. Give "
                "the first layer `input_shape=`, start with dp.Input, or call it on data."
            )
        if not self._seq:
            raise ValueError(f"Sequential model {self.name!r} has no layers to build.")
        x = self._input_tensor
        if x is None or tuple(x.shape) != tuple(input_shape):
            first = self._seq[0]
            dtype = getattr(first, "input_dtype", None)
            x = Input(batch_shape=tuple(input_shape), dtype=dtype)
            self.__dict__["_input_tensor"] = x if self._input_tensor is None else self._input_tensor
        inputs, y = x, x
        for layer in self._seq:
            y = layer(y)
        self.__dict__["_graph"] = None
        self._init_graph(inputs, y)

    def _maybe_build(self, inputs) -> None:
        if not self.built:
            shape = tuple(inputs.shape) if hasattr(inputs, "shape") else None
            self.build((None,) + tuple(shape[1:]) if shape else None)

    def _register_graph_modules(self) -> None:
        # The layers are registered in add(); the InputLayer is not one of Sequential's layers.
        pass

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._seq:
            x = layer(x)
        return x

    def get_config(self) -> dict:
        from deepprob.engine import serialization

        return serialization.sequential_config(self)

    @classmethod
    def from_config(cls, config_: dict, custom_objects: dict | None = None):
        from deepprob.engine import serialization

        return serialization.sequential_from_config(cls, config_, custom_objects)

"""``dp.Input`` and ``InputLayer``: where a functional graph starts."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from deepprob.engine.layer import Layer, _resolve_dtype
from deepprob.engine.symbolic import KerasTensor, Node


class InputLayer(Layer):
    """The layer behind ``dp.Input``; shown first in a functional model's ``layers``.

    Args:
        shape: shape of one sample, without the batch dimension (``None`` for unknown sizes).
        batch_size: optional fixed batch size.
        dtype: dtype of the values (``float32`` by default; integer for token ids).
        name: layer name.
    """

    def __init__(self, shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 dtype=None, name: str | None = None, input_shape=None, batch_input_shape=None,
                 sparse=None, **kwargs):
        if shape is None:
            shape = input_shape
        if batch_input_shape is not None:
            batch_size, shape = batch_input_shape[0], batch_input_shape[1:]
        if shape is None:
            raise ValueError("Argument `shape` of InputLayer/Input is required, received None.")
        if isinstance(shape, int):
            shape = (shape,)
        try:
            shape = tuple(None if d is None else int(d) for d in shape)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"Argument `shape`: expected a tuple of positive ints or None, received {shape!r}."
            ) from err
        if any(d is not None and d <= 0 for d in shape):
            raise ValueError(
                f"Argument `shape`: expected positive sizes or None, received {shape!r}."
            )
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.shape = shape
        self.batch_size = batch_size
        self._batch_input_shape = (batch_size,) + shape
        self.built = True
        tensor = KerasTensor(self._batch_input_shape, self.dtype, name=self.name,
                             example=torch.zeros((2,) + tuple(d or 2 for d in shape),
                                                 dtype=self.dtype, device="meta"))
        node = Node(self, (), {})
        node.outputs = tensor
        node.layer = self
        tensor.node = node
        self._inbound_nodes.append(tensor)

    @property
    def output(self) -> KerasTensor:
        return self._inbound_nodes[0]

    def get_config(self) -> dict:
        return {"batch_shape": list(self._batch_input_shape), "dtype": str(self.dtype)[6:],
                "name": self.name}

    @classmethod
    def from_config(cls, config_: dict):
        config_ = dict(config_)
        batch_shape = config_.pop("batch_shape", None)
        if batch_shape is not None:
            config_["batch_input_shape"] = batch_shape
        return cls(**config_)


def Input(shape: Sequence[int | None] | None = None, batch_size: int | None = None,
          name: str | None = None, dtype=None, batch_shape=None, **kwargs) -> KerasTensor:
    """Start a functional model: a symbolic tensor for one input.

    Args:
        shape: shape of one sample, without the batch dimension, e.g. ``(28, 28)``.
        batch_size: optional fixed batch size.
        name: name of the input (and of its InputLayer).
        dtype: ``"float32"`` (default), ``"int64"`` for token ids, or a torch dtype.
        batch_shape: the full shape with the batch dimension (alternative to ``shape``).

    Example:
        >>> x = dp.Input(shape=(28, 28))
        >>> y = dp.layers.Dense(10)(dp.layers.Flatten()(x))
        >>> model = dp.Model(x, y)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, name=name,
                       dtype=_resolve_dtype(dtype) if dtype is not None else None,
                       batch_input_shape=batch_shape, **kwargs)
    return layer.output

"""``VariableLayer``: a layer that ignores its input and returns a trainable variable."""

from __future__ import annotations

from collections.abc import Sequence

from deepprob.engine.layer import Layer


class VariableLayer(Layer):
    """Returns ``activation(variable)`` whatever its input (TFP's ``VariableLayer``): the
    trainable parameters of a posterior or prior that do not depend on the data.

    Args:
        shape: shape of the variable (an int or a tuple).
        dtype: dtype of the variable (default float32).
        activation: name or callable applied to the variable; ``None`` is linear.
        initializer: initializer of the variable (``"zeros"`` as TFP).
        regularizer: penalty on the variable.
        constraint: applied after each optimizer step.
        **kwargs: Layer arguments.

    Example:
        >>> layer = dp.layers.VariableLayer(3, initializer="ones")
        >>> layer(torch.zeros(5, 7))
        tensor([1., 1., 1.], grad_fn=<...>)
    """

    def __init__(self, shape: int | Sequence[int], dtype=None, activation=None,
                 initializer="zeros", regularizer=None, constraint=None, **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        try:
            self._shape = tuple(int(s) for s in shape)
        except TypeError as err:
            raise TypeError(
                f"Argument `shape` of VariableLayer: expected an int or a sequence of ints, "
                f"received {shape!r}."
            ) from err
        if any(s < 0 for s in self._shape):
            raise ValueError(f"Argument `shape` of VariableLayer: negative size in {self._shape}.")
        from deepprob import activations

        self.activation = activations.get(activation) if activation is not None else None
        self.add_weight("kernel", self._shape, initializer, regularizer=regularizer,
                        constraint=constraint)
        self.built = True

    def call(self, inputs):
        out = self.kernel
        return out if self.activation is None else self.activation(out)

    def get_config(self) -> dict:
        from deepprob import activations

        return {**super().get_config(), "shape": list(self._shape),
                "activation": activations.serialize(self.activation)
                if self.activation is not None else "linear"}

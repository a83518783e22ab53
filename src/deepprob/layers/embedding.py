"""``Embedding``: integer token ids to dense vectors (a lookup table), with Keras's masking."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from deepprob.engine.layer import Layer


class Embedding(Layer):
    """Turn token ids ``(batch, steps)`` into vectors ``(batch, steps, output_dim)``.

    Args:
        input_dim: vocabulary size (ids must lie in ``[0, input_dim)``).
        output_dim: size of each vector.
        embeddings_initializer: initializer of the ``(input_dim, output_dim)`` table; Keras's
            ``"uniform"`` draws from U(-0.05, 0.05).
        embeddings_regularizer: penalty on the table, added to the model's losses.
        embeddings_constraint: applied to the table after each optimizer step.
        activity_regularizer: penalty on the output.
        mask_zero: if True, id 0 is padding: the layer emits a mask (``ids != 0``) that the
            following layers (e.g. ``GlobalAveragePooling1D``) use to ignore those steps.
        input_length: length of the sequences (Keras 2); sets the input shape
            ``(input_length,)`` so ``summary()`` works before data.
        weights: ``[matrix]``, an initial ``(input_dim, output_dim)`` table (e.g. GloVe vectors);
            with ``trainable=False`` it stays fixed.

    Inputs of any dtype are cast to integers (floats from a default ``dp.Input`` included).

    Example:
        >>> layer = dp.layers.Embedding(1000, 16, mask_zero=True)
        >>> out = layer(torch.tensor([[4, 9, 0]]))
        >>> out.shape, out._keras_mask
        (torch.Size([1, 3, 16]), tensor([[ True,  True, False]]))
    """

    input_dtype = torch.int64

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero: bool = False,
                 input_length: int | None = None, **kwargs):
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Argument `{name}` of Embedding: expected a positive integer, "
                    f"received {value!r}."
                )
        if input_length is not None and (isinstance(input_length, bool)
                                         or not isinstance(input_length, int)
                                         or input_length <= 0):
            raise ValueError(
                "Argument `input_length` of Embedding: expected a positive integer or None, "
                f"received {input_length!r}."
            )
        if (input_length is not None and "input_shape" not in kwargs
                and "batch_input_shape" not in kwargs):
            kwargs["input_shape"] = (input_length,)
        kwargs.pop("sparse", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = embeddings_initializer
        self.embeddings_regularizer = embeddings_regularizer
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length

    def build(self, input_shape=None) -> None:
        # Same layout in Keras and torch: (input_dim, output_dim).
        self.add_weight("embeddings", (self.input_dim, self.output_dim),
                        self.embeddings_initializer, regularizer=self.embeddings_regularizer,
                        constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        ids = inputs if inputs.dtype in (torch.int64, torch.int32) else inputs.long()
        try:
            return F.embedding(ids, self.embeddings)
        except IndexError:
            low, high = int(ids.min()), int(ids.max())
            raise ValueError(
                f"Embedding layer {self.name!r}: token ids must lie in [0, {self.input_dim}) "
                f"(input_dim={self.input_dim}), received ids from {low} to {high}."
            ) from None

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def get_config(self) -> dict:
        from deepprob import constraints, initializers, regularizers

        def ser(module, value):
            return module.serialize(module.get(value)) if value is not None else None

        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": ser(initializers, self.embeddings_initializer),
                "embeddings_regularizer": ser(regularizers, self.embeddings_regularizer),
                "embeddings_constraint": ser(constraints, self.embeddings_constraint),
                "mask_zero": self.mask_zero, "input_length": self.input_length}

"""``Masking``: mark time steps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

import torch

from deepprob.engine.layer import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Skip padded time steps in the layers that follow.

    A step of ``(batch, steps, features)`` is masked when every feature equals ``mask_value``;
    the layer zeroes those steps and emits the mask ``(batch, steps)`` (True = keep) that
    recurrent layers and pooling honour.

    Args:
        mask_value: the padding value (0.0).

    Example:
        >>> x = torch.tensor([[[1.0, 2.0], [0.0, 0.0]]])
        >>> dp.layers.Masking()(x)._keras_mask
        tensor([[ True, False]])
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float)):
            raise TypeError("Argument `mask_value` of Masking: expected a number, received "
                            f"{type(mask_value).__name__}.")
        self.mask_value = float(mask_value)

    def _keep(self, inputs: torch.Tensor) -> torch.Tensor:
        return (inputs != self.mask_value).any(-1)

    def call(self, inputs):
        keep = self._keep(inputs)
        return inputs * keep.unsqueeze(-1).to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}

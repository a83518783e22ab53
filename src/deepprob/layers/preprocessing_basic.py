"""``Rescaling``: the preprocessing layer that maps pixel values, ``x * scale + offset``."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from deepprob.engine.layer import Layer


class Rescaling(Layer):
    """Multiply inputs by ``scale`` and add ``offset`` (e.g. ``1 / 255`` to map pixels to [0, 1]).

    Integer inputs (uint8 images) are converted to the layer's float dtype first.

    Args:
        scale: a number, or one number per channel (broadcast on the last axis).
        offset: a number or one per channel (0).

    Example:
        >>> dp.layers.Rescaling(1 / 127.5, offset=-1)(torch.tensor([0, 255], dtype=torch.uint8))
        tensor([-1.,  1.])
    """

    supports_masking = True

    def __init__(self, scale: float | Sequence[float], offset: float | Sequence[float] = 0.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.scale = self._number(scale, "scale")
        self.offset = self._number(offset, "offset")
        self.register_buffer("_scale", torch.as_tensor(self.scale, dtype=self.dtype),
                             persistent=False)
        self.register_buffer("_offset", torch.as_tensor(self.offset, dtype=self.dtype),
                             persistent=False)

    @staticmethod
    def _number(value, name: str):
        def ok(v):
            return isinstance(v, (int, float)) and not isinstance(v, bool)

        if ok(value):
            return float(value)
        if isinstance(value, (list, tuple)) and value and all(ok(v) for v in value):
            return [float(v) for v in value]
        if isinstance(value, torch.Tensor) and value.dim() <= 1:
            return value.tolist() if value.dim() else float(value)
        raise ValueError(
            f"Argument `{name}` of Rescaling: expected a number or a list of numbers (one per "
            f"channel), received {value!r}."
        )

    def call(self, inputs):
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        scale, offset = self._scale.to(inputs.dtype), self._offset.to(inputs.dtype)
        if not self.offset:
            return inputs * scale
        return inputs * scale + offset

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}

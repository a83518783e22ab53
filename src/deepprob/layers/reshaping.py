"""Spatial reshaping layers: UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D (channels-last)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from deepprob._errors import unknown
from deepprob.engine.layer import InputSpec, Layer
from deepprob.layers import _conv_utils as cu


def _pairs(value, rank: int, name: str, layer: str) -> tuple[tuple[int, int], ...]:
    """Keras's padding / cropping spec: int, per-axis ints, or per-axis ``(before, after)``."""
    def bad():
        return ValueError(
            f"Argument `{name}` of {layer}: expected a non-negative integer, a tuple of {rank} "
            f"non-negative integers or a tuple of {rank} (before, after) pairs, "
            f"received {value!r}."
        )

    def ok(v):
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    if ok(value):
        return ((value, value),) * rank
    try:
        items = tuple(value)
    except TypeError:
        raise bad() from None
    if rank == 1 and len(items) == 2 and all(ok(v) for v in items):
        return (tuple(items),)
    if len(items) != rank:
        raise bad()
    out = []
    for item in items:
        if ok(item):
            out.append((item, item))
        else:
            try:
                pair = tuple(item)
            except TypeError:
                raise bad() from None
            if len(pair) != 2 or not all(ok(v) for v in pair):
                raise bad()
            out.append(pair)
    return tuple(out)


class _Spatial(Layer):
    rank = 2

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = ("channels_last" if self.rank == 1
                            else cu.normalize_data_format(data_format, type(self).__name__))
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial_axes(self) -> list[int]:
        first = 1 if self.data_format == "channels_last" else 2
        return list(range(first, first + self.rank))

    def get_config(self) -> dict:
        config_ = super().get_config()
        if self.rank > 1:
            config_["data_format"] = self.data_format
        return config_


class UpSampling1D(_Spatial):
    """Repeat each step ``size`` times: ``(batch, steps, c)`` -> ``(batch, steps * size, c)``.

    Args:
        size: repetitions (2).

    Example:
        >>> dp.layers.UpSampling1D(2)(torch.tensor([[[1.0], [2.0]]]))[0, :, 0]
        tensor([1., 1., 2., 2.])
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(**kwargs)
        (self.size,) = cu.normalize_tuple(size, 1, "size", "UpSampling1D")

    def call(self, inputs):
        cu.check_rank(inputs, 1, self)
        return inputs.repeat_interleave(self.size, dim=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_Spatial):
    """Enlarge images by ``size``: nearest-neighbour repetition or bilinear interpolation.

    Args:
        size: int or ``(rows, cols)`` factors (2).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        interpolation: ``"nearest"`` (default) or ``"bilinear"`` (half-pixel centres, as
            TensorFlow's ``image.resize``).

    Example:
        >>> dp.layers.UpSampling2D((2, 3))(torch.ones(1, 4, 4, 3)).shape
        torch.Size([1, 8, 12, 3])
    """

    rank = 2
    _MODES = ("nearest", "bilinear", "bicubic")

    def __init__(self, size=(2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.size = cu.normalize_tuple(size, 2, "size", "UpSampling2D")
        if interpolation not in self._MODES:
            raise unknown("interpolation", interpolation, self._MODES,
                          argument="interpolation` of `UpSampling2D")
        self.interpolation = interpolation

    def call(self, inputs):
        cu.check_rank(inputs, 2, self)
        if self.interpolation == "nearest":
            rows, cols = self._spatial_axes()
            return inputs.repeat_interleave(self.size[0], dim=rows).repeat_interleave(
                self.size[1], dim=cols)
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        x = cu.to_channels_first(inputs, self.data_format)
        y = F.interpolate(x, scale_factor=self.size, mode=self.interpolation,
                          align_corners=False)
        return cu.to_data_format(y, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": list(self.size),
                "interpolation": self.interpolation}


class ZeroPadding1D(_Spatial):
    """Pad the steps of ``(batch, steps, c)`` with zeros.

    Args:
        padding: int (both ends) or ``(before, after)``.

    Example:
        >>> dp.layers.ZeroPadding1D((1, 2))(torch.ones(1, 3, 2)).shape
        torch.Size([1, 6, 2])
    """

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, 1, "padding", "ZeroPadding1D")[0]

    def call(self, inputs):
        cu.check_rank(inputs, 1, self)
        return F.pad(inputs, (0, 0) + tuple(self.padding))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": list(self.padding)}


class ZeroPadding2D(_Spatial):
    """Pad images with rows and columns of zeros.

    Args:
        padding: int (all sides), ``(rows, cols)`` (symmetric) or
            ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> dp.layers.ZeroPadding2D(((1, 0), (2, 1)))(torch.ones(1, 4, 4, 3)).shape
        torch.Size([1, 5, 7, 3])
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.padding = _pairs(padding, 2, "padding", "ZeroPadding2D")

    def call(self, inputs):
        cu.check_rank(inputs, 2, self)
        (top, bottom), (left, right) = self.padding
        if self.data_format == "channels_last":
            return F.pad(inputs, (0, 0, left, right, top, bottom))
        return F.pad(inputs, (left, right, top, bottom))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": [list(p) for p in self.padding]}


class Cropping1D(_Spatial):
    """Remove steps from both ends of ``(batch, steps, c)``.

    Args:
        cropping: int (both ends) or ``(before, after)``.

    Example:
        >>> dp.layers.Cropping1D((1, 2))(torch.ones(1, 6, 2)).shape
        torch.Size([1, 3, 2])
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, 1, "cropping", "Cropping1D")[0]

    def call(self, inputs):
        cu.check_rank(inputs, 1, self)
        before, after = self.cropping
        _check_crop(self, inputs, [(1, before, after)])
        return inputs[:, before:inputs.shape[1] - after]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": list(self.cropping)}


class Cropping2D(_Spatial):
    """Remove rows and columns from the borders of images.

    Args:
        cropping: int (all sides), ``(rows, cols)`` (symmetric) or
            ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> dp.layers.Cropping2D(((2, 2), (4, 4)))(torch.ones(1, 28, 28, 3)).shape
        torch.Size([1, 24, 20, 3])
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = _pairs(cropping, 2, "cropping", "Cropping2D")

    def call(self, inputs):
        cu.check_rank(inputs, 2, self)
        rows, cols = self._spatial_axes()
        (top, bottom), (left, right) = self.cropping
        _check_crop(self, inputs, [(rows, top, bottom), (cols, left, right)])
        index = [slice(None)] * inputs.dim()
        index[rows] = slice(top, inputs.shape[rows] - bottom)
        index[cols] = slice(left, inputs.shape[cols] - right)
        return inputs[tuple(index)]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": [list(p) for p in self.cropping]}


def _check_crop(layer, inputs: torch.Tensor, specs) -> None:
    for axis, before, after in specs:
        if before + after >= inputs.shape[axis]:
            raise ValueError(
                f"{type(layer).__name__} layer {layer.name!r}: cropping {before} + {after} "
                f"leaves nothing of axis {axis} of an input of shape {tuple(inputs.shape)}."
            )

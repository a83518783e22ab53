"""Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and the global poolings.

Channels-last inputs ``(batch, *spatial, channels)`` by default, pooled through a permuted view
(for 2-D, a channels-last NCHW tensor: no copy). ``padding="same"`` follows TensorFlow: padding
is split with the extra pixel at the end, max pooling ignores padded positions and average
pooling divides by the number of real (unpadded) values in each window, as Keras does.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from deepprob.engine.layer import InputSpec, Layer
from deepprob.layers import _conv_utils as cu

_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding: str = "valid",
                 data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = cu.normalize_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = (self.pool_size if strides is None
                        else cu.normalize_tuple(strides, self.rank, "strides", cls))
        self.padding = cu.normalize_padding(padding, cls)
        self.data_format = cu.normalize_data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        cu.check_rank(inputs, self.rank, self)
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        x = cu.to_channels_first(inputs, self.data_format)
        spatial = tuple(x.shape[2:])
        if self.padding == "valid":
            for n, k in zip(spatial, self.pool_size):
                if n < k:
                    raise ValueError(
                        f"{type(self).__name__} layer {self.name!r}: input of shape "
                        f"{tuple(inputs.shape)} is smaller than pool_size={self.pool_size} "
                        "with padding='valid'."
                    )
            pads = [(0, 0)] * self.rank
        else:
            pads = [cu.same_pads(n, k, s) for n, k, s in zip(spatial, self.pool_size, self.strides)]
        sym, extra = cu.split_same(pads)
        if self.mode == "max":
            x = cu.pad_for(x, extra, value=float("-inf"))
            y = _MAX[self.rank](x, self.pool_size, self.strides, sym)
        elif not any(e for pair in extra for e in pair):
            y = _AVG[self.rank](x, self.pool_size, self.strides, sym, count_include_pad=False)
        else:
            # Asymmetric padding: average of zero-padded windows, divided by the fraction of
            # each window that holds real values.
            y = _AVG[self.rank](cu.pad_for(x, pads), self.pool_size, self.strides)
            ones = cu.pad_for(torch.ones((1, 1) + spatial, dtype=x.dtype, device=x.device), pads)
            y = y / _AVG[self.rank](ones, self.pool_size, self.strides)
        return cu.to_data_format(y, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format}


_POOL_DOC = """{kind} pooling over {what}.

    Args:
        pool_size: window size (int or {n}-tuple), default 2.
        strides: step of the window; defaults to ``pool_size``.
        padding: ``"valid"`` or ``"same"`` (TensorFlow's rule; padded values never count).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Example:
        >>> dp.layers.{name}({example_pool})(torch.ones({example_shape})).shape
        {example_out}
    """


def _pool_class(name: str, rank: int, mode: str, what: str, example) -> type:
    shape, pool, out = example
    cls = type(name, (_Pooling,), {"rank": rank, "mode": mode, "__module__": __name__})
    cls.__doc__ = _POOL_DOC.format(kind="Max" if mode == "max" else "Average", what=what, n=rank,
                                   name=name, example_pool=pool, example_shape=shape,
                                   example_out=out)
    return cls


MaxPooling1D = _pool_class("MaxPooling1D", 1, "max", "steps of ``(batch, steps, channels)``",
                           ("2, 10, 3", "2", "torch.Size([2, 5, 3])"))
MaxPooling2D = _pool_class("MaxPooling2D", 2, "max", "``(batch, height, width, channels)`` images",
                           ("2, 26, 26, 64", "(2, 2)", "torch.Size([2, 13, 13, 64])"))
MaxPooling3D = _pool_class("MaxPooling3D", 3, "max", "``(batch, d, h, w, channels)`` volumes",
                           ("1, 4, 4, 4, 2", "2", "torch.Size([1, 2, 2, 2, 2])"))
AveragePooling1D = _pool_class("AveragePooling1D", 1, "avg",
                               "steps of ``(batch, steps, channels)``",
                               ("2, 10, 3", "2", "torch.Size([2, 5, 3])"))
AveragePooling2D = _pool_class("AveragePooling2D", 2, "avg",
                               "``(batch, height, width, channels)`` images",
                               ("2, 26, 26, 64", "(2, 2)", "torch.Size([2, 13, 13, 64])"))
AveragePooling3D = _pool_class("AveragePooling3D", 3, "avg",
                               "``(batch, d, h, w, channels)`` volumes",
                               ("1, 4, 4, 4, 2", "2", "torch.Size([1, 2, 2, 2, 2])"))
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D


class _GlobalPooling(Layer):
    rank = 2
    mode = "avg"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = cu.normalize_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs, mask=None):
        cu.check_rank(inputs, self.rank, self)
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        axes = self._axes()
        if mask is not None and self.rank == 1:
            return self._masked(inputs, mask, axes[0])
        if self.mode == "avg":
            return inputs.mean(dim=axes, keepdim=self.keepdims)
        return inputs.amax(dim=axes, keepdim=self.keepdims)

    def _masked(self, inputs, mask, axis: int):
        """Pool over the unmasked steps only (mask ``(batch, steps)``, True = keep)."""
        channel_axis = 2 if self.data_format == "channels_last" else 1
        keep = mask.to(torch.bool).unsqueeze(channel_axis)
        if self.mode == "avg":
            weights = keep.to(inputs.dtype)
            total = (inputs * weights).sum(dim=axis, keepdim=self.keepdims)
            # A sequence with no unmasked step pools to 0 (Keras divides 0 by 0).
            count = weights.sum(dim=axis, keepdim=self.keepdims).clamp_min(1.0)
            return total / count
        out = inputs.masked_fill(~keep, float("-inf")).amax(dim=axis, keepdim=self.keepdims)
        return torch.where(torch.isneginf(out) & ~keep.any(dim=axis, keepdim=self.keepdims),
                           torch.zeros_like(out), out)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """Average over the steps of ``(batch, steps, channels)``: ``(batch, channels)``.

    With a mask (from ``Embedding(mask_zero=True)``) only unmasked steps are averaged, as Keras.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the pooled axis with size 1.

    Example:
        >>> dp.layers.GlobalAveragePooling1D()(torch.ones(2, 120, 16)).shape
        torch.Size([2, 16])
    """

    rank, mode = 1, "avg"


class GlobalMaxPooling1D(_GlobalPooling):
    """Maximum over the steps of ``(batch, steps, channels)``: ``(batch, channels)``.

    With a mask, masked steps are ignored (Keras 3 ignores the mask here; deepprob does better).

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the pooled axis with size 1.

    Example:
        >>> dp.layers.GlobalMaxPooling1D()(torch.ones(2, 120, 16)).shape
        torch.Size([2, 16])
    """

    rank, mode = 1, "max"


class GlobalAveragePooling2D(_GlobalPooling):
    """Average over height and width of ``(batch, h, w, channels)``: ``(batch, channels)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the pooled axes with size 1.

    Example:
        >>> dp.layers.GlobalAveragePooling2D()(torch.ones(2, 7, 7, 32)).shape
        torch.Size([2, 32])
    """

    rank, mode = 2, "avg"


class GlobalMaxPooling2D(_GlobalPooling):
    """Maximum over height and width of ``(batch, h, w, channels)``: ``(batch, channels)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the pooled axes with size 1.

    Example:
        >>> dp.layers.GlobalMaxPooling2D()(torch.ones(2, 7, 7, 32)).shape
        torch.Size([2, 32])
    """

    rank, mode = 2, "max"


class GlobalAveragePooling3D(_GlobalPooling):
    """Average over the three spatial axes of ``(batch, d, h, w, channels)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the pooled axes with size 1.
    """

    rank, mode = 3, "avg"


class GlobalMaxPooling3D(_GlobalPooling):
    """Maximum over the three spatial axes of ``(batch, d, h, w, channels)``.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the pooled axes with size 1.
    """

    rank, mode = 3, "max"


GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D)

"""Convolution layers: Conv1D, Conv2D, Conv3D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Inputs are channels-last ``(batch, *spatial, channels)`` by default, as in Keras. The math runs on
a permuted view of the input (for 2-D, an NCHW tensor in ``torch.channels_last`` memory format,
so no copy is made) with kernels stored in torch's layout and memory format; ``get_weights()``
returns Keras's layouts: Conv2D kernel ``(kh, kw, in / groups, filters)``, Conv1D
``(k, in / groups, filters)``, Conv2DTranspose ``(kh, kw, filters, in)``.

``padding="same"`` follows TensorFlow: the total padding is split with the extra pixel at the end,
so outputs equal Keras's for any stride.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from deepprob.engine.layer import InputSpec, Layer
from deepprob.layers import _conv_utils as cu
from deepprob.layers.core import apply_activation, resolve_activation

_CONV_FN = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T_FN = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _serialize(kind: str, value):
    import importlib

    if value is None:
        return None
    module = importlib.import_module(f"deepprob.{kind}")
    return module.serialize(module.get(value))


class _Conv(Layer):
    """Shared machinery of the N-D convolutions (``rank`` spatial dimensions)."""

    rank = 2
    _transpose = False

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate=1, groups: int = 1,
                 activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"Argument `filters` of {cls}: expected a positive integer, received {filters!r}."
            )
        self.filters = filters
        self.kernel_size = cu.normalize_tuple(kernel_size, self.rank, "kernel_size", cls)
        self.strides = cu.normalize_tuple(strides, self.rank, "strides", cls)
        allowed = ("valid", "same", "causal") if self.rank == 1 and not self._transpose else (
            "valid", "same")
        self.padding = cu.normalize_padding(padding, cls, allowed)
        self.data_format = cu.normalize_data_format(data_format, cls)
        self.dilation_rate = cu.normalize_tuple(dilation_rate, self.rank, "dilation_rate", cls)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(
                f"Argument `groups` of {cls}: expected a positive integer, received {groups!r}."
            )
        if filters % groups:
            raise ValueError(
                f"Argument `groups` of {cls}: `filters` ({filters}) must be divisible by "
                f"`groups`, received groups={groups}."
            )
        self.groups = groups
        self.activation = activation
        self._act, self._logits_kind = resolve_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._memory_format = cu.channels_last_format(self.rank)

    # -- building ------------------------------------------------------------------------------
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape) -> int:
        cls = type(self).__name__
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Input to layer {self.name!r} ({cls}) is incompatible: expected ndim="
                f"{self.rank + 2} (batch, {'spatial, ' * self.rank}channels), received ndim="
                f"{len(input_shape)} (full shape {tuple(input_shape)})."
            )
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(
                f"{cls} layer {self.name!r}: the channel dimension of its input must be known, "
                f"received input shape {tuple(input_shape)}."
            )
        if channels % self.groups:
            raise ValueError(
                f"{cls} layer {self.name!r}: the number of input channels ({channels}) must be "
                f"divisible by `groups` ({self.groups}), received input shape "
                f"{tuple(input_shape)}."
            )
        return int(channels)

    def _kernel_shape(self, channels: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(Keras kernel shape, permutation to torch's layout)."""
        r = self.rank
        shape = self.kernel_size + (channels // self.groups, self.filters)
        # Keras (*k, in, out) -> torch (out, in, *k)
        return shape, (r + 1, r) + tuple(range(r))

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        shape, perm = self._kernel_shape(channels)
        self.add_weight("kernel", shape, self.kernel_initializer,
                        regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
                        torch_layout=perm)
        self._to_memory_format("kernel")
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer,
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.built = True

    def _to_memory_format(self, name: str) -> None:
        """Store a kernel in torch's channels-last memory format (what the fast kernels use)."""
        p = self._parameters[name]
        if self._memory_format is not None and p.dim() == self.rank + 2:
            with torch.no_grad():
                p.data = p.data.contiguous(memory_format=self._memory_format)

    # -- calling -------------------------------------------------------------------------------
    def _spatial_pads(self, spatial) -> list[tuple[int, int]]:
        if self.padding == "valid":
            return [(0, 0)] * self.rank
        if self.padding == "causal":
            return [((self.kernel_size[0] - 1) * self.dilation_rate[0], 0)]
        return [cu.same_pads(n, k, s, d) for n, k, s, d in
                zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]

    def _prepare(self, inputs: torch.Tensor) -> torch.Tensor:
        cu.check_rank(inputs, self.rank, self)
        if not inputs.is_floating_point():
            inputs = inputs.to(self.kernel.dtype)
        x = cu.to_channels_first(inputs, self.data_format)
        if self._memory_format is not None and self.data_format == "channels_last":
            x = x.contiguous(memory_format=self._memory_format)  # free for an NHWC input
        return x

    def _check_output(self, inputs, spatial) -> None:
        for n, k, d in zip(spatial, self.kernel_size, self.dilation_rate):
            if self.padding == "valid" and n < (k - 1) * d + 1:
                raise ValueError(
                    f"{type(self).__name__} layer {self.name!r}: input of shape "
                    f"{tuple(inputs.shape)} is too small for kernel_size={self.kernel_size} and "
                    f"dilation_rate={self.dilation_rate} with padding='valid'."
                )

    def _convolve(self, x: torch.Tensor, kernel: torch.Tensor, groups: int, bias=None,
                  strides=None, dilation=None) -> torch.Tensor:
        spatial = tuple(x.shape[2:])
        pads = self._spatial_pads(spatial)
        sym, extra = cu.split_same(pads)
        x = cu.pad_for(x, extra)
        return _CONV_FN[self.rank](x, kernel, bias, strides or self.strides, sym,
                                   dilation or self.dilation_rate, groups)

    def call(self, inputs):
        x = self._prepare(inputs)
        self._check_output(inputs, x.shape[2:])
        y = self._convolve(x, self.kernel, self.groups, self.bias)
        y = cu.to_data_format(y, self.data_format)
        if self._act is None:
            return y
        return apply_activation(self._act, self._logits_kind, y)

    def get_config(self) -> dict:
        from deepprob import activations

        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups,
                "activation": activations.serialize(self._act) if self._act else "linear",
                "use_bias": self.use_bias,
                "kernel_initializer": _serialize("initializers", self.kernel_initializer),
                "bias_initializer": _serialize("initializers", self.bias_initializer),
                "kernel_regularizer": _serialize("regularizers", self.kernel_regularizer),
                "bias_regularizer": _serialize("regularizers", self.bias_regularizer),
                "kernel_constraint": _serialize("constraints", self.kernel_constraint),
                "bias_constraint": _serialize("constraints", self.bias_constraint)}


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)`` inputs (temporal convolution).

    Args:
        filters: positive number of output channels.
        kernel_size: window length (int or 1-tuple).
        strides: step of the window.
        padding: ``"valid"``, ``"same"`` (TensorFlow's rule) or ``"causal"`` (left padding only,
            so output ``t`` sees inputs up to ``t``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: spacing of the window's taps.
        groups: split input and output channels into this many independent groups.
        activation: name or callable; ``None`` is linear.
        use_bias: whether to add a bias.
        kernel_initializer, bias_initializer: initializers (Glorot uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: applied after each optimizer step.

    The kernel's Keras shape is ``(kernel_size, in_channels / groups, filters)``.

    Example:
        >>> dp.layers.Conv1D(8, 3, padding="causal")(torch.ones(2, 10, 4)).shape
        torch.Size([2, 10, 8])
    """

    rank = 1


class Conv2D(_Conv):
    """2-D convolution over channels-last images ``(batch, height, width, channels)``.

    Args:
        filters: positive number of output channels.
        kernel_size: int or ``(kh, kw)``.
        strides: int or ``(sh, sw)``.
        padding: ``"valid"`` or ``"same"`` (TensorFlow's rule: extra padding at the end).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or ``(dh, dw)``.
        groups: split input and output channels into this many independent groups.
        activation: name or callable; ``None`` is linear.
        use_bias: whether to add a bias.
        kernel_initializer, bias_initializer: initializers (Glorot uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: applied after each optimizer step.

    The kernel's Keras shape is ``(kh, kw, in_channels / groups, filters)``; ``Conv2D(64, 3)`` on
    one channel has 3*3*1*64 + 64 = 640 parameters.

    Example:
        >>> dp.layers.Conv2D(64, (3, 3), activation="relu")(torch.ones(2, 28, 28, 1)).shape
        torch.Size([2, 26, 26, 64])
    """

    rank = 2


class Conv3D(_Conv):
    """3-D convolution over ``(batch, depth, height, width, channels)`` volumes.

    Args:
        filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
        use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as for ``Conv2D``, with
        3-tuples. The kernel's Keras shape is ``(kd, kh, kw, in_channels / groups, filters)``.

    Example:
        >>> dp.layers.Conv3D(4, 3)(torch.ones(1, 5, 5, 5, 2)).shape
        torch.Size([1, 3, 3, 3, 4])
    """

    rank = 3


class _ConvTranspose(_Conv):
    _transpose = True

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 output_padding=None, data_format: str | None = None, dilation_rate=1,
                 activation=None, use_bias: bool = True, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=1,
                         activation=activation, use_bias=use_bias, **kwargs)
        cls = type(self).__name__
        if output_padding is not None:
            output_padding = cu.normalize_tuple(output_padding, self.rank, "output_padding", cls,
                                                allow_zero=True)
            for op, s in zip(output_padding, self.strides):
                if op >= s:
                    raise ValueError(
                        f"Argument `output_padding` of {cls}: each entry must be smaller than "
                        f"the stride {self.strides}, received {output_padding!r}."
                    )
        self.output_padding = output_padding

    def _kernel_shape(self, channels: int):
        r = self.rank
        # Keras (*k, out, in) -> torch conv_transpose (in, out, *k)
        return self.kernel_size + (self.filters, channels), (r + 1, r) + tuple(range(r))

    def _output_length(self, n: int, axis: int) -> int:
        """Keras's ``deconv_output_length``."""
        k = (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1
        s = self.strides[axis]
        if self.output_padding is None:
            return n * s + max(k - s, 0) if self.padding == "valid" else n * s
        pad = k // 2 if self.padding == "same" else 0
        return (n - 1) * s + k - 2 * pad + self.output_padding[axis]

    def call(self, inputs):
        x = self._prepare(inputs)
        spatial = tuple(x.shape[2:])
        outs = [self._output_length(n, i) for i, n in enumerate(spatial)]
        # The transposed convolution is the gradient of a convolution whose input has size
        # `out`; the full (unpadded) result covers positions 0 .. full-1 of that input padded
        # as TensorFlow pads it, so the output is full[before : before + out].
        fulls = [(n - 1) * s + (k - 1) * d + 1 for n, s, k, d in
                 zip(spatial, self.strides, self.kernel_size, self.dilation_rate)]
        # TensorFlow pads the convolution whose gradient this is by its "same" rule for an
        # input of size `out` (whatever output_padding was), and not at all for "valid".
        befores = [cu.same_pads(out, k, s, d)[0] if self.padding == "same" else 0
                   for out, k, s, d in zip(outs, self.kernel_size, self.strides,
                                           self.dilation_rate)]
        afters = [f - b - o for f, b, o in zip(fulls, befores, outs)]  # < 0: zeros to append
        sym = tuple(max(0, min(b, a)) for b, a in zip(befores, afters))
        # torch's output_padding extends the result at the end with the (computed) full output.
        extra = [max(0, -a) for a in afters]
        out_pad = tuple(e if e < max(s, d) else 0 for e, s, d in
                        zip(extra, self.strides, self.dilation_rate))
        exact = all(b == p and (a - p == 0 or -a == op) for b, a, p, op in
                    zip(befores, afters, sym, out_pad))
        y = _CONV_T_FN[self.rank](x, self.kernel, self.bias if exact else None, self.strides,
                                  sym, out_pad, 1, self.dilation_rate)
        if not exact:
            index = [slice(None), slice(None)]
            pads = []
            for i, out in enumerate(outs):
                lo = befores[i] - sym[i]
                have = y.shape[2 + i] - lo
                index.append(slice(lo, lo + min(out, have)))
                pads.append((0, max(0, out - have)))
            y = cu.pad_for(y[tuple(index)], pads)
            if self.bias is not None:
                y = y + self.bias.view((1, -1) + (1,) * self.rank)
        y = cu.to_data_format(y, self.data_format)
        if self._act is None:
            return y
        return apply_activation(self._act, self._logits_kind, y)

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.pop("groups")
        config_["output_padding"] = (list(self.output_padding) if self.output_padding is not None
                                     else None)
        return config_


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1-D convolution ("deconvolution") of ``(batch, steps, channels)`` inputs.

    Args:
        filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
        activation, use_bias, ...: as for ``Conv2DTranspose``, with 1-tuples. The kernel's Keras
        shape is ``(k, filters, in_channels)``.

    Example:
        >>> dp.layers.Conv1DTranspose(4, 3, strides=2, padding="same")(torch.ones(1, 5, 2)).shape
        torch.Size([1, 10, 4])
    """

    rank = 1


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution ("deconvolution"): the gradient of ``Conv2D`` as a layer.

    Args:
        filters: positive number of output channels.
        kernel_size: int or ``(kh, kw)``.
        strides: int or ``(sh, sw)``.
        padding: ``"valid"`` or ``"same"``; the output size follows Keras: ``"same"`` gives
            ``input * stride``, ``"valid"`` gives ``input * stride + max(kernel - stride, 0)``.
        output_padding: extra size at the end of each axis (each smaller than the stride);
            with it the size is ``(input - 1) * stride + kernel - 2 * pad + output_padding``
            where ``pad`` is ``kernel // 2`` for ``"same"`` and 0 for ``"valid"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or ``(dh, dw)``.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as ``Conv2D``.

    The kernel's Keras shape is ``(kh, kw, filters, in_channels)``.

    Example:
        >>> layer = dp.layers.Conv2DTranspose(8, 3, strides=2, padding="same")
        >>> layer(torch.ones(1, 7, 7, 16)).shape
        torch.Size([1, 14, 14, 8])
    """

    rank = 2


class DepthwiseConv2D(_Conv):
    """Depthwise 2-D convolution: each input channel convolved with its own
    ``depth_multiplier`` filters.

    Args:
        kernel_size: int or ``(kh, kw)``.
        strides, padding, data_format, dilation_rate: as for ``Conv2D``.
        depth_multiplier: output channels per input channel.
        activation, use_bias: as for ``Conv2D``.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the kernel, whose
            Keras shape is ``(kh, kw, in_channels, depth_multiplier)``.
        bias_initializer, bias_regularizer, bias_constraint, activity_regularizer: as ``Conv2D``.

    Example:
        >>> dp.layers.DepthwiseConv2D(3, depth_multiplier=2)(torch.ones(1, 8, 8, 4)).shape
        torch.Size([1, 6, 6, 8])
    """

    rank = 2

    def __init__(self, kernel_size, strides=1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate=1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None,
                 **kwargs):
        if (isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int)
                or depth_multiplier <= 0):
            raise ValueError(
                "Argument `depth_multiplier` of DepthwiseConv2D: expected a positive integer, "
                f"received {depth_multiplier!r}."
            )
        super().__init__(depth_multiplier, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        # Keras (kh, kw, in, mult) stored (in, mult, kh, kw); viewed (in * mult, 1, kh, kw).
        self.add_weight("kernel", self.kernel_size + (channels, self.depth_multiplier),
                        self.kernel_initializer, regularizer=self.kernel_regularizer,
                        constraint=self.kernel_constraint, torch_layout=(2, 3, 0, 1))
        if self.use_bias:
            self.add_weight("bias", (channels * self.depth_multiplier,), self.bias_initializer,
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis(): channels})
        self.built = True

    def call(self, inputs):
        x = self._prepare(inputs)
        self._check_output(inputs, x.shape[2:])
        c = x.shape[1]
        kernel = self.kernel.reshape(c * self.depth_multiplier, 1, *self.kernel_size)
        y = cu.to_data_format(self._convolve(x, kernel, c, self.bias), self.data_format)
        if self._act is None:
            return y
        return apply_activation(self._act, self._logits_kind, y)

    def get_config(self) -> dict:
        config_ = super().get_config()
        for key in ("filters", "groups"):
            config_.pop(key)
        config_["depth_multiplier"] = self.depth_multiplier
        for old, new in (("kernel_initializer", "depthwise_initializer"),
                         ("kernel_regularizer", "depthwise_regularizer"),
                         ("kernel_constraint", "depthwise_constraint")):
            config_[new] = config_.pop(old)
        return config_


class SeparableConv2D(_Conv):
    """Depthwise-separable 2-D convolution: a depthwise convolution, then a 1x1 convolution.

    Args:
        filters: positive number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: as for ``Conv2D`` (they apply
            to the depthwise step).
        depth_multiplier: depthwise output channels per input channel.
        activation, use_bias: as for ``Conv2D``.
        depthwise_initializer, pointwise_initializer, bias_initializer: initializers of the
            depthwise kernel (Keras shape ``(kh, kw, in, depth_multiplier)``), the pointwise kernel
            (``(1, 1, in * depth_multiplier, filters)``) and the bias.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
        depthwise_constraint, pointwise_constraint, bias_constraint: penalties and constraints.

    Example:
        >>> dp.layers.SeparableConv2D(16, 3, padding="same")(torch.ones(1, 8, 8, 4)).shape
        torch.Size([1, 8, 8, 16])
    """

    rank = 2

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate=1, depth_multiplier: int = 1,
                 activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        if (isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int)
                or depth_multiplier <= 0):
            raise ValueError(
                "Argument `depth_multiplier` of SeparableConv2D: expected a positive integer, "
                f"received {depth_multiplier!r}."
            )
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        mult = self.depth_multiplier
        self.add_weight("depthwise_kernel", self.kernel_size + (channels, mult),
                        self.depthwise_initializer, regularizer=self.depthwise_regularizer,
                        constraint=self.depthwise_constraint, torch_layout=(2, 3, 0, 1))
        self.add_weight("pointwise_kernel", (1, 1, channels * mult, self.filters),
                        self.pointwise_initializer, regularizer=self.pointwise_regularizer,
                        constraint=self.pointwise_constraint, torch_layout=(3, 2, 0, 1))
        self._to_memory_format("pointwise_kernel")
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer,
                            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis(): channels})
        self.built = True

    def call(self, inputs):
        x = self._prepare(inputs)
        self._check_output(inputs, x.shape[2:])
        c = x.shape[1]
        depthwise = self.depthwise_kernel.reshape(c * self.depth_multiplier, 1, *self.kernel_size)
        y = self._convolve(x, depthwise, c)
        y = F.conv2d(y, self.pointwise_kernel, self.bias)
        y = cu.to_data_format(y, self.data_format)
        if self._act is None:
            return y
        return apply_activation(self._act, self._logits_kind, y)

    def get_config(self) -> dict:
        config_ = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config_.pop(key)
        config_["depth_multiplier"] = self.depth_multiplier
        for kind, names in (("initializers", ("depthwise_initializer", "pointwise_initializer")),
                            ("regularizers", ("depthwise_regularizer", "pointwise_regularizer")),
                            ("constraints", ("depthwise_constraint", "pointwise_constraint"))):
            for name in names:
                config_[name] = _serialize(kind, getattr(self, name))
        return config_


Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution2DTranspose = Conv2DTranspose

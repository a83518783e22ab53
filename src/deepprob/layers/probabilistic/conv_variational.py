"""Convolutions with distributions over their kernels (TFP's ``Convolution1DReparameterization``,
``Convolution2DReparameterization``, ``Convolution1DFlipout``, ``Convolution2DFlipout``).

Keras's conventions: channels-last inputs by default, kernels of shape
``kernel_size + (in_channels, filters)``, TensorFlow's ``"same"`` padding (the extra pixel at the
end). Posterior / prior / divergence arguments as in :mod:`.variational`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from deepprob.engine.layer import InputSpec
from deepprob.layers import _conv_utils as cu
from deepprob.layers.probabilistic.variational import (
    _activation,
    _positive,
    _sample,
    _VariationalLayer,
    rademacher,
)

_CONV = {1: F.conv1d, 2: F.conv2d}


class _ConvVariational(_VariationalLayer):
    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=1, activation=None,
                 activity_regularizer=None, trainable: bool = True, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, trainable=trainable,
                         **kwargs)
        name = type(self).__name__
        n = self._rank
        self.filters = _positive(filters, "filters", name)
        self.kernel_size = cu.normalize_tuple(kernel_size, n, "kernel_size", name)
        self.strides = cu.normalize_tuple(strides, n, "strides", name)
        self.dilation_rate = cu.normalize_tuple(dilation_rate, n, "dilation_rate", name)
        self.padding = cu.normalize_padding(padding, name)
        self.data_format = cu.normalize_data_format(data_format, name)
        self.activation = activation
        self._act = _activation(activation)

    def build(self, input_shape) -> None:
        axis = -1 if self.data_format == "channels_last" else 1
        channels = input_shape[axis]
        if channels is None or len(input_shape) != self._rank + 2:
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r}: expected inputs of rank "
                f"{self._rank + 2} with a known channel axis, received shape "
                f"{tuple(input_shape)}."
            )
        self._in_channels = int(channels)
        self._build_posteriors(self.kernel_size + (self._in_channels, self.filters),
                               (self.filters,))
        self.input_spec = InputSpec(ndim=self._rank + 2, axes={axis: self._in_channels})
        self.built = True

    def _conv(self, x_cf: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """Convolution of a channels-first input with a Keras-layout kernel."""
        weight = kernel.permute(self._rank + 1, self._rank, *range(self._rank))
        if self.padding == "same":
            pads = [cu.same_pads(x_cf.shape[2 + i], self.kernel_size[i], self.strides[i],
                                 self.dilation_rate[i]) for i in range(self._rank)]
            x_cf = cu.pad_for(x_cf, pads)
        return _CONV[self._rank](x_cf, weight, None, self.strides, 0, self.dilation_rate)

    def call(self, inputs):
        if not inputs.is_floating_point():
            inputs = inputs.to(self.dtype)
        x_cf = cu.to_channels_first(inputs, self.data_format)
        outputs, kernel_tensor = self._apply_variational_kernel(x_cf)
        bias_tensor = None
        if self.bias_posterior is not None:
            bias_tensor = self.bias_posterior_tensor_fn(self.bias_posterior)
            outputs = outputs + bias_tensor.reshape((1, -1) + (1,) * self._rank)
        outputs = cu.to_data_format(outputs, self.data_format)
        if self._act is not None:
            outputs = self._act(outputs)
        self._apply_divergence(self.kernel_divergence_fn, self.kernel_posterior,
                               self.kernel_prior, kernel_tensor)
        self._apply_divergence(self.bias_divergence_fn, self.bias_posterior, self.bias_prior,
                               bias_tensor)
        return outputs

    def get_config(self) -> dict:
        from deepprob import activations

        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate),
                "activation": activations.serialize(self._act) if self._act else "linear"}


class _Reparameterization(_ConvVariational):
    def _apply_variational_kernel(self, x_cf):
        kernel = self.kernel_posterior_tensor_fn(self.kernel_posterior)
        return self._conv(x_cf, kernel), kernel


class _Flipout(_ConvVariational):
    def __init__(self, *args, seed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seed = seed

    def _apply_variational_kernel(self, x_cf):
        from deepprob import distributions as tfd

        loc, scale = self._loc_scale()
        if self.kernel_posterior_tensor_fn is _sample:
            delta = scale * torch.randn_like(loc)
        else:
            delta = self.kernel_posterior_tensor_fn(tfd.Normal(torch.zeros_like(loc), scale))
        sign_in = rademacher(x_cf.shape[:2], x_cf.dtype, x_cf.device).reshape(
            x_cf.shape[:2] + (1,) * self._rank)
        sign_out = rademacher((x_cf.shape[0], self.filters), x_cf.dtype, x_cf.device).reshape(
            (x_cf.shape[0], self.filters) + (1,) * self._rank)
        out = self._conv(x_cf, loc) + self._conv(x_cf * sign_in, delta) * sign_out
        return out, None


_DOC = """{what}

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of {rank} ints.
        strides: int or tuple of {rank} ints.
        padding: ``"valid"`` or ``"same"`` (TensorFlow's rule).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple of {rank} ints.
        activation: name or callable; ``None`` is linear.
        activity_regularizer: penalty on the output.
        trainable: whether the posterior's variables train.
        kernel_posterior_fn, kernel_posterior_tensor_fn, kernel_prior_fn, kernel_divergence_fn,
        bias_posterior_fn, bias_posterior_tensor_fn, bias_prior_fn, bias_divergence_fn: as
            ``dp.layers.DenseReparameterization`` (divergences are added unscaled: divide by
            the number of training examples yourself).
        **kwargs: Layer arguments (``input_shape`` ...).

    Example:
        >>> layer = dp.layers.{name}(4, {ks}, padding="same")
        >>> layer(torch.zeros({shape})).shape
        torch.Size({out})
"""


class Convolution1DReparameterization(_Reparameterization):
    _rank = 1
    __doc__ = _DOC.format(what="1-D convolution with a reparameterized kernel sample per pass.",
                          rank=1, name="Convolution1DReparameterization", ks=3,
                          shape="2, 8, 3", out="[2, 8, 4]")


class Convolution2DReparameterization(_Reparameterization):
    _rank = 2
    __doc__ = _DOC.format(what="2-D convolution with a reparameterized kernel sample per pass.",
                          rank=2, name="Convolution2DReparameterization", ks="(3, 3)",
                          shape="2, 8, 8, 1", out="[2, 8, 8, 4]")


class Convolution1DFlipout(_Flipout):
    _rank = 1
    __doc__ = _DOC.format(what="1-D convolution with Flipout kernel perturbations.", rank=1,
                          name="Convolution1DFlipout", ks=3, shape="2, 8, 3", out="[2, 8, 4]")


class Convolution2DFlipout(_Flipout):
    _rank = 2
    __doc__ = _DOC.format(what="2-D convolution with Flipout kernel perturbations.", rank=2,
                          name="Convolution2DFlipout", ks="(3, 3)", shape="2, 8, 8, 1",
                          out="[2, 8, 8, 4]")

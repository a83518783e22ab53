"""``RealNVP`` affine coupling layers and ``real_nvp_default_template`` (TFP semantics).

The first ``d`` units of the event pass unchanged (they are *masked*); the other ``D - d`` are
scaled and shifted by functions of the masked ones:
``y[d:] = x[d:] * exp(log_scale(x[:d])) + shift(x[:d])``. A negative ``num_masked`` (or
``fraction_masked``) masks the *last* units instead, as in TFP. Both directions are one pass.

Example:
    >>> nvp = dp.bijectors.RealNVP(num_masked=1,
    ...     shift_and_log_scale_fn=dp.bijectors.real_nvp_default_template(hidden_layers=[16]))
    >>> x = torch.randn(4, 3)
    >>> torch.allclose(nvp.inverse(nvp.forward(x)), x, atol=1e-5)
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from deepprob.bijectors.autoregressive import _check_fns, _check_nan, owned_modules
from deepprob.bijectors.bijector import Bijector, reduce_log_det

__all__ = ["RealNVP", "real_nvp_default_template", "RealNVPDefaultTemplate"]


class RealNVPDefaultTemplate(torch.nn.Module):
    """The coupling network of :func:`real_nvp_default_template`: ``x0 -> (shift, log_scale)``.

    Dense layers (glorot-uniform kernels, zero biases, as TFP's ``tf.layers.dense``) created on
    the first call, when the input and output sizes are known, or eagerly by :meth:`build`.

    Args:
        hidden_layers: sizes of the hidden layers.
        shift_only: return ``(shift, None)`` (a NICE coupling).
        activation: hidden activation (name or callable; ``None`` is linear).
        name: a name (informational).

    Example:
        >>> net = RealNVPDefaultTemplate([8])
        >>> shift, log_scale = net(torch.zeros(5, 1), 2)
        >>> shift.shape
        torch.Size([5, 2])
    """

    def __init__(self, hidden_layers: Sequence[int], shift_only: bool = False,
                 activation: Any = "relu", name: str | None = None):
        super().__init__()
        from deepprob import activations

        hidden = list(hidden_layers)
        for u in hidden:
            if isinstance(u, bool) or not isinstance(u, int | np.integer) or u < 1:
                raise ValueError(f"Argument `hidden_layers`: expected a list of positive "
                                 f"integers, received {hidden_layers!r}.")
        self.hidden_layers = [int(u) for u in hidden]
        self.shift_only = bool(shift_only)
        self.activation = activations.get(activation)
        self.name = name or "real_nvp_default_template"
        self.layers = torch.nn.ModuleList()
        self._sizes: tuple[int, int] | None = None

    def build(self, input_units: int, output_units: int, device: Any = None,
              dtype: torch.dtype | None = None) -> None:
        """Create the layers for ``input_units`` masked and ``output_units`` transformed units.

        Args:
            input_units: size of ``x0``.
            output_units: size of the transformed part.
            device: device of the weights.
            dtype: dtype of the weights (default ``torch.get_default_dtype()``).
        """
        sizes = [input_units] + self.hidden_layers + [(1 if self.shift_only else 2) * output_units]
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layer = torch.nn.Linear(n_in, n_out, device=device, dtype=dtype)
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
            layers.append(layer)
        self.layers = torch.nn.ModuleList(layers)
        self._sizes = (input_units, output_units)

    def forward(self, x: torch.Tensor, output_units: int, **condition_kwargs: Any):
        if condition_kwargs:
            raise NotImplementedError(
                f"real_nvp_default_template does not take conditioning arguments (received "
                f"{sorted(condition_kwargs)}); write a conditional shift_and_log_scale_fn.")
        if self._sizes is None:
            self.build(x.shape[-1], output_units,
                       device=None if x.device.type == "meta" else x.device, dtype=x.dtype)
        elif self._sizes != (x.shape[-1], output_units):
            raise ValueError(f"Argument `x`: this template was built for {self._sizes[0]} masked "
                             f"and {self._sizes[1]} transformed units, received input shape "
                             f"{list(x.shape)} and output_units={output_units}.")
        h = x
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            h = F.linear(h, layer.weight, layer.bias)
            if i < last:
                h = self.activation(h)
        if self.shift_only:
            return h, None
        shift, log_scale = h.chunk(2, dim=-1)
        return shift, log_scale

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # a fresh (unbuilt) template takes its sizes from the saved weights
        if self._sizes is None:
            n = 0
            while f"{prefix}layers.{n}.weight" in state_dict:
                n += 1
            if n:
                first = state_dict[f"{prefix}layers.0.weight"]
                last = state_dict[f"{prefix}layers.{n - 1}.weight"]
                out = last.shape[0] // (1 if self.shift_only else 2)
                self.build(first.shape[1], out, dtype=first.dtype)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


def real_nvp_default_template(hidden_layers: Sequence[int], shift_only: bool = False,
                              activation: Any = "relu", name: str | None = None,
                              *args: Any, **kwargs: Any) -> RealNVPDefaultTemplate:
    """TFP's default RealNVP coupling network: dense layers giving ``(shift, log_scale)``.

    Args:
        hidden_layers: sizes of the hidden layers, e.g. ``[512, 512]``.
        shift_only: compute only the shift (NICE).
        activation: hidden activation (default ReLU, as TFP).
        name: a name.
        *args: not supported (TFP passes them to ``tf.layers.dense``).
        **kwargs: not supported.

    Returns:
        A module ``f(x0, output_units) -> (shift, log_scale)``, built on its first call.

    Example:
        >>> fn = dp.bijectors.real_nvp_default_template([32, 32])
        >>> nvp = dp.bijectors.RealNVP(num_masked=1, shift_and_log_scale_fn=fn)
    """
    if args or kwargs:
        raise TypeError(f"real_nvp_default_template: extra dense-layer arguments are not "
                        f"supported (received {len(args)} positional, {sorted(kwargs)}).")
    return RealNVPDefaultTemplate(hidden_layers, shift_only=shift_only, activation=activation,
                                  name=name)


class RealNVP(Bijector):
    """Affine coupling layer of Real NVP (TFP's ``RealNVP``).

    Args:
        num_masked: number of leading units left unchanged; negative values mask the last
            ``-num_masked`` units instead (TFP). Must leave at least one unit masked and one
            transformed: ``1 <= |num_masked| <= D - 1`` (checked when the event size is seen).
        fraction_masked: alternatively, the masked fraction in ``(-1, 1)``; the count is
            ``round(fraction * D)`` and must satisfy the same bounds.
        shift_and_log_scale_fn: ``f(x0, output_units, **kwargs) -> (shift, log_scale)`` (either
            may be ``None``), e.g. :func:`real_nvp_default_template`. Modules it uses are
            registered and trained.
        bijector_fn: alternatively ``f(x0, output_units, **kwargs) -> bijector`` acting on the
            transformed units (scalar or vector events, rank kept), e.g. a
            ``RationalQuadraticSpline`` built from a network's outputs.
        is_constant_jacobian: whether the log-scale is constant (no check).
        validate_args: check the bijector ``bijector_fn`` returns and reject NaN inputs.
        name: default ``"real_nvp"``.

    Example:
        >>> nvp = dp.bijectors.RealNVP(fraction_masked=0.5,
        ...     shift_and_log_scale_fn=dp.bijectors.real_nvp_default_template([16]))
        >>> nvp.forward(torch.zeros(2, 4)).shape
        torch.Size([2, 4])
    """

    def __init__(self, num_masked: int | None = None, fraction_masked: float | None = None,
                 shift_and_log_scale_fn: Callable | None = None,
                 bijector_fn: Callable | None = None, is_constant_jacobian: bool = False,
                 validate_args: bool = False, name: str | None = None):
        if (num_masked is None) == (fraction_masked is None):
            raise ValueError(f"RealNVP: give exactly one of `num_masked` and `fraction_masked`; "
                             f"received num_masked={num_masked!r}, "
                             f"fraction_masked={fraction_masked!r}.")
        if num_masked is not None:
            if isinstance(num_masked, bool) or not isinstance(num_masked, int | np.integer):
                raise TypeError(f"Argument `num_masked`: expected an integer, received "
                                f"{num_masked!r}.")
            if num_masked == 0:
                raise ValueError("Argument `num_masked`: 0 leaves no unit masked (the coupling "
                                 "would not depend on anything); expected 1 <= |num_masked| <= "
                                 "event size - 1 (negative values mask the last units).")
        else:
            if isinstance(fraction_masked, bool) or not isinstance(fraction_masked,
                                                                   float | int | np.floating):
                raise TypeError(f"Argument `fraction_masked`: expected a float, received "
                                f"{fraction_masked!r}.")
            if not -1.0 < float(fraction_masked) < 1.0 or fraction_masked == 0:
                raise ValueError(f"Argument `fraction_masked`: expected a nonzero value in "
                                 f"(-1, 1), received {fraction_masked!r}.")
        _check_fns(shift_and_log_scale_fn, bijector_fn, "RealNVP")
        super().__init__(forward_min_event_ndims=1, is_constant_jacobian=is_constant_jacobian,
                         validate_args=validate_args, name=name or "real_nvp")
        self._num_masked = None if num_masked is None else int(num_masked)
        self._fraction_masked = None if fraction_masked is None else float(fraction_masked)
        self.networks = torch.nn.ModuleList(owned_modules(shift_and_log_scale_fn or bijector_fn))
        self.__dict__["_shift_and_log_scale_fn"] = shift_and_log_scale_fn
        self.__dict__["_bijector_fn"] = bijector_fn

    @property
    def shift_and_log_scale_fn(self) -> Callable | None:
        """The coupling network (``None`` when ``bijector_fn`` was given)."""
        return self._shift_and_log_scale_fn

    @property
    def bijector_fn(self) -> Callable | None:
        """The bijector-building function (``None`` when ``shift_and_log_scale_fn`` was given)."""
        return self._bijector_fn

    def masked_size(self, event_size: int) -> int:
        """The signed number of masked units for events of ``event_size`` (negative: the last).

        Example:
            >>> dp.bijectors.RealNVP(num_masked=-1, bijector_fn=lambda x, n: None).masked_size(3)
            -1
        """
        if self._num_masked is not None:
            m = self._num_masked
            what = f"num_masked={m}"
        else:
            m = int(np.round(event_size * self._fraction_masked))
            what = f"fraction_masked={self._fraction_masked} (round({self._fraction_masked} * " \
                   f"{event_size}) = {m} units)"
        if m == 0 or abs(m) >= event_size:
            raise ValueError(
                f"Argument `{'num_masked' if self._num_masked is not None else 'fraction_masked'}"
                f"`: {what} must leave at least one unit masked and one transformed for events "
                f"of size {event_size}: expected 1 <= |num_masked| <= {event_size - 1}.")
        return m

    # -- coupling ---------------------------------------------------------------------------------
    def _split(self, v: torch.Tensor, arg: str):
        if v.ndim < 1:
            raise ValueError(f"Argument `{arg}`: RealNVP acts on vectors, received a scalar.")
        if self.validate_args:
            _check_nan(v, arg, self.name)
        m = self.masked_size(v.shape[-1])
        if m > 0:
            return v[..., :m], v[..., m:], False
        return v[..., v.shape[-1] + m:], v[..., :v.shape[-1] + m], True

    @staticmethod
    def _join(masked, changed, reverse):
        return torch.cat([changed, masked] if reverse else [masked, changed], dim=-1)

    def _coupling(self, x0: torch.Tensor, units: int, kwargs: dict):
        """``(shift, log_scale)`` or a bijector, from the masked units."""
        if self._bijector_fn is not None:
            b = self._bijector_fn(x0, units, **kwargs)
            if self.validate_args and (b.forward_min_event_ndims != b.inverse_min_event_ndims
                                       or b.forward_min_event_ndims > 1):
                raise ValueError(f"Argument `bijector_fn`: returned {b.name!r}, which must act on "
                                 f"scalars or vectors and keep the rank.")
            return b
        return self._shift_and_log_scale_fn(x0, units, **kwargs)

    def _pass(self, v: torch.Tensor, kwargs: dict, forward: bool):
        masked, part, reverse = self._split(v, "x" if forward else "y")
        coupling = self._coupling(masked, part.shape[-1], kwargs)
        if isinstance(coupling, Bijector):
            if forward:
                out, ldj = coupling.forward_and_log_det_jacobian(part, event_ndims=1)
            else:
                out, ldj = coupling.inverse_and_log_det_jacobian(part, event_ndims=1)
            return self._join(masked, out, reverse), ldj
        shift, log_scale = coupling
        if log_scale is not None and not forward:
            log_scale = -log_scale  # one negation serves the value and the log-det
        out = part
        if forward:
            out = out if log_scale is None else out * torch.exp(log_scale)
            out = out if shift is None else out + shift
        else:
            out = out if shift is None else out - shift
            out = out if log_scale is None else out * torch.exp(log_scale)
        if log_scale is None:
            ldj = part.new_zeros(part.shape[:-1])
        elif log_scale.shape != part.shape:
            ldj = log_scale.expand(part.shape).sum(-1)
        else:
            ldj = log_scale.sum(-1)
        return self._join(masked, out, reverse), ldj

    def _forward(self, x, **kwargs):
        return self._pass(x, kwargs, True)[0]

    def _inverse(self, y, **kwargs):
        return self._pass(y, kwargs, False)[0]

    def _forward_log_det_jacobian(self, x, **kwargs):
        return self._pass(x, kwargs, True)[1]

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return self._pass(y, kwargs, False)[1]

    def _call_forward_and_fldj(self, x, event_ndims, kwargs):
        y, ldj = self._pass(x, kwargs, True)
        return y, reduce_log_det(ldj, x.shape, event_ndims, 1)

    def _call_inverse_and_ildj(self, y, event_ndims, kwargs):
        x, ldj = self._pass(y, kwargs, False)
        return x, reduce_log_det(ldj, y.shape, event_ndims, 1)

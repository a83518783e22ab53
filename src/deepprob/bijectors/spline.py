"""``RationalQuadraticSpline``: the monotone rational-quadratic spline of neural spline flows.

Durkan et al. (2019), with TFP's parametrization: ``K`` bins of positive widths and heights
(both summing to the same total ``2B``) starting at ``range_min``, and positive slopes at the
``K - 1`` interior knots (slope 1 at the two ends, so the map joins the identity outside
``[range_min, range_min + 2B]`` smoothly). Elementwise (``forward_min_event_ndims == 0``); the
parameters' last axis indexes the bins and their other axes broadcast against the input.

Inside MAF or RealNVP, the parameters come from a network through ``bijector_fn``:

Example:
    >>> K = 4
    >>> made = dp.bijectors.AutoregressiveNetwork(params=3 * K - 1, event_shape=[2],
    ...                                           hidden_units=[32])
    >>> def spline(y):
    ...     p = made(y)
    ...     w = torch.softmax(p[..., :K], -1) * 2 * 3.0
    ...     h = torch.softmax(p[..., K:2 * K], -1) * 2 * 3.0
    ...     s = torch.nn.functional.softplus(p[..., 2 * K:]) + 1e-3
    ...     return dp.bijectors.RationalQuadraticSpline(w, h, s, range_min=-3.0)
    >>> maf = dp.bijectors.MaskedAutoregressiveFlow(bijector_fn=spline)
"""

from __future__ import annotations

from typing import Any

import torch

from deepprob.bijectors import _params
from deepprob.bijectors.bijector import Bijector, as_tensor

__all__ = ["RationalQuadraticSpline"]


def _gather(t: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``t[..., index]`` with ``t`` broadcast to ``index``'s leading shape."""
    t = t.expand(index.shape[:-1] + t.shape[-1:])
    return torch.gather(t, -1, index).squeeze(-1)


class RationalQuadraticSpline(Bijector):
    """Monotone rational-quadratic spline (TFP's ``RationalQuadraticSpline``).

    Args:
        bin_widths: positive widths ``[..., K]`` of the bins in ``x``.
        bin_heights: positive heights ``[..., K]`` of the bins in ``y``; must sum (last axis) to
            the same total as ``bin_widths``.
        knot_slopes: positive slopes ``[..., K - 1]`` at the interior knots (or ``[..., 1]`` to
            broadcast one slope).
        range_min: left end of the spline's domain and range (default ``-1``). Outside
            ``[range_min, range_min + sum(bin_widths)]`` the map is the identity.
        validate_args: check positivity and equal sums of the parameters.
        name: default ``"rational_quadratic_spline"``.

    Example:
        >>> s = dp.bijectors.RationalQuadraticSpline([0.5, 1.5], [1.0, 1.0], [2.0])
        >>> s.forward(torch.tensor([-1.0, -0.5, 0.0, 5.0]))  # knots map to knots; identity outside
        tensor([-1.0000,  0.0000,  0.5000,  5.0000])
    """

    _param_event_ndims = {"bin_widths": 1, "bin_heights": 1, "knot_slopes": 1}

    def __init__(self, bin_widths: Any, bin_heights: Any, knot_slopes: Any,
                 range_min: Any = -1.0, validate_args: bool = False,
                 name: str = "rational_quadratic_spline"):
        super().__init__(forward_min_event_ndims=0, validate_args=validate_args, name=name)
        for arg, value in (("bin_widths", bin_widths), ("bin_heights", bin_heights),
                           ("knot_slopes", knot_slopes), ("range_min", range_min)):
            _params.register(self, arg, value)
        w, h, s = self.bin_widths_tensor, self.bin_heights_tensor, self.knot_slopes_tensor
        if w.ndim < 1 or h.ndim < 1 or s.ndim < 1:
            raise ValueError(f"Arguments `bin_widths`, `bin_heights`, `knot_slopes`: expected at "
                             f"least 1-D tensors (bins last), received shapes {list(w.shape)}, "
                             f"{list(h.shape)}, {list(s.shape)}.")
        if w.shape[-1] != h.shape[-1] or s.shape[-1] not in (1, w.shape[-1] - 1):
            raise ValueError(f"Arguments `bin_widths` / `bin_heights` / `knot_slopes`: expected "
                             f"K, K and K - 1 (or 1) entries on the last axis, received shapes "
                             f"{list(w.shape)}, {list(h.shape)}, {list(s.shape)}.")
        if validate_args:
            for arg, t in (("bin_widths", w), ("bin_heights", h), ("knot_slopes", s)):
                if not bool((t > 0).all()):
                    raise ValueError(f"Argument `{arg}`: must be positive.")
            if not torch.allclose(w.sum(-1), h.sum(-1), rtol=1e-4, atol=1e-5):
                raise ValueError("Arguments `bin_widths` and `bin_heights`: must sum to the same "
                                 "total on the last axis (the spline maps its domain onto "
                                 "itself).")

    # -- parameters -------------------------------------------------------------------------------
    @property
    def bin_widths_tensor(self) -> torch.Tensor:
        return _params.read(self, "bin_widths")

    @property
    def bin_heights_tensor(self) -> torch.Tensor:
        return _params.read(self, "bin_heights")

    @property
    def knot_slopes_tensor(self) -> torch.Tensor:
        return _params.read(self, "knot_slopes")

    def _knots(self, like: torch.Tensor):
        w = self.bin_widths_tensor.to(like.dtype)
        h = self.bin_heights_tensor.to(like.dtype)
        s = self.knot_slopes_tensor.to(like.dtype)
        lo = as_tensor(_params.read(self, "range_min"), "range_min").to(like)
        k = w.shape[-1]
        if s.shape[-1] == 1 and k > 1:
            s = s.expand(s.shape[:-1] + (k - 1,))
        lead = torch.broadcast_shapes(w.shape[:-1], h.shape[:-1], s.shape[:-1])
        w, h = w.expand(lead + (k,)), h.expand(lead + (k,))
        s = s.expand(lead + (k - 1,))
        ones = torch.ones(lead + (1,), dtype=like.dtype, device=like.device)
        xk = torch.cat([torch.zeros_like(ones), torch.cumsum(w, -1)], -1) + lo[..., None]
        yk = torch.cat([torch.zeros_like(ones), torch.cumsum(h, -1)], -1) + lo[..., None]
        d = torch.cat([ones, s, ones], -1)
        return xk, yk, d, lo

    def _bin(self, v: torch.Tensor, knots: torch.Tensor):
        """Index of the bin holding ``v`` (clamped to the valid bins) and the inside mask."""
        k = knots.shape[-1] - 1
        inner = knots[..., 1:k]
        idx = (v[..., None] >= inner).sum(-1, keepdim=True)
        inside = (v >= knots[..., 0]) & (v <= knots[..., -1])
        shape = torch.broadcast_shapes(idx.shape, knots.shape[:-1] + (1,))
        return idx.expand(shape), inside

    def _pieces(self, v: torch.Tensor, use_y: bool):
        xk, yk, d, _ = self._knots(v)
        idx, inside = self._bin(v, yk if use_y else xk)
        x0, x1 = _gather(xk, idx), _gather(xk, idx + 1)
        y0, y1 = _gather(yk, idx), _gather(yk, idx + 1)
        d0, d1 = _gather(d, idx), _gather(d, idx + 1)
        return inside, x0, x1 - x0, y0, y1 - y0, d0, d1

    def _forward_and_ldj(self, x: torch.Tensor):
        inside, x0, w, y0, h, d0, d1 = self._pieces(x, use_y=False)
        s = h / w
        xi = ((x - x0) / w).clamp(0.0, 1.0)
        t = xi * (1 - xi)
        den = s + (d1 + d0 - 2 * s) * t
        y = y0 + h * (s * xi * xi + d0 * t) / den
        dydx = s * s * (d1 * xi * xi + 2 * s * t + d0 * (1 - xi) ** 2) / (den * den)
        y = torch.where(inside, y, x)
        ldj = torch.where(inside, torch.log(dydx), torch.zeros_like(dydx))
        return y, ldj

    def _inverse_and_ldj(self, y: torch.Tensor):
        inside, x0, w, y0, h, d0, d1 = self._pieces(y, use_y=True)
        s = h / w
        dy = y - y0
        c2 = d1 + d0 - 2 * s
        a = h * (s - d0) + dy * c2
        b = h * d0 - dy * c2
        c = -s * dy
        disc = (b * b - 4 * a * c).clamp_min(0.0)
        xi = ((2 * c) / (-b - torch.sqrt(disc))).clamp(0.0, 1.0)
        x = x0 + xi * w
        t = xi * (1 - xi)
        den = s + c2 * t
        dydx = s * s * (d1 * xi * xi + 2 * s * t + d0 * (1 - xi) ** 2) / (den * den)
        x = torch.where(inside, x, y)
        ildj = torch.where(inside, -torch.log(dydx), torch.zeros_like(dydx))
        return x, ildj

    # -- bijector hooks ---------------------------------------------------------------------------
    def _forward(self, x, **kwargs):
        return self._forward_and_ldj(x)[0]

    def _inverse(self, y, **kwargs):
        return self._inverse_and_ldj(y)[0]

    def _forward_log_det_jacobian(self, x, **kwargs):
        return self._forward_and_ldj(x)[1]

    def _inverse_log_det_jacobian(self, y, **kwargs):
        return self._inverse_and_ldj(y)[1]

    def _call_forward_and_fldj(self, x, event_ndims, kwargs):
        from deepprob.bijectors.bijector import reduce_log_det

        y, ldj = self._forward_and_ldj(x)
        return y, reduce_log_det(ldj, x.shape, event_ndims, 0)

    def _call_inverse_and_ildj(self, y, event_ndims, kwargs):
        from deepprob.bijectors.bijector import reduce_log_det

        x, ldj = self._inverse_and_ldj(y)
        return x, reduce_log_det(ldj, y.shape, event_ndims, 0)

    def _is_increasing(self, **kwargs):
        return True

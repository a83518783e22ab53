"""Special functions torch lacks, written in torch: incomplete beta, and inverse incomplete beta
and gamma functions, and the Student-t cdf and quantile.

All compute in float64 internally and return the dtype of their (promoted) inputs. Gradients:
exact with respect to the argument ``x`` (or the probability ``p`` of the inverses), by central
finite differences (in float64, relative error ~1e-8) with respect to the shape parameters.

Example:
    >>> import torch
    >>> betainc(torch.tensor(2.0), torch.tensor(3.0), torch.tensor(0.4))
    tensor(0.5248)
"""

from __future__ import annotations

import torch

__all__ = ["betainc", "betaincinv", "gammainc", "gammaincinv", "student_t_cdf",
           "student_t_quantile"]

_TINY = 1e-300
_EPS = 1e-15
_MAX_ITER = 500


def _lbeta(a, b):
    return torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b)


def _betainc_cf(a, b, x):
    """Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = torch.ones_like(x)
    d = 1.0 - qab * x / qap
    d = torch.where(d.abs() < _TINY, torch.full_like(d, _TINY), d)
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_ITER + 1):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = torch.where(d.abs() < _TINY, torch.full_like(d, _TINY), d)
        c = 1.0 + aa / c
        c = torch.where(c.abs() < _TINY, torch.full_like(c, _TINY), c)
        d = 1.0 / d
        h = h * d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = torch.where(d.abs() < _TINY, torch.full_like(d, _TINY), d)
        c = 1.0 + aa / c
        c = torch.where(c.abs() < _TINY, torch.full_like(c, _TINY), c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if m % 8 == 0 and bool(torch.all((delta - 1.0).abs() < _EPS)):
            break
    return h


def _betainc64(a, b, x):
    a, b, x = torch.broadcast_tensors(a, b, x)
    inside = (x > 0) & (x < 1)
    xs = torch.where(inside, x, torch.full_like(x, 0.5))
    swap = xs > (a + 1.0) / (a + b + 2.0)
    a2, b2 = torch.where(swap, b, a), torch.where(swap, a, b)
    x2 = torch.where(swap, 1.0 - xs, xs)
    log_front = a2 * torch.log(x2) + b2 * torch.log1p(-x2) - _lbeta(a2, b2)
    value = torch.exp(log_front) * _betainc_cf(a2, b2, x2) / a2
    value = torch.where(swap, 1.0 - value, value)
    value = torch.where(x <= 0, torch.zeros_like(x), value)
    value = torch.where(x >= 1, torch.ones_like(x), value)
    return value.clamp(0.0, 1.0)


def _fd(fn, args, i, grad_out):
    """Central finite difference of ``fn`` in argument ``i`` (float64), times ``grad_out``."""
    base = args[i]
    h = 1e-6 * torch.clamp(base.abs(), min=1.0)
    lo, hi = list(args), list(args)
    lo[i], hi[i] = base - h, base + h
    return grad_out * (fn(*hi) - fn(*lo)) / (2 * h)


def _reduce_to(grad: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    while grad.ndim > len(shape):
        grad = grad.sum(0)
    for i, s in enumerate(shape):
        if s == 1 and grad.shape[i] != 1:
            grad = grad.sum(i, keepdim=True)
    return grad


class _BetaInc(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, x):
        dtype = torch.promote_types(torch.promote_types(a.dtype, b.dtype), x.dtype)
        a64, b64, x64 = a.double(), b.double(), x.double()
        ctx.save_for_backward(a64, b64, x64)
        ctx.shapes = (a.shape, b.shape, x.shape)
        ctx.dtypes = (a.dtype, b.dtype, x.dtype)
        return _betainc64(a64, b64, x64).to(dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b, x = ctx.saved_tensors
        a, b, x = torch.broadcast_tensors(a, b, x)
        g = grad.double()
        grads = [None, None, None]
        if ctx.needs_input_grad[2]:
            inside = (x > 0) & (x < 1)
            xs = torch.where(inside, x, torch.full_like(x, 0.5))
            dens = torch.exp((a - 1) * torch.log(xs) + (b - 1) * torch.log1p(-xs) - _lbeta(a, b))
            grads[2] = torch.where(inside, g * dens, torch.zeros_like(dens))
        for i in (0, 1):
            if ctx.needs_input_grad[i]:
                grads[i] = _fd(_betainc64, (a, b, x), i, g)
        return tuple(None if gr is None else _reduce_to(gr, s).to(dt)
                     for gr, s, dt in zip(grads, ctx.shapes, ctx.dtypes))


def _as_tensors(*args):
    tensors = [a if isinstance(a, torch.Tensor) else torch.tensor(a) for a in args]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    return [t.to(dtype) for t in tensors]


def betainc(a: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Regularized incomplete beta function ``I_x(a, b)`` (scipy's ``betainc``).

    Args:
        a: first shape parameter, > 0.
        b: second shape parameter, > 0.
        x: point in ``[0, 1]`` (clipped to it).

    Example:
        >>> betainc(torch.tensor(1.0), torch.tensor(1.0), torch.tensor(0.3))
        tensor(0.3000)
    """
    a, b, x = _as_tensors(a, b, x)
    return _BetaInc.apply(a, b, x)


def _betaincinv64(a, b, y):
    a, b, y = torch.broadcast_tensors(a, b, y)
    yc = y.clamp(1e-300, 1 - 1e-16)
    # Initial guess (Abramowitz & Stegun 26.5.22 for a, b >= 1; tail power laws otherwise).
    pp = torch.where(yc < 0.5, yc, 1.0 - yc)
    t = torch.sqrt(-2.0 * torch.log(pp))
    z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
    z = torch.where(yc < 0.5, -z, z)
    al = (z * z - 3.0) / 6.0
    h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
    w = z * torch.sqrt((al + h).clamp(min=0)) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) \
        * (al + 5.0 / 6.0 - 2.0 / (3.0 * h))
    guess_big = a / (a + b * torch.exp(2.0 * w))
    lna, lnb = torch.log(a / (a + b)), torch.log(b / (a + b))
    ta, tb = torch.exp(a * lna) / a, torch.exp(b * lnb) / b
    wsum = ta + tb
    guess_small = torch.where(yc < ta / wsum, (a * wsum * yc) ** (1.0 / a),
                              1.0 - (b * wsum * (1.0 - yc)) ** (1.0 / b))
    x = torch.where((a >= 1) & (b >= 1), guess_big, guess_small)
    x = torch.nan_to_num(x, nan=0.5).clamp(1e-300, 1 - 1e-16)
    lo, hi = torch.zeros_like(x), torch.ones_like(x)
    lb = _lbeta(a, b)
    for _ in range(100):
        f = _betainc64(a, b, x) - yc
        lo = torch.where(f < 0, x, lo)
        hi = torch.where(f > 0, x, hi)
        dens = torch.exp((a - 1) * torch.log(x) + (b - 1) * torch.log1p(-x) - lb)
        u = f / dens.clamp(min=1e-300)
        corr = (u * ((a - 1) / x - (b - 1) / (1 - x))).clamp(max=1.0)
        step = u / (1.0 - 0.5 * corr)
        new = x - step
        bad = ~torch.isfinite(new) | (new <= lo) | (new >= hi)
        new = torch.where(bad, 0.5 * (lo + hi), new)
        done = bool(torch.all((new - x).abs() <= 1e-15 * x.clamp(min=1e-300)))
        x = new
        if done:
            break
    x = torch.where(y <= 0, torch.zeros_like(x), x)
    return torch.where(y >= 1, torch.ones_like(x), x)


class _BetaIncInv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, y):
        dtype = torch.promote_types(torch.promote_types(a.dtype, b.dtype), y.dtype)
        a64, b64, y64 = a.double(), b.double(), y.double()
        x = _betaincinv64(a64, b64, y64)
        ctx.save_for_backward(a64, b64, x)
        ctx.shapes = (a.shape, b.shape, y.shape)
        ctx.dtypes = (a.dtype, b.dtype, y.dtype)
        return x.to(dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b, x = ctx.saved_tensors
        a, b, x = torch.broadcast_tensors(a, b, x)
        g = grad.double()
        xs = x.clamp(1e-300, 1 - 1e-16)
        dens = torch.exp((a - 1) * torch.log(xs) + (b - 1) * torch.log1p(-xs) - _lbeta(a, b))
        grads = [None, None, None]
        if ctx.needs_input_grad[2]:
            grads[2] = g / dens
        for i in (0, 1):
            if ctx.needs_input_grad[i]:  # implicit function theorem: dx/da = -dI/da / dI/dx
                grads[i] = -_fd(_betainc64, (a, b, x), i, g) / dens
        return tuple(None if gr is None else _reduce_to(gr, s).to(dt)
                     for gr, s, dt in zip(grads, ctx.shapes, ctx.dtypes))


def betaincinv(a: torch.Tensor, b: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Inverse of ``betainc`` in ``x``: the ``x`` with ``I_x(a, b) == y`` (scipy's ``betaincinv``).

    Args:
        a: first shape parameter, > 0.
        b: second shape parameter, > 0.
        y: probability in ``[0, 1]``.

    Example:
        >>> betaincinv(torch.tensor(2.0), torch.tensor(3.0), torch.tensor(0.5248))
        tensor(0.4000)
    """
    a, b, y = _as_tensors(a, b, y)
    return _BetaIncInv.apply(a, b, y)


def _gammainc64(a, x):
    return torch.special.gammainc(a, x.clamp(min=0))


class _GammaInc(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        return torch.special.gammainc(a, x.clamp(min=0))

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        a64, x64 = torch.broadcast_tensors(a.double(), x.double())
        g = grad.double()
        ga = gx = None
        if ctx.needs_input_grad[1]:
            xs = x64.clamp(min=1e-300)
            gx = torch.where(x64 > 0, g * torch.exp((a64 - 1) * torch.log(xs) - xs
                                                    - torch.lgamma(a64)), torch.zeros_like(xs))
            gx = _reduce_to(gx, x.shape).to(x.dtype)
        if ctx.needs_input_grad[0]:
            ga = _reduce_to(_fd(_gammainc64, (a64, x64), 0, g), a.shape).to(a.dtype)
        return ga, gx


def gammainc(a: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Regularized lower incomplete gamma ``P(a, x)``, differentiable in both arguments.

    ``torch.special.gammainc`` with a gradient for ``a`` (finite differences) added.

    Args:
        a: shape, > 0.
        x: point, >= 0 (negative values give 0).

    Example:
        >>> gammainc(torch.tensor(1.0), torch.tensor(1.0))
        tensor(0.6321)
    """
    a, x = _as_tensors(a, x)
    return _GammaInc.apply(a, x)


def _gammaincinv64(a, p):
    a, p = torch.broadcast_tensors(a, p)
    pc = p.clamp(1e-300, 1 - 1e-16)
    # Initial guess: Wilson-Hilferty for a > 1, small-x power law / exponential tail otherwise.
    pp = torch.where(pc < 0.5, pc, 1.0 - pc)
    t = torch.sqrt(-2.0 * torch.log(pp))
    z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
    z = torch.where(pc < 0.5, -z, z)
    big = a * (1.0 - 1.0 / (9.0 * a) - z / (3.0 * torch.sqrt(a))) ** 3
    big = big.clamp(min=1e-3)
    tt = 1.0 - a * (0.253 + a * 0.12)
    small = torch.where(pc < tt, (pc / tt) ** (1.0 / a),
                        1.0 - torch.log1p(-(pc - tt) / (1.0 - tt)))
    x = torch.where(a > 1, big, small).clamp(min=1e-300)
    x = torch.nan_to_num(x, nan=1.0)
    lo, hi = torch.zeros_like(x), torch.full_like(x, float("inf"))
    lga = torch.lgamma(a)
    for _ in range(100):
        f = torch.special.gammainc(a, x) - pc
        lo = torch.where(f < 0, x, lo)
        hi = torch.where(f > 0, x, hi)
        dens = torch.exp((a - 1) * torch.log(x) - x - lga)
        u = f / dens.clamp(min=1e-300)
        corr = (u * ((a - 1) / x - 1.0)).clamp(max=1.0)
        new = x - u / (1.0 - 0.5 * corr)
        fallback = torch.where(torch.isinf(hi), 2.0 * x, 0.5 * (lo + hi))
        bad = ~torch.isfinite(new) | (new <= lo) | (new >= hi)
        new = torch.where(bad, fallback, new)
        done = bool(torch.all((new - x).abs() <= 1e-15 * x))
        x = new
        if done:
            break
    x = torch.where(p <= 0, torch.zeros_like(x), x)
    return torch.where(p >= 1, torch.full_like(x, float("inf")), x)


class _GammaIncInv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, p):
        dtype = torch.promote_types(a.dtype, p.dtype)
        a64 = a.double()
        x = _gammaincinv64(a64, p.double())
        ctx.save_for_backward(a64, x)
        ctx.shapes, ctx.dtypes = (a.shape, p.shape), (a.dtype, p.dtype)
        return x.to(dtype)

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        a, x = torch.broadcast_tensors(a, x)
        g = grad.double()
        xs = x.clamp(min=1e-300)
        dens = torch.exp((a - 1) * torch.log(xs) - xs - torch.lgamma(a))
        ga = gp = None
        if ctx.needs_input_grad[1]:
            gp = _reduce_to(g / dens, ctx.shapes[1]).to(ctx.dtypes[1])
        if ctx.needs_input_grad[0]:
            ga = -_fd(_gammainc64, (a, x), 0, g) / dens
            ga = _reduce_to(ga, ctx.shapes[0]).to(ctx.dtypes[0])
        return ga, gp


def gammaincinv(a: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """Inverse of the regularized lower incomplete gamma in ``x``: ``P(a, x) == p``.

    Args:
        a: shape, > 0.
        p: probability in ``[0, 1]``.

    Example:
        >>> gammaincinv(torch.tensor(1.0), torch.tensor(0.6321206))
        tensor(1.0000)
    """
    a, p = _as_tensors(a, p)
    return _GammaIncInv.apply(a, p)


def student_t_cdf(df: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """cdf of the standard Student-t distribution with ``df`` degrees of freedom at ``t``.

    Args:
        df: degrees of freedom, > 0.
        t: point.

    Example:
        >>> student_t_cdf(torch.tensor(3.0), torch.tensor(0.0))
        tensor(0.5000)
    """
    df, t = _as_tensors(df, t)
    df, t = torch.broadcast_tensors(df, t)
    t2 = t * t
    near = t2 < df
    # near zero: P(|T| < |t|) = I_{t^2/(df+t^2)}(1/2, df/2); in the tails: 2 P(T > |t|) =
    # I_{df/(df+t^2)}(df/2, 1/2). Choosing the branch keeps full relative accuracy.
    half = torch.full_like(df, 0.5)
    a = torch.where(near, half, 0.5 * df)
    b = torch.where(near, 0.5 * df, half)
    x = torch.where(near, t2 / (df + t2), df / (df + t2))
    i = betainc(a, b, x)
    tail = torch.where(near, 0.5 - 0.5 * i, 0.5 * i)  # P(T > |t|)
    return torch.where(t > 0, 1.0 - tail, tail)


def student_t_quantile(df: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """Quantile (inverse cdf) of the standard Student-t distribution.

    Args:
        df: degrees of freedom, > 0.
        p: probability in ``[0, 1]``.

    Example:
        >>> student_t_quantile(torch.tensor(3.0), torch.tensor(0.975))
        tensor(3.1824)
    """
    df, p = _as_tensors(df, p)
    df, p = torch.broadcast_tensors(df, p)
    q = 2.0 * torch.minimum(p, 1.0 - p)  # two-sided tail probability
    tail = q < 0.5
    half = torch.full_like(df, 0.5)
    a = torch.where(tail, 0.5 * df, half)
    b = torch.where(tail, half, 0.5 * df)
    z = betaincinv(a, b, torch.where(tail, q, 1.0 - q))
    t2 = torch.where(tail, df * (1.0 - z) / z, df * z / (1.0 - z))
    t = torch.sqrt(t2)
    return torch.where(p < 0.5, -t, t)

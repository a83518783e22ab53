"""Generic checks run on every bijector (a registry of cases, in the style of torch's own tests).

For each case: inverse(forward(x)) == x, forward_log_det_jacobian against the log |det| of the
Jacobian computed by torch.autograd.functional.jacobian, inverse log-det == -forward log-det,
event_ndims reductions, event-shape methods, and parameter gradients against finite differences.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Callable

import pytest
import torch

import deepprob as dp

tfb = dp.bijectors
P = torch.nn.Parameter


@contextlib.contextmanager
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def tril_vec(n: int) -> Callable:
    rows, cols = torch.tril_indices(n, n)
    return lambda m: m[..., rows, cols]


def spd(shape, n):
    a = torch.randn(shape + (n, n))
    return a @ a.mT + n * torch.eye(n)


class Cubic(tfb.Bijector):
    """The course's cubic bijector, written TFP-style (attributes assigned before super())."""

    def __init__(self, a, b, validate_args=False, name="Cubic"):
        self.a = P(torch.as_tensor(a))
        self.b = torch.as_tensor(b)
        super().__init__(validate_args=validate_args, forward_min_event_ndims=0, name=name)

    def _forward(self, x):
        return torch.pow(self.a * x + self.b, 3)

    def _inverse(self, y):
        return (torch.sign(y) * torch.pow(torch.abs(y), 1 / 3) - self.b) / self.a

    def _forward_log_det_jacobian(self, x):
        return torch.log(3.0 * torch.abs(self.a)) + 2.0 * torch.log(torch.abs(self.a * x + self.b))


@dataclass
class Case:
    name: str
    make: Callable[[], tfb.Bijector]
    sample: Callable[[tuple], torch.Tensor]  # batch shape -> input x (batch + event)
    event_shape: tuple  # minimal input event shape
    pack_in: Callable | None = None  # input event -> free coordinates (default: flatten)
    unpack_in: Callable | None = None  # free coordinates -> input event
    pack_out: Callable | None = None  # output event -> free coordinates
    eval_mode: bool = False
    extra: dict = field(default_factory=dict)


def _pos(shape):
    return torch.rand(shape) * 2 + 0.2


CASES = [
    Case("identity", lambda: tfb.Identity(), lambda s: torch.randn(s), ()),
    Case("shift", lambda: tfb.Shift(P(torch.tensor([0.5, -1.0, 2.0]))),
         lambda s: torch.randn(s + (3,)), (3,)),
    Case("scale", lambda: tfb.Scale(P(torch.tensor([0.5, -1.5, 2.0]))),
         lambda s: torch.randn(s + (3,)), (3,)),
    Case("scale_log", lambda: tfb.Scale(log_scale=P(torch.tensor([0.3, -0.2]))),
         lambda s: torch.randn(s + (2,)), (2,)),
    Case("scale_matvec_diag", lambda: tfb.ScaleMatvecDiag(P(torch.tensor([0.5, -2.0, 1.5]))),
         lambda s: torch.randn(s + (3,)), (3,)),
    Case("scale_matvec_tril", lambda: tfb.ScaleMatvecTriL(
        P(torch.tensor([[1.5, 0.0, 0.0], [0.3, -0.8, 0.0], [0.2, 0.4, 2.0]]))),
        lambda s: torch.randn(s + (3,)), (3,)),
    Case("scale_matvec_tril_adjoint", lambda: tfb.ScaleMatvecTriL(
        P(torch.tensor([[1.5, 0.0], [0.3, -0.8]])), adjoint=True),
        lambda s: torch.randn(s + (2,)), (2,)),
    Case("exp", lambda: tfb.Exp(), lambda s: torch.randn(s), ()),
    Case("log", lambda: tfb.Log(), lambda s: _pos(s), ()),
    Case("softplus", lambda: tfb.Softplus(), lambda s: torch.randn(s) * 3, ()),
    Case("softplus_hinge_low", lambda: tfb.Softplus(hinge_softness=P(torch.tensor(0.7)),
                                                    low=P(torch.tensor(-1.0))),
         lambda s: torch.randn(s), ()),
    Case("sigmoid", lambda: tfb.Sigmoid(), lambda s: torch.randn(s) * 2, ()),
    Case("sigmoid_low_high", lambda: tfb.Sigmoid(low=P(torch.tensor(-2.0)),
                                                 high=P(torch.tensor(3.0))),
         lambda s: torch.randn(s), ()),
    Case("tanh", lambda: tfb.Tanh(), lambda s: torch.randn(s), ()),
    Case("square", lambda: tfb.Square(), lambda s: _pos(s), ()),
    Case("power_half", lambda: tfb.Power(P(torch.tensor(0.5))), lambda s: _pos(s), ()),
    Case("power_odd", lambda: tfb.Power(3.0), lambda s: torch.randn(s).clamp_min(-5) + 0.05, ()),
    Case("reciprocal", lambda: tfb.Reciprocal(), lambda s: _pos(s), ()),
    Case("cubic_subclass", lambda: Cubic(0.8, -0.3), lambda s: torch.randn(s), ()),
    Case("invert_softplus", lambda: tfb.Invert(tfb.Softplus()), lambda s: _pos(s), ()),
    Case("chain", lambda: tfb.Chain([tfb.Shift(P(torch.tensor(1.0))), tfb.Tanh(),
                                     tfb.Scale(P(torch.tensor(0.7))), tfb.Softplus(),
                                     tfb.Shift(P(torch.tensor(-0.5)))]),
         lambda s: torch.randn(s), ()),
    Case("chain_vector", lambda: tfb.Chain([tfb.ScaleMatvecTriL([[1.0, 0.0], [0.5, 2.0]]),
                                            tfb.Exp()]),
         lambda s: torch.randn(s + (2,)), (2,)),
    Case("permute", lambda: tfb.Permute([2, 0, 3, 1]), lambda s: torch.randn(s + (4,)), (4,)),
    Case("permute_axis", lambda: tfb.Permute([1, 2, 0], axis=-2),
         lambda s: torch.randn(s + (3, 2)), (3, 2)),
    Case("reshape", lambda: tfb.Reshape([2, -1]), lambda s: torch.randn(s + (6,)), (6,)),
    Case("fill_triangular", lambda: tfb.FillTriangular(), lambda s: torch.randn(s + (6,)), (6,),
         pack_out=tril_vec(3)),
    Case("fill_triangular_upper", lambda: tfb.FillTriangular(upper=True),
         lambda s: torch.randn(s + (3,)), (3,),
         pack_out=lambda m: m[..., torch.triu_indices(2, 2)[0], torch.triu_indices(2, 2)[1]]),
    Case("fill_scale_tril", lambda: tfb.FillScaleTriL(), lambda s: torch.randn(s + (6,)), (6,),
         pack_out=tril_vec(3)),
    Case("transform_diagonal", lambda: tfb.TransformDiagonal(tfb.Exp()),
         lambda s: torch.randn(s + (3, 3)), (3, 3)),
    Case("cholesky_outer_product", lambda: tfb.CholeskyOuterProduct(),
         lambda s: tfb.FillScaleTriL().forward(torch.randn(s + (6,))), (3, 3),
         pack_in=tril_vec(3), unpack_in=lambda v: torch.zeros(3, 3, dtype=v.dtype).index_put(
             tuple(torch.tril_indices(3, 3)), v), pack_out=tril_vec(3)),
    Case("blockwise", lambda: tfb.Blockwise([tfb.Exp(), tfb.ScaleMatvecTriL(
        P(torch.tensor([[2.0, 0.0], [0.5, 1.0]]))), tfb.Shift(P(torch.tensor(1.0)))], [1, 2, 1]),
         lambda s: torch.randn(s + (4,)), (4,)),
    Case("batch_normalization_eval", lambda: _trained_bn(), lambda s: torch.randn(s + (3,)),
         (3,), eval_mode=True),
]

def _trained_bn():
    bn = tfb.BatchNormalization(event_size=3)
    with torch.no_grad():
        bn.gamma.copy_(torch.tensor([0.5, 2.0, 1.5]))
        bn.beta.copy_(torch.tensor([0.1, -0.3, 0.2]))
        bn.moving_mean.copy_(torch.tensor([1.0, -1.0, 0.5]))
        bn.moving_variance.copy_(torch.tensor([4.0, 0.25, 1.0]))
    return bn.eval()


def _make(case):
    with float64():
        b = case.make()
        x = case.sample((2, 3)).detach()
    if case.eval_mode:
        b.eval()
    return b, x.to(torch.float64)


IDS = [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_round_trip(case):
    b, x = _make(case)
    y = b.forward(x)
    torch.testing.assert_close(b.inverse(y), x, rtol=1e-6, atol=1e-6)
    assert y.shape == x.shape[: x.ndim - len(case.event_shape)] + b.forward_event_shape(
        case.event_shape)
    assert b.inverse_event_shape(b.forward_event_shape(case.event_shape)) == case.event_shape


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_log_det_matches_autograd_jacobian(case):
    b, x = _make(case)
    k = len(case.event_shape)
    flat = x.reshape((-1,) + tuple(case.event_shape))
    pack_in = case.pack_in or (lambda e: e.reshape(-1))
    unpack_in = case.unpack_in or (lambda v: v.reshape(case.event_shape))
    pack_out = case.pack_out or (lambda e: e.reshape(-1))
    fldj = b.forward_log_det_jacobian(x, event_ndims=k)
    assert fldj.shape == x.shape[: x.ndim - k] or fldj.ndim == 0
    fldj = fldj.expand(x.shape[: x.ndim - k]).reshape(-1)
    # a constant ldj for a ldj-free bijector is fine; compare per event
    for i, event in enumerate(flat):
        v = pack_in(event)
        jac = torch.autograd.functional.jacobian(lambda v: pack_out(b.forward(unpack_in(v))), v)
        expected = torch.linalg.slogdet(jac).logabsdet
        torch.testing.assert_close(fldj[i], expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_inverse_log_det_is_minus_forward(case):
    b, x = _make(case)
    k = len(case.event_shape)
    y = b.forward(x)
    ky = b.forward_event_ndims(k)
    torch.testing.assert_close(b.inverse_log_det_jacobian(y, event_ndims=ky),
                               -b.forward_log_det_jacobian(x, event_ndims=k),
                               rtol=1e-6, atol=1e-6)
    y2, fldj = b.forward_and_log_det_jacobian(x, event_ndims=k)
    torch.testing.assert_close(y2, y)
    torch.testing.assert_close(fldj, b.forward_log_det_jacobian(x, event_ndims=k))
    x2, ildj = b.inverse_and_log_det_jacobian(y, event_ndims=ky)
    torch.testing.assert_close(x2, x, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(ildj, -fldj, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_event_ndims_reduction(case):
    b, x = _make(case)  # x: batch (2, 3) + event
    k = len(case.event_shape)
    base = b.forward_log_det_jacobian(x, event_ndims=k).expand(x.shape[: x.ndim - k])
    one_more = b.forward_log_det_jacobian(x, event_ndims=k + 1)
    torch.testing.assert_close(one_more.expand(x.shape[: x.ndim - k - 1]), base.sum(-1))
    two_more = b.forward_log_det_jacobian(x, event_ndims=k + 2)
    torch.testing.assert_close(two_more, base.sum((-1, -2)))
    y = b.forward(x)
    ky = b.forward_event_ndims(k)
    torch.testing.assert_close(b.inverse_log_det_jacobian(y, event_ndims=ky + 2),
                               -base.sum((-1, -2)), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="event_ndims"):
        b.forward_log_det_jacobian(x, event_ndims=x.ndim + 1)
    if b.forward_min_event_ndims > 0:
        with pytest.raises(ValueError, match="forward_min_event_ndims"):
            b.forward_log_det_jacobian(x, event_ndims=b.forward_min_event_ndims - 1)


@pytest.mark.parametrize("case", [c for c in CASES if c.make().trainable_variables], ids=[
    c.name for c in CASES if c.make().trainable_variables])
def test_parameter_gradients_match_finite_differences(case):
    b, x = _make(case)
    k = len(case.event_shape)
    y0 = b.forward(x).detach()
    w = torch.randn(y0.shape, dtype=torch.float64)

    def objective():
        y, ldj = b.forward_and_log_det_jacobian(x, event_ndims=k)
        return (w * y).sum() + ldj.sum() + (b.inverse(y0) ** 2).sum()

    params = list(b.trainable_variables)
    grads = torch.autograd.grad(objective(), params)
    h = 1e-6
    for p, g in zip(params, grads):
        assert torch.all(torch.isfinite(g))
        flat, gflat = p.data.view(-1), g.reshape(-1)
        for j in range(flat.numel()):
            if case.name.startswith("scale_matvec_tril") and p.ndim == 2:
                n = p.shape[-1]
                if j % n > j // n:  # upper triangle is ignored: zero gradient expected
                    assert gflat[j] == 0
                    continue
            old = flat[j].item()
            flat[j] = old + h
            up = objective().item()
            flat[j] = old - h
            down = objective().item()
            flat[j] = old
            assert math.isclose(gflat[j].item(), (up - down) / (2 * h), rel_tol=1e-4, abs_tol=1e-5)


CORE_MODULES = {"affine", "elementwise", "invert", "chain", "blockwise", "reshape", "triangular",
                "batch_normalization"}  # the flows (MAF, RealNVP, splines) have their own tests


def test_every_core_bijector_has_a_case():
    covered = {type(c.make()).__name__ for c in CASES}
    core = {n for n in tfb.__all__
            if getattr(tfb, n).__module__.rsplit(".", 1)[-1] in CORE_MODULES}
    assert len(core) == 23
    assert not core - covered

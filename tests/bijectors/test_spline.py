"""RationalQuadraticSpline: closed-form values, identity outside, inverse, log-det, in flows."""

import numpy as np
import pytest
import torch
from _flow_checks import base, check_gradients, check_log_det, check_round_trip, check_samples

import deepprob as dp

tfb = dp.bijectors


def _reference(x, w, h, s, lo):
    """Scalar NumPy transcription of Durkan et al. (2019), eq. 4 (one bin at a time)."""
    xk = lo + np.concatenate([[0.0], np.cumsum(w)])
    yk = lo + np.concatenate([[0.0], np.cumsum(h)])
    d = np.concatenate([[1.0], s, [1.0]])
    if x < xk[0] or x > xk[-1]:
        return x
    k = min(np.searchsorted(xk, x, side="right") - 1, len(w) - 1)
    xi = (x - xk[k]) / w[k]
    sk = h[k] / w[k]
    num = h[k] * (sk * xi ** 2 + d[k] * xi * (1 - xi))
    return yk[k] + num / (sk + (d[k + 1] + d[k] - 2 * sk) * xi * (1 - xi))


def _random_spline(batch=(3,), k=5, bound=3.0, seed=0, **kw):
    g = torch.Generator().manual_seed(seed)
    w = torch.softmax(torch.randn(batch + (k,), generator=g), -1) * 2 * bound
    h = torch.softmax(torch.randn(batch + (k,), generator=g), -1) * 2 * bound
    s = torch.rand(batch + (k - 1,), generator=g) * 2 + 0.1
    return tfb.RationalQuadraticSpline(w, h, s, range_min=-bound, **kw), (w, h, s)


def test_matches_reference_formula_and_is_identity_outside():
    spline, (w, h, s) = _random_spline()
    x = torch.linspace(-4, 4, 41)[:, None].expand(41, 3).contiguous()
    y = spline.forward(x)
    for j in range(3):
        ref = [_reference(float(v), w[j].numpy().astype(np.float64),
                          h[j].numpy().astype(np.float64), s[j].numpy().astype(np.float64), -3.0)
               for v in x[:, j]]
        np.testing.assert_allclose(y[:, j].numpy(), ref, rtol=1e-5, atol=1e-5)
    outside = x.abs() > 3
    assert torch.equal(y[outside], x[outside])
    assert (torch.diff(y, dim=0) > 0).all()  # monotone


def test_knots_and_identity_case():
    s = tfb.RationalQuadraticSpline([0.5, 1.5], [1.0, 1.0], [2.0])
    torch.testing.assert_close(s.forward(torch.tensor([-1.0, -0.5, 0.0, 1.0, 5.0])),
                               torch.tensor([-1.0, 0.0, 0.5, 1.0, 5.0]))  # 0.5 by hand
    same = tfb.RationalQuadraticSpline([0.2, 0.8, 1.0], [0.2, 0.8, 1.0], [1.0, 1.0])
    x = torch.linspace(-0.9, 0.9, 7)
    torch.testing.assert_close(same.forward(x), x)
    torch.testing.assert_close(same.forward_log_det_jacobian(x), torch.zeros(7))


def test_inverse_and_log_det_against_finite_differences():
    spline, _ = _random_spline(batch=(), k=6, seed=1)
    x = torch.linspace(-3.5, 3.5, 101, dtype=torch.float64)
    s64 = spline.double()
    y = s64.forward(x)
    torch.testing.assert_close(s64.inverse(y), x, atol=1e-9, rtol=1e-9)
    eps = 1e-6
    fd = (s64.forward(x + eps) - s64.forward(x - eps)) / (2 * eps)
    torch.testing.assert_close(s64.forward_log_det_jacobian(x), torch.log(fd), atol=1e-5,
                               rtol=1e-5)
    torch.testing.assert_close(s64.inverse_log_det_jacobian(y), -torch.log(fd), atol=1e-5,
                               rtol=1e-5)


def test_bad_parameters():
    with pytest.raises(ValueError, match="K, K and K - 1"):
        tfb.RationalQuadraticSpline([1.0, 1.0], [2.0], [1.0])
    with pytest.raises(ValueError, match="`bin_widths`: must be positive"):
        tfb.RationalQuadraticSpline([-1.0, 3.0], [1.0, 1.0], [1.0], validate_args=True)
    with pytest.raises(ValueError, match="same total"):
        tfb.RationalQuadraticSpline([1.0, 1.0], [1.0, 2.0], [1.0], validate_args=True)


K, BOUND = 4, 4.0


def _spline_params(p):
    w = torch.softmax(p[..., :K], -1) * 2 * BOUND
    h = torch.softmax(p[..., K:2 * K], -1) * 2 * BOUND
    s = torch.nn.functional.softplus(p[..., 2 * K:]) + 1e-3
    return tfb.RationalQuadraticSpline(w, h, s, range_min=-BOUND)


def _spline_maf(seed):
    torch.manual_seed(seed)
    made = tfb.AutoregressiveNetwork(params=3 * K - 1, event_shape=[3], hidden_units=[16],
                                     activation="tanh")
    return tfb.MaskedAutoregressiveFlow(bijector_fn=lambda y: _spline_params(made(y)))


def _spline_nvp(seed):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(),
                              torch.nn.Linear(16, 2 * (3 * K - 1)))

    def bijector_fn(x0, output_units):
        return _spline_params(net(x0).unflatten(-1, (output_units, 3 * K - 1)))
    return tfb.RealNVP(num_masked=1, bijector_fn=bijector_fn)


@pytest.mark.parametrize("make", [_spline_maf, _spline_nvp], ids=["maf", "realnvp"])
def test_spline_inside_maf_and_realnvp(make):
    b = make(0)
    assert len(list(b.parameters())) > 0  # the closure's network is registered
    x = torch.randn(6, 3) * 2
    check_round_trip(b, x)
    check_log_det(b, x[:3])
    flow = dp.distributions.TransformedDistribution(base(3), b)
    check_gradients(flow, x)
    check_samples(flow, 3)

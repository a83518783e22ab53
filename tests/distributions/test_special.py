"""Special functions against scipy.special, and their gradients against finite differences."""

from __future__ import annotations

import numpy as np
import scipy.special as sc
import scipy.stats as st
import torch

from deepprob.distributions import special as S


def _rng():
    return np.random.default_rng(0)


def test_betainc_matches_scipy():
    rng = _rng()
    a, b, x = rng.uniform(0.1, 30, 500), rng.uniform(0.1, 30, 500), rng.uniform(0, 1, 500)
    out = S.betainc(torch.tensor(a), torch.tensor(b), torch.tensor(x)).numpy()
    np.testing.assert_allclose(out, sc.betainc(a, b, x), rtol=1e-10, atol=1e-13)
    edge = S.betainc(torch.tensor(2.0), torch.tensor(3.0), torch.tensor([0.0, 1.0]))
    assert edge.tolist() == [0.0, 1.0]


def test_betaincinv_matches_scipy():
    rng = _rng()
    a, b, y = rng.uniform(0.1, 30, 300), rng.uniform(0.1, 30, 300), rng.uniform(0, 1, 300)
    out = S.betaincinv(torch.tensor(a), torch.tensor(b), torch.tensor(y)).numpy()
    np.testing.assert_allclose(out, sc.betaincinv(a, b, y), rtol=1e-9, atol=1e-13)


def test_gammaincinv_matches_scipy():
    rng = _rng()
    a, p = rng.uniform(0.05, 50, 300), rng.uniform(0, 1, 300)
    out = S.gammaincinv(torch.tensor(a), torch.tensor(p)).numpy()
    np.testing.assert_allclose(out, sc.gammaincinv(a, p), rtol=1e-9, atol=1e-13)


def test_student_t_cdf_and_quantile_match_scipy():
    rng = _rng()
    df, t = rng.uniform(0.3, 40, 400), rng.standard_normal(400) * 4
    np.testing.assert_allclose(S.student_t_cdf(torch.tensor(df), torch.tensor(t)).numpy(),
                               st.t.cdf(t, df), rtol=1e-10, atol=1e-13)
    p = rng.uniform(0.001, 0.999, 400)
    np.testing.assert_allclose(S.student_t_quantile(torch.tensor(df), torch.tensor(p)).numpy(),
                               st.t.ppf(p, df), rtol=1e-8, atol=1e-10)


def test_float32_inputs_keep_dtype():
    out = S.betainc(torch.tensor(2.0), torch.tensor(3.0), torch.tensor(0.4))
    assert out.dtype == torch.float32
    assert float(out) == np.float32(sc.betainc(2.0, 3.0, 0.4))


def test_gradients_match_finite_differences():
    a = torch.tensor([2.5, 0.7], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([3.5, 1.3], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([0.3, 0.8], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(S.betainc, (a, b, x), atol=1e-6)
    assert torch.autograd.gradcheck(S.betaincinv, (a, b, x), atol=1e-6)
    assert torch.autograd.gradcheck(S.gammainc, (a, x), atol=1e-6)
    assert torch.autograd.gradcheck(S.gammaincinv, (a, x), atol=1e-6)
    assert torch.autograd.gradcheck(S.student_t_quantile, (a, x), atol=1e-6)

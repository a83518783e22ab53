"""Property checks shared by the flow tests (round trip, log-det vs autograd, gradients,
sample shapes, state_dict save/load)."""

from __future__ import annotations

import io

import torch

import deepprob as dp


def base(d: int):
    return dp.distributions.MultivariateNormalDiag(loc=torch.zeros(d), scale_diag=torch.ones(d))


def check_round_trip(b, x, atol=1e-4, **kw):
    y = b.forward(x, **kw)
    torch.testing.assert_close(b.inverse(y, **kw), x, atol=atol, rtol=1e-4)
    torch.testing.assert_close(b.forward(b.inverse(x, **kw), **kw), x, atol=atol, rtol=1e-4)


def check_log_det(b, x, **kw):
    """``forward_log_det_jacobian`` and ``inverse_log_det_jacobian`` against autograd Jacobians
    of single events (float64)."""
    b = b.double()
    x = x.double()
    kw = {k: (v.double() if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}
    fldj = b.forward_log_det_jacobian(x, event_ndims=1, **kw)
    ildj = b.inverse_log_det_jacobian(x, event_ndims=1, **kw)
    for i in range(x.shape[0]):
        one = {k: (v[i] if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}
        jf = torch.autograd.functional.jacobian(lambda v, one=one: b.forward(v, **one), x[i])
        ji = torch.autograd.functional.jacobian(lambda v, one=one: b.inverse(v, **one), x[i])
        torch.testing.assert_close(fldj[i], torch.linalg.slogdet(jf)[1], atol=1e-8, rtol=1e-6)
        torch.testing.assert_close(ildj[i], torch.linalg.slogdet(ji)[1], atol=1e-8, rtol=1e-6)
    b.float()


def check_gradients(flow, x, **kw):
    flow.zero_grad()
    (-flow.log_prob(x, **kw).mean()).backward()
    params = [(n, p) for n, p in flow.named_parameters() if p.requires_grad]
    assert params
    for name, p in params:
        assert p.grad is not None, f"no gradient reaches {name}"
        assert torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name


def check_samples(flow, d, **kw):
    s = flow.sample((3, 4), **kw)
    assert s.shape == (3, 4, d)
    y, lp = flow.sample_and_log_prob(5, **kw)
    assert y.shape == (5, d) and lp.shape == (5,)
    torch.testing.assert_close(lp, flow.log_prob(y, **kw), atol=1e-4, rtol=1e-4)


def check_save_load(make_flow, x, **kw):
    """A fresh flow (other random init) loaded from the state_dict gives identical log_prob."""
    flow = make_flow()
    flow.log_prob(x, **kw)  # builds lazily built parts
    buf = io.BytesIO()
    torch.save(flow.state_dict(), buf)
    buf.seek(0)
    fresh = make_flow()
    assert not torch.equal(fresh.log_prob(x, **kw), flow.log_prob(x, **kw))
    fresh.load_state_dict(torch.load(buf))
    torch.testing.assert_close(fresh.log_prob(x, **kw), flow.log_prob(x, **kw), atol=0, rtol=0)

"""RealNVP couplings: TFP's masking semantics, the default template, conditioning, properties."""

import pytest
import torch
from _flow_checks import (
    base,
    check_gradients,
    check_log_det,
    check_round_trip,
    check_samples,
    check_save_load,
)

import deepprob as dp

tfb = dp.bijectors


def _affine_fn(seen):
    """A coupling function with known outputs that records the masked units it was given."""
    def fn(x0, output_units):
        seen.append((x0.clone(), output_units))
        shift = x0.sum(-1, keepdim=True).expand(x0.shape[:-1] + (output_units,))
        return shift, 0.5 * torch.ones_like(shift)
    return fn


@pytest.mark.parametrize("num_masked,fraction,masked,changed", [
    (2, None, [0, 1], [2, 3, 4]),
    (-2, None, [3, 4], [0, 1, 2]),
    (None, 0.4, [0, 1], [2, 3, 4]),
    (None, -0.6, [2, 3, 4], [0, 1]),
    (None, 0.5, [0, 1], [2, 3, 4]),  # round(2.5) = 2 (numpy rounds half to even, as TFP)
])
def test_masking_semantics_match_tfp(num_masked, fraction, masked, changed):
    seen = []
    nvp = tfb.RealNVP(num_masked=num_masked, fraction_masked=fraction,
                      shift_and_log_scale_fn=_affine_fn(seen))
    x = torch.randn(4, 5)
    y = nvp.forward(x)
    torch.testing.assert_close(y[:, masked], x[:, masked])
    torch.testing.assert_close(seen[0][0], x[:, masked])
    assert seen[0][1] == len(changed)
    expected = x[:, changed] * torch.exp(torch.tensor(0.5)) + x[:, masked].sum(-1, keepdim=True)
    torch.testing.assert_close(y[:, changed], expected)
    torch.testing.assert_close(nvp.forward_log_det_jacobian(x, event_ndims=1),
                               torch.full((4,), 0.5 * len(changed)))


def test_bad_masks():
    fn = tfb.real_nvp_default_template([4])
    with pytest.raises(ValueError, match="`num_masked`: 0 leaves no unit masked"):
        tfb.RealNVP(num_masked=0, shift_and_log_scale_fn=fn)
    for m in (3, 4, -3):
        with pytest.raises(ValueError, match=r"num_masked=.*size 3.*1 <= \|num_masked\| <= 2"):
            tfb.RealNVP(num_masked=m, shift_and_log_scale_fn=fn).forward(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"fraction_masked.*round"):
        tfb.RealNVP(fraction_masked=0.1, shift_and_log_scale_fn=fn).forward(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="fraction_masked.*\\(-1, 1\\)"):
        tfb.RealNVP(fraction_masked=1.0, shift_and_log_scale_fn=fn)
    with pytest.raises(ValueError, match="exactly one of `num_masked`"):
        tfb.RealNVP(num_masked=1, fraction_masked=0.5, shift_and_log_scale_fn=fn)
    with pytest.raises(TypeError, match="`num_masked`: expected an integer"):
        tfb.RealNVP(num_masked=1.5, shift_and_log_scale_fn=fn)
    with pytest.raises(ValueError, match="exactly one of `shift_and_log_scale_fn`"):
        tfb.RealNVP(num_masked=1)
    strict = tfb.RealNVP(num_masked=1, shift_and_log_scale_fn=fn, validate_args=True)
    with pytest.raises(ValueError, match="`y` contains NaN"):
        strict.inverse(torch.tensor([[0.0, float("nan"), 1.0]]))
    built = tfb.RealNVP(num_masked=1, shift_and_log_scale_fn=fn)
    built.forward(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="built for 1 masked and 2 transformed"):
        built.forward(torch.zeros(1, 4))


def test_default_template_matches_hand_written_mlp():
    torch.manual_seed(0)
    fn = tfb.real_nvp_default_template([8, 8], activation="tanh")
    nvp = tfb.RealNVP(num_masked=2, shift_and_log_scale_fn=fn)
    x = torch.randn(3, 5)
    y = nvp.forward(x)
    h = x[:, :2]
    for i, layer in enumerate(fn.layers):
        h = h @ layer.weight.T + layer.bias
        h = torch.tanh(h) if i < 2 else h
    shift, log_scale = h[:, :3], h[:, 3:]
    torch.testing.assert_close(y[:, 2:], x[:, 2:] * torch.exp(log_scale) + shift)
    assert all(torch.count_nonzero(layer.bias) == 0 for layer in fn.layers)
    nice = tfb.RealNVP(num_masked=1, shift_and_log_scale_fn=tfb.real_nvp_default_template(
        [4], shift_only=True))
    torch.testing.assert_close(nice.forward_log_det_jacobian(x[:, :3], 1), torch.zeros(3))
    with pytest.raises(NotImplementedError, match="conditioning"):
        nvp.forward(x, conditional_input=x)


def _nvp_chain(seed=None, couplings=4):
    if seed is not None:
        torch.manual_seed(seed)
    layers = []
    for i in range(couplings):
        layers.append(tfb.RealNVP(num_masked=1 if i % 2 == 0 else -1,
                                  shift_and_log_scale_fn=tfb.real_nvp_default_template([16])))
    return tfb.Chain(layers)


def test_realnvp_flow_properties():
    x = torch.randn(5, 3)
    b = _nvp_chain(0)
    check_round_trip(b, x)
    check_log_det(b, x[:3])
    flow = dp.distributions.TransformedDistribution(base(3), b)
    check_gradients(flow, x)
    check_samples(flow, 3)
    check_save_load(lambda: dp.distributions.TransformedDistribution(base(3), _nvp_chain()), x)


class _ConditionalCoupling(torch.nn.Module):
    def __init__(self, masked, context, units):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(masked + context, 16), torch.nn.Tanh(),
                                       torch.nn.Linear(16, 2 * units))

    def forward(self, x0, output_units, conditional_input):
        h = self.net(torch.cat([x0, conditional_input.expand(x0.shape[:-1] + (-1,))], -1))
        return h[..., :output_units], h[..., output_units:]


def test_conditional_realnvp():
    torch.manual_seed(0)
    nvp = tfb.RealNVP(num_masked=1, shift_and_log_scale_fn=_ConditionalCoupling(1, 2, 2),
                      name="nvp")
    flow = dp.distributions.TransformedDistribution(base(3), tfb.Chain([nvp]))
    x, c = torch.randn(4, 3), torch.randn(4, 2)
    kw = {"bijector_kwargs": {"nvp": {"conditional_input": c}}}
    lp = flow.log_prob(x, **kw)
    z, ildj = nvp.inverse(x, conditional_input=c), nvp.inverse_log_det_jacobian(
        x, 1, conditional_input=c)
    torch.testing.assert_close(lp, base(3).log_prob(z) + ildj)
    check_round_trip(nvp, x, conditional_input=c)
    check_log_det(nvp, x[:2], conditional_input=c[:2])
    check_gradients(flow, x, **kw)

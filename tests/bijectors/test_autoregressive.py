"""AutoregressiveNetwork (MADE) masks and options, MaskedAutoregressiveFlow and IAF."""

import numpy as np
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
from deepprob.bijectors.autoregressive import create_degrees

tfb = dp.bijectors


def _order_of(made):
    return torch.as_tensor(made.input_order)


def _dependencies(made, x, **kw):
    """Boolean [out_dim, in_dim] pattern of the network's Jacobian (summed over params)."""
    jac = torch.autograd.functional.jacobian(lambda v: made(v, **kw).sum(-1), x.double())
    return jac.abs() > 0


@pytest.mark.parametrize("order", ["left-to-right", "right-to-left", "random", [3, 1, 4, 2],
                                   [2, 0, 3, 1]])
@pytest.mark.parametrize("degrees", ["equal", "random"])
def test_made_jacobian_is_strictly_triangular_in_the_order(order, degrees):
    torch.manual_seed(1)
    made = tfb.AutoregressiveNetwork(params=3, event_shape=[4], hidden_units=[32, 32],
                                     input_order=order, hidden_degrees=degrees,
                                     activation="tanh").double()
    dep = _dependencies(made, torch.randn(4))
    deg = _order_of(made)
    allowed = deg[None, :] < deg[:, None]  # output i may see input j iff deg_j < deg_i
    assert not (dep & ~allowed).any()
    if degrees == "equal":  # every permitted dependency is realised
        assert torch.equal(dep, allowed)
    if isinstance(order, list):
        np.testing.assert_array_equal(made.input_order,
                                      np.array(order) + (1 if min(order) == 0 else 0))


def test_made_orders_and_degrees_match_tfp():
    # TFP: equal degrees are ceil(k (D-1) / (units+1)) floored at the previous layer's minimum
    degrees = create_degrees(3, [4, 5], "left-to-right", "equal")
    assert [d.tolist() for d in degrees] == [[1, 2, 3], [1, 1, 2, 2], [1, 1, 1, 2, 2]]
    assert create_degrees(3, [], "right-to-left")[0].tolist() == [3, 2, 1]
    torch.manual_seed(0)
    rnd = create_degrees(5, [64], "left-to-right", "random")[1]
    assert rnd.min() >= 1 and rnd.max() <= 4 and len(set(rnd.tolist())) == 4


def test_made_conditional_input_reaches_every_output():
    torch.manual_seed(0)
    made = tfb.AutoregressiveNetwork(params=2, event_shape=[3], hidden_units=[16],
                                     conditional=True, conditional_event_shape=[2],
                                     activation="tanh").double()
    x, c = torch.randn(3).double(), torch.randn(2).double()
    jc = torch.autograd.functional.jacobian(lambda v: made(x, conditional_input=v), c)
    assert (jc.abs().sum(-1) > 0).all()  # [3, 2 params] all depend on c
    dep = _dependencies(made, x, conditional_input=c)
    assert torch.equal(dep, torch.tril(torch.ones(3, 3, dtype=torch.bool), -1))
    first = tfb.AutoregressiveNetwork(params=1, event_shape=[1], hidden_units=[8],
                                      conditional=True, conditional_event_shape=2,
                                      conditional_input_layers="first_layer")
    assert [n for n, _ in first.named_parameters() if "conditional" in n] == \
        ["conditional_kernel_0"]
    with pytest.raises(ValueError, match="conditional_input.*needs it"):
        made(x)
    with pytest.raises(ValueError, match="conditional_input.*expected size 2"):
        made(x, conditional_input=torch.zeros(3).double())


def test_made_weights_kernel_initializer_and_shapes():
    made = tfb.AutoregressiveNetwork(params=2, event_shape=3, hidden_units=[5],
                                     kernel_initializer="ones", bias_initializer="zeros")
    kernels = [w for w in made.get_weights() if w.ndim == 2]
    assert [k.shape for k in kernels] == [(3, 5), (5, 6)]  # Keras layout (in, out)
    for k, mask in zip(kernels, made.masks):
        np.testing.assert_array_equal(k, mask.T.numpy())  # initialised, then masked (TFP)
    assert made(torch.zeros(7, 3)).shape == (7, 3, 2)
    assert made(torch.zeros(3)).shape == (3, 2)
    lazy = tfb.AutoregressiveNetwork(params=2, hidden_units=[4])
    assert lazy(torch.zeros(2, 5)).shape == (2, 5, 2) and lazy.event_size == 5
    assert made.get_config()["hidden_units"] == [5]


def test_made_matches_numpy_network_from_keras_weights_in_every_layout():
    # layers 3->5 (stored [in, out]), 5->5 (mask all ones in no layer here), 5->2, 2->6: both
    # storage layouts and the conditional kernels, checked against a NumPy pass over the Keras
    # weights and masks
    torch.manual_seed(3)
    made = tfb.AutoregressiveNetwork(params=2, event_shape=[3], hidden_units=[5, 2],
                                     conditional=True, conditional_event_shape=[4],
                                     activation="tanh", input_order="random")
    for k, w in enumerate(made.get_weights()[::3][:3]):  # kernels after masking are nonzero
        assert np.abs(w).sum() > 0, k
    layouts = [p[1] for p in made._plan]
    assert layouts == [True, False, True]  # [in, out] exactly where fan_in < fan_out
    with torch.no_grad():
        for name, p in made.named_parameters():
            if "bias" in name:
                p.normal_()
    x, c = np.random.default_rng(0).normal(size=(2, 7, 3)), np.random.default_rng(1).normal(
        size=(2, 7, 4))
    weights = made.get_weights()  # kernel, bias, conditional kernel per layer (Keras layouts)
    h = x
    for k, mask in enumerate(made.masks):
        kernel, bias, ckernel = weights[3 * k: 3 * k + 3]
        h = h @ (kernel * mask.numpy().T) + bias + c @ ckernel
        if k < 2:
            h = np.tanh(h)
    got = made(torch.as_tensor(x, dtype=torch.float32),
               conditional_input=torch.as_tensor(c, dtype=torch.float32))
    np.testing.assert_allclose(got.detach().numpy(), h.reshape(2, 7, 3, 2), rtol=1e-5,
                               atol=1e-5)
    dep = _dependencies(made.double(), torch.randn(3), conditional_input=torch.randn(4).double())
    order = _order_of(made)
    assert torch.equal(dep, order[:, None] > order[None, :])


def test_made_full_masks_skip_the_product_and_loaded_masks_are_used():
    torch.manual_seed(0)
    made = tfb.AutoregressiveNetwork(params=2, event_shape=[2], hidden_units=[8, 8])
    assert [p[2] for p in made._plan] == ["mask_0", None, "mask_2"]  # 8x8 hidden mask: all ones
    # a's hidden-to-hidden mask is all ones (skipped); b's is not: loading b's state into a
    # must bring b's mask into use
    a = tfb.AutoregressiveNetwork(params=1, event_shape=[3], hidden_units=[2, 2],
                                  hidden_degrees=[[1, 1], [1, 1]])
    b = tfb.AutoregressiveNetwork(params=1, event_shape=[3], hidden_units=[2, 2],
                                  hidden_degrees=[[1, 2], [1, 1]])
    assert a._plan[1][2] is None and b._plan[1][2] == "mask_1"
    with torch.no_grad():
        b.kernel_1.fill_(1.0)  # nonzero where the mask is zero: only the mask can remove it
    a.load_state_dict(b.state_dict())
    assert a._plan[1][2] == "mask_1"
    x = torch.randn(5, 3)
    torch.testing.assert_close(a(x), b(x))


def test_made_bad_input():
    with pytest.raises(ValueError, match=r"hidden layer 0 .*no connections"):
        tfb.AutoregressiveNetwork(params=2, event_shape=[1], hidden_units=[8])
    with pytest.raises(ValueError, match="hidden_degrees.*no units of degree < 3"):
        tfb.AutoregressiveNetwork(params=2, event_shape=[3], hidden_units=[2],
                                  hidden_degrees=[[3, 3]])
    made = tfb.AutoregressiveNetwork(params=2, event_shape=[3], hidden_units=[8])
    with pytest.raises(ValueError, match=r"expected event size 3.*\[4, 2\]"):
        made(torch.zeros(4, 2))
    with pytest.raises(ValueError, match="Did you mean 'left-to-right'"):
        tfb.AutoregressiveNetwork(params=2, event_shape=[3], input_order="left-to-rigth")
    with pytest.raises(ValueError, match="hidden_degrees.*Did you mean 'equal'"):
        tfb.AutoregressiveNetwork(params=2, event_shape=[3], hidden_degrees="equals")
    with pytest.raises(ValueError, match="permutation of 1..3"):
        tfb.AutoregressiveNetwork(params=2, event_shape=[3], input_order=[1, 1, 2])
    with pytest.raises(ValueError, match="`params`"):
        tfb.AutoregressiveNetwork(params=0, event_shape=[3])
    with pytest.raises(ValueError, match="rank-1"):
        tfb.AutoregressiveNetwork(params=2, event_shape=[2, 2])
    strict = tfb.AutoregressiveNetwork(params=2, event_shape=[2], validate_args=True)
    with pytest.raises(ValueError, match="NaN"):
        strict(torch.tensor([[0.0, float("nan")]]))


def _maf(d=3, seed=0, **made_kw):
    torch.manual_seed(seed)
    made = tfb.AutoregressiveNetwork(params=2, event_shape=[d], hidden_units=[16, 16],
                                     activation="tanh", **made_kw)
    return tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=made)


def _flow(bijector, d=3):
    return dp.distributions.TransformedDistribution(base(d), bijector)


def test_maf_matches_hand_written_affine_autoregression():
    maf = _maf()
    made = maf.shift_and_log_scale_fn
    y = torch.randn(6, 3)
    params = made(y)
    x_expected = (y - params[..., 0]) * torch.exp(-params[..., 1])
    torch.testing.assert_close(maf.inverse(y), x_expected)
    torch.testing.assert_close(maf.inverse_log_det_jacobian(y, event_ndims=1),
                               -params[..., 1].sum(-1))
    lp = _flow(maf).log_prob(y)
    torch.testing.assert_close(lp, base(3).log_prob(x_expected) - params[..., 1].sum(-1))


@pytest.mark.parametrize("kind", ["maf", "iaf", "maf_tuple_fn", "chain"])
def test_flow_properties(kind):
    def make():
        if kind == "maf":
            return _maf(seed=torch.seed() % 1000)
        if kind == "iaf":
            return tfb.Invert(_maf(seed=torch.seed() % 1000, input_order="random"))
        if kind == "maf_tuple_fn":  # a plain function returning (shift, log_scale)
            net = torch.nn.Sequential(torch.nn.Linear(3, 3))
            mask = torch.tril(torch.ones(3, 3), -1)

            def fn(y):
                m = mask.to(y.dtype)
                return torch.nn.functional.linear(y, net[0].weight * m, net[0].bias), \
                    torch.tanh(y @ m.T)
            return tfb.MaskedAutoregressiveFlow(fn)
        return tfb.Chain([_maf(seed=torch.seed() % 1000), tfb.Permute([2, 0, 1]),
                          _maf(seed=torch.seed() % 1000)])

    torch.manual_seed(3)
    x = torch.randn(5, 3)
    b = make()
    check_round_trip(b, x)
    check_log_det(b, x[:3])
    check_gradients(_flow(b), x)
    check_samples(_flow(b), 3)
    if kind != "maf_tuple_fn":
        check_save_load(lambda: _flow(make()), x)


def test_iaf_samples_in_one_pass_and_agrees_with_density():
    iaf = tfb.Invert(_maf())
    flow = _flow(iaf)
    y, lp = flow.sample_and_log_prob(7)
    torch.testing.assert_close(lp, flow.log_prob(y), atol=1e-5, rtol=1e-5)


def test_conditional_maf_in_a_chain_routes_kwargs_by_name():
    torch.manual_seed(0)

    def cmaf(name):
        made = tfb.AutoregressiveNetwork(params=2, event_shape=[2], hidden_units=[8],
                                         conditional=True, conditional_event_shape=[1])
        return tfb.MaskedAutoregressiveFlow(made, name=name)

    chain = tfb.Chain([cmaf("maf1"), tfb.Permute([1, 0]), cmaf("maf2")])
    flow = _flow(chain, 2)
    x, c = torch.randn(4, 2), torch.randn(4, 1)
    kw = {"bijector_kwargs": {"maf1": {"conditional_input": c},
                              "maf2": {"conditional_input": c}}}
    lp = flow.log_prob(x, **kw)
    m1, m2 = chain.bijectors[0], chain.bijectors[2]
    z = m2.inverse(chain.bijectors[1].inverse(m1.inverse(x, conditional_input=c)),
                   conditional_input=c)
    manual = base(2).log_prob(z) + m1.inverse_log_det_jacobian(x, 1, conditional_input=c) + \
        m2.inverse_log_det_jacobian(chain.bijectors[1].inverse(m1.inverse(
            x, conditional_input=c)), 1, conditional_input=c)
    torch.testing.assert_close(lp, manual)
    other = flow.log_prob(x, bijector_kwargs={"maf1": {"conditional_input": c + 1},
                                              "maf2": {"conditional_input": c + 1}})
    assert not torch.allclose(lp, other)
    check_round_trip(chain, x, maf1={"conditional_input": c}, maf2={"conditional_input": c})
    check_gradients(flow, x, **kw)


def test_maf_bad_input():
    with pytest.raises(ValueError, match="exactly one"):
        tfb.MaskedAutoregressiveFlow()
    with pytest.raises(ValueError, match="exactly one"):
        tfb.MaskedAutoregressiveFlow(lambda y: y, bijector_fn=lambda y: y)
    maf = tfb.MaskedAutoregressiveFlow(
        tfb.AutoregressiveNetwork(params=3, event_shape=[2]))
    with pytest.raises(ValueError, match="last axis of size 2"):
        maf.inverse(torch.zeros(2))
    strict = tfb.MaskedAutoregressiveFlow(
        tfb.AutoregressiveNetwork(params=2, event_shape=[2]), validate_args=True)
    with pytest.raises(ValueError, match="`y` contains NaN"):
        strict.inverse(torch.tensor([1.0, float("nan")]))
    maf2 = tfb.MaskedAutoregressiveFlow(tfb.AutoregressiveNetwork(params=2, event_shape=[2]))
    with pytest.raises(ValueError, match=r"expected event size 2.*\[5, 3\]"):
        maf2.inverse(torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"\[5, 3\] does not broadcast.*event_shape \[2\]"):
        _flow(maf2, 2).log_prob(torch.zeros(5, 3))

"""Flow plots: density values on the grid, sample panels, per-step panels match the bijectors."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from scipy import stats  # noqa: E402

import deepprob as dp  # noqa: E402
from deepprob import plot_flows  # noqa: E402

tfb, tfd = dp.bijectors, dp.distributions


def _flow():
    torch.manual_seed(0)
    made = tfb.AutoregressiveNetwork(params=2, event_shape=[2], hidden_units=[8], name="m")
    return tfd.TransformedDistribution(
        tfd.MultivariateNormalDiag(loc=[0.0, 0.0]),
        tfb.Chain([tfb.Shift([1.0, -1.0]), tfb.Permute([1, 0]),
                   tfb.MaskedAutoregressiveFlow(made)]))


def test_density_grid_matches_scipy_and_saves_png(tmp_path):
    dist = tfd.MultivariateNormalDiag(loc=[0.5, -0.5], scale_diag=[1.0, 2.0])
    xs, ys, p = plot_flows.density_grid(dist, (-2, 3), (-4, 3), resolution=30)
    gx, gy = np.meshgrid(xs, ys)
    ref = stats.norm(0.5, 1.0).pdf(gx) * stats.norm(-0.5, 2.0).pdf(gy)
    np.testing.assert_allclose(p, ref, rtol=1e-4, atol=1e-7)
    fig = plot_flows.density(dist, (-2, 3), (-4, 3), resolution=30, path=tmp_path / "d.png")
    image = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(np.asarray(image), ref, rtol=1e-4, atol=1e-7)
    assert (tmp_path / "d.png").stat().st_size > 1000


def test_samples_and_flow_steps(tmp_path):
    flow = _flow()
    data = np.random.default_rng(0).normal(size=(50, 2)).astype("float32")
    fig = plot_flows.samples(flow, data, n=200, path=tmp_path / "s.png")
    offsets = [c.get_offsets() for c in fig.axes[0].collections]
    assert [len(o) for o in offsets] == [50, 200]
    np.testing.assert_allclose(offsets[0], data)
    z = torch.randn(100, 2)
    fig = plot_flows.flow_steps(flow.bijector, z, path=tmp_path / "f.png")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["start", "masked_autoregressive_flow", "permute", "shift"]
    final = fig.axes[-1].collections[0].get_offsets()
    np.testing.assert_allclose(final, flow.bijector.forward(z).detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    back = plot_flows.flow_steps(flow.bijector, flow.bijector.forward(z), direction="inverse")
    np.testing.assert_allclose(back.axes[-1].collections[0].get_offsets(), z.numpy(), atol=1e-4)
    assert (tmp_path / "f.png").exists() and (tmp_path / "s.png").exists()


def test_bad_input():
    with pytest.raises(ValueError, match=r"`x`: expected points of shape \[n, 2\]"):
        plot_flows.flow_steps(_flow().bijector, torch.zeros(5, 3))
    with pytest.raises(ValueError, match="Did you mean 'inverse'"):
        plot_flows.flow_steps(_flow().bijector, torch.zeros(5, 2), direction="invers")
    with pytest.raises(ValueError, match="`dist`: log_prob of"):
        plot_flows.density(tfd.Normal(0.0, 1.0))

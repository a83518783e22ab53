"""The courses' Bayesian CNN (Convolution2DReparameterization + DenseVariational +
OneHotCategorical) trained with ``fit`` on 8,000 real MNIST digits: held-out accuracy >= 0.93.

The course's model as written: mean-field conv kernel and bias (TFP's defaults), a
``DenseVariational`` whose posterior is ``VariableLayer(IndependentNormal.params_size(n))`` then
``IndependentNormal(n)`` (initial scale ``softplus(0) = 0.69`` on every weight) under a fixed
``MultivariateNormalDiag(0, I)`` prior, KL weighted by ``1 / number of training examples``.
With that initial scale the logit noise dominates for the first few hundred steps (a
hand-written torch model of the same shape plateaus at NLL ~2.4 for ~400 steps too), so the
model needs ~1,500 steps: 12 epochs of 125 batches. (One intra-op thread: conftest.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepprob as dp
from deepprob.layers import probabilistic as tfpl

tfd = dp.distributions


def _digits(shared_data):
    from deepprob.datasets._idx import read_idx

    path = shared_data / "mnist"
    images = path / "t10k-images-idx3-ubyte.gz"
    labels = path / "t10k-labels-idx1-ubyte.gz"
    if not (images.is_file() and labels.is_file()):
        pytest.skip(f"MNIST test digits not found in {path}")
    x = (read_idx(images).astype("float32") / 255.0)[..., None]
    y = read_idx(labels).astype("int64")
    n = 8000
    return (x[:n], np.eye(10, dtype="float32")[y[:n]]), (x[n:], y[n:])


def _prior(kernel_size, bias_size, dtype=None):
    n = kernel_size + bias_size
    return dp.Sequential([tfpl.DistributionLambda(
        lambda t: tfd.MultivariateNormalDiag(loc=torch.zeros(n), scale_diag=torch.ones(n)))])


def _posterior(kernel_size, bias_size, dtype=None):
    n = kernel_size + bias_size
    return dp.Sequential([
        tfpl.VariableLayer(tfpl.IndependentNormal.params_size(n), dtype=dtype),
        tfpl.IndependentNormal(n),
    ])


def test_learning_bayesian_cnn_on_real_mnist(shared_data):  # learning test (~10 s)
    (x_train, y_train), (x_test, y_test) = _digits(shared_data)
    n = len(x_train)

    def divergence(q, p, _):
        return tfd.kl_divergence(q, p) / n

    model = dp.Sequential([
        tfpl.Convolution2DReparameterization(
            input_shape=(28, 28, 1), filters=8, kernel_size=(5, 5), activation="relu",
            padding="VALID", kernel_prior_fn=tfpl.default_multivariate_normal_fn,
            kernel_posterior_fn=tfpl.default_mean_field_normal_fn(is_singular=False),
            kernel_divergence_fn=divergence,
            bias_prior_fn=tfpl.default_multivariate_normal_fn,
            bias_posterior_fn=tfpl.default_mean_field_normal_fn(is_singular=False),
            bias_divergence_fn=divergence),
        dp.layers.MaxPooling2D(pool_size=(6, 6)),
        dp.layers.Flatten(),
        tfpl.DenseVariational(units=tfpl.OneHotCategorical.params_size(10),
                              make_posterior_fn=_posterior, make_prior_fn=_prior,
                              kl_weight=1 / n),
        tfpl.OneHotCategorical(10, convert_to_tensor_fn=tfd.Distribution.mode),
    ])
    model.compile(loss=lambda y, rv: -rv.log_prob(y), optimizer=dp.optimizers.Adam(0.005),
                  metrics=["accuracy"])
    hist = model.fit(x_train, y_train, epochs=12, batch_size=64, verbose=0)
    h = hist.history
    assert {"loss", "nll", "kl", "accuracy"} <= set(h)
    # the logged parts add up to the objective, and the data term fell from ~log(10)
    np.testing.assert_allclose(np.add(h["nll"], h["kl"]), h["loss"], rtol=1e-4)
    assert h["nll"][-1] < 0.6 < 2.0 < h["nll"][0]
    # the KL logged is the layers' closed-form KL / n at the final weights (up to the last
    # epoch's drift): conv kernel + bias (mean-field vs N(0, 1)) and the dense posterior
    conv, dense = model.layers[0], model.layers[3]
    x0 = torch.as_tensor(x_train[:1])
    with torch.no_grad():
        kl_conv = sum(float(tfd.kl_divergence(q, p)) for q, p in (
            (conv.kernel_posterior, conv.kernel_prior), (conv.bias_posterior, conv.bias_prior)))
    q = dense._posterior(x0)
    loc, scale = q.mean().detach().double(), q.stddev().detach().double()
    kl_dense = float((0.5 * (scale**2 + loc**2 - 1) - torch.log(scale)).sum())
    assert h["kl"][-1] == pytest.approx((kl_conv + kl_dense) / n, rel=0.1)

    pred = dp.uncertainty.predictive(model, x_test, samples=10)
    accuracy = float((pred.probs.argmax(-1) == y_test).mean())
    assert accuracy >= 0.93, accuracy
    ece = dp.uncertainty.expected_calibration_error(y_test, pred.probs)
    assert ece < 0.1, ece

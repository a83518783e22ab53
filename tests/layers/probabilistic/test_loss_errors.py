"""Bad input on distribution outputs: a loss that returns the distribution itself."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import deepprob as dp

tfpl = dp.layers


def _model():
    return dp.Sequential([
        dp.layers.Dense(tfpl.IndependentNormal.params_size(1), input_shape=(3,)),
        tfpl.IndependentNormal(1, name="head"),
    ])


def test_loss_returning_a_distribution_names_the_output_and_the_fix():
    model = _model()
    model.compile(loss=lambda y, rv: rv, optimizer="adam")
    x, y = np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32")
    with pytest.raises(TypeError) as info:
        model.fit(x, y, verbose=0)
    message = str(info.value)
    assert "'head'" in message
    assert "distribution (Independent)" in message
    assert "lambda y, rv: -rv.log_prob(y)" in message
    with pytest.raises(TypeError, match="'head'"):
        model.evaluate(x, y, verbose=0)


def test_loss_object_returning_a_non_tensor_is_rejected():
    class Broken(dp.losses.Loss):
        def __call__(self, y_true, y_pred, sample_weight=None):
            return y_pred

    model = _model()
    model.compile(loss=Broken(name="broken"), optimizer="adam")
    with pytest.raises(TypeError, match="The loss 'broken' for output 'head' returned a "
                                        "distribution"):
        model.fit(np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0)


def test_the_suggested_loss_trains_to_the_closed_form_nll():
    torch.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(256, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 3.0).astype("float32")
    model = _model()
    model.compile(loss=lambda y, rv: -rv.log_prob(y), optimizer=dp.optimizers.Adam(0.05))
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=40, batch_size=64, verbose=0)
    dist = model(torch.as_tensor(x))
    mu, sd = dist.mean().detach().numpy(), dist.stddev().detach().numpy()
    expected = np.mean(0.5 * np.log(2 * np.pi) + np.log(sd) + 0.5 * ((y - mu) / sd) ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(float(expected), rel=1e-4, abs=1e-4)
    assert expected < before - 1.0  # it learned

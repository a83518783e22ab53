"""Distribution methods called on symbolic tensors build models that own the distribution."""

import numpy as np
import torch

import deepprob as dp


def test_log_prob_on_input_builds_a_trainable_model_the_course_way():
    loc = torch.nn.Parameter(torch.zeros(2))
    dist = dp.distributions.MultivariateNormalDiag(loc=loc, scale_diag=[1.0, 1.0])
    x_ = dp.Input(shape=(2,))
    log_prob_ = dist.log_prob(x_)
    assert log_prob_.shape == (None,)
    model = dp.Model(x_, log_prob_)
    assert any(p is loc for p in model.parameters())
    data = np.random.default_rng(0).normal([3.0, -1.0], 1.0, size=(2000, 2)).astype("float32")
    expected = dist.log_prob(torch.from_numpy(data[:5])).detach().numpy()
    np.testing.assert_allclose(model.predict(data[:5], verbose=0), expected, rtol=1e-5)
    model.compile(optimizer=dp.optimizers.Adam(0.05), loss=lambda _, log_prob: -log_prob)
    model.fit(x=data, y=np.zeros((len(data), 0)), epochs=20, batch_size=64, verbose=0)
    np.testing.assert_allclose(loc.detach().numpy(), data.mean(0), atol=0.1)

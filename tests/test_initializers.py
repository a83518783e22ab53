"""Initializers: Keras fans, empirical moments vs formulas, truncation, orthogonality, seeds."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

import deepprob as dp
from deepprob import initializers as I


def test_compute_fans_keras_layouts():
    assert I.compute_fans(()) == (1, 1)
    assert I.compute_fans((7,)) == (7, 7)
    assert I.compute_fans((784, 128)) == (784, 128)  # Dense kernel (in, out)
    assert I.compute_fans((3, 3, 16, 32)) == (144, 288)  # Conv2D kernel (kh, kw, in, out)
    assert I.compute_fans((5, 8, 4)) == (40, 20)  # Conv1D kernel (k, in, out)


# (name, shape, expected variance, distribution) with Keras's fan rules
VARIANCE_CASES = [
    ("glorot_uniform", (300, 200), 2 / 500, "uniform"),
    ("glorot_normal", (300, 200), 2 / 500, "truncated"),
    ("he_normal", (3, 3, 20, 40), 2 / 180, "truncated"),
    ("he_uniform", (3, 3, 20, 40), 2 / 180, "uniform"),
    ("lecun_normal", (400, 100), 1 / 400, "truncated"),
    ("lecun_uniform", (400, 100), 1 / 400, "uniform"),
]


@pytest.mark.parametrize("name,shape,variance,kind", VARIANCE_CASES,
                         ids=[c[0] for c in VARIANCE_CASES])
def test_variance_scaling_presets(name, shape, variance, kind):
    torch.manual_seed(0)
    w = dp.initializers.get(name)(shape)
    assert w.shape == shape and w.dtype == torch.float32
    x = w.double().flatten().numpy()
    n = x.size
    # sample variance within ~5 standard errors of the formula
    assert abs(x.var() - variance) < 5 * variance * math.sqrt(2 / n) * 1.5
    assert abs(x.mean()) < 5 * math.sqrt(variance / n)
    if kind == "uniform":
        limit = math.sqrt(3 * variance)
        assert x.min() >= -limit and x.max() <= limit
        assert x.max() > 0.99 * limit  # fills the interval
        assert stats.kstest(x, stats.uniform(-limit, 2 * limit).cdf).pvalue > 1e-3
    else:
        std = math.sqrt(variance) / 0.87962566103423978
        assert np.abs(x).max() <= 2 * std + 1e-7
        dist = stats.truncnorm(-2, 2, scale=std)
        assert stats.kstest(x, dist.cdf).pvalue > 1e-3


def test_random_normal_uniform_truncated_defaults():
    torch.manual_seed(1)
    x = dp.initializers.get("random_normal")((200, 300)).double().numpy()
    assert abs(x.std() - 0.05) < 0.002 and abs(x.mean()) < 0.001
    x = dp.initializers.get("random_uniform")((200, 300)).double().numpy()
    assert x.min() >= -0.05 and x.max() <= 0.05
    assert abs(x.var() - 0.1**2 / 12) < 1e-5
    t = I.TruncatedNormal(mean=1.0, stddev=0.5)((100000,)).double().numpy()
    assert t.min() >= 0.0 and t.max() <= 2.0
    assert stats.kstest(t, stats.truncnorm(-2, 2, loc=1.0, scale=0.5).cdf).pvalue > 1e-3
    assert I.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert I.RandomUniform().get_config()["minval"] == -0.05
    x = I.VarianceScaling(3.0, "fan_out", "untruncated_normal")((50, 400)).double().numpy()
    assert abs(x.var() - 3 / 400) < 5 * (3 / 400) * math.sqrt(2 / x.size) * 1.5


def test_constants_identity_orthogonal():
    assert torch.equal(dp.initializers.get("zeros")((2, 3)), torch.zeros(2, 3))
    assert torch.equal(dp.initializers.get("ones")((2,)), torch.ones(2))
    assert torch.equal(I.constant(0.3)((2,), dtype=torch.float64),
                       torch.full((2,), 0.3, dtype=torch.float64))
    assert torch.equal(I.Identity(gain=3.0)((3, 2)), 3.0 * torch.eye(3, 2))
    for shape in [(6, 6), (10, 4), (4, 10), (3, 3, 4, 8)]:
        q = I.Orthogonal(gain=2.0)(shape).double()
        flat = q.reshape(-1, shape[-1])
        if flat.shape[0] >= flat.shape[1]:
            gram = flat.T @ flat  # orthonormal columns
        else:
            gram = flat @ flat.T  # orthonormal rows
        torch.testing.assert_close(gram, 4.0 * torch.eye(gram.shape[0], dtype=torch.float64),
                                   atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="2 dimensions"):
        I.Orthogonal()((5,))
    with pytest.raises(ValueError, match="2-D"):
        I.Identity()((2, 2, 2))


def test_seeds_and_global_rng():
    a, b = I.GlorotUniform(seed=3), I.GlorotUniform(seed=3)
    assert torch.equal(a((5, 5)), b((5, 5)))
    assert torch.equal(a((5, 5)), a((5, 5)))  # an int seed repeats (as Keras)
    assert not torch.equal(a((5, 5)), I.GlorotUniform(seed=4)((5, 5)))
    unseeded = I.HeNormal()
    torch.manual_seed(11)
    first = unseeded((4, 4))
    second = unseeded((4, 4))
    assert not torch.equal(first, second)  # fresh draws from the global RNG
    torch.manual_seed(11)
    assert torch.equal(unseeded((4, 4)), first)
    assert torch.equal(I.Orthogonal(seed=2)((4, 3)), I.Orthogonal(seed=2)((4, 3)))


def test_get_serialize_and_errors():
    assert isinstance(dp.initializers.get("GlorotUniform"), I.GlorotUniform)
    assert isinstance(dp.initializers.get("HE_NORMAL"), I.HeNormal)
    assert isinstance(dp.initializers.get("normal"), I.RandomNormal)
    assert isinstance(dp.initializers.get(I.Ones), I.Ones)
    inst = I.Constant(2.0)
    assert dp.initializers.get(inst) is inst
    assert dp.initializers.get(None) is None

    def custom(shape, dtype=None):
        return torch.full(shape, 7.0)

    assert dp.initializers.get(custom) is custom
    for init in (I.VarianceScaling(2.0, "fan_avg", "uniform", seed=5), I.Constant(1.5),
                 I.HeUniform(seed=1), I.Orthogonal(0.5)):
        again = dp.initializers.deserialize(dp.initializers.serialize(init))
        assert type(again) is type(init) and again.get_config() == init.get_config()
    v = I.VarianceScaling(distribution="normal")
    assert v.distribution == "truncated_normal"
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        dp.initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="mode"):
        I.VarianceScaling(mode="fan_mean")
    with pytest.raises(ValueError, match="scale"):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="shape"):
        I.GlorotUniform()((3, -1))
    with pytest.raises(TypeError, match="seed"):
        I.GlorotUniform(seed="a")
    with pytest.raises(TypeError, match="initializer"):
        dp.initializers.get(3)

"""Shapes against TFP's documented shape semantics: sample(S).shape == S + batch + event,
log_prob sums the event dims, statistics have shape batch + event, entropy has shape batch."""

from __future__ import annotations

import pytest
import torch

import deepprob as dp

tfd = dp.distributions
z = torch.zeros
o = torch.ones

# (id, builder, batch_shape, event_shape)
TABLE = [
    ("normal-scalar", lambda: tfd.Normal(0.0, 1.0), [], []),
    ("normal-batch", lambda: tfd.Normal(z(3), 1.0), [3], []),
    ("normal-broadcast", lambda: tfd.Normal(z(2, 1), o(3)), [2, 3], []),
    ("mvn-diag", lambda: tfd.MultivariateNormalDiag(z(2, 3), o(3)), [2], [3]),
    ("mvn-diag-scale-only", lambda: tfd.MultivariateNormalDiag(scale_diag=o(4)), [], [4]),
    ("mvn-tril", lambda: tfd.MultivariateNormalTriL(z(5, 2), torch.eye(2)), [5], [2]),
    ("mvn-full", lambda: tfd.MultivariateNormalFullCovariance(z(2), torch.eye(2).expand(
        4, 2, 2)), [4], [2]),
    ("independent-default", lambda: tfd.Independent(tfd.Normal(z(2, 3, 4), 1.0)), [2], [3, 4]),
    ("independent-1", lambda: tfd.Independent(tfd.Normal(z(2, 3, 4), 1.0), 1), [2, 3], [4]),
    ("independent-0", lambda: tfd.Independent(tfd.Normal(z(2, 3), 1.0), 0), [2, 3], []),
    ("independent-of-mvn", lambda: tfd.Independent(tfd.MultivariateNormalDiag(z(2, 3), o(3)),
                                                    1), [], [2, 3]),
    ("bernoulli", lambda: tfd.Bernoulli(probs=0.5 * o(2, 2)), [2, 2], []),
    ("categorical", lambda: tfd.Categorical(logits=z(2, 5)), [2], []),
    ("onehot", lambda: tfd.OneHotCategorical(logits=z(2, 5)), [2], [5]),
    ("dirichlet", lambda: tfd.Dirichlet(o(2, 3)), [2], [3]),
    ("multinomial", lambda: tfd.Multinomial(torch.tensor([3.0, 5.0]), probs=o(2, 4) / 4), [2],
     [4]),
    ("sample", lambda: tfd.Sample(tfd.Normal(z(2), 1.0), [3, 4]), [2], [3, 4]),
    ("sample-of-mvn", lambda: tfd.Sample(tfd.MultivariateNormalDiag(z(2, 3), o(3)), 4), [2],
     [4, 3]),
    ("batch-reshape", lambda: tfd.BatchReshape(tfd.Normal(z(6), 1.0), [2, -1]), [2, 3], []),
    ("batch-reshape-mvn", lambda: tfd.BatchReshape(tfd.MultivariateNormalDiag(z(6, 2), o(2)),
                                                   [3, 2]), [3, 2], [2]),
    ("mixture-same-family", lambda: tfd.MixtureSameFamily(
        tfd.Categorical(logits=z(2, 3)), tfd.Normal(z(2, 3), 1.0)), [2], []),
    ("mixture-same-family-mvn", lambda: tfd.MixtureSameFamily(
        tfd.Categorical(logits=z(3)), tfd.MultivariateNormalDiag(z(4, 3, 2), o(2))), [4], [2]),
    ("mixture", lambda: tfd.Mixture(tfd.Categorical(probs=[0.5, 0.5]), [
        tfd.Normal(z(2), 1.0), tfd.Laplace(z(2), 1.0)]), [2], []),
    ("deterministic", lambda: tfd.Deterministic(z(3)), [3], []),
    ("gamma-broadcast", lambda: tfd.Gamma(o(3, 1), o(4)), [3, 4], []),
]


@pytest.mark.parametrize("row", TABLE, ids=[r[0] for r in TABLE])
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_shape_table(row, sample_shape):
    _, build, batch, event = row
    d = build()
    assert d.batch_shape == torch.Size(batch)
    assert d.event_shape == torch.Size(event)
    assert isinstance(d.batch_shape, torch.Size) and isinstance(d.event_shape, torch.Size)
    x = d.sample(sample_shape)
    assert x.shape == torch.Size(sample_shape) + d.batch_shape + d.event_shape
    lp = d.log_prob(x)
    assert lp.shape == torch.Size(sample_shape) + d.batch_shape
    assert torch.isfinite(lp).all()
    assert d.mean().shape == d.batch_shape + d.event_shape


def test_log_prob_sums_event_dims_of_independent():
    base = tfd.Normal(torch.arange(6.0).reshape(2, 3), 2.0)
    ind = tfd.Independent(base, 1)
    x = torch.randn(4, 2, 3)
    torch.testing.assert_close(ind.log_prob(x), base.log_prob(x).sum(-1))
    torch.testing.assert_close(ind.entropy(), base.entropy().sum(-1))


def test_value_broadcasts_against_batch():
    d = tfd.Normal(z(3), 1.0)
    assert d.log_prob(0.0).shape == (3,)
    assert d.log_prob(z(4, 1)).shape == (4, 3)


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"\[3\].*\[2\]"):
        tfd.Normal(z(3), o(2))
    with pytest.raises(ValueError, match=r"shape \[4\].*batch_shape \[3\]"):
        tfd.Normal(z(3), 1.0).log_prob(z(4))
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        tfd.Independent(tfd.Normal(z(3), 1.0), reinterpreted_batch_ndims=2)
    with pytest.raises(ValueError, match="event sizes differ"):
        tfd.MultivariateNormalTriL(z(3), torch.eye(2))
    with pytest.raises(ValueError, match="elements"):
        tfd.BatchReshape(tfd.Normal(z(6), 1.0), [4, 2])
    with pytest.raises(ValueError, match="number of components"):
        tfd.MixtureSameFamily(tfd.Categorical(logits=z(2)), tfd.Normal(z(3), 1.0))
    with pytest.raises(ValueError, match=r"event_shape \[2\]"):
        tfd.MultivariateNormalDiag(z(2), o(2)).log_prob(z(3))

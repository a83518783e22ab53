"""Registry of example distributions for the generic tests (in the style of torch's own
distribution tests): one entry per distribution, several random parameter sets each, with the
scipy.stats reference.

Each :class:`Example` holds:
- ``make(**params)``: builds the deepprob distribution from float64 tensors;
- ``params(rng)``: a list of parameter dicts (NumPy arrays, batch shape ``(4,)`` or scalars);
- ``scipy(**params)``: the frozen scipy distribution (scalar events), or ``None``;
- ``outside``: values outside the support (for the ``-inf`` check), or ``None`` (support = R);
- ``has``: statistics the distribution implements and scipy defines for these parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.stats as st
import torch

import deepprob as dp

tfd = dp.distributions


def t64(x):
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


@dataclass
class Example:
    name: str
    make: callable
    params: callable
    scipy: callable
    discrete: bool = False
    outside: list | None = None
    has: tuple = ("mean", "variance", "entropy", "cdf", "quantile")
    reparameterized: bool = True
    heavy_tailed: bool = False
    extra: dict = field(default_factory=dict)


def _u(rng, lo, hi, n=4):
    return rng.uniform(lo, hi, size=n)


SCALAR_EXAMPLES = [
    Example(
        "Normal",
        lambda loc, scale: tfd.Normal(t64(loc), t64(scale)),
        lambda rng: [dict(loc=rng.normal(size=4), scale=_u(rng, 0.3, 3)),
                     dict(loc=2.5, scale=0.5)],
        lambda loc, scale: st.norm(loc, scale),
    ),
    Example(
        "Exponential",
        lambda rate: tfd.Exponential(t64(rate)),
        lambda rng: [dict(rate=_u(rng, 0.2, 4)), dict(rate=1.0)],
        lambda rate: st.expon(scale=1 / np.asarray(rate)),
        outside=[-1.0, -0.01],
    ),
    Example(
        "Gamma",
        lambda concentration, rate: tfd.Gamma(t64(concentration), t64(rate)),
        lambda rng: [dict(concentration=_u(rng, 0.5, 8), rate=_u(rng, 0.3, 3)),
                     dict(concentration=3.0, rate=2.0)],
        lambda concentration, rate: st.gamma(concentration, scale=1 / np.asarray(rate)),
        outside=[-1.0],
    ),
    Example(
        "Chi2",
        lambda df: tfd.Chi2(t64(df)),
        lambda rng: [dict(df=_u(rng, 1.0, 10)), dict(df=3.0)],
        lambda df: st.chi2(df),
        outside=[-2.0],
    ),
    Example(
        "Beta",
        lambda concentration1, concentration0: tfd.Beta(t64(concentration1),
                                                        t64(concentration0)),
        lambda rng: [dict(concentration1=_u(rng, 0.5, 6), concentration0=_u(rng, 0.5, 6)),
                     dict(concentration1=2.0, concentration0=5.0)],
        lambda concentration1, concentration0: st.beta(concentration1, concentration0),
        outside=[-0.5, 1.5],
    ),
    Example(
        "Uniform",
        lambda low, high: tfd.Uniform(t64(low), t64(high)),
        lambda rng: [dict(low=rng.normal(size=4), high=3.0 + _u(rng, 0.1, 2)),
                     dict(low=-1.0, high=2.0)],
        lambda low, high: st.uniform(low, np.asarray(high) - np.asarray(low)),
        outside=[-10.0, 10.0],
    ),
    Example(
        "StudentT",
        lambda df, loc, scale: tfd.StudentT(t64(df), t64(loc), t64(scale)),
        lambda rng: [dict(df=_u(rng, 5, 20), loc=rng.normal(size=4), scale=_u(rng, 0.5, 2)),
                     dict(df=np.array([0.8, 1.5, 3.0, 30.0]), loc=0.0, scale=1.0)],
        lambda df, loc, scale: st.t(df, loc, scale),
        heavy_tailed=True,
    ),
    Example(
        "Laplace",
        lambda loc, scale: tfd.Laplace(t64(loc), t64(scale)),
        lambda rng: [dict(loc=rng.normal(size=4), scale=_u(rng, 0.3, 3)),
                     dict(loc=1.0, scale=2.0)],
        lambda loc, scale: st.laplace(loc, scale),
    ),
    Example(
        "Logistic",
        lambda loc, scale: tfd.Logistic(t64(loc), t64(scale)),
        lambda rng: [dict(loc=rng.normal(size=4), scale=_u(rng, 0.3, 3)),
                     dict(loc=-1.0, scale=0.5)],
        lambda loc, scale: st.logistic(loc, scale),
    ),
    Example(
        "LogNormal",
        lambda loc, scale: tfd.LogNormal(t64(loc), t64(scale)),
        lambda rng: [dict(loc=rng.normal(size=4) * 0.5, scale=_u(rng, 0.1, 0.6)),
                     dict(loc=0.0, scale=0.3)],
        lambda loc, scale: st.lognorm(s=scale, scale=np.exp(loc)),
        outside=[-1.0, 0.0],
    ),
    Example(
        "HalfNormal",
        lambda scale: tfd.HalfNormal(t64(scale)),
        lambda rng: [dict(scale=_u(rng, 0.3, 3)), dict(scale=1.0)],
        lambda scale: st.halfnorm(scale=scale),
        outside=[-0.5],
    ),
    Example(
        "HalfCauchy",
        lambda loc, scale: tfd.HalfCauchy(t64(loc), t64(scale)),
        lambda rng: [dict(loc=rng.normal(size=4), scale=_u(rng, 0.3, 3)),
                     dict(loc=0.0, scale=1.0)],
        lambda loc, scale: st.halfcauchy(loc, scale),
        outside=[-20.0],
        heavy_tailed=True,
    ),
    Example(
        "Cauchy",
        lambda loc, scale: tfd.Cauchy(t64(loc), t64(scale)),
        lambda rng: [dict(loc=rng.normal(size=4), scale=_u(rng, 0.3, 3)),
                     dict(loc=0.0, scale=1.0)],
        lambda loc, scale: st.cauchy(loc, scale),
        heavy_tailed=True,
    ),
    Example(
        "Gumbel",
        lambda loc, scale: tfd.Gumbel(t64(loc), t64(scale)),
        lambda rng: [dict(loc=rng.normal(size=4), scale=_u(rng, 0.3, 3)),
                     dict(loc=0.5, scale=2.0)],
        lambda loc, scale: st.gumbel_r(loc, scale),
    ),
    Example(
        "Bernoulli",
        lambda probs: tfd.Bernoulli(probs=t64(probs)),
        lambda rng: [dict(probs=_u(rng, 0.05, 0.95)), dict(probs=0.3)],
        lambda probs: st.bernoulli(probs),
        # no `outside`: as TFP and torch, log_prob is the cross-entropy at any value
        # (test_distribution.py::test_bernoulli_log_prob_is_cross_entropy_at_any_value)
        discrete=True, has=("mean", "variance", "entropy", "cdf"),
        reparameterized=False,
    ),
    Example(
        "BernoulliLogits",
        lambda logits: tfd.Bernoulli(logits=t64(logits)),
        lambda rng: [dict(logits=rng.normal(size=4) * 2)],
        lambda logits: st.bernoulli(1 / (1 + np.exp(-np.asarray(logits)))),
        discrete=True, has=("mean", "variance", "entropy", "cdf"),
        reparameterized=False,
    ),
    Example(
        "Binomial",
        lambda total_count, probs: tfd.Binomial(t64(total_count), probs=t64(probs)),
        lambda rng: [dict(total_count=np.array([1.0, 5.0, 10.0, 30.0]),
                          probs=_u(rng, 0.05, 0.95)),
                     dict(total_count=7.0, probs=0.4)],
        lambda total_count, probs: st.binom(np.asarray(total_count).astype(int), probs),
        discrete=True, outside=[-1.0, 100.0, 1.5], has=("mean", "variance", "entropy", "cdf"),
        reparameterized=False,
    ),
    Example(
        "Poisson",
        lambda rate: tfd.Poisson(t64(rate)),
        lambda rng: [dict(rate=_u(rng, 0.5, 20)), dict(rate=3.0)],
        lambda rate: st.poisson(rate),
        discrete=True, outside=[-1.0, 2.5], has=("mean", "variance", "cdf"),
        reparameterized=False,
    ),
    Example(
        "NegativeBinomial",
        lambda total_count, probs: tfd.NegativeBinomial(t64(total_count), probs=t64(probs)),
        lambda rng: [dict(total_count=_u(rng, 0.5, 10), probs=_u(rng, 0.1, 0.8)),
                     dict(total_count=4.0, probs=0.3)],
        # TFP counts successes (prob `probs`) before `total_count` failures; scipy counts
        # failures before n successes, so scipy's success probability is 1 - probs.
        lambda total_count, probs: st.nbinom(total_count, 1 - np.asarray(probs)),
        discrete=True, outside=[-2.0, 0.5], has=("mean", "variance", "cdf"),
        reparameterized=False,
    ),
    Example(
        "Geometric",
        lambda probs: tfd.Geometric(probs=t64(probs)),
        lambda rng: [dict(probs=_u(rng, 0.1, 0.9)), dict(probs=0.25)],
        lambda probs: st.geom(probs, loc=-1),  # TFP counts failures: support starts at 0
        discrete=True, outside=[-1.0, 1.5], has=("mean", "variance", "entropy", "cdf"),
        reparameterized=False,
    ),
]

BY_NAME = {e.name: e for e in SCALAR_EXAMPLES}


def cases():
    """(example, param-set index, params) for every example, deterministic."""
    out = []
    for i, ex in enumerate(SCALAR_EXAMPLES):
        rng = np.random.default_rng(1000 + i)
        for j, p in enumerate(ex.params(rng)):
            out.append((ex, j, p))
    return out


def case_id(case):
    return f"{case[0].name}-{case[1]}"


def values_for(ex: Example, params: dict, rng, n: int = 6):
    """Points where to compare densities: scipy draws, shape ``(n, 4)`` (or ``(n,)``)."""
    ref = ex.scipy(**params)
    shape = np.broadcast(*[np.asarray(v) for v in params.values()]).shape
    return ref.rvs(size=(n,) + shape, random_state=rng).astype(np.float64)

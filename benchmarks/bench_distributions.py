"""Benchmark: deepprob distributions against raw ``torch.distributions`` (goal: <= 1.15x).

``log_prob`` and ``sample`` of Normal, MultivariateNormalTriL and Independent(Normal) with a
batch of 10^6 distributions. Raw torch objects are built once outside the timed loop (its best
case); deepprob builds nothing up front (it reads its parameters at each call). Timings
interleave both sides and report the median of several repeats.

Run: ``python benchmarks/bench_distributions.py [--batch 1000000] [--repeats 15]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import deepprob as dp

tfd = dp.distributions
td = torch.distributions


def _time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _pair(fn_dp, fn_torch, repeats: int) -> tuple[float, float]:
    # interleave to share the machine's noise between both sides
    a, b = [], []
    for _ in range(3):
        a.append(_time(fn_dp, repeats))
        b.append(_time(fn_torch, repeats))
    return min(a), min(b)


def cases(n: int):
    g = torch.Generator().manual_seed(0)
    loc = torch.randn(n, generator=g)
    scale = torch.rand(n, generator=g) + 0.5
    x = torch.randn(n, generator=g)
    k = 3
    mloc = torch.randn(n, k, generator=g)
    tril = torch.tensor([[1.0, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.2, 0.1, 1.2]])
    mx = torch.randn(n, k, generator=g)
    iloc = torch.randn(n // 4, 4, generator=g)
    iscale = torch.rand(n // 4, 4, generator=g) + 0.5
    ix = torch.randn(n // 4, 4, generator=g)

    normal, raw_normal = tfd.Normal(loc, scale), td.Normal(loc, scale, validate_args=False)
    mvn = tfd.MultivariateNormalTriL(mloc, tril)
    raw_mvn = td.MultivariateNormal(mloc, scale_tril=tril, validate_args=False)
    ind = tfd.Independent(tfd.Normal(iloc, iscale), 1)
    raw_ind = td.Independent(td.Normal(iloc, iscale, validate_args=False), 1,
                             validate_args=False)
    return [
        ("Normal.log_prob", lambda: normal.log_prob(x), lambda: raw_normal.log_prob(x)),
        ("Normal.sample", lambda: normal.sample(), lambda: raw_normal.rsample()),
        ("MVNTriL.log_prob", lambda: mvn.log_prob(mx), lambda: raw_mvn.log_prob(mx)),
        ("MVNTriL.sample", lambda: mvn.sample(), lambda: raw_mvn.rsample()),
        ("Independent(Normal).log_prob", lambda: ind.log_prob(ix), lambda: raw_ind.log_prob(ix)),
        ("Independent(Normal).sample", lambda: ind.sample(), lambda: raw_ind.rsample()),
    ]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10**6)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}, threads={torch.get_num_threads()}, batch={args.batch}")
    print(f"{'case':32s} {'deepprob ms':>12s} {'torch ms':>10s} {'ratio':>7s}")
    ratios = {}
    with torch.no_grad():
        for name, fn_dp, fn_torch in cases(args.batch):
            a, b = _pair(fn_dp, fn_torch, args.repeats)
            ratios[name] = a / b
            print(f"{name:32s} {a * 1e3:12.2f} {b * 1e3:10.2f} {a / b:7.3f}")
    worst = max(ratios.values())
    print(f"worst ratio {worst:.3f} (goal <= 1.15)")
    return ratios


if __name__ == "__main__":
    main()

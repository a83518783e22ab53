"""Benchmark: a 5-bijector Chain's forward + log-det-Jacobian against hand-written torch.

The chain is ``y = softplus(a * tanh(x + b1)) + b2`` written as
``Chain([Shift(b2), Softplus(), Scale(a), Tanh(), Shift(b1)])`` with trainable parameters, on a
batch of 10^6 vector events (``x`` of shape [10^6, 4], ``event_ndims=1``). Three ways are timed in
one run, interleaved in a shuffled order so machine load affects them alike; the ratio uses
the best (minimum) time of the repeats, the least disturbed by other processes on a shared
machine (medians printed too). The chain's cache of the last pass is cleared before each timed
call, so every call computes from scratch (``forward`` then ``forward_log_det_jacobian`` still
share intermediates within the call, as TFP's cache makes them):

- hand-written torch computing ``y`` and the log-det in one pass (the reference);
- ``chain.forward_and_log_det_jacobian(x, 1)`` (one pass through the chain);
- ``chain.forward(x)`` then ``chain.forward_log_det_jacobian(x, 1)`` (TFP-style separate calls).

Each is timed for inference (``torch.no_grad``) and for training (forward + ``backward``).

Run: ``python benchmarks/bench_bijectors.py [--batch 1000000] [--repeats 15] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time

import torch
import torch.nn.functional as F

import deepprob as dp

tfb = dp.bijectors


def make(device):
    b1 = torch.nn.Parameter(torch.tensor([0.1, -0.2, 0.3, 0.0], device=device))
    a = torch.nn.Parameter(torch.tensor([1.5, 0.7, -1.2, 2.0], device=device))
    b2 = torch.nn.Parameter(torch.tensor([0.5, 0.5, -0.5, 1.0], device=device))
    chain = tfb.Chain([tfb.Shift(b2), tfb.Softplus(), tfb.Scale(a), tfb.Tanh(), tfb.Shift(b1)])
    return chain, (b1, a, b2)


def hand_written(x, b1, a, b2):
    h = x + b1
    t = torch.tanh(h)
    u = a * t
    y = F.softplus(u) + b2
    # elementwise terms summed once; the constant log|a| added after the reduction
    ldj = (2.0 * (math.log(2.0) - h - F.softplus(-2.0 * h)) + F.logsigmoid(u)).sum(-1)
    return y, ldj + torch.log(torch.abs(a)).sum()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (1 is steadier on a shared machine)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)
    chain, (b1, a, b2) = make(device)
    x = torch.randn(args.batch, 4, device=device)

    ways = {
        "hand-written torch": lambda: hand_written(x, b1, a, b2),
        "Chain.forward_and_log_det_jacobian": lambda: chain.forward_and_log_det_jacobian(x, 1),
        "Chain.forward + forward_log_det_jacobian": lambda: (
            chain.forward(x), chain.forward_log_det_jacobian(x, 1)),
    }
    y_ref, ldj_ref = hand_written(x, b1, a, b2)
    y, ldj = chain.forward_and_log_det_jacobian(x, 1)
    torch.testing.assert_close(y, y_ref)
    torch.testing.assert_close(ldj, ldj_ref, rtol=1e-5, atol=1e-4)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def run(fn, train):
        if train:
            y, ldj = fn()
            (y.sum() + ldj.sum()).backward()
            for p in (b1, a, b2):
                p.grad = None
        else:
            with torch.no_grad():
                fn()

    print(f"device={device} batch={args.batch} x{x.shape[-1]} threads={torch.get_num_threads()}")
    rng = random.Random(0)
    for train in (False, True):
        times = {k: [] for k in ways}
        for fn in ways.values():  # warm-up
            run(fn, train)
        order = list(ways.items())
        for _ in range(args.repeats):
            rng.shuffle(order)  # no method always runs first (allocator warm-up, load bursts)
            for name, fn in order:
                chain.clear_cache()
                sync()
                t0 = time.perf_counter()
                run(fn, train)
                sync()
                times[name].append(time.perf_counter() - t0)
        ref = min(times["hand-written torch"])
        mode = "training (forward + backward)" if train else "inference (no_grad)"
        print(f"\n{mode}: best / median of {args.repeats}")
        for name, ts in times.items():
            best, med = min(ts), statistics.median(ts)
            print(f"  {name:42s} {best * 1e3:8.2f} ms / {med * 1e3:8.2f} ms   "
                  f"ratio {best / ref:5.2f}x")


if __name__ == "__main__":
    main()

"""Window pipeline benchmark: the courses' tf.data chain, one epoch, three series lengths.

    from_tensor_slices(series).window(n + 1, shift=1, drop_remainder=True)
        .flat_map(lambda w: w.batch(n + 1)).shuffle(1000).map(lambda w: (w[:-1], w[-1]))
        .batch(32).prefetch(1)

with n = 20, over the 1,461-point synthetic series, the 3,235-point sunspots series and a
146,100-point series (``--large`` adds 1,022,700 points). Compared in one run:

* deepprob (vectorized: strided views, buffer-order index stream, vmapped map, batched gathers),
* deepprob forced onto its per-element path (a generator source),
* a plain-Python per-element implementation of the same semantics,
* TensorFlow's tf.data, only if ``import tensorflow`` works here (it is not installed for you).

Peak memory above the series itself is measured in a fresh subprocess per size. Times are the
best of several epochs: on a shared machine, other processes inflate single runs.

Run: ``python benchmarks/bench_windows.py [--large] [--threads 2]``
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

import numpy as np

WINDOW, BUFFER, BATCH = 20, 1000, 32


def series_of(length: int) -> np.ndarray:
    if length == 1461:
        import deepprob as dp

        return dp.timeseries.synthetic_series()[1]
    if length == 3235:
        import deepprob as dp

        return dp.datasets.sunspots.load_data()[1].astype(np.float32)
    rng = np.random.default_rng(0)
    return (np.sin(np.arange(length) / 50.0) * 10 + rng.normal(size=length)).astype(np.float32)


def deepprob_chain(series, per_element: bool = False):
    import deepprob as dp

    if per_element:
        ds = dp.data.Dataset.from_generator(lambda: iter(series))
    else:
        ds = dp.data.Dataset.from_tensor_slices(series)
    ds = ds.window(WINDOW + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(WINDOW + 1))
    ds = ds.shuffle(BUFFER).map(lambda w: (w[:-1], w[-1]))
    return ds.batch(BATCH).prefetch(1)


def plain_python(series):
    """The same semantics, one element at a time in Python (what tf.data does per element)."""
    values = series.tolist()
    size = WINDOW + 1

    def windows():
        for start in range(len(values) - size + 1):
            yield values[start:start + size]

    def shuffled(items):
        rng = random.Random(0)
        buf = []
        for item in items:
            if len(buf) < BUFFER:
                buf.append(item)
                continue
            i = rng.randrange(len(buf))
            out, buf[i] = buf[i], item
            yield out
        while buf:
            i = rng.randrange(len(buf))
            buf[i], buf[-1] = buf[-1], buf[i]
            yield buf.pop()

    def batches(items):
        xs, ys = [], []
        for w in items:
            xs.append(w[:-1])
            ys.append(w[-1])
            if len(xs) == BATCH:
                yield np.array(xs, np.float32), np.array(ys, np.float32)
                xs, ys = [], []
        if xs:
            yield np.array(xs, np.float32), np.array(ys, np.float32)

    return batches(shuffled(windows()))


def tf_chain(series):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(WINDOW + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(WINDOW + 1))
    ds = ds.shuffle(BUFFER).map(lambda w: (w[:-1], w[-1]))
    return ds.batch(BATCH).prefetch(1)


def epoch_seconds(make, series) -> tuple[float, int]:
    start = time.perf_counter()
    count = 0
    for _ in make(series):
        count += 1
    return time.perf_counter() - start, count


def best_of(make, series, repeats: int) -> tuple[float, int]:
    results = [epoch_seconds(make, series) for _ in range(repeats)]
    return min(r[0] for r in results), results[0][1]


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def child_memory(length: int) -> None:
    """Print the peak resident memory (MiB) one deepprob epoch adds above the series itself,
    sampled every 16 batches."""
    import torch  # noqa: F401 - loaded before measuring

    series = series_of(length)
    for _ in deepprob_chain(series[:2000]):  # warm imports and caches
        pass
    before = _rss_mib()
    peak = before
    for i, _ in enumerate(deepprob_chain(series)):
        if i % 16 == 0:
            peak = max(peak, _rss_mib())
    print(json.dumps({"growth_mib": peak - before}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="add the 1,022,700-point series")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child-memory", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    if args.child_memory is not None:
        child_memory(args.child_memory)
        return
    try:
        import tensorflow  # noqa: F401

        have_tf = True
    except ImportError:
        have_tf = False
    sizes = [1461, 3235, 146100] + ([1022700] if args.large else [])
    # warm-up: imports and first vmap tracing are not part of the measurement
    for _ in deepprob_chain(series_of(1461)):
        pass
    print(f"window={WINDOW} shuffle_buffer={BUFFER} batch={BATCH} threads={args.threads} "
          f"tensorflow={'yes' if have_tf else 'not installed'}")
    header = (f"{'points':>9} {'batches':>8} {'deepprob s':>11} {'per-elem s':>11} "
              f"{'python s':>9} {'tf s':>8} {'x python':>9} {'x per-elem':>10} {'x tf':>7} "
              f"{'peak MiB':>9}")
    print(header)
    for n in sizes:
        series = series_of(n)
        fast, batches = best_of(deepprob_chain, series, 7)
        slow_py, b2 = best_of(plain_python, series, 3) if n <= 200_000 else (float("nan"), 0)
        per_elem, b3 = (epoch_seconds(lambda s: deepprob_chain(s, per_element=True), series)
                        if n <= 200_000 else (float("nan"), 0))
        assert b2 in (0, batches) and b3 in (0, batches)
        tf_s = epoch_seconds(tf_chain, series)[0] if have_tf else float("nan")
        mem = subprocess.run([sys.executable, __file__, "--child-memory", str(n), "--threads",
                              str(args.threads)], capture_output=True, text=True, check=True)
        growth = json.loads(mem.stdout.strip().splitlines()[-1])["growth_mib"]
        print(f"{n:>9} {batches:>8} {fast:>11.4f} {per_elem:>11.3f} {slow_py:>9.3f} "
              f"{tf_s:>8.3f} {slow_py / fast:>9.1f} {per_elem / fast:>10.1f} "
              f"{tf_s / fast:>7.1f} {growth:>9.2f}")
    print("tf.data reference measured on 2 cores (issue 8): 0.44 s for 1,461 points, 14.5 s for "
          "146,100, 104 s for 1,022,700 (about 310 batches/s); the goal is >= 50x at every size.")


if __name__ == "__main__":
    main()

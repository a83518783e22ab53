"""deepprob ``fit()`` against the tightest hand-written PyTorch loop, in one run.

Three workloads from the issue (synthetic data of the real shapes):
  mlp   Flatten -> Dense(128, relu) -> Dense(10, softmax) on 60,000 inputs of 28x28, 1 epoch, batch 32
  cnn   Conv2D(64,3) -> MaxPool(2) -> Conv2D(64,3) -> MaxPool(2) -> Flatten -> Dense(128) -> Dense(10),
        300 steps of batch 32
  text  Embedding(10000, 16) -> GlobalAveragePooling1D -> Dense(24, relu) -> Dense(1, sigmoid) on
        25,000 sequences of length 120, 1 epoch, batch 32

The hand-written loop uses the same initial weights (copied from the deepprob model), the same
optimizer (torch's fused Adam with Keras's epsilon 1e-7), tensors indexed by a random permutation and no
DataLoader. Each (framework, workload) pair runs in its own subprocess so peak memory (max RSS) is
measured separately; each is repeated and the best time kept. Prints steps/s and the ratios.

Usage: python benchmarks/bench_fit.py [mlp cnn text] [--repeats N] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

WORKLOADS = {"mlp": (60_000, None), "cnn": (300 * 32, 300), "text": (25_000, None)}


def build_deepprob(kind: str):
    import deepprob as dp

    L = dp.layers
    if kind == "mlp":
        return dp.Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(128, activation="relu"),
                              L.Dense(10, activation="softmax")])
    if kind == "cnn":
        return dp.Sequential([
            L.Conv2D(64, (3, 3), activation="relu", input_shape=(28, 28, 1)), L.MaxPooling2D(2, 2),
            L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D(2, 2), L.Flatten(),
            L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")])
    return dp.Sequential([L.Embedding(10_000, 16, input_shape=(120,)), L.GlobalAveragePooling1D(),
                          L.Dense(24, activation="relu"), L.Dense(1, activation="sigmoid")])


def make_data(kind: str, n: int):
    import torch

    g = torch.Generator().manual_seed(0)
    if kind == "mlp":
        return torch.rand(n, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)
    if kind == "cnn":
        return torch.rand(n, 28, 28, 1, generator=g), torch.randint(0, 10, (n,), generator=g)
    return (torch.randint(0, 10_000, (n, 120), generator=g),
            torch.randint(0, 2, (n, 1), generator=g).float())


def torch_model(kind: str, dp_model):
    """The same network in plain torch (NCHW), initialised from the deepprob model's weights."""
    import numpy as np
    import torch
    from torch import nn

    w = [torch.from_numpy(np.ascontiguousarray(a)) for a in dp_model.get_weights()]
    if kind == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        linears = [net[1], net[3]]
        convs = []
    elif kind == "cnn":
        net = nn.Sequential(nn.Conv2d(1, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 64, 3),
                            nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128),
                            nn.ReLU(), nn.Linear(128, 10))
        convs, linears = [net[0], net[3]], [net[7], net[9]]
    else:
        class Text(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(10_000, 16)
                self.fc1, self.fc2 = nn.Linear(16, 24), nn.Linear(24, 1)

            def forward(self, x):
                return self.fc2(torch.relu(self.fc1(self.emb(x).mean(1))))

        net = Text()
        with torch.no_grad():
            net.emb.weight.copy_(w[0])
        w = w[1:]
        convs, linears = [], [net.fc1, net.fc2]
    with torch.no_grad():
        for conv in convs:
            conv.weight.copy_(w.pop(0).permute(3, 2, 0, 1))
            conv.bias.copy_(w.pop(0))
        for i, lin in enumerate(linears):
            kernel = w.pop(0)
            if kind == "cnn" and i == 0:
                # deepprob flattens (H, W, C); torch flattens (C, H, W): reorder the rows.
                kernel = kernel.reshape(5, 5, 64, 128).permute(2, 0, 1, 3).reshape(1600, 128)
            lin.weight.copy_(kernel.T)
            lin.bias.copy_(w.pop(0))
    return net


def run_torch(kind: str, n: int, steps: int | None):
    import torch
    import torch.nn.functional as F

    import deepprob as dp

    dp.utils.set_random_seed(0)
    net = torch_model(kind, build_deepprob(kind))
    x, y = make_data(kind, n)
    if kind == "cnn":
        x = x.permute(0, 3, 1, 2).contiguous()
    # The tightest loop: torch's fused Adam kernel (deepprob's Adam uses it too).
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, fused=True)
    loss_fn = F.binary_cross_entropy_with_logits if kind == "text" else F.cross_entropy
    net.train()
    start = time.perf_counter()
    perm = torch.randperm(n)
    count = 0
    for i in range(0, n, 32):
        idx = perm[i:i + 32]
        loss = loss_fn(net(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        count += 1
        if steps is not None and count >= steps:
            break
    float(loss.detach())
    return time.perf_counter() - start, count


def run_deepprob(kind: str, n: int, steps: int | None):
    import deepprob as dp

    dp.utils.set_random_seed(0)
    model = build_deepprob(kind)
    loss = "binary_crossentropy" if kind == "text" else "sparse_categorical_crossentropy"
    model.compile(optimizer=dp.optimizers.Adam(), loss=loss)
    x, y = make_data(kind, n)
    start = time.perf_counter()
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, steps_per_epoch=steps)
    return time.perf_counter() - start, steps or -(-n // 32)


def child(framework: str, kind: str, threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    n, steps = WORKLOADS[kind]
    run = run_deepprob if framework == "deepprob" else run_torch
    run(kind, min(n, 32 * 20), 20)  # warm-up (allocator, kernels)
    seconds, count = run(kind, n, steps)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "steps": count, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kinds", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.threads)
        return
    print(f"{'workload':8s} {'torch steps/s':>14s} {'deepprob steps/s':>17s} {'time ratio':>11s} "
          f"{'peak MB torch':>14s} {'peak MB dp':>11s} {'mem ratio':>10s}")
    for kind in args.kinds:
        best = {}
        for _ in range(args.repeats):
            for framework in ("torch", "deepprob"):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", framework, kind,
                     "--threads", str(args.threads)], capture_output=True, text=True, check=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                prev = best.get(framework)
                if prev is None or r["seconds"] < prev["seconds"]:
                    best[framework] = {**r, "peak_mb": min(r["peak_mb"], (prev or r)["peak_mb"])}
        t, d = best["torch"], best["deepprob"]
        print(f"{kind:8s} {t['steps'] / t['seconds']:14.1f} {d['steps'] / d['seconds']:17.1f} "
              f"{d['seconds'] / t['seconds']:10.3f}x {t['peak_mb']:14.0f} {d['peak_mb']:11.0f} "
              f"{d['peak_mb'] / t['peak_mb']:9.3f}x", flush=True)


if __name__ == "__main__":
    main()

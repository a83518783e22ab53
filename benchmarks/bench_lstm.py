"""deepprob ``fit()`` with a bidirectional LSTM against the tightest hand-written PyTorch loop.

Workload (issue 9): Embedding(10000, 64) -> Bidirectional(LSTM(64)) -> Dense(64, relu) ->
Dense(1, sigmoid) on sequences of 120 token ids, batch 32, 200 steps (one epoch of 6,400
sequences), Adam, binary cross-entropy.

The hand-written loop is ``nn.Embedding`` + ``nn.LSTM(bidirectional=True)`` + two ``nn.Linear``
with the same initial weights (copied from the deepprob model), torch's fused Adam (Keras's epsilon
1e-7), ``binary_cross_entropy_with_logits``, batches indexed from a random permutation. Both
run in this process in ``--repeats`` rounds (the order alternating between rounds, so load from
other processes hits both alike); the best time of each and the median of the per-round ratios
are printed.

Usage: python benchmarks/bench_lstm.py [--repeats N] [--threads N] [--steps N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn


def build_deepprob():
    import deepprob as dp
    from deepprob.layers.recurrent import LSTM
    from deepprob.layers.wrappers import Bidirectional

    L = dp.layers
    model = dp.Sequential([L.Embedding(10_000, 64, input_shape=(120,)),
                           Bidirectional(LSTM(64)),
                           L.Dense(64, activation="relu"), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=dp.optimizers.Adam(), loss="binary_crossentropy")
    return model


class TorchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10_000, 64)
        self.lstm = nn.LSTM(64, 64, batch_first=True, bidirectional=True)
        self.fc1 = nn.Linear(128, 64)
        self.fc2 = nn.Linear(64, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(self.emb(x))
        h = torch.cat([h[0], h[1]], -1)
        return self.fc2(torch.relu(self.fc1(h)))


def torch_from(model) -> TorchNet:
    """The same network in torch, initialised from the deepprob model's (Keras-layout) weights."""
    (emb, k_f, r_f, b_f, k_b, r_b, b_b, w1, b1, w2, b2) = model.get_weights()
    net = TorchNet()
    with torch.no_grad():
        net.emb.weight.copy_(torch.from_numpy(emb))
        for suffix, (k, r, b) in (("", (k_f, r_f, b_f)), ("_reverse", (k_b, r_b, b_b))):
            getattr(net.lstm, "weight_ih_l0" + suffix).copy_(torch.from_numpy(k.T))
            getattr(net.lstm, "weight_hh_l0" + suffix).copy_(torch.from_numpy(r.T))
            getattr(net.lstm, "bias_ih_l0" + suffix).copy_(torch.from_numpy(b))
            getattr(net.lstm, "bias_hh_l0" + suffix).zero_()
        net.fc1.weight.copy_(torch.from_numpy(w1.T))
        net.fc1.bias.copy_(torch.from_numpy(b1))
        net.fc2.weight.copy_(torch.from_numpy(w2.T))
        net.fc2.bias.copy_(torch.from_numpy(b2))
    return net


def run_torch(net, x, y, batch: int) -> float:
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, fused=True)
    n = x.shape[0]
    start = time.perf_counter()
    perm = torch.randperm(n)
    for i in range(0, n, batch):
        idx = perm[i:i + batch]
        loss = nn.functional.binary_cross_entropy_with_logits(net(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def run_deepprob(model, x, y, batch: int) -> float:
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, shuffle=True, verbose=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    batch = 32
    n = args.steps * batch
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 10_000, (n, 120), generator=g)
    y = torch.randint(0, 2, (n, 1), generator=g).float()

    torch.manual_seed(0)
    model = build_deepprob()
    net = torch_from(model)
    # Warm up both (first-call allocations, lazy imports).
    small = 4 * batch
    run_torch(net, x[:small], y[:small], batch)
    run_deepprob(model, x[:small].numpy(), y[:small].numpy(), batch)
    times = {"torch": [], "deepprob": []}
    x_np, y_np = x.numpy(), y.numpy()
    for r in range(args.repeats):
        order = ("torch", "deepprob") if r % 2 == 0 else ("deepprob", "torch")
        for which in order:
            if which == "torch":
                times["torch"].append(run_torch(net, x, y, batch))
            else:
                times["deepprob"].append(run_deepprob(model, x_np, y_np, batch))
    best = {k: min(v) for k, v in times.items()}
    ratios = sorted(d / t for d, t in zip(times["deepprob"], times["torch"]))
    for k in ("torch", "deepprob"):
        print(f"{k:9s} best {best[k]:.2f} s  ({args.steps / best[k]:.1f} steps/s)  "
              f"runs {[round(t, 2) for t in times[k]]}")
    print(f"ratio deepprob / torch: best-to-best {best['deepprob'] / best['torch']:.3f}x, "
          f"median per round {ratios[len(ratios) // 2]:.3f}x "
          f"(goal <= 1.10x; {args.threads} threads)")
    assert np.isfinite(best["deepprob"])


if __name__ == "__main__":
    main()

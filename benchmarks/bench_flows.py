"""Normalizing flows: training speed and held-out NLL on two-moons, deepprob vs zuko.

Two-moons (noise 0.1, 10,000 training / 2,000 held-out points), batch 256, 500 Adam steps
(lr 1e-3, torch's fused Adam for every contender so that only the flows differ):

* MAF: deepprob ``Chain([MAF(MADE [64, 64]), Permute, MAF(MADE [64, 64])])`` vs
  ``zuko.flows.MAF(2, transforms=2, hidden_features=(64, 64))``;
* the same two-MAF flow written by hand in plain torch (masked ``F.linear``, the floor of what
  torch itself costs for this math), eager and compiled;
* coupling: deepprob ``RealNVP`` x 4 (``real_nvp_default_template([64, 64])``, alternating masks)
  vs zuko's coupling flow (``zuko.flows.MAF(..., transforms=4, passes=2)``);
* deepprob's flows with the loss ``-log_prob(x).mean()`` under ``torch.compile`` (inductor with
  ``cpp_wrapper=True``; the compile time is printed; ``--no-compile`` skips these rows);
* deepprob's MAF trained with ``model.fit`` the course's way, when ``deepprob.losses`` exists;
* TensorFlow Probability's MAF and RealNVP x4 of the same shapes, each training step under
  ``tf.function`` (tf_keras Adam), where ``tensorflow_probability`` and ``tf_keras`` import in the
  same environment (TFP's RealNVP gets a tf_keras network per coupling: its
  ``real_nvp_default_template`` builds tf1 layers whose variables a ``tf.Module`` does not track).
  TensorFlow's thread pools are set to ``--threads``.

The MADEs use TFP's default ``kernel_initializer="glorot_uniform"`` (``--init`` picks another
Keras initializer name; the one used is printed). Runs are interleaved and repeated (the machine
is shared): steps/s is the best of ``--rounds``, the NLL is from the last round. ``--nll-seeds
0,1,2,3,4`` also trains the eager MAFs once per seed and prints each held-out NLL. zuko is
optional (``pip install zuko --no-deps``); without it those rows are skipped. The three-way run
used a virtualenv holding tensorflow_cpu 2.21, tensorflow-probability 0.25, tf_keras 2.21,
torch 2.13.0 (pinned), zuko (``--no-deps``) and deepprob (``pip install --no-deps -e .``).

Usage: ``python benchmarks/bench_flows.py [--rounds 3] [--steps 500] [--threads 1]
[--nll-seeds 0,1,2,3,4] [--init glorot_uniform] [--no-compile]``
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

import deepprob as dp

tfb, tfd = dp.bijectors, dp.distributions


def two_moons(n: int, noise: float = 0.1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, np.pi, n)
    inner = rng.integers(0, 2, n).astype(bool)
    x = np.where(inner, 1.0 - np.cos(t), np.cos(t))
    y = np.where(inner, 0.5 - np.sin(t), np.sin(t))
    return (np.stack([x, y], 1) + rng.normal(0.0, noise, (n, 2))).astype("float32")


INIT = {"kernel_initializer": "glorot_uniform"}  # TFP's default; --init changes it


def deepprob_maf():
    def maf():
        made = tfb.AutoregressiveNetwork(params=2, event_shape=[2], hidden_units=[64, 64],
                                         activation="relu", **INIT)
        return tfb.MaskedAutoregressiveFlow(shift_and_log_scale_fn=made)
    flow = tfd.TransformedDistribution(tfd.MultivariateNormalDiag(loc=[0.0, 0.0]),
                                       tfb.Chain([maf(), tfb.Permute([1, 0]), maf()]))
    return flow, flow.log_prob


def deepprob_realnvp():
    layers = [tfb.RealNVP(num_masked=1 if i % 2 == 0 else -1,
                          shift_and_log_scale_fn=tfb.real_nvp_default_template([64, 64]))
              for i in range(4)]
    flow = tfd.TransformedDistribution(tfd.MultivariateNormalDiag(loc=[0.0, 0.0]),
                                       tfb.Chain(layers))
    flow.log_prob(torch.zeros(1, 2))  # builds the lazily built templates
    return flow, flow.log_prob


class _HandMADE(torch.nn.Module):
    """MADE [2 -> 64 -> 64 -> 2 x (shift, log_scale)] written out: masks by hand, torch's init."""

    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3 = (torch.nn.Linear(2, 64), torch.nn.Linear(64, 64),
                                     torch.nn.Linear(64, 4))
        d_in, d_hidden = torch.tensor([1, 2]), torch.ones(64, dtype=torch.long)
        d_out = torch.tensor([1, 1, 2, 2])  # (shift_1, log_scale_1, shift_2, log_scale_2)
        self.register_buffer("m1", (d_hidden[:, None] >= d_in[None, :]).float())
        self.register_buffer("m2", (d_hidden[:, None] >= d_hidden[None, :]).float())
        self.register_buffer("m3", (d_out[:, None] > d_hidden[None, :]).float())

    def forward(self, x):
        h = torch.relu(F.linear(x, self.l1.weight * self.m1, self.l1.bias))
        h = torch.relu(F.linear(h, self.l2.weight * self.m2, self.l2.bias))
        return F.linear(h, self.l3.weight * self.m3, self.l3.bias).view(-1, 2, 2)


class _HandMAF(torch.nn.Module):
    """The same two-MAF flow as deepprob's, as a hand-written torch module (the floor)."""

    def __init__(self):
        super().__init__()
        self.first, self.second = _HandMADE(), _HandMADE()

    def log_prob(self, y):
        p = self.second(y)
        x = (y - p[..., 0]) * torch.exp(-p[..., 1])
        log_det = -p[..., 1].sum(-1)
        x = x.flip(-1)  # the Permute([1, 0])
        p = self.first(x)
        z = (x - p[..., 0]) * torch.exp(-p[..., 1])
        return -0.5 * (z * z).sum(-1) - math.log(2 * math.pi) + log_det - p[..., 1].sum(-1)


def hand_maf():
    flow = _HandMAF()
    return flow, flow.log_prob


def zuko_maf():
    import zuko

    flow = zuko.flows.MAF(2, transforms=2, hidden_features=(64, 64))
    return flow, lambda x: flow().log_prob(x)


def zuko_coupling():
    import zuko

    flow = zuko.flows.MAF(2, transforms=4, hidden_features=(64, 64), passes=2)
    return flow, lambda x: flow().log_prob(x)


def tfp_train(kind, data, test, steps, seed):
    """TensorFlow Probability's flow of the same shape, trained under ``tf.function``."""
    import tensorflow as tf
    import tensorflow_probability as tfp
    import tf_keras

    tfb_, tfd_ = tfp.bijectors, tfp.distributions
    tf.random.set_seed(seed)
    if kind == "maf":
        def maf():
            made = tfb_.AutoregressiveNetwork(params=2, hidden_units=[64, 64], activation="relu")
            return tfb_.MaskedAutoregressiveFlow(shift_and_log_scale_fn=made)
        bijector = tfb_.Chain([maf(), tfb_.Permute([1, 0]), maf()])
    else:
        nets: list = []

        def coupling_net():  # a Keras network per coupling: TFP's real_nvp_default_template
            # builds tf1 layers whose variables tf.Module does not track (they would not train)
            net = tf_keras.Sequential([tf_keras.layers.Dense(64, activation="relu"),
                                       tf_keras.layers.Dense(64, activation="relu"),
                                       tf_keras.layers.Dense(2)])
            nets.append(net)
            return lambda x, output_units, **kwargs: tuple(tf.split(net(x), 2, axis=-1))
        bijector = tfb_.Chain([tfb_.RealNVP(num_masked=1 if i % 2 == 0 else -1,
                                            shift_and_log_scale_fn=coupling_net())
                               for i in range(4)])
    flow = tfd_.TransformedDistribution(tfd_.MultivariateNormalDiag(loc=[0.0, 0.0]), bijector)
    x_np, test_np = data.numpy(), test.numpy()
    flow.log_prob(x_np[:2])  # builds the networks' variables
    variables = flow.trainable_variables if kind == "maf" else \
        [v for net in nets for v in net.trainable_variables]
    opt = tf_keras.optimizers.Adam(learning_rate=1e-3)

    @tf.function
    @tf.autograph.experimental.do_not_convert  # no Python control flow to convert
    def step(x):
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(flow.log_prob(x))
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    idx = np.random.default_rng(seed).integers(0, len(x_np), (steps, 256))
    batches = [tf.constant(x_np[i]) for i in idx]
    for i in range(20):  # tracing and warm-up, not timed
        step(batches[i])
    start = time.perf_counter()
    for i in range(steps):
        step(batches[i])
    elapsed = time.perf_counter() - start
    nll = -float(tf.reduce_mean(flow.log_prob(test_np)))
    return steps / elapsed, nll


COMPILE_TIMES: dict[str, float] = {}


def train_loop(make, data, test, steps, seed, compiled=False, name=""):
    torch.manual_seed(seed)
    module, log_prob = make()

    def loss_fn(x):
        return -log_prob(x).mean()

    if compiled:  # the whole loss (forward and backward graphs); compile time not in steps/s
        loss_fn = torch.compile(loss_fn, options={"cpp_wrapper": True})
    opt = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
    idx = torch.randint(0, len(data), (steps, 256), generator=torch.Generator().manual_seed(seed))
    start = time.perf_counter()
    for i in range(20):  # warm-up (allocator, lazy init, compilation); not timed, not counted
        loss = loss_fn(data[idx[i]])
        opt.zero_grad(set_to_none=True)
        loss.backward()
    if compiled:
        COMPILE_TIMES[name] = max(COMPILE_TIMES.get(name, 0.0), time.perf_counter() - start)
    opt.zero_grad(set_to_none=True)
    start = time.perf_counter()
    for i in range(steps):
        loss = loss_fn(data[idx[i]])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    elapsed = time.perf_counter() - start
    with torch.no_grad():
        nll = -log_prob(test).mean().item()
    return steps / elapsed, nll


def train_fit(data, test, steps, seed):
    torch.manual_seed(seed)
    flow, _ = deepprob_maf()
    x_ = dp.Input(shape=(2,))
    model = dp.Model(x_, flow.log_prob(x_))
    model.compile(optimizer=dp.optimizers.Adam(), loss=lambda _, log_prob: -log_prob)
    x = data.numpy()
    model.fit(x=x[:256 * 20], y=np.zeros((256 * 20, 0)), batch_size=256, epochs=1, verbose=0)
    reps = int(np.ceil(256 * steps / len(x)))
    xs = np.concatenate([x] * reps)[:256 * steps]  # exactly `steps` batches of 256
    assert len(xs) == 256 * steps
    start = time.perf_counter()
    history = model.fit(x=xs, y=np.zeros((len(xs), 0)), batch_size=256, epochs=1, verbose=0)
    elapsed = time.perf_counter() - start
    assert len(history.history["loss"]) == 1
    with torch.no_grad():
        nll = -flow.log_prob(test).mean().item()
    return steps / elapsed, nll


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-compile", action="store_true",
                        help="skip the torch.compile rows (each compilation takes ~10-20 s)")
    parser.add_argument("--init", default="glorot_uniform",
                        help="Keras initializer name for the MADE kernels (TFP's default: "
                             "glorot_uniform)")
    parser.add_argument("--nll-seeds", default="",
                        help="comma-separated seeds: train the eager MAFs once per seed and "
                             "print the held-out NLLs")
    args = parser.parse_args()
    INIT["kernel_initializer"] = args.init
    torch.set_num_threads(args.threads)
    data = torch.from_numpy(two_moons(10_000, seed=0))
    test = torch.from_numpy(two_moons(2_000, seed=1))
    try:
        import zuko  # noqa: F401
        have_zuko = True
    except ImportError:
        have_zuko = False
        print("zuko is not installed: its rows are skipped (pip install zuko --no-deps)")
    try:
        import tensorflow as tf
        import tensorflow_probability  # noqa: F401
        import tf_keras  # noqa: F401

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        have_tfp = True
    except ImportError:
        have_tfp = False
        print("tensorflow_probability (with tf_keras) is not importable: TFP rows are skipped")
    try:
        import deepprob.losses  # noqa: F401
        have_fit = True
    except ImportError:
        have_fit = False
        print("deepprob.losses has not landed: the model.fit row is skipped")
    def loop(make, compiled=False, name=""):
        return lambda: train_loop(make, data, test, args.steps, args.seed, compiled, name)

    contenders = {"deepprob MAF (torch loop)": loop(deepprob_maf)}
    if not args.no_compile:
        contenders["deepprob MAF (compiled)"] = loop(deepprob_maf, True, "deepprob MAF (compiled)")
    contenders["hand-written torch MAF"] = loop(hand_maf)
    if not args.no_compile:
        contenders["hand-written torch MAF (compiled)"] = loop(hand_maf, True,
                                                               "hand-written MAF (compiled)")
    if have_zuko:
        contenders["zuko MAF"] = loop(zuko_maf)
    if have_tfp:
        contenders["TFP MAF (tf.function)"] = lambda: tfp_train("maf", data, test, args.steps,
                                                                args.seed)
    if have_fit:
        contenders["deepprob MAF (model.fit)"] = lambda: train_fit(data, test, args.steps,
                                                                   args.seed)
    contenders["deepprob RealNVP x4"] = loop(deepprob_realnvp)
    if not args.no_compile:
        contenders["deepprob RealNVP x4 (compiled)"] = loop(deepprob_realnvp, True,
                                                            "deepprob RealNVP x4 (compiled)")
    if have_zuko:
        contenders["zuko coupling x4"] = loop(zuko_coupling)
    if have_tfp:
        contenders["TFP RealNVP x4 (tf.function)"] = lambda: tfp_train(
            "realnvp", data, test, args.steps, args.seed)
    best: dict[str, float] = {}
    nlls: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, run in contenders.items():
            rate, nll = run()
            best[name] = max(best.get(name, 0.0), rate)
            nlls[name] = nll
    print(f"two-moons, batch 256, {args.steps} Adam steps, {args.threads} thread(s), "
          f"best of {args.rounds} rounds; MADE kernel_initializer={args.init!r}")
    print(f"{'flow':<34}{'steps/s':>10}{'held-out NLL':>15}")
    for name in contenders:
        print(f"{name:<34}{best[name]:>10.0f}{nlls[name]:>15.3f}")
    for name, seconds in COMPILE_TIMES.items():
        print(f"{name}: compilation + 20 warm-up steps {seconds:.1f} s")
    for ours, theirs in (("deepprob MAF (torch loop)", "hand-written torch MAF"),
                         ("deepprob MAF (compiled)", "hand-written torch MAF (compiled)"),
                         ("hand-written torch MAF", "zuko MAF"),
                         ("hand-written torch MAF (compiled)", "zuko MAF"),
                         ("deepprob MAF (torch loop)", "zuko MAF"),
                         ("deepprob MAF (compiled)", "zuko MAF"),
                         ("deepprob MAF (model.fit)", "zuko MAF"),
                         ("deepprob RealNVP x4", "zuko coupling x4"),
                         ("deepprob RealNVP x4 (compiled)", "zuko coupling x4"),
                         ("deepprob MAF (torch loop)", "TFP MAF (tf.function)"),
                         ("deepprob MAF (compiled)", "TFP MAF (tf.function)"),
                         ("deepprob MAF (model.fit)", "TFP MAF (tf.function)"),
                         ("deepprob RealNVP x4", "TFP RealNVP x4 (tf.function)"),
                         ("deepprob RealNVP x4 (compiled)", "TFP RealNVP x4 (tf.function)")):
        if ours in best and theirs in best:
            print(f"{ours} / {theirs}: {best[ours] / best[theirs]:.2f}x")
    if args.nll_seeds:
        seeds = [int(s) for s in args.nll_seeds.split(",")]
        def nll_of(make):
            return lambda seed: train_loop(make, data, test, args.steps, seed)[1]

        runs = {"deepprob MAF": nll_of(deepprob_maf),
                "deepprob RealNVP x4": nll_of(deepprob_realnvp)}
        if have_zuko:
            runs.update({"zuko MAF": nll_of(zuko_maf), "zuko coupling x4": nll_of(zuko_coupling)})
        if have_tfp:
            runs.update({
                "TFP MAF": lambda seed: tfp_train("maf", data, test, args.steps, seed)[1],
                "TFP RealNVP x4": lambda seed: tfp_train("realnvp", data, test, args.steps,
                                                         seed)[1]})
        print(f"held-out NLL after {args.steps} steps, seeds {seeds}:")
        for name, run in runs.items():
            values = [run(s) for s in seeds]
            print(f"{name:<34}" + " ".join(f"{v:.3f}" for v in values)
                  + f"   max {max(values):.3f}")


if __name__ == "__main__":
    main()

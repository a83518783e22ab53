"""Probabilistic layers' ``fit()`` against hand-written PyTorch, in one run (issue 7, Speed).

Two workloads:
  vae  the courses' VAE: Flatten -> Dense(256, relu) -> Dense(64, relu) ->
       Dense(MultivariateNormalTriL.params_size(2)) -> MultivariateNormalTriL(2) with a
       KLDivergenceRegularizer(N(0, I)); decoder Dense(64) -> Dense(256) -> Dense(784) ->
       IndependentBernoulli((28, 28)); loss -log_prob; Adam(1e-3); batch 64, 300 steps.
       Hand-written: the same Linear layers, a torch MultivariateNormal posterior with a
       softplus-diagonal scale_tril, BCE-with-logits reconstruction, the single-sample KL.
  dv   the courses' Bayes-by-backprop regression: DenseVariational(8, sigmoid) ->
       DenseVariational(2) -> IndependentNormal(1), posterior
       VariableLayer(MultivariateNormalTriL.params_size(n)) -> MultivariateNormalTriL(n), fixed
       prior MultivariateNormalDiag(0, I), kl_weight 1 / 1000, RMSprop(0.005); batch 100,
       2,000 steps. Hand-written (the naive loop a user writes): each step builds the posteriors
       and the prior as torch distributions, samples each layer's weights and adds
       log q(w) - log p(w).

TensorFlow Probability rows, where ``tensorflow_probability`` and ``tf_keras`` import in the same
environment (otherwise they are skipped with a printed reason): the same two models written the
courses' way with ``tfp.layers`` and ``tf_keras`` (the same layer widths, Glorot-uniform Dense
kernels, prior, posterior, kl_weight, optimizer, data, batch and number of steps), trained with
``model.compile(loss=lambda x, rv: -rv.log_prob(x))`` and ``model.fit``. TensorFlow's intra- and
inter-op thread pools are set to ``--threads`` before TensorFlow starts. TFP + Keras 2 counts the
KL of a ``KLDivergenceRegularizer`` twice (tensorflow/probability#1215): the TFP VAE optimizes a
beta = 2 objective, which costs nothing extra per step, so the timing is unaffected. The TFP rows
were run in a virtualenv holding tensorflow_cpu 2.21, tensorflow-probability 0.25, tf_keras 2.21,
torch 2.13.0 (pinned) and deepprob (on the path); deepprob's own ``.venv`` has no TensorFlow.

``vae-jit`` / ``dv-jit``: the same, with deepprob's model compiled with ``jit_compile=True``
(``torch.compile`` of the forward pass, as Keras 3 compiles with XLA by default on TensorFlow;
the compilation happens in the untimed warm-up); the torch and TFP rows are the same as above.

Synthetic data of the real shapes. Each timing is a full ``fit`` (or loop) after a warm-up;
all contenders are interleaved, best of ``--repeats``. Prints steps/s and time ratios (deepprob /
hand-written; deepprob / TFP and its inverse, deepprob's speed-up over TFP).

Usage: python benchmarks/bench_probabilistic.py [vae dv vae-jit dv-jit] [--repeats N]
[--threads N]
"""

from __future__ import annotations

import argparse
import os
import time

import torch
import torch.nn.functional as F

LATENT = 2


# -- VAE --------------------------------------------------------------------------------------
def vae_data(n: int):
    g = torch.Generator().manual_seed(0)
    return (torch.rand(n, 28, 28, generator=g) > 0.7).float()


def course_vae(keras, tfd, tfpl, zeros, **compile_kwargs):
    """The courses' VAE written once against Keras/TFP-style modules: deepprob's (``dp``,
    ``dp.distributions``, ``dp.layers``) or ``tf_keras`` with ``tfp``; ``zeros`` makes the prior's
    location in that library's tensors.

    With TFP + Keras 2 the ``KLDivergenceRegularizer``'s KL joins the loss twice
    (tensorflow/probability#1215), so that model trains a beta = 2 VAE; the per-step cost is the
    same.
    """
    prior = tfd.MultivariateNormalDiag(loc=zeros(LATENT))
    encoder = keras.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(tfpl.MultivariateNormalTriL.params_size(LATENT)),
        tfpl.MultivariateNormalTriL(LATENT,
                                    activity_regularizer=tfpl.KLDivergenceRegularizer(prior)),
    ])
    decoder = keras.Sequential([
        keras.layers.Dense(64, activation="relu", input_shape=(LATENT,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(tfpl.IndependentBernoulli.params_size((28, 28))),
        tfpl.IndependentBernoulli((28, 28)),
    ])
    vae = keras.Model(inputs=encoder.inputs, outputs=decoder(encoder.outputs[0]))
    vae.compile(loss=lambda x, rv_x: -rv_x.log_prob(x), optimizer=keras.optimizers.Adam(1e-3),
                **compile_kwargs)
    return vae


def vae_deepprob(jit: bool = False):
    import deepprob as dp

    return course_vae(dp, dp.distributions, dp.layers, torch.zeros, jit_compile=jit)


class TorchVAE(torch.nn.Module):
    def __init__(self):
        super().__init__()

        def lin(i, o):
            layer = torch.nn.Linear(i, o)
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
            return layer

        self.enc = torch.nn.Sequential(lin(784, 256), torch.nn.ReLU(), lin(256, 64),
                                       torch.nn.ReLU(), lin(64, LATENT + 3))
        self.dec = torch.nn.Sequential(lin(LATENT, 64), torch.nn.ReLU(), lin(64, 256),
                                       torch.nn.ReLU(), lin(256, 784))
        self.prior = torch.distributions.MultivariateNormal(torch.zeros(LATENT),
                                                            torch.eye(LATENT))

    def loss(self, x):
        p = self.enc(x.reshape(x.shape[0], -1))
        diag = F.softplus(p[:, 2:4]) + 1e-5
        tril = torch.diag_embed(diag)
        tril = tril + F.pad(p[:, 4:5], (0, 0)).unsqueeze(-1) * torch.tensor([[0., 0.], [1., 0.]])
        q = torch.distributions.MultivariateNormal(p[:, :2], scale_tril=tril)
        z = q.rsample()
        logits = self.dec(z)
        rec = F.binary_cross_entropy_with_logits(logits, x.reshape(x.shape[0], -1),
                                                 reduction="none").sum(-1)
        return (rec + q.log_prob(z) - self.prior.log_prob(z)).mean()


def vae_torch_run(x, steps: int, batch: int):
    model = TorchVAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7, fused=True)
    perm = torch.randperm(len(x))
    for i in range(steps):
        xb = x[perm[i * batch:(i + 1) * batch]]
        opt.zero_grad()
        model.loss(xb).backward()
        opt.step()


def vae_tfp():
    import tensorflow as tf
    import tensorflow_probability as tfp
    import tf_keras

    return course_vae(tf_keras, tfp.distributions, tfp.layers, tf.zeros)


# -- DenseVariational regression ---------------------------------------------------------------
N_DV = 1000


def dv_data(n: int):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n, 1, generator=g) * 2 - 1
    y = x ** 3 + 0.1 * torch.randn(n, 1, generator=g)
    return x, y


def course_dv(keras, tfd, tfpl, zeros, ones, **compile_kwargs):
    """The courses' Bayes-by-backprop regression written once (as :func:`course_vae`): a fixed
    ``MultivariateNormalDiag(0, I)`` prior and a ``VariableLayer -> MultivariateNormalTriL``
    posterior per ``DenseVariational`` layer."""
    def prior(kernel_size, bias_size, dtype=None):
        n = kernel_size + bias_size
        return keras.Sequential([tfpl.DistributionLambda(
            lambda t: tfd.MultivariateNormalDiag(loc=zeros(n), scale_diag=ones(n)))])

    def posterior(kernel_size, bias_size, dtype=None):
        n = kernel_size + bias_size
        return keras.Sequential([
            tfpl.VariableLayer(tfpl.MultivariateNormalTriL.params_size(n), dtype=dtype),
            tfpl.MultivariateNormalTriL(n),
        ])

    model = keras.Sequential([
        tfpl.DenseVariational(8, posterior, prior, kl_weight=1 / N_DV, activation="sigmoid",
                              input_shape=(1,)),
        tfpl.DenseVariational(tfpl.IndependentNormal.params_size(1), posterior, prior,
                              kl_weight=1 / N_DV),
        tfpl.IndependentNormal(1),
    ])
    model.compile(loss=lambda y, rv: -rv.log_prob(y), optimizer=keras.optimizers.RMSprop(0.005),
                  **compile_kwargs)
    return model


def dv_deepprob(jit: bool = False):
    import deepprob as dp

    return course_dv(dp, dp.distributions, dp.layers, torch.zeros, torch.ones, jit_compile=jit)


def _tril(params: torch.Tensor, n: int) -> torch.Tensor:
    """The naive user's fill-triangular with a softplus diagonal (TFP's FillScaleTriL)."""
    rows, cols = torch.tril_indices(n, n)
    m = torch.zeros(n, n).index_put((rows, cols), params)
    d = torch.diagonal(m)
    return m + torch.diag_embed(F.softplus(d) + 1e-5 - d)


def dv_torch_run(x, y, steps: int, batch: int):
    sizes = [(1, 8), (8, 2)]
    params = [torch.zeros(n + n * (n + 1) // 2, requires_grad=True)
              for n in (i * o + o for i, o in sizes)]
    opt = torch.optim.RMSprop(params, lr=0.005, alpha=0.9, eps=1e-7)
    perm = torch.cat([torch.randperm(len(x)) for _ in range(steps * batch // len(x) + 1)])
    for step in range(steps):
        idx = perm[step * batch:(step + 1) * batch]
        h, kl = x[idx], 0.0
        for (i, o), p in zip(sizes, params, strict=True):
            n = i * o + o
            q = torch.distributions.MultivariateNormal(p[:n], scale_tril=_tril(p[n:], n))
            prior = torch.distributions.MultivariateNormal(torch.zeros(n), torch.eye(n))
            w = q.rsample()
            kl = kl + (q.log_prob(w) - prior.log_prob(w)) / N_DV
            h = h @ w[:i * o].reshape(i, o) + w[i * o:]
            if o == 8:
                h = torch.sigmoid(h)
        scale = 1e-3 + F.softplus(0.05 * h[:, 1:])  # TFP IndependentNormal head's scale
        nll = -torch.distributions.Normal(h[:, :1], scale).log_prob(y[idx]).mean()
        opt.zero_grad()
        (nll + kl).backward()
        opt.step()


def dv_tfp():
    import tensorflow as tf
    import tensorflow_probability as tfp
    import tf_keras

    return course_dv(tf_keras, tfp.distributions, tfp.layers, tf.zeros, tf.ones)


def _best_of(fns, repeats: int) -> list[float]:
    """Best time of each run, interleaved (a busy shared machine slows them alike)."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t)
    return best


def run(kind: str, repeats: int, with_tfp: bool) -> tuple[list[float], int]:
    """Best times [deepprob, hand-written torch, (TFP)] and the number of steps of each."""
    jit = kind.endswith("-jit")  # deepprob's model compiled with jit_compile=True
    if kind.startswith("vae"):
        steps, batch = 300, 64
        x = vae_data(steps * batch)
        dp_model = vae_deepprob(jit)
        dp_model.fit(x[:batch * 5], x[:batch * 5], batch_size=batch, verbose=0)  # warm-up
        vae_torch_run(x, 5, batch)
        fns = [lambda: dp_model.fit(x, x, batch_size=batch, epochs=1, verbose=0),
               lambda: vae_torch_run(x, steps, batch)]
        if with_tfp:
            xn = x.numpy()
            tf_model = vae_tfp()
            tf_model.fit(xn[:batch * 5], xn[:batch * 5], batch_size=batch, verbose=0)  # warm-up
            fns.append(lambda: tf_model.fit(xn, xn, batch_size=batch, epochs=1, verbose=0))
    else:
        steps, batch = 2000, 100
        x, y = dv_data(N_DV)
        epochs = steps * batch // N_DV
        dp_model = dv_deepprob(jit)
        dp_model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # warm-up
        dv_torch_run(x, y, 10, batch)
        fns = [lambda: dp_model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0),
               lambda: dv_torch_run(x, y, steps, batch)]
        if with_tfp:
            xn, yn = x.numpy(), y.numpy()
            tf_model = dv_tfp()
            tf_model.fit(xn, yn, batch_size=batch, epochs=1, verbose=0)  # warm-up
            fns.append(lambda: tf_model.fit(xn, yn, batch_size=batch, epochs=epochs, verbose=0))
    return _best_of(fns, repeats), steps


def _import_tfp(threads: int) -> str | None:
    """Imports TensorFlow, TFP and tf_keras with ``threads`` per pool; the versions, or None."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter
    try:
        import tensorflow as tf
        import tensorflow_probability as tfp
        import tf_keras
    except ImportError as err:
        print(f"TFP rows skipped: tensorflow_probability with tf_keras is not importable ({err})")
        return None
    # Before any TensorFlow op runs: the pools cannot be resized once TensorFlow has started.
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    tf_keras.utils.set_random_seed(0)
    return (f"tensorflow {tf.__version__}, tensorflow-probability {tfp.__version__}, "
            f"tf_keras {tf_keras.__version__}, {threads} intra-/inter-op thread(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=["vae", "dv", "vae-jit", "dv-jit"],
                        help="vae, dv, vae-jit, dv-jit (-jit: deepprob's model compiled with "
                             "jit_compile=True, torch.compile; compilation is in the warm-up)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    for kind in args.workloads:
        if kind not in ("vae", "dv", "vae-jit", "dv-jit"):
            parser.error(f"unknown workload {kind!r}: expected vae, dv, vae-jit or dv-jit")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    tfp_versions = _import_tfp(args.threads)
    with_tfp = tfp_versions is not None
    print(f"torch {torch.__version__}, {args.threads} intra-op thread(s), best of {args.repeats}")
    if with_tfp:
        print(tfp_versions)
    header = (f"{'workload':10s} {'deepprob steps/s':>17s} {'torch steps/s':>14s} "
              f"{'time ratio':>11s}")
    if with_tfp:
        header += f" {'TFP steps/s':>12s} {'dp/TFP time':>12s} {'dp speed-up':>12s}"
    print(header)
    for kind in args.workloads:
        times, steps = run(kind, args.repeats, with_tfp)
        ours, theirs = times[0], times[1]
        line = f"{kind:10s} {steps / ours:17.1f} {steps / theirs:14.1f} {ours / theirs:10.2f}x"
        if with_tfp:
            tfp_time = times[2]
            line += f" {steps / tfp_time:12.1f} {ours / tfp_time:11.2f}x {tfp_time / ours:11.2f}x"
        print(line)
    print("time ratio: deepprob / hand-written torch time (< 1 is faster)"
          + ("; dp/TFP time: deepprob / TFP time; dp speed-up: TFP time / deepprob time"
             if with_tfp else ""))


if __name__ == "__main__":
    main()

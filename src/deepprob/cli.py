"""The ``deepprob`` command.

``deepprob demo`` trains the courses' first classifier (Flatten -> Dense(128, relu) ->
Dense(10, softmax), Adam, sparse categorical cross-entropy) on the real MNIST digits bundled with
the package, prints the held-out accuracy, and writes the trained model and a PNG of the training
curves to an output folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def demo(out_dir: str = "deepprob-demo", epochs: int = 5, seed: int = 0, verbose: int = 1) -> float:
    """Run the MNIST demo; returns the held-out accuracy.

    Args:
        out_dir: folder for ``mnist_mlp.keras`` and ``training_curves.png`` (created if missing).
        epochs: training epochs.
        seed: random seed.
        verbose: progress display (0, 1 or 2).
    """
    import deepprob as dp

    dp.utils.set_random_seed(seed)
    x, y = dp.datasets.mnist.load_sample()
    x = x.astype("float32") / 255.0
    x_train, y_train, x_test, y_test = x[:5000], y[:5000], x[5000:], y[5000:]
    print(f"MNIST sample bundled with deepprob: {len(x_train)} training and {len(x_test)} "
          f"held-out digits of shape {x.shape[1:]}")

    model = dp.Sequential([
        dp.layers.Flatten(input_shape=(28, 28)),
        dp.layers.Dense(128, activation="relu"),
        dp.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=dp.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, validation_split=0.1, verbose=verbose)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Trained {epochs} epochs in {seconds:.1f} s; held-out loss {loss:.4f}, "
          f"accuracy {accuracy:.4f}")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / "mnist_mlp.keras"
    model.save(model_path)
    plot_path = out / "training_curves.png"
    dp.plot.history(history, path=plot_path)
    print(f"Wrote the trained model to {model_path.resolve()}")
    print(f"Wrote the training curves to {plot_path.resolve()}")
    print(f"Output folder: {out.resolve()}")
    return accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deepprob", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="train the courses' first MNIST classifier")
    p_demo.add_argument("--out", default="deepprob-demo", help="output folder")
    p_demo.add_argument("--epochs", type=int, default=5)
    p_demo.add_argument("--seed", type=int, default=0)
    p_demo.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(args.out, args.epochs, args.seed, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())

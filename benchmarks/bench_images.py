"""Benchmark: one epoch of the course's augmented ``flow_from_directory`` over 1,000 JPEGs.

1,000 JPEGs of 300x300 (two classes, random smooth colour images) are generated into a temporary
folder. One epoch (50 batches of 20) at 150x150 with the course's augmentation (rescale 1/255,
rotation 40, width/height shift 0.2, shear 0.2, zoom 0.2, horizontal flip, nearest fill) is
timed for:

- ``dp.preprocessing.image.ImageDataGenerator.flow_from_directory`` (threaded Pillow decoding,
  one batched ``affine_grid`` / ``grid_sample`` per batch);
- a hand-written loop: Pillow decode + resize one image after another, then a batched
  ``affine_grid`` / ``grid_sample`` on torch (the reference);
- Keras's ``ImageDataGenerator`` (SciPy per image), only where ``keras`` imports.

Runs are interleaved and repeated; the best (least disturbed) time is reported as images/s,
medians too. Also times the course's 150x150 CNN (Conv 16-32-64 + MaxPool, Dense 512, Dense 1)
training steps against the same network written in plain torch.

Run: ``python benchmarks/bench_images.py [--repeats 3] [--images 1000] [--skip-cnn] [--stages]``.
``--stages`` also prints a per-stage profile (ms per epoch, best of ``--repeats``): construction,
threaded decoding and the transform for deepprob; listing, decoding, stacking, matrices,
``affine_grid``, ``grid_sample`` and flip + rescale for the hand-written loop.

Keras in the same process: ``keras`` (with TensorFlow) does not install beside deepprob's
``.venv``, so the three-way figures come from a separate virtual environment with
``tensorflow_cpu`` 2.21 and ``keras`` 3.15.1, into which torch was installed at the pinned version
(``pip install torch==2.13.0``, CPU wheel) and this checkout's ``src`` directory put on the path
(a ``.pth`` file holding its absolute path; deepprob's other dependencies are not needed here)::

    $TFENV/bin/python benchmarks/bench_images.py --skip-cnn --repeats 3

Keras's iterator is ``keras.src.legacy.preprocessing.image.ImageDataGenerator`` (SciPy's
``ndimage.affine_transform`` per image and channel).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

AUG = dict(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
           zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")


def make_images(root: str, n: int) -> None:
    rng = np.random.default_rng(0)
    for i in range(n):
        folder = os.path.join(root, "cats" if i % 2 else "dogs")
        os.makedirs(folder, exist_ok=True)
        small = rng.integers(0, 256, size=(10, 10, 3), dtype=np.uint8)
        img = Image.fromarray(small).resize((300, 300), Image.Resampling.BICUBIC)
        img.save(os.path.join(folder, f"{i:04d}.jpg"), quality=90)


def run_deepprob(root: str) -> int:
    import deepprob as dp

    gen = dp.preprocessing.image.ImageDataGenerator(rescale=1 / 255, **AUG)
    it = gen.flow_from_directory(root, target_size=(150, 150), batch_size=20,
                                 class_mode="binary", seed=0, verbose=False)
    count = 0
    for _ in range(len(it)):
        x, _ = next(it)
        count += len(x)
    return count


def _hand_matrices(n: int, rng: np.random.Generator, size: int) -> torch.Tensor:
    theta = np.deg2rad(rng.uniform(-40, 40, n))
    tx, ty = rng.uniform(-0.2, 0.2, n) * size, rng.uniform(-0.2, 0.2, n) * size
    shear = np.deg2rad(rng.uniform(-0.2, 0.2, n))
    zx, zy = rng.uniform(0.8, 1.2, n), rng.uniform(0.8, 1.2, n)
    a = np.zeros((n, 2, 3))
    c, s = np.cos(theta), np.sin(theta)
    # rotation @ shift @ shear @ zoom, in normalized coordinates (square image, centred).
    sh = np.stack([np.ones(n), -np.sin(shear), np.zeros(n), np.cos(shear)], 1).reshape(n, 2, 2)
    rot = np.stack([c, -s, s, c], 1).reshape(n, 2, 2)
    lin = rot @ sh @ np.stack([zx, np.zeros(n), np.zeros(n), zy], 1).reshape(n, 2, 2)
    a[:, :, :2] = lin
    a[:, :, 2] = (rot @ np.stack([tx, ty], 1)[..., None])[..., 0] * 2 / (size - 1)
    return torch.from_numpy(a).float()


def run_hand(root: str) -> int:
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(files))
    count = 0
    for start in range(0, len(files), 20):
        idx = order[start:start + 20]
        arrays = [np.asarray(Image.open(files[i]).convert("RGB").resize(
            (150, 150), Image.Resampling.NEAREST)) for i in idx]
        x = torch.from_numpy(np.stack(arrays)).float()
        theta = _hand_matrices(len(idx), rng, 150)
        grid = F.affine_grid(theta, [len(idx), 3, 150, 150], align_corners=True)
        out = F.grid_sample(x.permute(0, 3, 1, 2), grid, padding_mode="border",
                            align_corners=True).permute(0, 2, 3, 1)
        flip = torch.from_numpy(rng.random(len(idx)) < 0.5).view(-1, 1, 1, 1)
        out = torch.where(flip, out.flip(2), out) * (1 / 255)
        batch = out.numpy()
        count += len(batch)
    return count


def run_keras(root: str) -> int:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    gen = ImageDataGenerator(rescale=1 / 255, **AUG)
    it = gen.flow_from_directory(root, target_size=(150, 150), batch_size=20,
                                 class_mode="binary", seed=0)
    count = 0
    for _ in range(len(it)):
        x, _ = next(it)
        count += len(x)
    return count


def stage_profile(root: str, repeats: int) -> None:
    """Per-stage times of one epoch (each stage timed on one batch of 20, times the number of
    batches; best of ``repeats``, stages interleaved)."""
    from deepprob.preprocessing import image as dpi

    gen = dpi.ImageDataGenerator(rescale=1 / 255, **AUG)

    def make():
        return gen.flow_from_directory(root, target_size=(150, 150), batch_size=20,
                                       class_mode="binary", seed=0, verbose=False)

    it = make()
    batches = len(it)
    idx = np.arange(20)
    raw = it._decode(idx)
    x = raw.float()
    rng = np.random.default_rng(0)
    p = gen._random_arrays(20, (150, 150, 3), rng)
    mats = dpi.affine_matrices(p["theta"], p["tx"], p["ty"], p["shear"], p["zx"], p["zy"], 150, 150)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)

    def hand_decode():
        return [np.asarray(Image.open(files[i]).convert("RGB").resize(
            (150, 150), Image.Resampling.NEAREST)) for i in idx]

    arrays = hand_decode()
    theta = _hand_matrices(20, rng, 150)
    grid = F.affine_grid(theta, [20, 3, 150, 150], align_corners=True)
    out = F.grid_sample(x.permute(0, 3, 1, 2), grid, padding_mode="border",
                        align_corners=True).permute(0, 2, 3, 1)
    flip = torch.from_numpy(rng.random(20) < 0.5).view(-1, 1, 1, 1)
    stages = {
        "deepprob: flow_from_directory (construct)": (make, 1),
        "deepprob: decode 20 (threads)": (lambda: it._decode(idx), batches),
        "deepprob: transform + rescale 20": (lambda: it._augment(raw), batches),
        "deepprob:   of which affine_transform_batch": (
            lambda: dpi.affine_transform_batch(x, mats, "nearest"), batches),
        "hand: os.walk + sort": (lambda: sorted(
            os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs), 1),
        "hand: decode 20 (one after another)": (hand_decode, batches),
        "hand: stack + float": (lambda: torch.from_numpy(np.stack(arrays)).float(), batches),
        "hand: matrices": (lambda: _hand_matrices(20, rng, 150), batches),
        "hand: affine_grid": (lambda: F.affine_grid(theta, [20, 3, 150, 150],
                                                    align_corners=True), batches),
        "hand: grid_sample": (lambda: F.grid_sample(x.permute(0, 3, 1, 2), grid,
                                                    padding_mode="border", align_corners=True),
                              batches),
        "hand: flip + rescale": (lambda: (torch.where(flip, out.flip(2), out) * (1 / 255)).numpy(),
                                 batches),
    }
    best = {k: float("inf") for k in stages}
    for _ in range(max(repeats, 5)):
        for name, (fn, _) in stages.items():
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    print(f"per-stage profile, ms per epoch ({batches} batches of 20; best of "
          f"{max(repeats, 5)}; torch threads {torch.get_num_threads()})")
    for name, (_, per) in stages.items():
        print(f"  {name:44s} {best[name] * per * 1000:8.1f}")


def bench_cnn(steps: int, repeats: int) -> None:
    import deepprob as dp

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (20 * steps, 150, 150, 3)).astype("float32")
    y = rng.integers(0, 2, (20 * steps, 1)).astype("float32")
    model = dp.Sequential([
        dp.layers.Conv2D(16, (3, 3), activation="relu", input_shape=(150, 150, 3)),
        dp.layers.MaxPooling2D(2, 2),
        dp.layers.Conv2D(32, (3, 3), activation="relu"), dp.layers.MaxPooling2D(2, 2),
        dp.layers.Conv2D(64, (3, 3), activation="relu"), dp.layers.MaxPooling2D(2, 2),
        dp.layers.Flatten(), dp.layers.Dense(512, activation="relu"),
        dp.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=dp.optimizers.RMSprop(learning_rate=1e-3),
                  loss="binary_crossentropy")

    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 17 * 17, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 1))
    opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
    yt = torch.from_numpy(y)

    def torch_epoch():
        for i in range(steps):
            xb, yb = xt[i * 20:(i + 1) * 20], yt[i * 20:(i + 1) * 20]
            loss = F.binary_cross_entropy_with_logits(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()

    def dp_epoch():
        model.fit(x, y, batch_size=20, epochs=1, verbose=0, shuffle=False)

    times = {"torch": [], "deepprob": []}
    for _ in range(repeats):
        for name, fn in (("torch", torch_epoch), ("deepprob", dp_epoch)):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    best = {k: min(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"  CNN {k:9s} {steps / best[k]:7.2f} steps/s (median "
              f"{steps / statistics.median(v):.2f})")
    print(f"  CNN deepprob / torch time: {best['deepprob'] / best['torch']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-cnn", action="store_true")
    parser.add_argument("--cnn-steps", type=int, default=20)
    parser.add_argument("--stages", action="store_true", help="also print a per-stage profile")
    args = parser.parse_args()
    runs = {"deepprob": run_deepprob, "hand-written Pillow + torch": run_hand}
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter
    try:
        import keras  # noqa: F401

        runs["keras ImageDataGenerator"] = run_keras
    except ImportError:
        print("keras is not importable here: Keras's ImageDataGenerator is not timed")
    with tempfile.TemporaryDirectory() as root:
        make_images(root, args.images)
        times: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(args.repeats):
            for name, fn in runs.items():
                t = time.perf_counter()
                n = fn(root)
                times[name].append(time.perf_counter() - t)
                assert n == args.images
        print(f"one epoch, {args.images} JPEGs 300x300 -> 150x150, batch 20, course augmentation "
              f"(torch threads {torch.get_num_threads()}, {os.cpu_count()} CPUs)")
        for name, ts in times.items():
            print(f"  {name:28s} {args.images / min(ts):8.0f} images/s (median "
                  f"{args.images / statistics.median(ts):.0f})")
        ratio = min(times["deepprob"]) / min(times["hand-written Pillow + torch"])
        print(f"  deepprob time / hand-written time: {ratio:.2f}x")
        if "keras ImageDataGenerator" in times:
            speed = min(times["keras ImageDataGenerator"]) / min(times["deepprob"])
            print(f"  deepprob speed-up over Keras: {speed:.1f}x")
        if args.stages:
            stage_profile(root, args.repeats)
    if not args.skip_cnn:
        bench_cnn(args.cnn_steps, args.repeats)


if __name__ == "__main__":
    main()

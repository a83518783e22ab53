"""dp.preprocessing.image: Pillow-exact loading, Keras's directory iterator semantics on real
digit images, augmentation against closed forms, Pillow and Keras (fixtures from
tools/make_keras_fixtures.py), repeatability, bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance

import deepprob as dp
from deepprob.preprocessing import image as dpi

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "keras"
COUNTS = {"10": 7, "9": 5, "a_three": 9}  # string order: "10" < "9" < "a_three"
DIGITS = {"10": 0, "9": 9, "a_three": 3}


@pytest.fixture(scope="module")
def digits():
    x, y = dp.datasets.mnist.load_sample()
    return x, y


@pytest.fixture(scope="module")
def digit_dir(tmp_path_factory, digits):
    """Class folders of real MNIST digits; PNG and JPEG mixed, one nested sub-folder."""
    x, y = digits
    root = tmp_path_factory.mktemp("digits")
    expected = {}
    for cls, n in COUNTS.items():
        idx = np.flatnonzero(y == DIGITS[cls])[:n]
        for k, i in enumerate(idx):
            sub = root / cls / ("nested" if k == 0 else "")
            sub.mkdir(parents=True, exist_ok=True)
            ext = "jpg" if k % 3 == 2 else "png"
            path = sub / f"img_{k:02d}.{ext}"
            Image.fromarray(x[i]).save(path)
            expected[str(path.relative_to(root))] = np.asarray(Image.open(path).convert("RGB"))
    (root / "a_three" / "notes.txt").write_text("not an image")
    return root, expected


def _keras_order(root: Path):
    names = []
    for cls in sorted(COUNTS):
        files = []
        for dirpath, _, fnames in sorted(os.walk(root / cls), key=lambda t: t[0]):
            for f in sorted(fnames):
                if f.endswith((".png", ".jpg")):
                    files.append(os.path.relpath(os.path.join(dirpath, f), root))
        names += files
    return names


# ---- single images --------------------------------------------------------------------------
@pytest.mark.parametrize("interp", ["nearest", "bilinear", "bicubic", "lanczos", "box", "hamming"])
def test_load_img_is_pillow_resize(tmp_path, interp):
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
    path = tmp_path / "a.png"
    Image.fromarray(arr).save(path)
    img = dpi.load_img(path, target_size=(20, 31), interpolation=interp)
    ref = Image.open(path).resize((31, 20), getattr(Image.Resampling, interp.upper()))
    np.testing.assert_array_equal(np.asarray(img), np.asarray(ref))
    gray = dpi.img_to_array(dpi.load_img(path, color_mode="grayscale"))
    np.testing.assert_array_equal(gray[..., 0], np.asarray(Image.open(path).convert("L")))
    assert gray.dtype == np.float32 and gray.shape == (37, 53, 1)


def test_array_to_img_scales_and_save_img_round_trip(tmp_path):
    x = np.linspace(-1, 3, 2 * 3 * 3).reshape(2, 3, 3).astype(np.float32)
    img = dpi.array_to_img(x)
    shifted = x - x.min()
    expected = (shifted / shifted.max() * np.float32(255)).astype("uint8")
    np.testing.assert_array_equal(np.asarray(img), expected)
    raw = np.arange(12, dtype=np.float32).reshape(2, 2, 3) * 20
    dpi.save_img(tmp_path / "r.png", raw, scale=False)
    np.testing.assert_array_equal(dpi.img_to_array(dpi.load_img(tmp_path / "r.png")), raw)


def test_bad_arguments_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="target_size.*two positive integers"):
        dpi.load_img(tmp_path / "x.png", target_size=(0, 3))
    with pytest.raises(ValueError, match="interpolation.*Did you mean 'bilinear'"):
        dpi.load_img(tmp_path / "x.png", target_size=(3, 3), interpolation="bilinaer")
    gen = dpi.ImageDataGenerator()
    with pytest.raises(ValueError, match="class_mode.*categorical"):
        gen.flow_from_directory(tmp_path, class_mode="categorial")
    with pytest.raises(ValueError, match="no sub-folders"):
        (tmp_path / "a.png").write_bytes(b"")
        gen.flow_from_directory(tmp_path)


# ---- directory iterator ---------------------------------------------------------------------
def test_flow_from_directory_keras_semantics(digit_dir, capsys):
    root, expected = digit_dir
    gen = dpi.ImageDataGenerator()
    it = gen.flow_from_directory(root, target_size=(28, 28), batch_size=8, shuffle=False)
    assert capsys.readouterr().out.strip() == "Found 21 images belonging to 3 classes."
    assert it.class_indices == {"10": 0, "9": 1, "a_three": 2}
    assert it.samples == 21 and len(it) == 3 and it.num_classes == 3
    assert it.filenames == _keras_order(root)
    np.testing.assert_array_equal(it.classes, [0] * 7 + [1] * 5 + [2] * 9)
    seen = []
    for step in range(5):  # past the end: infinite, the last batch of an epoch is short
        bx, by = next(it)
        assert bx.shape == ((5,) if step % 3 == 2 else (8,)) + (28, 28, 3)
        assert bx.dtype == np.float32 and by.shape == (len(bx), 3)
        seen.append((bx, by))
    names = it.filenames
    for k in range(21):
        bx, by = seen[k // 8]
        np.testing.assert_array_equal(bx[k % 8], expected[names[k]])
        assert by[k % 8].argmax() == it.classes[k] and by[k % 8].sum() == 1
    np.testing.assert_array_equal(seen[3][0], seen[0][0])  # second epoch, same order
    np.testing.assert_array_equal(it[2][0], seen[2][0])


@pytest.mark.parametrize("mode", ["binary", "sparse", "input", None])
def test_class_modes(digit_dir, mode):
    root, expected = digit_dir
    classes = ["9", "a_three"]
    it = dpi.ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        root, target_size=(28, 28), color_mode="grayscale", classes=classes, class_mode=mode,
        batch_size=14, shuffle=False, verbose=False)
    out = next(it)
    bx = out if mode is None else out[0]
    assert bx.shape == (14, 28, 28, 1)
    ref = np.stack([expected[n][..., :1] for n in it.filenames]).astype("float32") / 255
    np.testing.assert_allclose(bx, ref, rtol=0, atol=1e-7)
    if mode in ("binary", "sparse"):
        np.testing.assert_array_equal(out[1], [0.0] * 5 + [1.0] * 9)
        assert out[1].dtype == np.float32
    elif mode == "input":
        np.testing.assert_array_equal(out[1], bx)


def test_subsets_split_each_class_as_keras(digit_dir):
    root, _ = digit_dir
    gen = dpi.ImageDataGenerator(validation_split=0.3)
    train = gen.flow_from_directory(root, target_size=(8, 8), subset="training", verbose=False)
    val = gen.flow_from_directory(root, target_size=(8, 8), subset="validation", verbose=False)
    order = _keras_order(root)
    want_val, want_train = [], []
    for cls in sorted(COUNTS):
        files = [f for f in order if f.split("/")[0] == cls]
        cut = int(0.3 * len(files))
        want_val += files[:cut]
        want_train += files[cut:]
    assert val.filenames == want_val and train.filenames == want_train
    assert val.samples + train.samples == 21 and val.samples == 2 + 1 + 2


def test_shuffle_is_repeatable_and_labels_follow_images(digit_dir):
    root, expected = digit_dir
    gen = dpi.ImageDataGenerator(rotation_range=30, zoom_range=0.1, horizontal_flip=True)
    kw = dict(target_size=(28, 28), batch_size=6, class_mode="sparse", seed=5, verbose=False)
    a, b = gen.flow_from_directory(root, **kw), gen.flow_from_directory(root, **kw)
    c = gen.flow_from_directory(root, **{**kw, "seed": 6})
    for _ in range(4):
        (xa, ya), (xb, yb), (xc, _) = next(a), next(b), next(c)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(xa, xc)
    plain = dpi.ImageDataGenerator().flow_from_directory(root, **kw)
    lookup = {expected[n].tobytes(): c for n, c in zip(plain.filenames, plain.classes)}
    for _ in range(4):
        bx, by = next(plain)
        assert [lookup[v.astype(np.uint8).tobytes()] for v in bx] == by.astype(int).tolist()


def test_bad_files_raise_by_name_or_skip(tmp_path, digits):
    x, _ = digits
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        for k in range(3):
            Image.fromarray(x[k]).save(tmp_path / cls / f"ok{k}.png")
    (tmp_path / "a" / "empty.jpg").write_bytes(b"")
    (tmp_path / "b" / "text.png").write_text("hello")
    good = (tmp_path / "a" / "ok0.png").read_bytes()
    (tmp_path / "b" / "truncated.png").write_bytes(good[: len(good) // 2])
    gen = dpi.ImageDataGenerator()
    with pytest.raises(ValueError, match=r"empty\.jpg.*0 bytes.*and 1 more.*bad_files='skip'"):
        gen.flow_from_directory(tmp_path, target_size=(28, 28))
    with pytest.warns(UserWarning, match=r"Skipped 3 file\(s\).*empty\.jpg.*text\.png.*trunc"):
        it = gen.flow_from_directory(tmp_path, target_size=(28, 28), bad_files="skip",
                                     verbose=False)
    assert it.samples == 6 and len(it.bad_files) == 3
    assert next(it)[0].shape == (6, 28, 28, 3)
    (tmp_path / "a" / "empty.jpg").unlink()
    (tmp_path / "b" / "text.png").unlink()
    it = gen.flow_from_directory(tmp_path, target_size=(28, 28), shuffle=False, verbose=False)
    with pytest.raises(ValueError, match=r"Cannot decode image .*truncated\.png"):
        for _ in range(len(it)):
            next(it)


# ---- transforms -----------------------------------------------------------------------------
def test_rotation_flip_shift_closed_forms():
    img = np.arange(36.0, dtype=np.float32).reshape(6, 6, 1)
    for order in (0, 1):
        rot = dpi.apply_affine_transform(img, theta=90, order=order)
        np.testing.assert_allclose(rot[..., 0], np.rot90(img[..., 0]), atol=1e-3)
    gen = dpi.ImageDataGenerator()
    np.testing.assert_array_equal(gen.apply_transform(img, {"flip_horizontal": True}),
                                  img[:, ::-1])
    np.testing.assert_array_equal(gen.apply_transform(img, {"flip_vertical": True}), img[::-1])
    marked = np.zeros((9, 9, 1), np.float32)
    marked[4, 5] = 1
    out = gen.apply_transform(marked, {"tx": 2, "ty": -3})  # tx: columns, ty: rows
    assert np.argwhere(out[..., 0] > 0.5).tolist() == [[7, 3]]
    const = dpi.ImageDataGenerator(fill_mode="constant", cval=5.0)
    out = const.apply_transform(np.ones((5, 5, 1), np.float32), {"tx": 2})
    np.testing.assert_allclose(out[:, 3:, 0], 5.0)
    np.testing.assert_allclose(out[:, :3, 0], 1.0)


@pytest.mark.parametrize("params", [
    {"theta": 27.0}, {"zx": 0.7, "zy": 1.3}, {"shear": 11.0},
    {"theta": -13.0, "tx": 2.5, "ty": -1.5, "shear": 5.0, "zx": 0.9, "zy": 1.1}])
def test_affine_on_a_linear_ramp_matches_the_matrix(params):
    """Bilinear sampling is exact on a linear image, so the output is the ramp evaluated at the
    source coordinate Keras's matrices (rotation @ shift @ shear @ zoom about the centre) give."""
    h = w = 41
    r, c = np.mgrid[0:h, 0:w].astype(np.float64)
    img = (0.5 * r + 2.0 * c + 3.0)[..., None].astype(np.float32)
    out = dpi.ImageDataGenerator().apply_transform(img, params)[..., 0]
    t, s = np.deg2rad(params.get("theta", 0)), np.deg2rad(params.get("shear", 0))
    rot = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    shift = np.array([[1, 0, params.get("tx", 0)], [0, 1, params.get("ty", 0)], [0, 0, 1]])
    shear = np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    zoom = np.diag([params.get("zx", 1), params.get("zy", 1), 1.0])
    m = rot @ shift @ shear @ zoom  # acts on (x=col, y=row) about the centre
    ctr = (w - 1) / 2
    src_c = m[0, 0] * (c - ctr) + m[0, 1] * (r - ctr) + m[0, 2] + ctr
    src_r = m[1, 0] * (c - ctr) + m[1, 1] * (r - ctr) + m[1, 2] + ctr
    inside = (src_c >= 0) & (src_c <= w - 1) & (src_r >= 0) & (src_r <= h - 1)
    assert inside.mean() > 0.5
    np.testing.assert_allclose(out[inside], (0.5 * src_r + 2.0 * src_c + 3.0)[inside],
                               rtol=0, atol=2e-3)


def test_brightness_is_pillow_enhance_and_channel_shift_clips():
    img = np.random.default_rng(1).integers(0, 256, size=(7, 9, 3)).astype(np.float32)
    gen = dpi.ImageDataGenerator()
    for f in (0.3, 0.77, 1.6):
        ref = ImageEnhance.Brightness(Image.fromarray(img.astype(np.uint8))).enhance(f)
        np.testing.assert_array_equal(gen.apply_transform(img, {"brightness": f}),
                                      np.asarray(ref, dtype=np.float32))
    out = gen.apply_transform(img, {"channel_shift_intensity": 40.0})
    np.testing.assert_array_equal(out, np.clip(img + 40.0, img.min(), img.max()))


def test_batch_is_one_grid_sample_and_equals_single_images(monkeypatch):
    gen = dpi.ImageDataGenerator(rotation_range=40, width_shift_range=0.2,
                                 height_shift_range=0.2, shear_range=0.2, zoom_range=0.2,
                                 horizontal_flip=True)
    x = np.random.default_rng(2).uniform(0, 255, size=(8, 20, 20, 3)).astype(np.float32)
    rng = np.random.default_rng(0)
    params = [gen.get_random_transform(x.shape[1:], rng=rng) for _ in range(8)]
    calls = []
    real = torch.nn.functional.grid_sample
    monkeypatch.setattr(dpi.F, "grid_sample", lambda *a, **k: calls.append(1) or real(*a, **k))
    batch = gen._apply_batch(torch.from_numpy(x), params).numpy()
    assert len(calls) == 1
    for i in range(8):
        np.testing.assert_allclose(batch[i], gen.apply_transform(x[i], params[i]), atol=1e-4)


def test_featurewise_fit_and_flow():
    x = np.random.default_rng(3).normal(5, 2, size=(40, 4, 4, 3)).astype(np.float32)
    y = np.arange(40) % 4
    gen = dpi.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                                 validation_split=0.25)
    gen.fit(x)
    np.testing.assert_allclose(gen.mean.ravel(), x.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(gen.std.ravel(), x.std(axis=(0, 1, 2)), rtol=1e-4)
    it = gen.flow(x, y, batch_size=30, shuffle=False, subset="training",
                  sample_weight=np.ones(40))
    bx, by, bw = next(it)
    assert len(it) == 1 and bx.shape == (30, 4, 4, 3) and bw.shape == (30,)
    np.testing.assert_allclose(bx, (x[10:] - gen.mean) / (gen.std + 1e-6), atol=1e-5)
    np.testing.assert_array_equal(by, y[10:])
    assert gen.flow(x, y, subset="validation").n == 10


# ---- Keras parity (fixtures written by tools/make_keras_fixtures.py with TensorFlow) ---------
def _fixture(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} missing: run tools/make_keras_fixtures.py with TensorFlow")
    return path


def test_random_transform_draws_equal_keras():
    data = json.loads(_fixture("image_transforms.json").read_text())
    gen = dpi.ImageDataGenerator(rotation_range=40, width_shift_range=0.2,
                                 height_shift_range=0.2, shear_range=0.2, zoom_range=0.2,
                                 horizontal_flip=True, vertical_flip=True,
                                 brightness_range=(0.5, 1.5), channel_shift_range=20.0)
    for seed, want in data["draws"].items():
        got = gen.get_random_transform((150, 120, 3), seed=int(seed))
        for key, value in want.items():
            assert float(got[key]) == pytest.approx(value, abs=1e-12), (seed, key)


def test_apply_transform_equals_keras():
    data = json.loads(_fixture("image_transforms.json").read_text())
    arrays = np.load(_fixture("image_transforms.npz"))
    img = arrays["image"]
    for name, params in data["cases"].items():
        got = dpi.ImageDataGenerator().apply_transform(img, params)
        np.testing.assert_allclose(got, arrays[name], atol=1e-3, err_msg=name)
    got = dpi.ImageDataGenerator(fill_mode="constant", cval=9.0).apply_transform(
        img, {"tx": 3, "ty": -2})
    np.testing.assert_allclose(got, arrays["shift_constant"], atol=1e-3)
    got = dpi.ImageDataGenerator(fill_mode="reflect").apply_transform(img, {"tx": 3, "ty": -2})
    np.testing.assert_allclose(got, arrays["shift_reflect"], atol=1e-3)


# ---- the batched fast path against the per-image reference ----------------------------------
@pytest.mark.parametrize("kw", [
    dict(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
         zoom_range=0.2, horizontal_flip=True),
    dict(width_shift_range=3.5, zoom_range=(0.5, 0.9), vertical_flip=True,
         channel_shift_range=20.0, brightness_range=(0.5, 1.5)),
    dict(height_shift_range=0.1),
    dict(width_shift_range=4, rotation_range=10),  # int shift: per-image choice() draws
    dict(height_shift_range=[-2, 0, 3], horizontal_flip=True),
])
def test_batched_draws_equal_per_image_draws(kw):
    gen = dpi.ImageDataGenerator(**kw)
    shape = (30, 24, 3)
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    per_image = [gen.get_random_transform(shape, rng=a) for _ in range(13)]
    arrays = gen._random_arrays(13, shape, b)
    for key in ("theta", "tx", "ty", "shear", "zx", "zy", "flip_horizontal", "flip_vertical",
                "channel_shift_intensity", "brightness"):
        want = [p[key] for p in per_image]
        if want[0] is None:
            assert arrays[key] is None, key
        else:
            np.testing.assert_array_equal(arrays[key], np.asarray(want, dtype=arrays[key].dtype),
                                          err_msg=key)
    assert a.random() == b.random()  # the stream is left at the same place


def test_affine_matrices_equal_per_image_products():
    rng = np.random.default_rng(3)
    n, h, w = 9, 17, 23
    theta, tx, ty = rng.uniform(-40, 40, n), rng.uniform(-4, 4, n), rng.uniform(-4, 4, n)
    shear, zx, zy = rng.uniform(-20, 20, n), rng.uniform(0.8, 1.2, n), rng.uniform(0.8, 1.2, n)
    mats = dpi.affine_matrices(theta, tx, ty, shear, zx, zy, h, w)
    ctr = np.array([[1, 0, (w - 1) / 2], [0, 1, (h - 1) / 2], [0, 0, 1]])
    back = np.array([[1, 0, -(w - 1) / 2], [0, 1, -(h - 1) / 2], [0, 0, 1]])
    for i in range(n):
        t, s = np.deg2rad(theta[i]), np.deg2rad(shear[i])
        rot = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
        shift = np.array([[1, 0, tx[i]], [0, 1, ty[i]], [0, 0, 1]])
        sh = np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
        zoom = np.diag([zx[i], zy[i], 1.0])
        np.testing.assert_allclose(mats[i], ctr @ rot @ shift @ sh @ zoom @ back, atol=1e-12)


@pytest.mark.parametrize("hw", [(150, 150), (7, 13), (13, 7)])
def test_broadcast_grid_maps_output_pixels_through_the_matrix(hw):
    """The sampling grid, back in pixels, is the matrix applied to every output pixel (closed
    form), and equals ``F.affine_grid`` on the same ``theta``."""
    h, w = hw
    rng = np.random.default_rng(4)
    n = 5
    mats = dpi.affine_matrices(rng.uniform(-40, 40, n), rng.uniform(-3, 3, n),
                               rng.uniform(-3, 3, n), rng.uniform(-15, 15, n),
                               rng.uniform(0.8, 1.2, n), rng.uniform(0.8, 1.2, n), h, w)
    theta = dpi._normalized_theta(torch.from_numpy(mats), h, w)
    grid = dpi._affine_grid(theta, h, w).numpy()
    r, c = np.mgrid[0:h, 0:w].astype(np.float64)
    for i in range(n):
        src_c = mats[i, 0, 0] * c + mats[i, 0, 1] * r + mats[i, 0, 2]
        src_r = mats[i, 1, 0] * c + mats[i, 1, 1] * r + mats[i, 1, 2]
        np.testing.assert_allclose((grid[i, ..., 0] + 1) * (w - 1) / 2, src_c, atol=1e-9)
        np.testing.assert_allclose((grid[i, ..., 1] + 1) * (h - 1) / 2, src_r, atol=1e-9)
    ref = torch.nn.functional.affine_grid(theta.float(), [n, 3, h, w], align_corners=True)
    np.testing.assert_allclose(dpi._affine_grid(theta.float(), h, w).numpy(), ref.numpy(),
                               atol=1e-6)


def test_flips_folded_into_the_transform_equal_flipping_afterwards():
    gen = dpi.ImageDataGenerator()
    x = np.random.default_rng(5).uniform(0, 255, size=(19, 23, 3)).astype(np.float32)
    base = {"theta": 17.0, "tx": 1.5, "ty": -2.0, "shear": 4.0, "zx": 0.9, "zy": 1.1,
            "channel_shift_intensity": 15.0}
    plain = gen.apply_transform(x, base)
    for flips, ref in (({"flip_horizontal": True}, plain[:, ::-1]),
                       ({"flip_vertical": True}, plain[::-1]),
                       ({"flip_horizontal": True, "flip_vertical": True}, plain[::-1, ::-1])):
        np.testing.assert_allclose(gen.apply_transform(x, {**base, **flips}), ref, atol=1e-3)
    # a batch mixing moving and still images, flipped or not
    params = [{**base, "flip_horizontal": True}, {"flip_horizontal": True},
              {"flip_vertical": True, "theta": 90.0}, {}]
    batch = gen._apply_batch(torch.from_numpy(np.stack([x] * 4)), params).numpy()
    np.testing.assert_allclose(batch[0], plain[:, ::-1], atol=1e-3)
    np.testing.assert_array_equal(batch[1], x[:, ::-1])
    rot = np.rot90(x[:19, :19])  # square crop: theta=90 is np.rot90
    sq = gen._apply_batch(torch.from_numpy(np.stack([x[:19, :19]])),
                          [{"flip_vertical": True, "theta": 90.0}]).numpy()[0]
    np.testing.assert_allclose(sq, rot[::-1], atol=1e-3)
    np.testing.assert_array_equal(batch[3], x)


def test_iterator_rescale_is_applied_after_the_transform(digit_dir):
    """The fused copy + rescale equals Keras's order (transform, then ``x *= rescale``)."""
    root, _ = digit_dir
    aug = dict(rotation_range=30, width_shift_range=0.1, zoom_range=0.1, horizontal_flip=True)
    kw = dict(target_size=(28, 28), batch_size=8, seed=3, verbose=False)
    scaled = dpi.ImageDataGenerator(rescale=1 / 255, **aug).flow_from_directory(root, **kw)
    raw = dpi.ImageDataGenerator(**aug).flow_from_directory(root, **kw)
    for _ in range(3):
        xs, xr = next(scaled)[0], next(raw)[0]
        assert xs.flags.c_contiguous and xs.dtype == np.float32
        want = xr.copy()
        want *= 1 / 255
        np.testing.assert_array_equal(xs, want)


def test_fill_all_runs_every_index_once_and_raises_the_first_error():
    import threading

    seen, threads = [], set()

    def fill(k):
        seen.append(k)
        threads.add(threading.get_ident())

    dpi._fill_all(fill, 50, workers=3)
    assert sorted(seen) == list(range(50))

    def bad(k):
        if k == 7:
            raise ValueError("Cannot decode image 'seven.jpg'")

    with pytest.raises(ValueError, match="seven.jpg"):
        dpi._fill_all(bad, 20, workers=2)
    seen.clear()
    dpi._fill_all(fill, 3, workers=1)  # no helper threads: in order on the caller's thread
    assert seen == [0, 1, 2]


def test_next_batch_is_decoded_in_the_background_with_the_same_results(digit_dir, monkeypatch):
    import threading

    from deepprob.preprocessing.image import Iterator

    root, _ = digit_dir
    gen = dpi.ImageDataGenerator(rotation_range=20, horizontal_flip=True, rescale=1 / 255)
    kw = dict(target_size=(28, 28), batch_size=6, class_mode="sparse", seed=2, verbose=False)
    a, b = gen.flow_from_directory(root, **kw), gen.flow_from_directory(root, **kw)
    main, calls = threading.get_ident(), []
    real = dpi.DirectoryIterator._decode

    def spy(self, index_array):
        if self is a:
            calls.append(threading.get_ident() == main)
        return real(self, index_array)

    monkeypatch.setattr(dpi.DirectoryIterator, "_decode", spy)
    for _ in range(2 * len(a)):  # two epochs of 4 batches (21 images)
        (xa, ya), (xb, yb) = next(a), Iterator.__next__(b)  # b: no prefetching
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    # decoded on the caller's thread only at the start of each epoch (the order of the next
    # epoch is drawn when it starts); every other batch was started in the background
    assert calls.count(True) == 2 and calls.count(False) == 6

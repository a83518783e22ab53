"""``dp.preprocessing.image``: Keras's image loading and ``ImageDataGenerator`` on Pillow + torch.

Images are decoded and resized with Pillow exactly as Keras does (``load_img`` is pixel-identical
to ``PIL.Image.resize`` with the same interpolation). Augmentation follows Keras's transform
conventions (``theta`` in degrees counter-clockwise, ``tx`` / ``ty`` / ``zx`` / ``zy`` / ``shear``
composed as ``rotation @ shift @ shear @ zoom``) but runs batched on torch: one affine sampling
grid (``F.affine_grid``'s, built by broadcasting) + ``grid_sample`` per batch instead of one SciPy
call per image and channel.
Directory iterators decode their batches in worker threads (Pillow releases the GIL) and,
within an epoch, start decoding the next batch in the background while the current one is
augmented.

Differences from Keras, on purpose:

* Transforms rotate and zoom about the true image centre ``((h - 1) / 2, (w - 1) / 2)``; Keras
  uses ``h / 2 + 0.5`` (off by one pixel), so its ``theta=90`` is ``np.rot90`` moved by two
  pixels while deepprob's equals ``np.rot90``.
* Randomness comes from a ``numpy.random.Generator`` owned by each iterator (seeded by
  ``seed``), not NumPy's global state, so two iterators with the same seed repeat each other.
* ``tx`` shifts columns and ``ty`` rows, as Keras applies them (Keras draws ``tx`` from
  ``height_shift_range`` scaled by the image height; deepprob draws the same numbers, so
  ``get_random_transform(shape, seed)`` matches Keras's and a square image sees the same
  distribution of shifts).
* Files that cannot be decoded are reported by name (``bad_files="raise" | "skip"``).
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from deepprob._errors import unknown

__all__ = [
    "DirectoryIterator", "ImageDataGenerator", "Iterator", "NumpyArrayIterator",
    "apply_affine_transform", "array_to_img", "img_to_array", "load_img", "save_img",
    "affine_transform_batch",
]

WHITE_LIST_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_COLOR_MODES = ("grayscale", "rgb", "rgba")
_CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
_FILL_MODES = ("nearest", "constant", "reflect", "wrap")


def _pil():
    try:
        from PIL import Image
    except ImportError as err:  # pragma: no cover - pillow is a dependency
        raise ImportError("dp.preprocessing.image needs Pillow: pip install pillow") from err
    return Image


def _pil_filter(interpolation: str):
    Image = _pil()
    if interpolation not in _INTERPOLATIONS:
        raise unknown("interpolation", interpolation, _INTERPOLATIONS, argument="interpolation")
    return getattr(Image.Resampling, interpolation.upper())


def _check_size(target_size, argument: str = "target_size") -> tuple[int, int] | None:
    if target_size is None:
        return None
    try:
        h, w = target_size
    except (TypeError, ValueError):
        h = w = None
    ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
             for v in (h, w))
    if not ok:
        raise ValueError(
            f"Argument `{argument}`: expected two positive integers (height, width), "
            f"received {target_size!r}."
        )
    return int(h), int(w)


def _check_choice(value, options, kind: str, argument: str):
    if value not in options:
        raise unknown(kind, value, [o for o in options if o is not None], argument=argument)
    return value


# ---- single images ------------------------------------------------------------------------------
def load_img(path, grayscale: bool = False, color_mode: str = "rgb", target_size=None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False):
    """Load an image file into a PIL image, converted and resized exactly as Keras does.

    Args:
        path: path to the file (str or ``pathlib.Path``) or a file-like object.
        grayscale: deprecated alias of ``color_mode="grayscale"``.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` or None (original size).
        interpolation: Pillow filter used when resizing: ``"nearest"``, ``"bilinear"``,
            ``"bicubic"``, ``"hamming"``, ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: crop the centre to the target aspect ratio before resizing.

    Returns:
        A ``PIL.Image.Image``.

    Example:
        >>> img = dp.preprocessing.image.load_img("cat.jpg", target_size=(150, 150))
        >>> dp.preprocessing.image.img_to_array(img).shape
        (150, 150, 3)
    """
    if grayscale:
        color_mode = "grayscale"
    _check_choice(color_mode, _COLOR_MODES, "color_mode", "color_mode")
    size = _check_size(target_size)
    resample = _pil_filter(interpolation) if size is not None else None
    if not isinstance(path, (str, os.PathLike)) and not hasattr(path, "read"):
        raise TypeError(
            f"Argument `path`: expected a path (str or pathlib.Path) or a file object, "
            f"received {type(path).__name__}."
        )
    return _open_image(path, color_mode, size, resample, keep_aspect_ratio)


def _open_image(path, color_mode: str, size, resample, keep_aspect_ratio: bool):
    """``load_img`` on checked arguments: Keras's steps (the whole file read into memory, then
    ``convert`` and ``resize`` with Pillow)."""
    Image = _pil()
    if hasattr(path, "read"):
        img = Image.open(io.BytesIO(path.read()))
    else:
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif img.mode != "RGB":
        img = img.convert("RGB")
    if size is not None:
        wh = (size[1], size[0])
        if img.size != wh:
            if keep_aspect_ratio:
                width, height = img.size
                crop_h = min(height, width * size[0] // size[1])
                crop_w = min(width, height * size[1] // size[0])
                top, left = (height - crop_h) // 2, (width - crop_w) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize(wh, resample)
    return img


def img_to_array(img, data_format: str | None = None, dtype=None) -> np.ndarray:
    """A PIL image as a float32 array ``(height, width, channels)`` (values as stored, 0-255).

    Args:
        img: a PIL image.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dtype: NumPy dtype of the result (float32).

    Example:
        >>> dp.preprocessing.image.img_to_array(PIL.Image.new("L", (4, 3))).shape
        (3, 4, 1)
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[..., None]
    elif x.ndim != 3:
        raise ValueError(f"Argument `img`: unsupported image shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    return x


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None):
    """An array ``(height, width, channels)`` with 1, 3 or 4 channels as a PIL image.

    Args:
        x: NumPy array or tensor.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        scale: rescale values to 0-255 (``(x - min) / max * 255``) as Keras does.
        dtype: unused (Keras compatibility).

    Example:
        >>> dp.preprocessing.image.array_to_img(np.zeros((2, 2, 3))).size
        (2, 2)
    """
    Image = _pil()
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype="float32")
    if x.ndim != 3:
        raise ValueError(
            f"Argument `x`: expected an image array of rank 3 (height, width, channels), "
            f"received shape {x.shape}."
        )
    if _data_format(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x = x / x_max
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Argument `x`: expected 1, 3 or 4 channels, received {channels}.")


def save_img(path, x, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs) -> None:
    """Save an image array to a file (format from ``file_format`` or the extension).

    Args:
        path: file path.
        x: image array ``(height, width, channels)``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        file_format: e.g. ``"png"`` or ``"jpeg"``; inferred from ``path`` when None.
        scale: rescale values to 0-255 first (see ``array_to_img``).
        **kwargs: passed to ``PIL.Image.save`` (e.g. ``quality=95``).

    Example:
        >>> dp.preprocessing.image.save_img("out.png", np.random.rand(8, 8, 3))
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    fmt = file_format or Path(str(path)).suffix.lstrip(".") or None
    if img.mode == "RGBA" and fmt is not None and fmt.lower() in ("jpg", "jpeg"):
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.",
                      stacklevel=2)
        img = img.convert("RGB")
    if fmt is not None and fmt.lower() == "jpg":
        fmt = "jpeg"
    img.save(path, format=fmt, **kwargs)


def _data_format(data_format):
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise unknown("data_format", data_format, ("channels_last", "channels_first"),
                      argument="data_format")
    return data_format


# ---- batched affine transforms ------------------------------------------------------------------
def affine_matrices(theta, tx, ty, shear, zx, zy, height: int, width: int) -> np.ndarray:
    """Keras's composed transforms as ``(N, 3, 3)`` matrices mapping output pixel ``(x=col,
    y=row)`` coordinates to input coordinates, about the image centre.

    Args:
        theta: rotation in degrees, counter-clockwise (array of N or scalar).
        tx, ty: shifts in pixels (``tx`` moves sampling along columns, ``ty`` along rows).
        shear: shear angle in degrees.
        zx, zy: zoom factors (sampling step along columns / rows; < 1 zooms in).
        height, width: image size.

    Example:
        >>> affine_matrices(90, 0, 0, 0, 1, 1, 3, 3)[0].round(6)  # doctest: +SKIP
    """
    theta, tx, ty, shear, zx, zy = np.broadcast_arrays(
        *[np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (theta, tx, ty, shear, zx, zy)])
    n = theta.shape[0]
    t, s = np.deg2rad(theta), np.deg2rad(shear)
    eye = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    rot, shift, sh, zoom = eye.copy(), eye.copy(), eye.copy(), eye.copy()
    rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1] = np.cos(t), -np.sin(t), np.sin(t), np.cos(t)
    shift[:, 0, 2], shift[:, 1, 2] = tx, ty
    sh[:, 0, 1], sh[:, 1, 1] = -np.sin(s), np.cos(s)
    zoom[:, 0, 0], zoom[:, 1, 1] = zx, zy
    m = rot @ shift @ sh @ zoom
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    to_c, from_c = np.eye(3), np.eye(3)
    to_c[0, 2], to_c[1, 2] = cx, cy
    from_c[0, 2], from_c[1, 2] = -cx, -cy
    return to_c @ m @ from_c


def _normalized_theta(m: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Pixel maps ``(N, 2|3, 3)`` (output ``(col, row)`` -> input) as ``affine_grid``'s ``theta``
    on normalized coordinates (``align_corners=True``: ``u = s p - 1`` with ``s = 2 / (size - 1)``).

    In closed form, with ``S = diag(sx, sy)``: ``theta = [S A S^-1 | S (A S^-1 1 + t) - 1]``.
    """
    s = torch.tensor([2.0 / max(width - 1, 1), 2.0 / max(height - 1, 1)], dtype=m.dtype,
                     device=m.device)
    a, t = m[:, :2, :2], m[:, :2, 2]
    a_s = a / s  # A S^-1 (columns divided)
    lin = s[:, None] * a_s
    off = s * (a_s.sum(-1) + t) - 1.0
    return torch.cat([lin, off[..., None]], dim=-1)


def _linspace_grid(size: int, like: torch.Tensor) -> torch.Tensor:
    if size <= 1:  # as affine_grid: a single pixel sits at 0
        return torch.zeros(size, dtype=like.dtype, device=like.device)
    return torch.linspace(-1.0, 1.0, size, dtype=like.dtype, device=like.device)


def _affine_grid(theta: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``F.affine_grid(theta, [N, C, height, width], align_corners=True)`` by broadcasting.

    The grid is affine in the column and the row, so it is the sum of a per-column and a per-row
    term: one broadcast add instead of the thin batched matmul ``affine_grid`` runs (several times
    slower on CPU).
    """
    n = theta.shape[0]
    u = _linspace_grid(width, theta).view(1, width, 1)
    v = _linspace_grid(height, theta).view(1, height, 1)
    cols = u * theta[:, :, 0].view(n, 1, 2)  # (N, W, 2)
    rows = torch.addcmul(theta[:, :, 2].view(n, 1, 2), v, theta[:, :, 1].view(n, 1, 2))  # (N, H, 2)
    return cols.unsqueeze(1) + rows.unsqueeze(2)


def _fold(coord: torch.Tensor, size: int, mode: str) -> torch.Tensor:
    """Map pixel coordinates outside ``[0, size - 1]`` back inside (``reflect`` / ``wrap``)."""
    if mode == "reflect":  # d c b a | a b c d | d c b a
        period = 2.0 * size
        q = torch.remainder(coord + 0.5, period)
        q = torch.where(q >= size, period - q, q)
        return q - 0.5
    return torch.remainder(coord + 0.5, float(size)) - 0.5  # wrap: a b c d | a b c d


def affine_transform_batch(x: torch.Tensor, matrices, fill_mode: str = "nearest",
                           cval: float = 0.0, interpolation: str = "bilinear") -> torch.Tensor:
    """Apply one affine transform per image to a channels-last batch with one ``grid_sample``.

    Args:
        x: float tensor ``(N, H, W, C)``.
        matrices: ``(N, 3, 3)`` (or ``(N, 2, 3)``) maps from output to input pixel coordinates
            ``(col, row)``, e.g. from ``affine_matrices``.
        fill_mode: ``"nearest"``, ``"constant"``, ``"reflect"`` or ``"wrap"`` (as Keras/SciPy).
        cval: fill value for ``"constant"``.
        interpolation: ``"nearest"``, ``"bilinear"`` or ``"bicubic"``.

    Returns:
        The transformed batch ``(N, H, W, C)``.

    Example:
        >>> m = affine_matrices(90, 0, 0, 0, 1, 1, 4, 4)
        >>> affine_transform_batch(torch.rand(1, 4, 4, 1), m).shape
        torch.Size([1, 4, 4, 1])
    """
    _check_choice(fill_mode, _FILL_MODES, "fill_mode", "fill_mode")
    _check_choice(interpolation, ("nearest", "bilinear", "bicubic"), "interpolation",
                  "interpolation")
    n, h, w, c = x.shape
    f64 = {"dtype": torch.float64, "device": x.device}
    if isinstance(matrices, torch.Tensor):
        m = matrices.to(**f64)
    else:
        m = torch.as_tensor(np.asarray(matrices), **f64)
    theta = _normalized_theta(m, h, w).to(x.dtype if x.is_floating_point() else torch.float32)
    sx, sy = 2.0 / max(w - 1, 1), 2.0 / max(h - 1, 1)
    xs = x if x.is_floating_point() else x.float()
    images = xs.permute(0, 3, 1, 2)  # a channels_last NCHW view, no copy
    grid = _affine_grid(theta, h, w)
    padding = "border"
    if fill_mode in ("reflect", "wrap"):
        px = _fold((grid[..., 0] + 1) / sx, w, fill_mode) * sx - 1
        py = _fold((grid[..., 1] + 1) / sy, h, fill_mode) * sy - 1
        grid = torch.stack([px, py], dim=-1)
    elif fill_mode == "constant":
        padding = "zeros"
        if cval:
            images = images - cval
    out = F.grid_sample(images, grid, mode=interpolation, padding_mode=padding,
                        align_corners=True)
    if fill_mode == "constant" and cval:
        out = out + cval
    return out.permute(0, 2, 3, 1)


def apply_affine_transform(x, theta: float = 0, tx: float = 0, ty: float = 0, shear: float = 0,
                           zx: float = 1, zy: float = 1, row_axis: int = 0, col_axis: int = 1,
                           channel_axis: int = 2, fill_mode: str = "nearest", cval: float = 0.0,
                           order: int = 1) -> np.ndarray:
    """Keras's ``apply_affine_transform`` for one image (channels-last by default), on torch.

    Args:
        x: image array of rank 3.
        theta: rotation, degrees counter-clockwise.
        tx: shift along columns in pixels (Keras's convention); ty: shift along rows.
        shear: shear angle in degrees.
        zx, zy: zoom along columns / rows.
        row_axis, col_axis, channel_axis: axes of ``x`` (0, 1, 2 for channels-last).
        fill_mode: ``"nearest"``, ``"constant"``, ``"reflect"`` or ``"wrap"``.
        cval: value for ``fill_mode="constant"``.
        order: interpolation order, 0 (nearest), 1 (bilinear) or 3 (bicubic).

    Example:
        >>> img = np.arange(9.0).reshape(3, 3, 1)
        >>> np.array_equal(apply_affine_transform(img, theta=90, order=0)[..., 0],
        ...                np.rot90(img[..., 0]))
        True
    """
    arr = np.asarray(x, dtype="float32")
    if arr.ndim != 3 or sorted((row_axis, col_axis, channel_axis)) != [0, 1, 2]:
        raise ValueError(
            "Argument `x`: expected one image of rank 3 with distinct row/col/channel axes "
            f"0, 1, 2; received shape {arr.shape} and axes {(row_axis, col_axis, channel_axis)}."
        )
    hwc = np.transpose(arr, (row_axis, col_axis, channel_axis))
    mats = affine_matrices(theta, tx, ty, shear, zx, zy, hwc.shape[0], hwc.shape[1])
    out = affine_transform_batch(torch.from_numpy(np.ascontiguousarray(hwc))[None], mats,
                                 fill_mode, cval, _order_mode(order))[0].numpy()
    return np.ascontiguousarray(np.transpose(out, np.argsort((row_axis, col_axis, channel_axis))))


def _order_mode(order: int) -> str:
    modes = {0: "nearest", 1: "bilinear", 3: "bicubic"}
    if order not in modes:
        raise ValueError(
            f"Argument `interpolation_order`: expected 0 (nearest), 1 (bilinear) or 3 (bicubic),"
            f" received {order!r}."
        )
    return modes[order]


def _brightness(x: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Keras's ``apply_brightness_shift`` (Pillow's ``ImageEnhance.Brightness`` on the image as
    uint8), batched: ``clip(trunc(trunc(x) * f), 0, 255)``; images outside 0-255 are mapped to
    0-255 first and back afterwards, as Keras does."""
    lo = x.amin(dim=(1, 2, 3), keepdim=True)
    hi = x.amax(dim=(1, 2, 3), keepdim=True)
    local = (lo < 0) | (hi > 255)
    span = torch.where(hi - lo != 0, hi - lo, torch.ones_like(hi))
    scaled = torch.where(local, (x - lo) / span * 255, x)
    f = factors.to(torch.float32).view(-1, 1, 1, 1)
    out = torch.clamp(torch.trunc(torch.trunc(scaled) * f), 0, 255)
    return torch.where(local, out / 255 * (hi - lo) + lo, out)


def _params_to_arrays(params: list[dict]) -> dict:
    """Per-image parameter dicts (``get_random_transform``'s) as arrays of N: float64 for the
    affine parameters, bool for the flips, float64 with NaN for "not drawn" (or None when no
    image has one) for ``channel_shift_intensity`` and ``brightness``."""
    out = {k: np.asarray([pr.get(k, d) for pr in params], dtype=np.float64)
           for k, d in (("theta", 0), ("tx", 0), ("ty", 0), ("shear", 0), ("zx", 1), ("zy", 1))}
    for k in ("flip_horizontal", "flip_vertical"):
        out[k] = np.asarray([bool(pr.get(k, False)) for pr in params], dtype=bool)
    for k in ("channel_shift_intensity", "brightness"):
        values = [pr.get(k) for pr in params]
        out[k] = None if all(v is None for v in values) else np.asarray(
            [np.nan if v is None else v for v in values], dtype=np.float64)
    return out


# ---- the generator --------------------------------------------------------------------------------
class ImageDataGenerator:
    """Real-time image augmentation and standardization, batched on torch (Keras's API).

    Args:
        featurewise_center: subtract the dataset mean (computed by ``fit``).
        samplewise_center: subtract each image's mean.
        featurewise_std_normalization: divide by the dataset std (computed by ``fit``).
        samplewise_std_normalization: divide each image by its std.
        zca_whitening: apply ZCA whitening (matrix computed by ``fit``).
        zca_epsilon: epsilon of the whitening (1e-6).
        rotation_range: degrees; rotations drawn uniformly in ``[-r, r]``.
        width_shift_range, height_shift_range: fraction of the size (< 1), pixels (>= 1), or a
            list of allowed pixel shifts.
        brightness_range: ``(low, high)`` brightness factors.
        shear_range: shear angle range in degrees.
        zoom_range: ``z`` for ``[1 - z, 1 + z]``, or ``(low, high)``.
        channel_shift_range: range of a random intensity added to all channels.
        fill_mode: ``"nearest"``, ``"constant"``, ``"reflect"`` or ``"wrap"``.
        cval: fill value for ``"constant"``.
        horizontal_flip, vertical_flip: random flips.
        rescale: factor applied after the transforms (e.g. ``1 / 255``).
        preprocessing_function: applied to each image (a float array ``(H, W, C)``) after
            augmentation and before rescaling.
        data_format: ``"channels_last"`` only.
        validation_split: fraction reserved for ``subset="validation"``.
        interpolation_order: 0, 1 (default) or 3.
        dtype: dtype of the batches (float32).

    Example:
        >>> gen = dp.preprocessing.image.ImageDataGenerator(rescale=1 / 255, rotation_range=40)
        >>> it = gen.flow_from_directory("horse-or-human/", target_size=(150, 150),
        ...                              batch_size=128, class_mode="binary")
        Found 1027 images belonging to 2 classes.
    """

    def __init__(self, featurewise_center: bool = False, samplewise_center: bool = False,
                 featurewise_std_normalization: bool = False,
                 samplewise_std_normalization: bool = False, zca_whitening: bool = False,
                 zca_epsilon: float = 1e-6, rotation_range: float = 0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
                 shear_range: float = 0.0, zoom_range=0.0, channel_shift_range: float = 0.0,
                 fill_mode: str = "nearest", cval: float = 0.0, horizontal_flip: bool = False,
                 vertical_flip: bool = False, rescale: float | None = None,
                 preprocessing_function: Callable | None = None, data_format: str | None = None,
                 validation_split: float = 0.0, interpolation_order: int = 1, dtype=None):
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = self._number(rotation_range, "rotation_range")
        self.width_shift_range = self._shift(width_shift_range, "width_shift_range")
        self.height_shift_range = self._shift(height_shift_range, "height_shift_range")
        self.shear_range = self._number(shear_range, "shear_range")
        self.channel_shift_range = self._number(channel_shift_range, "channel_shift_range")
        self.fill_mode = _check_choice(fill_mode, _FILL_MODES, "fill_mode", "fill_mode")
        self.cval = float(cval)
        self.horizontal_flip, self.vertical_flip = bool(horizontal_flip), bool(vertical_flip)
        self.rescale = rescale
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise TypeError("Argument `preprocessing_function`: expected a callable, received "
                            f"{type(preprocessing_function).__name__}.")
        self.preprocessing_function = preprocessing_function
        if _data_format(data_format) != "channels_last":
            raise ValueError("Argument `data_format`: deepprob's ImageDataGenerator produces "
                             "channels-last batches; received 'channels_first'.")
        self.data_format = "channels_last"
        self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
                or not 0 <= validation_split < 1:
            raise ValueError("Argument `validation_split`: expected a float in [0, 1), "
                             f"received {validation_split!r}.")
        self._validation_split = float(validation_split)
        self.interpolation_order = interpolation_order
        self._interp = _order_mode(interpolation_order)
        self.dtype = np.dtype(dtype or "float32").name
        self.mean = self.std = self.zca_whitening_matrix = None
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - float(zoom_range), 1 + float(zoom_range)]
        elif isinstance(zoom_range, (list, tuple)) and len(zoom_range) == 2:
            self.zoom_range = [float(zoom_range[0]), float(zoom_range[1])]
        else:
            raise ValueError("Argument `zoom_range`: expected a float or a pair of floats, "
                             f"received {zoom_range!r}.")
        if brightness_range is not None:
            if not isinstance(brightness_range, (list, tuple, np.ndarray)) or len(
                    brightness_range) != 2:
                raise ValueError("Argument `brightness_range`: expected a pair (low, high), "
                                 f"received {brightness_range!r}.")
            brightness_range = [float(v) for v in brightness_range]
        self.brightness_range = brightness_range
        if zca_whitening and (featurewise_center is False):
            self.featurewise_center = True

    @staticmethod
    def _number(value, argument: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value < 0:
            raise ValueError(f"Argument `{argument}`: expected a non-negative number, "
                             f"received {value!r}.")
        return float(value)

    @staticmethod
    def _shift(value, argument: str):
        if isinstance(value, (list, tuple, np.ndarray)):
            return [float(v) for v in value]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"Argument `{argument}`: expected a float, an int or a list of "
                             f"pixel shifts, received {value!r}.")
        return int(value) if isinstance(value, (int, np.integer)) else float(value)

    # -- parameters --------------------------------------------------------------------------
    def get_random_transform(self, img_shape, seed: int | None = None,
                             rng: np.random.Generator | None = None) -> dict:
        """Draw random transform parameters for one image, as Keras does.

        Args:
            img_shape: ``(height, width, channels)``.
            seed: seeds NumPy's global generator first, exactly as Keras (so the same seed
                gives Keras's parameters).
            rng: draw from this ``numpy.random.Generator`` instead of NumPy's global state.

        Returns:
            A dict with ``theta``, ``tx``, ``ty``, ``shear``, ``zx``, ``zy``,
            ``flip_horizontal``, ``flip_vertical``, ``channel_shift_intensity``, ``brightness``.

        Example:
            >>> gen = dp.preprocessing.image.ImageDataGenerator(rotation_range=30)
            >>> -30 <= gen.get_random_transform((8, 8, 1), seed=0)["theta"] <= 30
            True
        """
        if seed is not None:
            np.random.seed(seed)
        r = rng if rng is not None else np.random
        theta = r.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = self._draw_shift(r, self.height_shift_range, img_shape[0])
        ty = self._draw_shift(r, self.width_shift_range, img_shape[1])
        shear = r.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = r.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_h = bool(r.random() < 0.5) and self.horizontal_flip
        flip_v = bool(r.random() < 0.5) and self.vertical_flip
        channel_shift = None
        if self.channel_shift_range != 0:
            channel_shift = r.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = r.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_h, "flip_vertical": flip_v,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    @staticmethod
    def _draw_shift(r, rng_value, size: int) -> float:
        if not rng_value:
            return 0
        if isinstance(rng_value, list) or isinstance(rng_value, int):
            choices = rng_value if isinstance(rng_value, list) else np.arange(rng_value)
            shift = r.choice(choices) * r.choice([-1, 1])
        else:
            shift = r.uniform(-rng_value, rng_value)
        if np.max(rng_value) < 1:
            shift *= size
        return shift

    def _random_params(self, n: int, img_shape, rng: np.random.Generator) -> list[dict]:
        return [self.get_random_transform(img_shape, rng=rng) for _ in range(n)]

    def _random_arrays(self, n: int, img_shape, rng: np.random.Generator) -> dict:
        """The parameters of ``n`` calls of ``get_random_transform(img_shape, rng=rng)`` as
        arrays, drawn at once: the same numbers from the same stream.

        Every draw of ``get_random_transform`` is one double (``uniform(a, b)`` is
        ``a + (b - a) * random()``), a fixed number per image, so one ``rng.random((n, k))``
        holds them all in order. Shift ranges given as ints or lists (``choice`` draws) fall back
        to the per-image loop.
        """
        if any(isinstance(v, (int, list)) and v for v in (self.height_shift_range,
                                                          self.width_shift_range)):
            return _params_to_arrays(self._random_params(n, img_shape, rng))
        cols = []
        if self.rotation_range:
            cols.append(("theta", -self.rotation_range, self.rotation_range))
        for key, value, size in (("tx", self.height_shift_range, img_shape[0]),
                                 ("ty", self.width_shift_range, img_shape[1])):
            if value:
                cols.append((key, -value, value, size if value < 1 else None))
        if self.shear_range:
            cols.append(("shear", -self.shear_range, self.shear_range))
        if not (self.zoom_range[0] == 1 and self.zoom_range[1] == 1):
            cols.append(("zx", self.zoom_range[0], self.zoom_range[1]))
            cols.append(("zy", self.zoom_range[0], self.zoom_range[1]))
        cols.append(("flip_horizontal", None, None))
        cols.append(("flip_vertical", None, None))
        if self.channel_shift_range != 0:
            cols.append(("channel_shift_intensity", -self.channel_shift_range,
                         self.channel_shift_range))
        if self.brightness_range is not None:
            cols.append(("brightness", self.brightness_range[0], self.brightness_range[1]))
        u = rng.random((n, len(cols)))
        out = {"theta": np.zeros(n), "tx": np.zeros(n), "ty": np.zeros(n), "shear": np.zeros(n),
               "zx": np.ones(n), "zy": np.ones(n), "channel_shift_intensity": None,
               "brightness": None}
        for j, (key, low, high, *size) in enumerate(cols):
            if key == "flip_horizontal":
                out[key] = (u[:, j] < 0.5) & self.horizontal_flip
            elif key == "flip_vertical":
                out[key] = (u[:, j] < 0.5) & self.vertical_flip
            else:
                value = low + (high - low) * u[:, j]
                if size and size[0] is not None:
                    value = value * size[0]
                out[key] = value
        return out

    # -- applying ----------------------------------------------------------------------------
    def apply_transform(self, x, transform_parameters: dict) -> np.ndarray:
        """Apply transform parameters (from ``get_random_transform``) to one image.

        Args:
            x: image ``(height, width, channels)``.
            transform_parameters: dict of ``theta`` (degrees, counter-clockwise), ``tx``
                (column shift), ``ty`` (row shift), ``shear``, ``zx``, ``zy``,
                ``flip_horizontal``, ``flip_vertical``, ``channel_shift_intensity``,
                ``brightness``; missing keys mean no change.

        Example:
            >>> gen = dp.preprocessing.image.ImageDataGenerator()
            >>> img = np.arange(16.0).reshape(4, 4, 1)
            >>> np.array_equal(gen.apply_transform(img, {"flip_horizontal": True}), img[:, ::-1])
            True
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 3:
            raise ValueError(f"Argument `x`: expected one image (height, width, channels), "
                             f"received shape {x.shape}.")
        out = self._apply_batch(torch.from_numpy(np.ascontiguousarray(x))[None],
                                [transform_parameters])
        return out[0].numpy()

    def random_transform(self, x, seed: int | None = None) -> np.ndarray:
        """Apply a random transform to one image.

        Args:
            x: image ``(height, width, channels)``.
            seed: seeds the draw (see ``get_random_transform``).

        Example:
            >>> gen = dp.preprocessing.image.ImageDataGenerator(horizontal_flip=True)
            >>> gen.random_transform(np.zeros((4, 4, 3)), seed=1).shape
            (4, 4, 3)
        """
        params = self.get_random_transform(np.shape(x), seed)
        return self.apply_transform(x, params)

    def _apply_batch(self, x: torch.Tensor, params: list[dict]) -> torch.Tensor:
        """Apply per-image parameters to a float batch ``(N, H, W, C)`` with one grid-sample."""
        return self._apply_arrays(x, _params_to_arrays(params))

    def _apply_arrays(self, x: torch.Tensor, p: dict) -> torch.Tensor:
        """``_apply_batch`` on parameters as arrays (``_params_to_arrays``).

        Keras's order: affine transform, channel shift, flips, brightness. Flips of images that
        are transformed anyway are folded into their matrices (the channel shift and the
        brightness act on each pixel alone, so they commute with flips); flips of the other
        images are exact column / row reversals.
        """
        n, h, w, _ = x.shape
        theta, tx, ty, shear, zx, zy = (p[k] for k in ("theta", "tx", "ty", "shear", "zx", "zy"))
        flip_h, flip_v = p["flip_horizontal"], p["flip_vertical"]
        moving = (theta != 0) | (tx != 0) | (ty != 0) | (shear != 0) | (zx != 1) | (zy != 1)
        if moving.any():
            mats = affine_matrices(theta, tx, ty, shear, zx, zy, h, w)
            # out'(c, r) = out(w - 1 - c, r): compose the map with the flip of the output.
            if (flip_h & moving).any():
                mats[:, :, 2] += mats[:, :, 0] * np.where(flip_h & moving, w - 1.0, 0.0)[:, None]
                mats[:, :, 0] *= np.where(flip_h & moving, -1.0, 1.0)[:, None]
            if (flip_v & moving).any():
                mats[:, :, 2] += mats[:, :, 1] * np.where(flip_v & moving, h - 1.0, 0.0)[:, None]
                mats[:, :, 1] *= np.where(flip_v & moving, -1.0, 1.0)[:, None]
            flip_h, flip_v = flip_h & ~moving, flip_v & ~moving
            if moving.all():
                x = affine_transform_batch(x, mats, self.fill_mode, self.cval, self._interp)
            else:
                idx = torch.from_numpy(np.flatnonzero(moving))
                x = x.clone()
                x[idx] = affine_transform_batch(x[idx], mats[moving], self.fill_mode, self.cval,
                                                self._interp)
        shifts = p["channel_shift_intensity"]
        if shifts is not None and not np.isnan(shifts).all():
            s = torch.from_numpy(np.nan_to_num(shifts, nan=0.0)).to(x.dtype).view(-1, 1, 1, 1)
            lo = x.amin(dim=(1, 2, 3), keepdim=True)
            hi = x.amax(dim=(1, 2, 3), keepdim=True)
            x = torch.minimum(torch.maximum(x + s, lo), hi)
        if flip_h.any():
            x = torch.where(torch.from_numpy(flip_h).view(-1, 1, 1, 1), x.flip(2), x)
        if flip_v.any():
            x = torch.where(torch.from_numpy(flip_v).view(-1, 1, 1, 1), x.flip(1), x)
        factors = p["brightness"]
        if factors is not None and not np.isnan(factors).all():
            has = torch.from_numpy(~np.isnan(factors)).view(-1, 1, 1, 1)
            fs = torch.from_numpy(np.nan_to_num(factors, nan=1.0))
            x = torch.where(has, _brightness(x, fs), x)
        return x

    # -- standardization ---------------------------------------------------------------------
    def standardize(self, x):
        """Apply ``preprocessing_function``, ``rescale`` and the normalizations (in place for
        NumPy float arrays, as Keras), to one image or a batch.

        Args:
            x: image ``(H, W, C)`` or batch ``(N, H, W, C)``.

        Example:
            >>> gen = dp.preprocessing.image.ImageDataGenerator(rescale=0.5)
            >>> gen.standardize(np.full((1, 1, 1), 4.0))[0, 0, 0]
            2.0
        """
        if isinstance(x, torch.Tensor):
            return torch.from_numpy(self.standardize(x.numpy()))
        x = np.asarray(x)
        if x.ndim == 4:
            if self.preprocessing_function is not None:
                for i in range(len(x)):
                    x[i] = self.preprocessing_function(x[i])
            return self._normalize(x, batch=True)
        if self.preprocessing_function is not None:
            x = self.preprocessing_function(x)
        return self._normalize(x, batch=False)

    def _normalize(self, x: np.ndarray, batch: bool, rescaled: bool = False) -> np.ndarray:
        axes = (1, 2, 3) if batch else None
        if self.rescale and not rescaled:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, axis=axes, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, axis=axes, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is None:
                warnings.warn("This ImageDataGenerator specifies `featurewise_center`, but it "
                              "hasn't been fit on any training data. Call `.fit(x)` first.",
                              stacklevel=3)
            else:
                x -= self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`"
                              ", but it hasn't been fit on any training data. Call `.fit(x)` "
                              "first.", stacklevel=3)
            else:
                x /= self.std + 1e-6
        if self.zca_whitening and self.zca_whitening_matrix is not None:
            shape = x.shape
            flat = x.reshape(-1 if batch else 1, int(np.prod(shape[1:] if batch else shape)))
            x = (flat @ self.zca_whitening_matrix).reshape(shape).astype(self.dtype)
        return x

    def fit(self, x, augment: bool = False, rounds: int = 1, seed: int | None = None) -> None:
        """Compute the dataset statistics used by ``featurewise_*`` and ``zca_whitening``.

        Args:
            x: images ``(N, H, W, C)``.
            augment: fit on randomly augmented copies.
            rounds: number of augmented passes when ``augment``.
            seed: seed of the augmentation.

        Example:
            >>> gen = dp.preprocessing.image.ImageDataGenerator(featurewise_center=True)
            >>> gen.fit(np.ones((4, 2, 2, 1)))
            >>> gen.mean.shape
            (1, 1, 1)
        """
        x = np.array(x, dtype=self.dtype, copy=True)
        if x.ndim != 4:
            raise ValueError(f"Argument `x` of fit: expected rank 4 (N, H, W, C), received shape "
                             f"{x.shape}.")
        if x.shape[3] not in (1, 3, 4):
            warnings.warn(f"ImageDataGenerator.fit expects 1, 3 or 4 channels on the last axis, "
                          f"received shape {x.shape}.", stacklevel=2)
        if self.rescale:
            x *= self.rescale
        if augment:
            rng = np.random.default_rng(seed)
            copies = []
            for _ in range(rounds):
                params = self._random_params(len(x), x.shape[1:], rng)
                copies.append(self._apply_batch(torch.from_numpy(x), params).numpy())
            x = np.concatenate(copies)
        if self.featurewise_center:
            self.mean = np.mean(x, axis=(0, 1, 2)).reshape(1, 1, -1)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=(0, 1, 2)).reshape(1, 1, -1)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = x.reshape(len(x), -1)
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            s_inv = np.sqrt(len(x)) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv) @ u.T

    # -- iterators ---------------------------------------------------------------------------
    def flow(self, x, y=None, batch_size: int = 32, shuffle: bool = True, sample_weight=None,
             seed: int | None = None, save_to_dir=None, save_prefix: str = "",
             save_format: str = "png", ignore_class_split: bool = False,
             subset: str | None = None) -> NumpyArrayIterator:
        """Iterate over augmented batches of in-memory images.

        Args:
            x: images ``(N, H, W, C)``, or a tuple ``(images, extra_inputs)``.
            y: labels (N, ...) or None.
            batch_size: images per batch (32).
            shuffle: reshuffle every epoch.
            sample_weight: per-image weights, yielded third.
            seed: seeds shuffling and augmentation (repeatable).
            save_to_dir, save_prefix, save_format: write augmented images for inspection.
            ignore_class_split: do not check that each subset holds every class.
            subset: ``"training"`` or ``"validation"`` (with ``validation_split``).

        Example:
            >>> it = dp.preprocessing.image.ImageDataGenerator().flow(np.zeros((5, 4, 4, 1)),
            ...                                                        np.arange(5), batch_size=2)
            >>> len(it), next(it)[0].shape
            (3, (2, 4, 4, 1))
        """
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed,
                                  save_to_dir=save_to_dir, save_prefix=save_prefix,
                                  save_format=save_format, ignore_class_split=ignore_class_split,
                                  subset=subset)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode: str = "rgb",
                            classes: Sequence[str] | None = None,
                            class_mode: str | None = "categorical", batch_size: int = 32,
                            shuffle: bool = True, seed: int | None = None, save_to_dir=None,
                            save_prefix: str = "", save_format: str = "png",
                            follow_links: bool = False, subset: str | None = None,
                            interpolation: str = "nearest", keep_aspect_ratio: bool = False,
                            bad_files: str = "raise", workers: int | None = None,
                            verbose: bool = True) -> DirectoryIterator:
        """Iterate over augmented batches of images read from class sub-folders.

        Args:
            directory: folder with one sub-folder per class.
            target_size: ``(height, width)`` every image is resized to (256, 256).
            color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
            classes: class sub-folder names (sorted folder names when None).
            class_mode: ``"categorical"`` (one-hot), ``"binary"``, ``"sparse"`` (integer),
                ``"input"`` (the images themselves) or None (images only).
            batch_size: images per batch (32).
            shuffle: reshuffle every epoch.
            seed: seeds shuffling and augmentation (repeatable).
            save_to_dir, save_prefix, save_format: write augmented images for inspection.
            follow_links: follow symbolic links inside class folders.
            subset: ``"training"`` or ``"validation"`` (with ``validation_split``).
            interpolation: Pillow resize filter ("nearest").
            keep_aspect_ratio: crop to the target aspect ratio before resizing.
            bad_files: ``"raise"`` (fail naming the file that cannot be decoded) or ``"skip"``
                (decode every file up front, leave the bad ones out and warn naming them).
            workers: decoding threads (default: up to 8, at most the CPU count); the next
                batch of an epoch is decoded in the background while the current one is
                augmented.
            verbose: print Keras's "Found N images belonging to K classes.".

        Example:
            >>> train = gen.flow_from_directory("cats_and_dogs/train", target_size=(150, 150),
            ...                                 batch_size=20, class_mode="binary")
            Found 2000 images belonging to 2 classes.
        """
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, batch_size=batch_size,
                                 shuffle=shuffle, seed=seed, save_to_dir=save_to_dir,
                                 save_prefix=save_prefix, save_format=save_format,
                                 follow_links=follow_links, subset=subset,
                                 interpolation=interpolation,
                                 keep_aspect_ratio=keep_aspect_ratio, bad_files=bad_files,
                                 workers=workers, verbose=verbose)


# ---- iterators ------------------------------------------------------------------------------------
class Iterator:
    """Keras's batch iterator: ``len()`` batches per epoch, ``it[i]`` for batch ``i``, and
    ``next(it)`` forever (reshuffling at every epoch).

    Args:
        n: number of samples.
        batch_size: samples per batch.
        shuffle: reshuffle every epoch.
        seed: seeds shuffling and augmentation.
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"Argument `batch_size`: expected a positive integer, received "
                             f"{batch_size!r}.")
        self.n, self.batch_size, self.shuffle, self.seed = int(n), int(batch_size), bool(
            shuffle), seed
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self._rng = np.random.default_rng(seed)
        self.index_array = None
        self.epochs_seen = 0

    def _set_index_array(self) -> None:
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = self._rng.permutation(self.n)

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self) -> None:
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def __getitem__(self, idx: int):
        if not 0 <= idx < len(self):
            raise IndexError(f"Asked to retrieve element {idx}, but the iterator has length "
                             f"{len(self)}.")
        if self.index_array is None:
            self._set_index_array()
        index_array = self.index_array[self.batch_size * idx: self.batch_size * (idx + 1)]
        return self._batch(index_array)

    def _next_indices(self) -> np.ndarray:
        with self.lock:
            if self.n == 0:
                raise StopIteration
            if self.batch_index == 0:
                self._set_index_array()
            current = (self.batch_index * self.batch_size) % self.n
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
                self.epochs_seen += 1
            self.total_batches_seen += 1
            return self.index_array[current: current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self._batch(self._next_indices())

    def next(self):
        """The next batch (Keras's Python-2 era name)."""
        return self.__next__()

    def _batch(self, index_array: np.ndarray):
        raise NotImplementedError


class _TransformMixin:
    """Turns a uint8/float image batch into the generator's output (augment, standardize)."""

    image_data_generator: ImageDataGenerator
    _rng: np.random.Generator

    def _augment(self, batch: torch.Tensor) -> np.ndarray:
        gen = self.image_data_generator
        x = batch.to(torch.float32) if batch.dtype != torch.float32 else batch
        params = gen._random_arrays(len(x), tuple(x.shape[1:]), self._rng)
        x = gen._apply_arrays(x, params)
        rescale = gen.rescale
        if gen.preprocessing_function is None and gen.dtype == "float32" and (
                not rescale or type(rescale) in (float, int)):
            # One pass makes the batch contiguous channels-last (the grid-sample writes NCHW)
            # and rescales it: float32 times a Python number, the same rounding as NumPy's
            # ``x *= rescale`` in ``standardize``.
            if x.is_contiguous() and x.data_ptr() != batch.data_ptr():
                out = x.mul_(rescale) if rescale else x
            else:
                out = torch.empty(x.shape, dtype=torch.float32)
                if rescale:
                    torch.mul(x, rescale, out=out)
                else:
                    out.copy_(x)
            return gen._normalize(out.numpy(), batch=True, rescaled=True)
        out = np.ascontiguousarray(x.numpy()).astype(gen.dtype, copy=False)
        if x.data_ptr() == batch.data_ptr():  # untouched input: do not standardize in place
            out = out.copy()
        return gen.standardize(out)

    def _save(self, batch_x: np.ndarray, index_array: np.ndarray) -> None:
        if self.save_to_dir is None:
            return
        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], scale=True)
            name = (f"{self.save_prefix}_{int(j)}_{int(self._rng.integers(10_000))}."
                    f"{self.save_format}")
            img.save(os.path.join(self.save_to_dir, name))


class NumpyArrayIterator(_TransformMixin, Iterator):
    """Batches of augmented in-memory images (``ImageDataGenerator.flow``).

    Args:
        x: images ``(N, H, W, C)``, or ``(images, extra)`` where ``extra`` is an array or a
            list of arrays yielded beside the images.
        y: labels or None.
        image_data_generator: the generator whose transforms are applied.
        batch_size, shuffle, sample_weight, seed, save_to_dir, save_prefix, save_format,
        ignore_class_split, subset: as in ``ImageDataGenerator.flow``.
    """

    def __init__(self, x, y, image_data_generator: ImageDataGenerator, batch_size: int = 32,
                 shuffle: bool = False, sample_weight=None, seed: int | None = None,
                 save_to_dir=None, save_prefix: str = "", save_format: str = "png",
                 ignore_class_split: bool = False, subset: str | None = None, dtype=None):
        extra = None
        if isinstance(x, tuple) or (isinstance(x, list) and len(x) == 2 and not np.isscalar(
                x[0]) and np.ndim(x[0]) == 4):
            x, extra = x[0], x[1]
            extra = [np.asarray(e) for e in (extra if isinstance(extra, list) else [extra])]
        x = np.asarray(x.numpy() if isinstance(x, torch.Tensor) else x)
        if x.ndim != 4:
            raise ValueError(f"Argument `x` of flow: expected images of rank 4 (N, H, W, C), "
                             f"received shape {x.shape}.")
        if x.shape[3] not in (1, 3, 4):
            warnings.warn(f"NumpyArrayIterator expects 1, 3 or 4 channels on the last axis, "
                          f"received shape {x.shape}.", stacklevel=3)
        if y is not None:
            y = np.asarray(y.numpy() if isinstance(y, torch.Tensor) else y)
            if len(y) != len(x):
                raise ValueError(f"Arguments `x` and `y` of flow: expected the same length, "
                                 f"received x {x.shape} and y {y.shape}.")
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)
            if len(sample_weight) != len(x):
                raise ValueError("Arguments `x` and `sample_weight` of flow: expected the same "
                                 f"length, received {len(x)} and {len(sample_weight)}.")
        if subset is not None:
            _check_choice(subset, ("training", "validation"), "subset", "subset")
            split = int(len(x) * image_data_generator._validation_split)
            sl = slice(None, split) if subset == "validation" else slice(split, None)
            if y is not None and not ignore_class_split and y.ndim == 1:
                missing = set(np.unique(y)) - set(np.unique(y[sl]))
                if missing:
                    raise ValueError(
                        f"Training and validation subsets have different classes: {subset} "
                        f"misses {sorted(missing)}. Set ignore_class_split=True to allow it.")
            x = x[sl]
            y = y[sl] if y is not None else None
            sample_weight = sample_weight[sl] if sample_weight is not None else None
            extra = [e[sl] for e in extra] if extra is not None else None
        self.x, self.y, self.sample_weight, self.x_misc = x, y, sample_weight, extra
        self.image_data_generator = image_data_generator
        self.dtype = dtype or image_data_generator.dtype
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, \
            save_format
        super().__init__(len(x), batch_size, shuffle, seed)

    def _batch(self, index_array):
        batch_x = self._augment(torch.from_numpy(np.ascontiguousarray(self.x[index_array])))
        self._save(batch_x, index_array)
        out_x = batch_x if self.x_misc is None else [batch_x] + [e[index_array]
                                                                 for e in self.x_misc]
        if self.y is None:
            return out_x
        out = (out_x, self.y[index_array])
        if self.sample_weight is not None:
            out += (self.sample_weight[index_array],)
        return out


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


_POOLS: dict[int, ThreadPoolExecutor] = {}
_PREFETCH: list[ThreadPoolExecutor] = []
_POOL_LOCK = threading.Lock()


def _prefetcher() -> ThreadPoolExecutor:
    """The thread that decodes the next batch of a directory iterator in the background."""
    with _POOL_LOCK:
        if not _PREFETCH:
            _PREFETCH.append(ThreadPoolExecutor(1, thread_name_prefix="dp-image-prefetch"))
    return _PREFETCH[0]


def _pool(workers: int) -> ThreadPoolExecutor:
    pool = _POOLS.get(workers)
    if pool is None:
        with _POOL_LOCK:
            pool = _POOLS.get(workers)
            if pool is None:
                pool = _POOLS[workers] = ThreadPoolExecutor(workers,
                                                            thread_name_prefix="dp-image")
    return pool


def _fill_all(fill: Callable[[int], None], n: int, workers: int) -> None:
    """Run ``fill(k)`` for ``k < n`` on the calling thread and ``workers - 1`` pool threads.

    Each thread takes the next ``k`` when it is free (not fixed chunks), so a thread the OS
    leaves waiting does not hold the batch up; the first error is raised once all threads
    stopped.
    """
    helpers = min(workers, n) - 1
    if helpers <= 0:
        for k in range(n):
            fill(k)
        return
    lock = threading.Lock()
    todo = iter(range(n))
    failed = []

    def drain() -> None:
        while not failed:
            with lock:
                k = next(todo, None)
            if k is None:
                return
            try:
                fill(k)
            except BaseException:
                failed.append(True)
                raise

    futures = [_pool(workers).submit(drain) for _ in range(helpers)]
    try:
        drain()
    finally:
        wait(futures)
    for f in futures:
        f.result()


def list_image_files(directory, classes: Sequence[str] | None = None,
                     formats: Sequence[str] = WHITE_LIST_FORMATS, follow_links: bool = False):
    """Keras's directory index: ``(class_names, [(relative_path, class_index), ...])`` with
    classes the sorted sub-folders (or ``classes``) and files sorted within each class,
    sub-folders included.

    Args:
        directory: root folder.
        classes: class folder names, or None to use every sub-folder (sorted).
        formats: accepted extensions (lower-case, no dot).
        follow_links: follow symbolic links.

    Example:
        >>> names, files = list_image_files("data/train")  # doctest: +SKIP
    """
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"Argument `directory`: {str(directory)!r} is not a folder.")
    if classes is None:
        classes = sorted(p.name for p in root.iterdir() if p.is_dir())
        if not classes:
            found = sorted(p.name for p in root.iterdir())[:5]
            raise ValueError(
                f"Argument `directory`: expected one sub-folder per class in {str(directory)!r}, "
                f"found no sub-folders (entries: {found or 'none'}).")
    else:
        classes = list(classes)
        for name in classes:
            if not (root / name).is_dir():
                raise ValueError(f"Argument `classes`: class folder {name!r} not found in "
                                 f"{str(directory)!r}.")
    exts = tuple("." + f.lower() for f in formats)
    files = []
    for index, name in enumerate(classes):
        walked = sorted(os.walk(root / name, followlinks=follow_links), key=lambda t: t[0])
        for dirpath, _, fnames in walked:
            rel_dir = os.path.relpath(dirpath, root)
            files += [(os.path.join(rel_dir, fname), index) for fname in sorted(fnames)
                      if fname.lower().endswith(exts)]
    return list(classes), files


def _image_array(path: str, color_mode: str, size, resample, keep_aspect_ratio: bool
                 ) -> np.ndarray:
    """``_open_image`` as an ``(H, W, C)`` array (grayscale gets its channel axis)."""
    arr = np.asarray(_open_image(path, color_mode, size, resample, keep_aspect_ratio))
    return arr[..., None] if arr.ndim == 2 else arr


def _decode_check(path: str, color_mode: str, target_size, interpolation: str,
                  keep_aspect_ratio: bool) -> np.ndarray:
    size = _check_size(target_size)
    resample = _pil_filter(interpolation) if size is not None else None
    return _image_array(path, color_mode, size, resample, keep_aspect_ratio)


# File signatures of the formats flow_from_directory lists (WHITE_LIST_FORMATS).
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM", b"II*\x00", b"MM\x00*",
               b"P1", b"P2", b"P3", b"P4", b"P5", b"P6", b"P7", b"Pf", b"PF")


def _quick_check(path: str) -> str | None:
    """Why ``path`` is not an image, or None: empty files, then files whose first bytes are no
    image signature get a full header parse by Pillow (its error is the reason). Files that start
    like an image pass; a damaged body is reported by name when it is decoded."""
    with open(path, "rb") as f:
        head = f.read(16)
    if not head:
        return "empty file (0 bytes)"
    if head.startswith(_SIGNATURES):
        return None
    try:
        with _pil().open(path) as img:
            img.size  # noqa: B018 - header parsed on open
    except Exception as err:  # noqa: BLE001 - any decoder failure is a bad file
        return f"{type(err).__name__}: {err}"
    return None


class DirectoryIterator(_TransformMixin, Iterator):
    """Batches of augmented images read from class sub-folders
    (``ImageDataGenerator.flow_from_directory``).

    Attributes:
        class_indices: ``{class_name: index}``.
        classes: class index of every file (int32).
        filenames: file paths relative to ``directory``, in Keras's order.
        filepaths: absolute-ish paths (``directory`` joined).
        samples: number of images.
        num_classes: number of classes.
        bad_files: files left out with ``bad_files="skip"``.

    ``next(it)`` starts decoding the following batch of the epoch in a background thread (the
    same files, so the same images; the random transforms are still drawn in order on the
    caller's thread). ``it[i]`` decodes on demand.

    Args: as ``ImageDataGenerator.flow_from_directory``.
    """

    def __init__(self, directory, image_data_generator: ImageDataGenerator,
                 target_size=(256, 256), color_mode: str = "rgb", classes=None,
                 class_mode: str | None = "categorical", batch_size: int = 32,
                 shuffle: bool = True, seed: int | None = None, data_format=None,
                 save_to_dir=None, save_prefix: str = "", save_format: str = "png",
                 follow_links: bool = False, subset: str | None = None,
                 interpolation: str = "nearest", keep_aspect_ratio: bool = False,
                 dtype=None, bad_files: str = "raise", workers: int | None = None,
                 verbose: bool = True):
        self.target_size = _check_size(target_size)
        if self.target_size is None:
            raise ValueError("Argument `target_size`: expected two positive integers (height, "
                             "width), received None.")
        self.color_mode = _check_choice(color_mode, _COLOR_MODES, "color_mode", "color_mode")
        self.class_mode = _check_choice(class_mode, _CLASS_MODES, "class_mode", "class_mode")
        _check_choice(interpolation, _INTERPOLATIONS, "interpolation", "interpolation")
        _check_choice(bad_files, ("raise", "skip"), "bad_files policy", "bad_files")
        _data_format(data_format)
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]
        self.image_shape = self.target_size + (channels,)
        self.directory = str(directory)
        self.image_data_generator = image_data_generator
        self.dtype = dtype or image_data_generator.dtype
        self.interpolation, self.keep_aspect_ratio = interpolation, keep_aspect_ratio
        self._resample = _pil_filter(interpolation)
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, \
            save_format
        self.workers = int(workers) if workers else _default_workers()
        names, files = list_image_files(directory, classes, follow_links=follow_links)
        if subset is not None:
            _check_choice(subset, ("training", "validation"), "subset", "subset")
            vs = image_data_generator._validation_split
            split = (0.0, vs) if subset == "validation" else (vs, 1.0)
            kept = []
            for index in range(len(names)):
                group = [f for f in files if f[1] == index]
                start, stop = int(split[0] * len(group)), int(split[1] * len(group))
                kept += group[start:stop] if split[1] != 1.0 else group[start:]
            files = kept
        self.num_classes = len(names)
        self.class_indices = {name: i for i, name in enumerate(names)}
        self.bad_files: list[str] = []
        if files:
            files = self._screen(files, bad_files)
        self.filenames = [f for f, _ in files]
        self.classes = np.asarray([c for _, c in files], dtype="int32")
        self.samples = len(self.filenames)
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        if verbose:
            print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)
        self._prefetch_lock = threading.Lock()
        self._prefetched: tuple[bytes, Future] | None = None

    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    def _screen(self, files, policy: str):
        """Cheap checks for every file (empty files, files that do not start like an image,
        see ``_quick_check``); with ``skip`` a full decode in the worker threads, so that the bad
        files are known before training."""
        paths = [os.path.join(self.directory, f) for f, _ in files]

        def check(path):
            try:
                if policy == "skip":
                    if os.path.getsize(path) == 0:
                        return "empty file (0 bytes)"
                    self._load(path)
                    return None
                return _quick_check(path)
            except Exception as err:  # noqa: BLE001 - any decoder failure is a bad file
                return f"{type(err).__name__}: {err}"

        if policy == "skip":
            problems = list(_pool(self.workers).map(check, paths))
        else:  # a 16-byte read per file: a plain loop beats handing work to threads
            problems = [check(path) for path in paths]
        bad = [(f, p) for (f, _), p in zip(files, problems) if p is not None]
        if bad and policy == "raise":
            name, why = bad[0]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise ValueError(
                f"Cannot decode image {os.path.join(self.directory, name)!r}: {why}{more}. "
                "Remove the file, or pass bad_files='skip' to leave undecodable files out.")
        if bad:
            self.bad_files = [os.path.join(self.directory, f) for f, _ in bad]
            shown = ", ".join(repr(f) for f in self.bad_files[:10])
            extra = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
            warnings.warn(f"Skipped {len(bad)} file(s) that cannot be decoded: {shown}{extra}.",
                          stacklevel=4)
            keep = {f for f, _ in bad}
            files = [item for item in files if item[0] not in keep]
        return files

    def _load(self, path: str) -> np.ndarray:
        return _image_array(path, self.color_mode, self.target_size, self._resample,
                            self.keep_aspect_ratio)

    def _load_named(self, path: str) -> np.ndarray:
        try:
            return self._load(path)
        except Exception as err:
            raise ValueError(f"Cannot decode image {path!r}: {type(err).__name__}: {err}. "
                             "Remove the file, or pass bad_files='skip'.") from err

    def _decode(self, index_array: np.ndarray) -> torch.Tensor:
        paths = [self._filepaths[i] for i in index_array]
        out = np.empty((len(paths),) + self.image_shape, dtype=np.uint8)

        def fill(k):
            out[k] = self._load_named(paths[k])

        _fill_all(fill, len(paths), self.workers)
        return torch.from_numpy(out)

    def __next__(self):
        index_array = self._next_indices()
        with self._prefetch_lock:
            ready, self._prefetched = self._prefetched, None
            if self.batch_index != 0:  # the next batch comes from this epoch's order: start it
                start = self.batch_index * self.batch_size
                following = self.index_array[start: start + self.batch_size]
                self._prefetched = (following.tobytes(),
                                    _prefetcher().submit(self._decode, following))
        if ready is not None and ready[0] == index_array.tobytes():
            return self._batch(index_array, ready[1].result())
        return self._batch(index_array)

    def _batch(self, index_array, decoded: torch.Tensor | None = None):
        if decoded is None:
            decoded = self._decode(index_array)
        batch_x = self._augment(decoded)
        self._save(batch_x, index_array)
        mode = self.class_mode
        if mode is None:
            return batch_x
        if mode == "input":
            return batch_x, batch_x.copy()
        labels = self.classes[index_array]
        if mode == "categorical":
            batch_y = np.zeros((len(index_array), self.num_classes), dtype=self.dtype)
            batch_y[np.arange(len(index_array)), labels] = 1.0
        else:  # binary, sparse
            batch_y = labels.astype(self.dtype)
        return batch_x, batch_y


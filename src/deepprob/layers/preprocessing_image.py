"""Image preprocessing layers (Keras 3): ``Resizing`` and ``CenterCrop`` always apply; the random
augmentations (``RandomFlip``, ``RandomRotation``, ``RandomZoom``, ``RandomTranslation``,
``RandomContrast``, ``RandomBrightness``) act only in training (``fit``, or
``training=True``) and pass inputs through unchanged at inference.

Inputs are channels-last images ``(H, W, C)`` or batches ``(N, H, W, C)``. Geometric transforms
run as one ``affine_grid`` + ``grid_sample`` per batch on the input's device; each image gets
its own random draw. ``seed`` makes the draws repeatable (a private ``torch.Generator``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from deepprob._errors import unknown
from deepprob.engine.layer import Layer

__all__ = ["CenterCrop", "RandomBrightness", "RandomContrast", "RandomFlip", "RandomRotation",
           "RandomTranslation", "RandomZoom", "Resizing"]

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")
_FILL = ("reflect", "wrap", "constant", "nearest")


def _positive_int(value, argument: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Argument `{argument}` of {layer}: expected a positive integer, "
                         f"received {value!r}.")
    return value


def _choice(value, options, kind: str, argument: str):
    if value not in options:
        raise unknown(kind, value, options, argument=argument)
    return value


def _batched(inputs: torch.Tensor, layer: str):
    if inputs.dim() not in (3, 4):
        raise ValueError(f"{layer}: expected images (H, W, C) or batches (N, H, W, C), received "
                         f"shape {tuple(inputs.shape)}.")
    x = inputs if inputs.is_floating_point() else inputs.to(torch.float32)
    return (x[None], True) if inputs.dim() == 3 else (x, False)


def _resize(x: torch.Tensor, height: int, width: int, interpolation: str) -> torch.Tensor:
    nchw = x.permute(0, 3, 1, 2)
    kw = {} if interpolation == "nearest" else {"align_corners": False}
    out = F.interpolate(nchw, size=(height, width), mode=interpolation, **kw)
    return out.permute(0, 2, 3, 1)


def _range(factor, layer: str, argument: str = "factor", low_bound: float | None = None):
    """Keras's factor: ``f`` -> ``(-f, f)``; ``(lo, hi)`` as given."""
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        lo, hi = -abs(float(factor)), abs(float(factor))
    elif isinstance(factor, (list, tuple)) and len(factor) == 2:
        lo, hi = float(factor[0]), float(factor[1])
    else:
        raise ValueError(f"Argument `{argument}` of {layer}: expected a number or a pair "
                         f"(lower, upper), received {factor!r}.")
    if lo > hi:
        raise ValueError(f"Argument `{argument}` of {layer}: lower bound {lo} exceeds upper "
                         f"bound {hi}.")
    if low_bound is not None and lo < low_bound:
        raise ValueError(f"Argument `{argument}` of {layer}: values must be >= {low_bound}, "
                         f"received {factor!r}.")
    return lo, hi


class Resizing(Layer):
    """Resize images to ``(height, width)`` (TensorFlow's half-pixel convention, no antialias).

    Args:
        height, width: output size.
        interpolation: ``"bilinear"`` (default), ``"nearest"`` or ``"bicubic"``.
        crop_to_aspect_ratio: crop the centre to the target aspect ratio first.

    Example:
        >>> dp.layers.Resizing(4, 6)(torch.rand(2, 8, 8, 3)).shape
        torch.Size([2, 4, 6, 3])
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.height = _positive_int(height, "height", "Resizing")
        self.width = _positive_int(width, "width", "Resizing")
        self.interpolation = _choice(interpolation, _INTERPOLATIONS, "interpolation",
                                     "interpolation")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)

    def call(self, inputs):
        x, single = _batched(inputs, "Resizing")
        if self.crop_to_aspect_ratio:
            h, w = x.shape[1:3]
            ch = min(h, int(w * self.height / self.width))
            cw = min(w, int(h * self.width / self.height))
            top, left = (h - ch) // 2, (w - cw) // 2
            x = x[:, top:top + ch, left:left + cw]
        out = _resize(x, self.height, self.width, self.interpolation)
        return out[0] if single else out

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio}


class CenterCrop(Layer):
    """Crop the central ``(height, width)`` window; smaller inputs are cropped to the target
    aspect ratio and resized up (bilinear), as Keras 3 does.

    Args:
        height, width: output size.

    Example:
        >>> dp.layers.CenterCrop(2, 2)(torch.arange(16.0).reshape(4, 4, 1))[..., 0]
        tensor([[ 5.,  6.],
                [ 9., 10.]])
    """

    def __init__(self, height: int, width: int, **kwargs):
        super().__init__(**kwargs)
        self.height = _positive_int(height, "height", "CenterCrop")
        self.width = _positive_int(width, "width", "CenterCrop")

    def call(self, inputs):
        x, single = _batched(inputs, "CenterCrop")
        h, w = x.shape[1:3]
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            out = x[:, top:top + self.height, left:left + self.width]
        else:
            out = Resizing(self.height, self.width, crop_to_aspect_ratio=True)(x)
        return out[0] if single else out

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}


class _RandomLayer(Layer):
    """Shared plumbing: training-only application and seeded uniform draws."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._generator = None
        if seed is not None:
            self._generator = torch.Generator().manual_seed(int(seed))

    def _uniform(self, n: int, lo: float, hi: float, device) -> torch.Tensor:
        u = torch.rand(n, generator=self._generator, dtype=torch.float64)
        return (lo + (hi - lo) * u).to(device)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        x, single = _batched(inputs, type(self).__name__)
        out = self._augment(x)
        return out[0] if single else out

    def _augment(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


class RandomFlip(_RandomLayer):
    """Flip each image with probability 1/2, in training only.

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"`` (default).
        seed: makes the draws repeatable.

    Example:
        >>> layer = dp.layers.RandomFlip("horizontal", seed=0)
        >>> layer(torch.rand(4, 8, 8, 3), training=True).shape
        torch.Size([4, 8, 8, 3])
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.mode = _choice(mode, ("horizontal", "vertical", "horizontal_and_vertical"),
                            "flip mode", "mode")

    def _augment(self, x):
        n = x.shape[0]
        if self.mode != "vertical":
            flip = (self._uniform(n, 0, 1, x.device) < 0.5).view(-1, 1, 1, 1)
            x = torch.where(flip, x.flip(2), x)
        if self.mode != "horizontal":
            flip = (self._uniform(n, 0, 1, x.device) < 0.5).view(-1, 1, 1, 1)
            x = torch.where(flip, x.flip(1), x)
        return x

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}


class _AffineLayer(_RandomLayer):
    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.fill_mode = _choice(fill_mode, _FILL, "fill_mode", "fill_mode")
        self.interpolation = _choice(interpolation, _INTERPOLATIONS, "interpolation",
                                     "interpolation")
        self.fill_value = float(fill_value)

    def _params(self, n: int, h: int, w: int, device) -> dict:
        raise NotImplementedError

    def _augment(self, x):
        from deepprob.preprocessing.image import affine_transform_batch

        n, h, w, _ = x.shape
        p = self._params(n, h, w, x.device)
        mats = _matrices(h, w, **p)
        return affine_transform_batch(x, mats, self.fill_mode, self.fill_value,
                                      self.interpolation)

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


def _matrices(h: int, w: int, theta=None, tx=None, ty=None, zx=None, zy=None) -> torch.Tensor:
    """``(N, 3, 3)`` output->input maps on pixel ``(col, row)`` about the image centre:
    rotation (radians, counter-clockwise) @ shift @ zoom."""
    ref = next(v for v in (theta, tx, ty, zx, zy) if v is not None)
    n, kw = ref.shape[0], {"dtype": torch.float64, "device": ref.device}
    m = torch.eye(3, **kw).repeat(n, 1, 1)
    if theta is not None:
        c, s = torch.cos(theta), torch.sin(theta)
        m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = c, -s, s, c
    if tx is not None or ty is not None:
        shift = torch.eye(3, **kw).repeat(n, 1, 1)
        if tx is not None:
            shift[:, 0, 2] = tx
        if ty is not None:
            shift[:, 1, 2] = ty
        m = m @ shift
    if zx is not None or zy is not None:
        zoom = torch.eye(3, **kw).repeat(n, 1, 1)
        zoom[:, 0, 0] = zx if zx is not None else 1.0
        zoom[:, 1, 1] = zy if zy is not None else 1.0
        m = m @ zoom
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    to_c = torch.tensor([[1.0, 0, cx], [0, 1.0, cy], [0, 0, 1.0]], **kw)
    from_c = torch.tensor([[1.0, 0, -cx], [0, 1.0, -cy], [0, 0, 1.0]], **kw)
    return to_c @ m @ from_c


class RandomRotation(_AffineLayer):
    """Rotate each image by a random angle, ``factor`` times a full turn, counter-clockwise for
    positive angles, in training only.

    Args:
        factor: ``f`` for angles in ``[-f, f] * 2 pi``, or ``(lower, upper)``.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default), ``"nearest"`` or ``"bicubic"``.
        seed: makes the draws repeatable.
        fill_value: the value outside the image with ``fill_mode="constant"``.

    Example:
        >>> dp.layers.RandomRotation(0.1, seed=1)(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(self, factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self._lo, self._hi = _range(factor, "RandomRotation")

    def _params(self, n, h, w, device):
        turns = self._uniform(n, self._lo, self._hi, device)
        return {"theta": turns * 2 * math.pi}

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineLayer):
    """Zoom each image by a random factor, in training only: the sampling step is
    ``1 + draw``, so positive draws zoom out and negative ones zoom in (Keras's convention).

    Args:
        height_factor: ``f`` for draws in ``[-f, f]``, or ``(lower, upper)`` (>= -1).
        width_factor: the same for the width; None keeps the aspect ratio (one draw).
        fill_mode, interpolation, seed, fill_value: as ``RandomRotation``.

    Example:
        >>> dp.layers.RandomZoom(0.2, seed=1)(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(self, height_factor, width_factor=None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = _range(height_factor, "RandomZoom", "height_factor", -1.0)
        self._w = None if width_factor is None else _range(width_factor, "RandomZoom",
                                                           "width_factor", -1.0)

    def _params(self, n, h, w, device):
        zy = 1.0 + self._uniform(n, *self._h, device)
        zx = zy if self._w is None else 1.0 + self._uniform(n, *self._w, device)
        return {"zx": zx, "zy": zy}

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shift each image by random fractions of its size, in training only (positive
    ``height`` draws move the content down, positive ``width`` draws move it right).

    Args:
        height_factor: ``f`` for shifts in ``[-f, f] * height``, or ``(lower, upper)``.
        width_factor: the same for the width.
        fill_mode, interpolation, seed, fill_value: as ``RandomRotation``.

    Example:
        >>> layer = dp.layers.RandomTranslation(0.1, 0.1, seed=1)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = _range(height_factor, "RandomTranslation", "height_factor")
        self._w = _range(width_factor, "RandomTranslation", "width_factor")

    def _params(self, n, h, w, device):
        dy = self._uniform(n, *self._h, device) * h
        dx = self._uniform(n, *self._w, device) * w
        return {"tx": -dx, "ty": -dy}

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomContrast(_RandomLayer):
    """Scale each image's deviation from its per-channel mean by a random factor in
    ``[1 - lower, 1 + upper]``, then clip to ``value_range``, in training only.

    Args:
        factor: ``f`` (in [0, 1]) or ``(lower, upper)``.
        value_range: the range outputs are clipped to (``(0, 255)``).
        seed: makes the draws repeatable.

    Example:
        >>> dp.layers.RandomContrast(0.5, seed=0)(torch.rand(2, 4, 4, 3) * 255,
        ...                                       training=True).shape
        torch.Size([2, 4, 4, 3])
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            lo = hi = float(factor)
        else:
            lo, hi = _range(factor, "RandomContrast")
        if not (0 <= lo <= 1 and 0 <= hi):
            raise ValueError(f"Argument `factor` of RandomContrast: expected values in [0, 1], "
                             f"received {factor!r}.")
        self._lo, self._hi = 1.0 - lo, 1.0 + hi
        self.value_range = tuple(float(v) for v in value_range)

    def _augment(self, x):
        c = self._uniform(x.shape[0], self._lo, self._hi, x.device).to(x.dtype).view(-1, 1, 1, 1)
        mean = x.mean(dim=(1, 2), keepdim=True)
        return torch.clamp((x - mean) * c + mean, *self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(_RandomLayer):
    """Add a random delta, ``draw * (value_range[1] - value_range[0])``, to each image, then clip
    to ``value_range``, in training only.

    Args:
        factor: ``f`` (in [-1, 1]) for draws in ``[-f, f]``, or ``(lower, upper)``.
        value_range: the images' range (``(0, 255)``).
        seed: makes the draws repeatable.

    Example:
        >>> dp.layers.RandomBrightness(0.2, seed=0)(torch.rand(2, 4, 4, 3) * 255,
        ...                                         training=True).shape
        torch.Size([2, 4, 4, 3])
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self._lo, self._hi = _range(factor, "RandomBrightness")
        if self._lo < -1 or self._hi > 1:
            raise ValueError(f"Argument `factor` of RandomBrightness: expected values in "
                             f"[-1, 1], received {factor!r}.")
        self.value_range = tuple(float(v) for v in value_range)

    def _augment(self, x):
        span = self.value_range[1] - self.value_range[0]
        delta = self._uniform(x.shape[0], self._lo, self._hi, x.device).to(x.dtype) * span
        return torch.clamp(x + delta.view(-1, 1, 1, 1), *self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}

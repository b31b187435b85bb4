"""Input preprocessing shared by training and serving (numpy + PIL only, no torch).

Crops: any-size RGB garment crop -> padded to a square with its border colour -> resized to
``CROP_SIZE`` -> normalised with ``MEAN``/``STD`` -> float32 (3, CROP_SIZE, CROP_SIZE).

Detector: a whole outfit photo -> resized (no padding) to ``DETECTOR_SIZE`` = (H, W) -> normalised ->
float32 (3, H, W), plus ``scale_x``/``scale_y`` = input pixels per original pixel, so that
``box_in_input = box_original * scale`` and ``box_original = box_in_input / scale``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

CROP_SIZE = 64
DETECTOR_SIZE = (128, 96)  # (H, W): half of the 256x192 OOTD photos, same 4:3 aspect.
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
NEUTRAL_GREY = (128, 128, 128)


def _to_pil_rgb(img, what: str = "image") -> Image.Image:
    if isinstance(img, Image.Image):
        if img.width < 1 or img.height < 1:
            raise ValueError(f"{what}: empty image of size {img.size}")
        return img if img.mode == "RGB" else img.convert("RGB")
    if isinstance(img, np.ndarray):
        if img.ndim != 3 or img.shape[2] != 3 or img.shape[0] < 1 or img.shape[1] < 1:
            raise ValueError(f"{what}: expected an RGB array of shape (H, W, 3), got shape {img.shape}")
        if img.dtype != np.uint8:
            raise ValueError(f"{what}: expected a uint8 (H, W, 3) array (0..255), got dtype {img.dtype}")
        return Image.fromarray(img, "RGB")
    raise ValueError(f"{what}: expected a PIL.Image or a uint8 (H, W, 3) numpy array, got {type(img).__name__}")


def _normalise(arr_hwc_uint8: np.ndarray) -> np.ndarray:
    x = arr_hwc_uint8.astype(np.float32) / 255.0
    x = (x - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)


def _border_colour(arr: np.ndarray) -> tuple[int, int, int]:
    """Median colour of the outermost pixel ring; neutral grey for degenerate crops."""
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        return NEUTRAL_GREY
    ring = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]], axis=0)
    return tuple(int(v) for v in np.median(ring, axis=0))


def pad_to_square(img, fill: tuple[int, int, int] | None = None) -> Image.Image:
    """Centre the image on a square canvas filled with its border colour (or ``fill``)."""
    img = _to_pil_rgb(img, "pad_to_square")
    w, h = img.size
    if w == h:
        return img
    side = max(w, h)
    if fill is None:
        fill = _border_colour(np.asarray(img))
    canvas = Image.new("RGB", (side, side), fill)
    canvas.paste(img, ((side - w) // 2, (side - h) // 2))
    return canvas


def crop_to_array(img) -> np.ndarray:
    """One garment crop (PIL RGB, any size; or uint8 HxWx3) -> float32 (3, CROP_SIZE, CROP_SIZE)."""
    sq = pad_to_square(img)
    if sq.size != (CROP_SIZE, CROP_SIZE):
        sq = sq.resize((CROP_SIZE, CROP_SIZE), Image.BILINEAR)
    return _normalise(np.asarray(sq, dtype=np.uint8))


def crops_to_batch(imgs: Sequence) -> np.ndarray:
    """A sequence of crops -> float32 (N, 3, CROP_SIZE, CROP_SIZE); N may be 0."""
    if isinstance(imgs, (Image.Image, np.ndarray)):
        raise ValueError("crops_to_batch expects a sequence of images, not a single image/array")
    out = np.empty((len(imgs), 3, CROP_SIZE, CROP_SIZE), dtype=np.float32)
    for i, im in enumerate(imgs):
        out[i] = crop_to_array(im)
    return out


def detector_input(img, size: tuple[int, int] = DETECTOR_SIZE) -> tuple[np.ndarray, float, float]:
    """Outfit photo -> (float32 (3, H, W), scale_x, scale_y) with (H, W) = ``size``.

    ``scale_x = W / original_width`` and ``scale_y = H / original_height``.
    """
    im = _to_pil_rgb(img, "detector_input")
    h, w = int(size[0]), int(size[1])
    if h < 8 or w < 8:
        raise ValueError(f"detector_input: size must be (H, W) >= 8, got {size}")
    sx, sy = w / im.width, h / im.height
    if im.size != (w, h):
        im = im.resize((w, h), Image.BILINEAR)
    return _normalise(np.asarray(im, dtype=np.uint8)), float(sx), float(sy)


def boxes_to_input(boxes, scale_x: float, scale_y: float) -> np.ndarray:
    """Boxes [x0,y0,x1,y1] in original pixels -> float32 (K, 4) in detector-input pixels."""
    b = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    return b * np.array([scale_x, scale_y, scale_x, scale_y], dtype=np.float32)


def denormalise(x: np.ndarray) -> np.ndarray:
    """float32 (3, H, W) normalised -> uint8 (H, W, 3); for debugging/visualisation."""
    arr = x.transpose(1, 2, 0) * STD + MEAN
    return np.clip(arr * 255.0 + 0.5, 0, 255).astype(np.uint8)

"""Tiny synthetic shape datasets (PIL + numpy) for tests and smoke checks of the models.

Shapes stand in for garments: shape = super-category (circle, square, triangle -> super 0, 1, 2),
a second sub per super = the shape carries a horizontal band ("variant" 1), fill colour and
stripes drive attributes, and a (shape, colour, pattern, band) combination is a "product".
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "triangle")
PALETTE = {"red": (210, 40, 40), "green": (40, 170, 60), "blue": (40, 70, 210), "yellow": (230, 210, 40),
           "black": (25, 25, 25)}


def _draw_shape(d: ImageDraw.ImageDraw, shape: int, box, fill, striped: bool, band: bool) -> None:
    x0, y0, x1, y1 = box
    if shape == 0:
        d.ellipse(box, fill=fill)
    elif shape == 1:
        d.rectangle(box, fill=fill)
    else:
        d.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=fill)
    h = y1 - y0
    if striped:
        for k in range(1, 6):
            y = y0 + k * h / 6
            d.line([(x0 + (x1 - x0) * 0.2, y), (x1 - (x1 - x0) * 0.2, y)], fill=(250, 250, 250), width=max(1, int(h / 24)))
    if band:
        d.rectangle([x0 + (x1 - x0) * 0.25, y0 + h * 0.5, x1 - (x1 - x0) * 0.25, y0 + h * 0.75], fill=(120, 60, 160))


def render_crop(rng: np.random.Generator, shape: int, colour: str, striped: bool, band: bool,
                clean: bool = False) -> Image.Image:
    """One crop of arbitrary size; ``clean`` = shop photo (white background, centred, no noise)."""
    w, h = (72, 72) if clean else (int(rng.integers(40, 110)), int(rng.integers(40, 110)))
    bg = (245, 245, 245) if clean else tuple(int(v) for v in rng.integers(90, 256, 3))
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    side = min(w, h) * (0.8 if clean else rng.uniform(0.55, 0.9))
    cx = w / 2 + (0 if clean else rng.uniform(-0.1, 0.1) * w)
    cy = h / 2 + (0 if clean else rng.uniform(-0.1, 0.1) * h)
    _draw_shape(d, shape, (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2), PALETTE[colour], striped, band)
    if not clean:
        arr = np.asarray(img, dtype=np.int16) + rng.integers(-12, 13, (h, w, 3))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img


def crop_dataset(n: int, seed: int = 0) -> dict:
    """n random crops with labels: super (shape), sub_variant (band), colour name, striped, product id."""
    rng = np.random.default_rng(seed)
    colours = list(PALETTE)
    imgs, sup, var, col, stri, prod = [], [], [], [], [], []
    for _ in range(n):
        s, c = int(rng.integers(3)), int(rng.integers(len(colours)))
        st, bd = bool(rng.integers(2)), bool(rng.integers(2))
        imgs.append(render_crop(rng, s, colours[c], st, bd))
        sup.append(s), var.append(int(bd)), col.append(colours[c]), stri.append(st)
        prod.append(((s * len(colours) + c) * 2 + int(st)) * 2 + int(bd))
    return {"images": imgs, "super": np.array(sup), "variant": np.array(var), "colour": np.array(col),
            "striped": np.array(stri), "product": np.array(prod)}


def render_scene(rng: np.random.Generator, size=(192, 256), max_objects: int = 3):
    """An outfit-like photo (W x H = ``size``) with 1..max_objects non-overlapping shapes.
    Returns (PIL image, boxes (K,4) float32 in pixels, classes (K,) int64)."""
    W, H = size
    img = Image.new("RGB", (W, H), tuple(int(v) for v in rng.integers(150, 256, 3)))
    d = ImageDraw.Draw(img)
    boxes, classes = [], []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        for _try in range(20):
            side = float(rng.uniform(0.18, 0.4) * W)
            x0, y0 = float(rng.uniform(0, W - side)), float(rng.uniform(0, H - side))
            b = (x0, y0, x0 + side, y0 + side)
            if all(b[2] < o[0] or b[0] > o[2] or b[3] < o[1] or b[1] > o[3] for o in boxes):
                break
        else:
            continue
        s = int(rng.integers(3))
        _draw_shape(d, s, b, tuple(int(v) for v in rng.integers(0, 120, 3)), False, False)
        boxes.append(b)
        classes.append(s)
    arr = np.asarray(img, dtype=np.int16) + rng.integers(-10, 11, (H, W, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), np.array(boxes, np.float32), np.array(classes, np.int64)


def product_catalog() -> list[tuple[int, str, bool, bool]]:
    """All (shape, colour, striped, band) combinations: 3 * 5 * 2 * 2 = 60 products; id = list index."""
    return [(s, c, st, bd) for s in range(3) for c in PALETTE for st in (False, True) for bd in (False, True)]


def product_photos(products: list[int], n_review: int, seed: int = 0, shop: bool = True):
    """For each product id: one clean shop photo (if ``shop``) and ``n_review`` random "review" photos.
    Returns (images, labels, is_shop)."""
    rng = np.random.default_rng(seed)
    cat = product_catalog()
    imgs, labels, is_shop = [], [], []
    for p in products:
        s, c, st, bd = cat[p]
        for k in range(int(shop) + n_review):
            clean = shop and k == 0
            imgs.append(render_crop(rng, s, c, st, bd, clean=clean))
            labels.append(p)
            is_shop.append(clean)
    return imgs, np.array(labels), np.array(is_shop)

"""Scenes built from garment sprites: shop / review photos, near-duplicates, shop pages, OOTD photos.

OOTD ground-truth boxes are the tight box of the *visible* pixels of each item in the final image
(computed exactly from a per-pixel layer map): an outer layer hides part of the top, a bag hides
part of the bottom, the head hides the back of a hood. Shoes are one box per pair (both feet).
Bag boxes cover the bag body and its handles; the long strap of a shoulder / crossbody bag is
drawn as a thin line to the shoulder but is not part of the box. Items with fewer than
``MIN_VISIBLE_PX`` visible pixels are left out of the ground truth.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from itoo.world.render import ARM_L, LEG_L, REGIONS, lighten, mirror, shade, tube_polygon

PHOTO = 96
OOTD_W, OOTD_H = 192, 256
MIN_VISIBLE_PX = 40

SKIN_TONES = [(248, 214, 190), (236, 192, 160), (214, 164, 124), (182, 128, 92), (140, 94, 64), (98, 64, 44)]
HAIR_COLORS = [(24, 20, 18), (60, 40, 28), (110, 72, 40), (200, 160, 90), (150, 60, 30), (150, 150, 150)]


def jpeg_bytes(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=int(quality), optimize=False)
    return buf.getvalue()


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=4)
    return buf.getvalue()


def _resize_rgba(img: Image.Image, w: int, h: int) -> Image.Image:
    w, h = max(1, int(round(w))), max(1, int(round(h)))
    return img.convert("RGBa").resize((w, h), Image.BILINEAR, reducing_gap=2.0).convert("RGBA")


BAG_FILL = {"small": .5, "medium": .68, "large": .86}


def product_content(sprite: Image.Image, sup: str, extra: dict, attrs: dict) -> Image.Image:
    """What product photos show of a sprite (RGBA, cropped): the garment itself; shoes as a pair one
    behind the other (as shops shoot them); bags padded so that ``bag_size`` stays visible."""
    c = sprite.crop(sprite.getchannel("A").getbbox())
    if sup == "shoes":
        mid = int(round((50.0 - REGIONS["shoes"][0]) * extra["res"]))
        right = sprite.crop((mid, 0, sprite.width, sprite.height))
        right = right.crop(right.getchannel("A").getbbox())
        w, h = right.size
        dx, dy = int(w * .28), int(h * .42)
        c = Image.new("RGBA", (w + dx, h + dy), (0, 0, 0, 0))
        back = right.copy()
        arr = np.asarray(back).copy()
        arr[..., :3] = (arr[..., :3] * .82).astype(np.uint8)
        c.alpha_composite(Image.fromarray(arr, "RGBA"), (dx, 0))
        c.alpha_composite(right, (0, dy))
    elif sup == "bag":
        body = extra["body"]
        bw_px = (body[2] - body[0]) * extra["res"]
        side = int(max(c.width, c.height, bw_px / BAG_FILL[attrs["bag_size"]]))
        canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        canvas.alpha_composite(c, ((side - c.width) // 2, (side - c.height) // 2))
        c = canvas
    return c


def _place(canvas: Image.Image, sprite: Image.Image, cx: float, cy: float, max_w: float, max_h: float,
           angle: float = 0.0, shadow: float = 0.0) -> tuple[int, int, int, int]:
    s = min(max_w / sprite.width, max_h / sprite.height)
    sp = _resize_rgba(sprite, sprite.width * s, sprite.height * s)
    if angle:
        sp = sp.convert("RGBa").rotate(angle, resample=Image.BICUBIC, expand=True).convert("RGBA")
    x, y = int(round(cx - sp.width / 2)), int(round(cy - sp.height / 2))
    if shadow > 0:
        a = sp.getchannel("A").filter(ImageFilter.GaussianBlur(2))
        sh = Image.new("RGBA", sp.size, (0, 0, 0, 0))
        sh.putalpha(a.point(lambda v: int(v * shadow)))
        canvas.alpha_composite(sh, (x + 2, y + 3)) if _inside(canvas, x + 2, y + 3, sh) else _paste_clip(canvas, sh, x + 2, y + 3)
    _paste_clip(canvas, sp, x, y)
    return x, y, x + sp.width, y + sp.height


def _inside(canvas, x, y, im):
    return x >= 0 and y >= 0 and x + im.width <= canvas.width and y + im.height <= canvas.height


def _paste_clip(canvas: Image.Image, im: Image.Image, x: int, y: int):
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.width, x + im.width), min(canvas.height, y + im.height)
    if x1 <= x0 or y1 <= y0:
        return
    canvas.alpha_composite(im.crop((x0 - x, y0 - y, x1 - x, y1 - y)), (x0, y0))


# --------------------------------------------------------------------------------- backgrounds
def light_background(rng: np.random.Generator, w: int, h: int, avoid=None) -> Image.Image:
    base = rng.uniform(226, 248)
    tint = rng.uniform(-8, 8, 3)
    top = np.clip(base + tint + rng.uniform(0, 6), 0, 255)
    bot = np.clip(base + tint - rng.uniform(4, 12), 0, 255)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    arr = top[None, None, :] * (1 - t) + bot[None, None, :] * t
    arr = np.broadcast_to(arr, (h, w, 3))
    return Image.fromarray(arr.astype(np.uint8), "RGB")


def _blotch_rgb(rng, w, h, cell, lo=40, hi=220):
    small = rng.uniform(lo, hi, (h // cell + 2, w // cell + 2, 3)).astype(np.uint8)
    return Image.fromarray(small, "RGB").resize((w, h), Image.BICUBIC)


def busy_background(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    kind = int(rng.integers(0, 4))
    if kind == 0:  # random furniture-like blocks
        img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.uniform(60, 200, 3)))
        d = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(4, 9))):
            x0, y0 = rng.uniform(-w * .2, w), rng.uniform(-h * .2, h)
            x1, y1 = x0 + rng.uniform(w * .15, w * .7), y0 + rng.uniform(h * .1, h * .6)
            d.rectangle([x0, y0, x1, y1], fill=tuple(int(v) for v in rng.uniform(30, 230, 3)))
    elif kind == 1:  # wooden floor
        c = rng.uniform(110, 190)
        img = Image.new("RGB", (w, h), (int(c), int(c * .72), int(c * .48)))
        d = ImageDraw.Draw(img)
        step = int(rng.integers(7, 14))
        for y in range(0, h, step):
            d.line([(0, y), (w, y)], fill=(int(c * .6), int(c * .42), int(c * .3)), width=1)
            off = int(rng.integers(0, w))
            d.line([(off, y), (off, y + step)], fill=(int(c * .6), int(c * .42), int(c * .3)))
    elif kind == 2:  # blotchy colour noise
        img = _blotch_rgb(rng, w, h, int(rng.integers(8, 20)))
    else:  # bedsheet with stripes / pattern
        c1 = tuple(int(v) for v in rng.uniform(150, 240, 3))
        c2 = tuple(int(v) for v in rng.uniform(40, 160, 3))
        img = Image.new("RGB", (w, h), c1)
        d = ImageDraw.Draw(img)
        p = int(rng.integers(6, 16))
        for x in range(-h, w, p):
            d.line([(x, 0), (x + h, h)], fill=c2, width=max(1, p // 3))
    arr = np.asarray(img, np.float32) + rng.normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


# ------------------------------------------------------------------------------- product photos
def shop_photo(c: Image.Image, rng: np.random.Generator, variant: int, size: int = PHOTO) -> Image.Image:
    """Clean light background, garment centred (variant 0) or smaller, tilted and off-centre (1)."""
    bg = light_background(rng, size, size).convert("RGBA")
    if variant == 0:
        fill = rng.uniform(.8, .9)
        cx, cy = size / 2 + rng.uniform(-3, 3), size / 2 + rng.uniform(-3, 3)
        angle = 0.0
    else:
        fill = rng.uniform(.56, .68)
        cx = size / 2 + rng.choice([-1, 1]) * rng.uniform(7, 13)
        cy = size / 2 + rng.uniform(-8, 8)
        angle = float(rng.choice([-1, 1]) * rng.uniform(5, 11))
    _place(bg, c, cx, cy, size * fill, size * fill, angle=angle, shadow=.25)
    return bg.convert("RGB")


def review_photo(c: Image.Image, rng: np.random.Generator, size: int = PHOTO) -> Image.Image:
    """Consumer photo: busy background, other angle (flip, shear, rotation), colour cast, occlusion."""
    bg = busy_background(rng, size, size).convert("RGBA")
    if rng.random() < .5:
        c = c.transpose(Image.FLIP_LEFT_RIGHT)
    sh = rng.uniform(-.25, .25)
    c = c.convert("RGBa").transform((int(c.width * (1 + abs(sh))), c.height), Image.AFFINE,
                                    (1, sh, -sh * c.height if sh > 0 else 0, 0, 1, 0), resample=Image.BILINEAR)
    c = c.convert("RGBA")
    angle = float(rng.choice([-1, 1]) * rng.uniform(8, 28))
    fill = rng.uniform(.55, .8)
    cx, cy = size / 2 + rng.uniform(-10, 10), size / 2 + rng.uniform(-10, 10)
    x0, y0, x1, y1 = _place(bg, c, cx, cy, size * fill, size * fill, angle=angle)
    if rng.random() < .5:  # occluder: a hand, a phone, a cup ...
        d = ImageDraw.Draw(bg)
        col = SKIN_TONES[int(rng.integers(0, len(SKIN_TONES)))] if rng.random() < .5 else \
            tuple(int(v) for v in rng.uniform(20, 235, 3))
        ox = rng.uniform(x0, x1)
        oy = rng.uniform(y0, y1)
        rw, rh = rng.uniform(.15, .3) * size, rng.uniform(.12, .28) * size
        if rng.random() < .5:
            d.ellipse([ox - rw / 2, oy - rh / 2, ox + rw / 2, oy + rh / 2], fill=col + (255,))
        else:
            ang = rng.uniform(0, math.pi)
            pts = [(ox + rw * math.cos(ang + k * math.pi / 2) * (.6 + .4 * (k % 2)),
                    oy + rh * math.sin(ang + k * math.pi / 2) * (.6 + .4 * (k % 2))) for k in range(4)]
            d.polygon(pts, fill=col + (255,))
    arr = np.asarray(bg.convert("RGB"), np.float32)
    cast = rng.uniform(.86, 1.14, 3) * rng.uniform(.75, 1.12)
    arr = np.clip(arr * cast[None, None, :] + rng.uniform(-12, 12), 0, 255)
    img = Image.fromarray(arr.astype(np.uint8), "RGB")
    if rng.random() < .3:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(.4, .8)))
    return img


def near_duplicate(jpeg: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    """A near-duplicate of a photo as a re-upload would give it: resized, re-compressed or cropped."""
    img = Image.open(io.BytesIO(jpeg)).convert("RGB")
    w, h = img.size
    op = ("resize", "recompress", "crop")[int(rng.integers(0, 3))]
    if op == "resize":
        k = rng.uniform(.5, .75)
        img = img.resize((int(w * k), int(h * k)), Image.BILINEAR).resize((w, h), Image.BICUBIC)
        q = int(rng.integers(70, 90))
    elif op == "recompress":
        q = int(rng.integers(12, 30))
    else:
        l, t = int(rng.integers(0, 4)), int(rng.integers(0, 4))
        r, b = int(rng.integers(0, 4)), int(rng.integers(0, 4))
        img = img.crop((l, t, w - r, h - b)).resize((w, h), Image.BICUBIC)
        q = int(rng.integers(70, 92))
    return jpeg_bytes(img, q), op


# ----------------------------------------------------------------------------------- shop pages
_WORDS = ("soft breathable fabric relaxed cut everyday wear machine wash cold do not tumble dry model is "
          "wearing size made with care premium quality lined pockets adjustable classic fit new season "
          "limited edition easy care iron low reverse side free returns ships within days").split()


def _font(size: int | None = None):
    return ImageFont.load_default() if size is None else ImageFont.load_default(size=size)


def _text_block(draw: ImageDraw.ImageDraw, x: float, y: float, lines: list[str], font, color, lh: int,
                max_x: float | None = None):
    """Draw lines of text (each cut to end before ``max_x``); returns the tight box of the ink."""
    boxes = []
    for i, ln in enumerate(lines):
        if max_x is not None:
            while len(ln) > 1 and x + draw.textlength(ln, font=font) > max_x:
                ln = ln[:-1]
            ln = ln.rstrip() or ln
        bb = draw.textbbox((x, y + i * lh), ln, font=font)
        draw.text((x, y + i * lh), ln, fill=color, font=font)
        boxes.append(bb)
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    return [float(x0), float(y0), float(x1), float(y1)]


def _words(rng, n):
    return " ".join(_WORDS[int(i)] for i in rng.integers(0, len(_WORDS), n))


def _banner(rng, w, h) -> Image.Image:
    c1 = np.asarray(rng.uniform(0, 255, 3))
    c2 = np.asarray(rng.uniform(0, 255, 3))
    c1[int(rng.integers(0, 3))] = rng.uniform(200, 255)
    c2[int(rng.integers(0, 3))] = rng.uniform(0, 60)
    t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    arr = c1[None, None, :] * (1 - t) + c2[None, None, :] * t
    img = Image.fromarray(np.broadcast_to(arr, (h, w, 3)).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(2, 6))):
        r = rng.uniform(h * .2, h * .8)
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        d.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(v) for v in rng.uniform(0, 255, 3)))
    txt = ["SALE", "NEW IN", "FREE SHIPPING", "-30%", "WINTER DROP", "JOIN THE CLUB"][int(rng.integers(0, 6))]
    d.text((rng.uniform(6, w * .5), h / 2 - 7), txt, fill=(255, 255, 255), font=_font(14))
    return img


def shop_page(c: Image.Image, title: str, price: float, attrs: dict, product_id: str,
              rng: np.random.Generator, width: int = 256) -> tuple[Image.Image, list[dict]]:
    """One descriptive image: 2-3 product photos stacked with text blocks and an unrelated banner."""
    page_bg = tuple(int(v) for v in (255 - rng.uniform(0, 6, 3)))
    n_photos = int(rng.integers(2, 4))
    blocks: list[tuple] = [("title",)]
    for i in range(n_photos):
        blocks.append(("photo", i))
        if rng.random() < .75 or i == n_photos - 1:
            blocks.append(("text",))
    pos = int(rng.integers(0, 3))
    banner_at = 0 if pos == 0 else (len(blocks) if pos == 2 else int(rng.integers(1, len(blocks))))
    blocks.insert(banner_at, ("banner",))
    # layout pass: decide sizes, then draw on a canvas of the final height
    font = _font(11)
    tfont = _font(15)
    items = []
    y = int(rng.integers(8, 16))
    for b in blocks:
        if b[0] == "banner":
            bh = int(rng.integers(34, 58))
            full = rng.random() < .5
            x0 = 0 if full else int(rng.integers(6, 14))
            items.append(("banner", x0, y, width - x0 if full else width - x0, y + bh))
            y += bh
        elif b[0] == "title":
            items.append(("title", 12, y))
            y += 38
        elif b[0] == "photo":
            side = rng.random() < .3
            pw = int(rng.integers(110, 140)) if side else int(rng.integers(150, 232))
            ph = int(pw * rng.choice([1.0, 1.0, 1.2]))
            x0 = 10 if side else int((width - pw) / 2 + rng.integers(-6, 7))
            items.append(("photo", x0, y, x0 + pw, y + ph, b[1], side))
            y += ph
        else:
            n = int(rng.integers(2, 6))
            items.append(("text", 14, y, n))
            y += n * 13
        y += int(rng.integers(12, 22))
    H = y + int(rng.integers(4, 12))
    page = Image.new("RGB", (width, H), page_bg)
    draw = ImageDraw.Draw(page)
    regions = []
    for it in items:
        if it[0] == "banner":
            _, x0, y0, x1, y1 = it
            page.paste(_banner(rng, x1 - x0, y1 - y0), (x0, y0))
            regions.append({"box": [float(x0), float(y0), float(x1), float(y1)], "kind": "banner", "product_id": None})
        elif it[0] == "title":
            _, x0, y0 = it
            dark = tuple(int(v) for v in rng.uniform(10, 60, 3))
            box = _text_block(draw, x0, y0, [title[:30], f"EUR {price:.2f}"], tfont, dark, 18, max_x=width - 6)
            regions.append({"box": box, "kind": "text", "product_id": None})
        elif it[0] == "photo":
            _, x0, y0, x1, y1, idx, side = it
            pw, ph = x1 - x0, y1 - y0
            while True:
                bg = light_background(rng, pw, ph)
                a = np.asarray(bg, np.int16)
                pb = np.asarray(page_bg, np.int16)
                diff = min(np.abs(a[0, 0] - pb).max(), np.abs(a[-1, -1] - pb).max())
                if diff >= 14:
                    break
                bg = None
            canvas = bg.convert("RGBA")
            if idx == 0:
                _place(canvas, c, pw / 2, ph / 2, pw * .82, ph * .82, shadow=.25)
            elif idx == 1:  # detail shot: zoomed in on a part of the garment
                zoom = rng.uniform(1.3, 1.7)
                _place(canvas, c, pw / 2 + rng.uniform(-.2, .2) * pw, ph / 2 + rng.uniform(-.25, .25) * ph,
                       pw * .8 * zoom, ph * .8 * zoom)
            else:
                _place(canvas, c.transpose(Image.FLIP_LEFT_RIGHT), pw / 2, ph / 2, pw * .7, ph * .7,
                       angle=float(rng.uniform(-12, 12)), shadow=.25)
            photo = canvas.convert("RGB")
            if rng.random() < .4:
                ImageDraw.Draw(photo).rectangle([0, 0, pw - 1, ph - 1], outline=(200, 200, 200))
            page.paste(photo, (x0, y0))
            regions.append({"box": [float(x0), float(y0), float(x1), float(y1)], "kind": "photo",
                            "product_id": product_id})
            if side:
                n = int(rng.integers(3, 7))
                lines = [_words(rng, int(rng.integers(2, 4)))[:16] for _ in range(n)]
                gray = int(rng.uniform(30, 90))
                box = _text_block(draw, x1 + 14, y0 + rng.uniform(4, max(5, ph - n * 13)), lines, font, (gray,) * 3, 13,
                                  max_x=width - 6)
                regions.append({"box": box, "kind": "text", "product_id": None})
        else:
            _, x0, y0, n = it
            vals = [f"{k.replace('_', ' ')}: {v if isinstance(v, str) else ', '.join(v) or '-'}" for k, v in attrs.items()]
            lines = []
            for i in range(n):
                if vals and rng.random() < .5:
                    lines.append(vals[int(rng.integers(0, len(vals)))][:38])
                else:
                    lines.append(_words(rng, int(rng.integers(3, 7)))[:38])
            gray = int(rng.uniform(30, 100))
            col = (gray, gray, gray) if rng.random() < .8 else tuple(int(v) for v in rng.uniform(20, 120, 3))
            box = _text_block(draw, x0 + rng.uniform(0, 8), y0, lines, font, col, 13, max_x=width - 6)
            regions.append({"box": box, "kind": "text", "product_id": None})
    return page, regions


# ------------------------------------------------------------------------------------- OOTD scene
def ootd_background(rng: np.random.Generator, w: int = OOTD_W, h: int = OOTD_H) -> Image.Image:
    kind = int(rng.integers(0, 4))
    if kind == 0:  # gradient
        c1, c2 = rng.uniform(30, 240, 3), rng.uniform(30, 240, 3)
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        arr = np.broadcast_to(c1 * (1 - t) + c2 * t, (h, w, 3)).astype(np.float32)
    elif kind == 1:  # blotchy noise
        arr = np.asarray(_blotch_rgb(rng, w, h, int(rng.integers(12, 40)), 50, 230), np.float32)
    elif kind == 2:  # street
        img = Image.new("RGB", (w, h), tuple(int(v) for v in rng.uniform([120, 160, 200], [190, 210, 250])))
        d = ImageDraw.Draw(img)
        x = -int(rng.integers(0, 30))
        horizon = int(h * rng.uniform(.62, .75))
        while x < w:
            bw = int(rng.integers(30, 70))
            top = int(rng.integers(10, horizon - 40))
            col = tuple(int(v) for v in rng.uniform(70, 200, 3))
            d.rectangle([x, top, x + bw, horizon], fill=col)
            wc = shade(col, .55)
            for wy in range(top + 6, horizon - 8, 14):
                for wx in range(x + 5, x + bw - 6, 12):
                    d.rectangle([wx, wy, wx + 5, wy + 7], fill=wc)
            x += bw + int(rng.integers(0, 6))
        g = int(rng.uniform(90, 160))
        d.rectangle([0, horizon, w, h], fill=(g, g, g - 5))
        for yy in range(horizon + 8, h, 16):
            d.line([(0, yy), (w, yy)], fill=(g - 25,) * 3)
        arr = np.asarray(img, np.float32)
    else:  # indoor
        wall = tuple(int(v) for v in rng.uniform(150, 240, 3))
        img = Image.new("RGB", (w, h), wall)
        d = ImageDraw.Draw(img)
        floor = int(h * rng.uniform(.7, .8))
        c = rng.uniform(100, 180)
        d.rectangle([0, floor, w, h], fill=(int(c), int(c * .7), int(c * .5)))
        fx, fy = rng.uniform(0, w - 50), rng.uniform(10, floor - 80)
        d.rectangle([fx, fy, fx + rng.uniform(30, 60), fy + rng.uniform(30, 60)], fill=tuple(int(v) for v in rng.uniform(20, 230, 3)),
                    outline=(60, 40, 30), width=3)
        px = rng.uniform(0, w)
        d.ellipse([px - 18, floor - 70, px + 18, floor - 20], fill=(50, int(rng.uniform(100, 160)), 60))
        d.rectangle([px - 8, floor - 25, px + 8, floor], fill=(150, 90, 60))
        arr = np.asarray(img, np.float32)
    arr = arr + rng.normal(0, 5, (h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


class Figure:
    """Maps body-frame units to OOTD pixels: X = cx + (x-50)*s*bw, Y = oy + y*s."""

    def __init__(self, s: float, bw: float, cx: float, oy: float):
        self.s, self.bw, self.cx, self.oy = s, bw, cx, oy

    def X(self, x):
        return self.cx + (x - 50.0) * self.s * self.bw

    def Y(self, y):
        return self.oy + y * self.s

    def P(self, pts):
        return [(self.X(x), self.Y(y)) for x, y in pts]


BODY_BW = {"slim": .92, "regular": 1.0, "curvy": 1.1, "athletic": 1.05}


def _draw_body(layer: Image.Image, F: Figure, skin, hair, long_hair: bool, back: bool):
    d = ImageDraw.Draw(layer)
    if back:
        if long_hair:
            d.polygon(F.P([(37, 10), (63, 10), (66, 58), (34, 58)]), fill=hair + (255,))
        return
    sk = skin + (255,)
    for pts in (LEG_L, mirror(LEG_L)):
        d.polygon(F.P(tube_polygon(pts, [7.2, 5.6, 4.4])), fill=sk)
        ax, ay = pts[-1]
        d.ellipse([F.X(ax - 5), F.Y(ay + 4), F.X(ax + 5), F.Y(ay + 16)], fill=sk)
    torso = [(44, 30), (31, 38), (32, 54), (34.5, 94), (33, 110), (42, 116)]
    d.polygon(F.P(torso + mirror(torso)[::-1]), fill=sk)
    for pts in (ARM_L, mirror(ARM_L)):
        d.polygon(F.P(tube_polygon(pts, [5.2, 4.6, 3.8])), fill=sk)
        hx, hy = pts[-1][0] - 1 if pts[-1][0] < 50 else pts[-1][0] + 1, 135
        d.ellipse([F.X(hx - 4), F.Y(hy - 6), F.X(hx + 4), F.Y(hy + 6)], fill=sk)
    d.rectangle([F.X(45), F.Y(22), F.X(55), F.Y(34)], fill=sk)


def _draw_head(layer: Image.Image, F: Figure, skin, hair, long_hair: bool):
    d = ImageDraw.Draw(layer)
    d.ellipse([F.X(39.5), F.Y(3), F.X(60.5), F.Y(29)], fill=skin + (255,))
    d.chord([F.X(38.5), F.Y(1), F.X(61.5), F.Y(25 if long_hair else 20)], 180, 360, fill=hair + (255,))
    if long_hair:
        d.rectangle([F.X(38.5), F.Y(11), F.X(41), F.Y(30)], fill=hair + (255,))
        d.rectangle([F.X(59), F.Y(11), F.X(61.5), F.Y(30)], fill=hair + (255,))
    ey = F.Y(16)
    for ex in (F.X(45.5), F.X(54.5)):
        d.ellipse([ex - 1, ey - 1, ex + 1, ey + 1], fill=(30, 25, 25, 255))


LAYER_ORDER = {"bottom": 1, "shoes": 2, "top": 3, "dress": 3, "outer": 4, "bag": 6}


def render_ootd(items: list[dict], person: dict, rng: np.random.Generator) -> tuple[Image.Image, list[tuple[int, list[float]]]]:
    """Compose a person wearing ``items`` ({"sup", "sprite" (ootd mode), "extra", "strap_rgb"}).

    Returns the RGB image and, per visible item, (index into items, visible box).
    """
    W, H = OOTD_W, OOTD_H
    s = rng.uniform(.86, .98)
    bw = BODY_BW.get(person.get("body_shape"), 1.0)
    cx = W / 2 + rng.uniform(-16, 16)
    foot = H - rng.uniform(3, 12)
    F = Figure(s, bw, cx, foot - 240 * s)
    canvas = ootd_background(rng).convert("RGBA")
    labels = np.full((H, W), -1, np.int16)
    skin, hair, long_hair = tuple(person["skin"]), tuple(person["hair"]), bool(person["long_hair"])

    def composite(layer: Image.Image, label: int):
        a = np.asarray(layer.getchannel("A")) > 127
        canvas.alpha_composite(layer)
        labels[a] = label

    layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    _draw_body(layer, F, skin, hair, long_hair, back=True)
    _draw_body(layer, F, skin, hair, long_hair, back=False)
    composite(layer, -2)
    order = sorted(range(len(items)), key=lambda i: LAYER_ORDER[items[i]["sup"]])
    head_done = False
    for i in order:
        it = items[i]
        sup = it["sup"]
        if LAYER_ORDER[sup] > 4 and not head_done:
            hl = Image.new("RGBA", (W, H), (0, 0, 0, 0))
            _draw_head(hl, F, skin, hair, long_hair)
            composite(hl, -2)
            head_done = True
        sprite = it["sprite"]
        layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        if sup != "bag":
            x0, y0, x1, y1 = REGIONS[sup]
            px0, py0 = F.X(x0), F.Y(y0)
            sp = _resize_rgba(sprite, (x1 - x0) * s * bw, (y1 - y0) * s)
            _paste_clip(layer, sp, int(round(px0)), int(round(py0)))
        else:
            ex = it["extra"]
            R = ex["res"]
            sp = _resize_rgba(sprite, sprite.width / R * s, sprite.height / R * s)
            sub = it["sub"]
            side = it.get("side", 1)
            hx, hy = ex["handle"]
            bx0, by0, bx1, by1 = ex["body"]
            if sub in ("shoulder_bag", "crossbody"):
                if sub == "shoulder_bag":
                    tx, ty = (24.0 if side < 0 else 76.0), 100.0
                    shoulder = (31.0 if side < 0 else 69.0, 38.0)
                else:
                    tx, ty = (60.0 if side < 0 else 40.0), 104.0
                    shoulder = (31.0 if side < 0 else 69.0, 38.0)
                ox = F.X(tx) - (bx0 + bx1) / 2 * s
                oy = F.Y(ty) - by0 * s
                strap = it.get("strap_rgb", (40, 40, 40))
                sl = Image.new("RGBA", (W, H), (0, 0, 0, 0))
                ImageDraw.Draw(sl).line([(ox + (bx0 + 1) * s, oy + by0 * s), (F.X(shoulder[0]), F.Y(shoulder[1]))],
                                        fill=tuple(strap) + (255,), width=max(1, int(round(1.6 * s))))
                ImageDraw.Draw(sl).line([(ox + (bx1 - 1) * s, oy + by0 * s), (F.X(shoulder[0]), F.Y(shoulder[1]))],
                                        fill=tuple(strap) + (255,), width=max(1, int(round(1.6 * s))))
                composite(sl, -3)
            else:
                hand = (F.X(18.0 if side < 0 else 82.0), F.Y(135.0))
                if sub == "clutch":
                    ox, oy = hand[0] - hx * s, hand[1] - hy * s
                else:
                    ox, oy = hand[0] - hx * s, hand[1] - hy * s - 2
            _paste_clip(layer, sp, int(round(ox)), int(round(oy)))
        composite(layer, i)
    if not head_done:
        hl = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        _draw_head(hl, F, skin, hair, long_hair)
        composite(hl, -2)
    out = []
    for i in range(len(items)):
        ys, xs = np.nonzero(labels == i)
        if len(xs) < MIN_VISIBLE_PX:
            continue
        out.append((i, [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]))
    arr = np.asarray(canvas.convert("RGB"), np.float32)
    arr = np.clip(arr * rng.uniform(.9, 1.08) * rng.uniform(.95, 1.05, 3)[None, None, :], 0, 255)
    return Image.fromarray(arr.astype(np.uint8), "RGB"), out


__all__ = ["jpeg_bytes", "png_bytes", "shop_photo", "review_photo", "near_duplicate", "shop_page", "render_ootd",
           "SKIN_TONES", "HAIR_COLORS", "BODY_BW", "lighten"]

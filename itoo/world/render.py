"""Parametric garment sprites for the sample world (PIL drawing + numpy textures).

Every garment is drawn in the *body frame*: a front-facing person 100 units wide and 240 units
tall (head top at y=0, soles at y=240). Each super-category has its own region of that frame
(``REGIONS``) and the sprite is that region at ``RES`` pixels per unit, so the same sprite is
used for product photos (cropped to its content) and pasted onto the person in OOTD photos
(scaled to the person). Bags have their own frame (0..64 x 0..84 units, same units as the body),
drawn to an absolute scale so that ``bag_size`` stays visible.

What is drawn from which attribute:

* sub-category -> silhouette (32 shapes: collars + placket for shirts, hood for hoodies, straps for
  tank tops, lapels for blazers, quilting for padded jackets, two legs for jeans/slacks/leggings,
  trapezoids for skirts, side-view pairs of shoes, bag bodies with their handles ...);
* ``fit`` -> width, ``length`` -> hem height, ``sleeve_length`` -> sleeves, ``neckline`` -> neck cut,
  collar or hood, ``waist_rise`` -> waistband height, ``heel_height`` -> heel, ``bag_size`` -> scale;
* ``color`` -> base RGB (+ jitter), ``pattern`` -> stripe / check / dot overlays or a graphic
  motif, ``material`` + ``texture`` -> denim twill, knit ribs, fuzz, leather gloss, synthetic sheen;
* ``closure`` -> buttons / zipper / laces / buckle strap, ``details`` -> pockets, ruffles, pleats,
  belt, chest print, ``embellishment`` -> studs, chain, logo, bow, ``trim`` -> piping, contrast
  stitching, fur trim.

Two modes: ``ootd=False`` (product photo: neck holes and open fronts show a dark lining, bag
straps drawn as a loop) and ``ootd=True`` (holes transparent so the body/top shows through, long
bag straps left to the scene).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# --------------------------------------------------------------------------------- body frame
REGIONS = {
    "top": (6.0, 14.0, 94.0, 164.0),
    "outer": (2.0, 14.0, 98.0, 228.0),
    "bottom": (18.0, 84.0, 82.0, 234.0),
    "dress": (4.0, 14.0, 96.0, 234.0),
    "shoes": (12.0, 176.0, 88.0, 244.0),
    "bag": (0.0, 0.0, 64.0, 84.0),
}
RES = {"top": 2.0, "outer": 2.0, "bottom": 2.0, "dress": 2.0, "shoes": 3.0, "bag": 3.0}
PATTERN_SCALE = {"top": 1.0, "outer": 1.0, "bottom": 1.0, "dress": 1.0, "shoes": 0.45, "bag": 0.6}

ARM_L = [(31.0, 41.0), (24.0, 86.0), (20.0, 128.0)]
LEG_L = [(41.5, 108.0), (41.0, 166.0), (40.5, 222.0)]
HAND_L = (19.0, 135.0)
FIT_EW = {"slim": 0.5, "regular": 2.5, "loose": 5.5}


def mirror(pts):
    return [(100.0 - x, y) for x, y in pts]


def sym(left_pts):
    """Left half contour (top -> bottom) -> closed symmetric polygon."""
    return list(left_pts) + mirror(left_pts)[::-1]


def polyline_cut(pts, length):
    out = [pts[0]]
    left = length
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        if left <= seg:
            t = max(left, 0.0) / seg
            out.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
            return out
        out.append((x1, y1))
        left -= seg
    return out


def polyline_len(pts):
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:]))


def tube_polygon(pts, hws):
    """Polygon around a polyline with per-vertex half-widths."""
    n = len(pts)
    left, right = [], []
    for i in range(n):
        if i == 0:
            dx, dy = pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]
        elif i == n - 1:
            dx, dy = pts[-1][0] - pts[-2][0], pts[-1][1] - pts[-2][1]
        else:
            ax, ay = pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]
            bx, by = pts[i + 1][0] - pts[i][0], pts[i + 1][1] - pts[i][1]
            la, lb = math.hypot(ax, ay) or 1, math.hypot(bx, by) or 1
            dx, dy = ax / la + bx / lb, ay / la + by / lb
        ln = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / ln, dx / ln
        left.append((pts[i][0] + nx * hws[i], pts[i][1] + ny * hws[i]))
        right.append((pts[i][0] - nx * hws[i], pts[i][1] - ny * hws[i]))
    return left + right[::-1]


def _lerp_widths(pts, w0, w1):
    total = polyline_len(pts) or 1.0
    acc, out = 0.0, [w0]
    for a, b in zip(pts, pts[1:]):
        acc += math.hypot(b[0] - a[0], b[1] - a[1])
        out.append(w0 + (w1 - w0) * acc / total)
    return out


def shade(rgb, f):
    return tuple(int(max(0, min(255, c * f))) for c in rgb)


def lighten(rgb, amount):
    return tuple(int(max(0, min(255, c + (255 - c) * amount))) for c in rgb)


def luminance(rgb):
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def contrast_color(rgb):
    return (238, 236, 228) if luminance(rgb) < 120 else (34, 36, 52)


def seam_color(rgb):
    return lighten(rgb, 0.35) if luminance(rgb) < 70 else shade(rgb, 0.55)


# ----------------------------------------------------------------------------------- sketch
class Sketch:
    """A sprite under construction: silhouette mask + hole mask + recorded detail ops."""

    def __init__(self, sup: str, ootd: bool):
        self.sup = sup
        self.ootd = ootd
        self.x0, self.y0, x1, y1 = REGIONS[sup]
        self.R = RES[sup]
        self.W = int(round((x1 - self.x0) * self.R))
        self.H = int(round((y1 - self.y0) * self.R))
        self.mask = Image.new("L", (self.W, self.H), 0)
        self.holes = Image.new("L", (self.W, self.H), 0)
        self.md = ImageDraw.Draw(self.mask)
        self.hd = ImageDraw.Draw(self.holes)
        self.ops: list[tuple] = []
        self.anchors: list[tuple[float, float, float]] = []  # graphic motif (x, y, size) in units
        self.extra: dict = {}

    # coordinates
    def P(self, pts):
        R, x0, y0 = self.R, self.x0, self.y0
        return [((x - x0) * R, (y - y0) * R) for x, y in pts]

    def box(self, cx, cy, rx, ry):
        (a, b), (c, d) = self.P([(cx - rx, cy - ry), (cx + rx, cy + ry)])
        return [a, b, c, d]

    # silhouette
    def poly(self, pts, fill=255):
        self.md.polygon(self.P(pts), fill=fill)

    def ell(self, cx, cy, rx, ry, fill=255):
        self.md.ellipse(self.box(cx, cy, rx, ry), fill=fill)

    def tube(self, pts, hws, fill=255, round_ends=False):
        self.md.polygon(self.P(tube_polygon(pts, hws)), fill=fill)
        if round_ends:
            for (x, y), w in ((pts[0], hws[0]), (pts[-1], hws[-1])):
                self.ell(x, y, w, w, fill)

    def hole_poly(self, pts):
        self.hd.polygon(self.P(pts), fill=255)

    def hole_ell(self, cx, cy, rx, ry):
        self.hd.ellipse(self.box(cx, cy, rx, ry), fill=255)

    # recorded details (drawn after the fabric fill, on top)
    def d(self, *op):
        self.ops.append(op)


# ------------------------------------------------------------------------------- fill + texture
def _blotch(rng, H, W, cell):
    small = rng.standard_normal((H // cell + 2, W // cell + 2)).astype(np.float32)
    img = Image.fromarray(small, mode="F").resize((W, H), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32)


def fabric(sk: Sketch, base, sec, attrs: dict, sp: dict, tex_rng: np.random.Generator):
    """HxWx3 float array: base colour + pattern + material/texture shading (whole canvas)."""
    H, W, R = sk.H, sk.W, sk.R
    ps = PATTERN_SCALE[sk.sup] * R
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    ph = sp["phase"] * ps
    m = np.zeros((H, W), np.float32)
    pat = attrs["pattern"]
    if pat == "stripe":
        p = sp["stripe_p"] * ps
        coord = xx if sp["stripe_v"] else yy
        m = (((coord + ph) % p) < sp["stripe_f"] * p).astype(np.float32)
    elif pat == "check":
        p = sp["check_p"] * ps
        w = 0.32 * p
        m = 0.55 * (((xx + ph) % p) < w) + 0.55 * (((yy + ph) % p) < w)
        m = np.clip(m, 0, 1).astype(np.float32)
    elif pat == "dot":
        p = sp["dot_p"] * ps
        r = sp["dot_r"] * ps
        row = np.floor((yy + ph) / p)
        xs = xx + ph + (row % 2) * p / 2
        dx = (xs % p) - p / 2
        dy = ((yy + ph) % p) - p / 2
        m = ((dx * dx + dy * dy) < r * r).astype(np.float32)
    base_a = np.asarray(base, np.float32)
    sec_a = np.asarray(sec, np.float32)
    col = base_a[None, None, :] * (1 - m[..., None]) + sec_a[None, None, :] * m[..., None]

    mat = attrs.get("material", "cotton")
    texture = set(attrs.get("texture", []))
    t = np.zeros((H, W), np.float32)
    gloss = np.zeros((H, W), np.float32)
    if mat == "denim":
        t += 0.09 * np.sin(2 * np.pi * (xx + yy) / (2.4 * R))
        t += 0.06 * _blotch(tex_rng, H, W, int(4 * R))
        t += 0.03 * tex_rng.standard_normal((H, W)).astype(np.float32)
    if "ribbed" in texture:
        t += 0.12 * np.sin(2 * np.pi * xx / (2.8 * R))
    if "fuzzy" in texture:
        t += 0.09 * tex_rng.standard_normal((H, W)).astype(np.float32)
        t += 0.05 * _blotch(tex_rng, H, W, int(2 * R))
    if "glossy" in texture:
        u = xx / W * 0.8 + yy / H * 0.45
        c = 0.35 + 0.1 * sp["phase"] / 10
        gloss += 0.45 * np.exp(-((u - c) ** 2) / (2 * 0.05 ** 2)) + 0.2 * np.exp(-((u - c - 0.35) ** 2) / (2 * 0.03 ** 2))
    if mat == "synthetic":
        t += 0.05 * np.sin(2 * np.pi * yy / (H / 2.5))
    if mat == "cotton":
        t += 0.025 * tex_rng.standard_normal((H, W)).astype(np.float32)
    if mat == "leather" and "glossy" not in texture:
        gloss += 0.15 * np.exp(-(((xx / W) * 0.8 + (yy / H) * 0.45 - 0.4) ** 2) / (2 * 0.08 ** 2))
    # light from above
    t += 0.05 - 0.1 * (yy / H)
    col = col * (1 + t[..., None]) + 45.0 * t[..., None]
    col = col + gloss[..., None] * (255.0 - col) * 0.85
    return np.clip(col, 0, 255)


def _paint_band(arr: np.ndarray, band: np.ndarray, rgb, alpha=1.0):
    arr[band] = arr[band] * (1 - alpha) + np.asarray(rgb, np.float32) * alpha


def finish(sk: Sketch, base, sec, attrs: dict, sp: dict, tex_rng: np.random.Generator) -> Image.Image:
    """Fill the silhouette, add outline/trims, execute detail ops -> RGBA sprite."""
    col = fabric(sk, base, sec, attrs, sp, tex_rng)
    mask = np.asarray(sk.mask) > 127
    holes = np.asarray(sk.holes) > 127
    R = sk.R
    k = max(3, int(round(1.2 * R)) | 1)
    er = np.asarray(sk.mask.filter(ImageFilter.MinFilter(k))) > 127
    band = mask & ~er
    trim = set(attrs.get("trim", []))
    if "piping" in trim:
        _paint_band(col, band, contrast_color(base))
    else:
        _paint_band(col, band, shade(base, 0.6) if luminance(base) > 50 else lighten(base, 0.25), 0.8)
    if "contrast_stitch" in trim:
        k2 = max(5, int(round(3.0 * R)) | 1)
        er2 = np.asarray(sk.mask.filter(ImageFilter.MinFilter(k2))) > 127
        k3 = k2 + 2 * max(1, int(R * 0.6))
        er3 = np.asarray(sk.mask.filter(ImageFilter.MinFilter(k3))) > 127
        yy, xx = np.mgrid[0:sk.H, 0:sk.W]
        dash = ((xx + yy) // max(2, int(2 * R))) % 2 == 0
        stitch = (233, 178, 60) if luminance(base) < 170 else (150, 60, 40)
        _paint_band(col, er2 & ~er3 & dash, stitch)
    inside = mask & ~holes
    lining = shade(base, 0.42) if luminance(base) > 60 else (18, 18, 20)
    if not sk.ootd:
        _paint_band(col, mask & holes, lining)
        alpha = mask
    else:
        alpha = inside
    rgba = np.zeros((sk.H, sk.W, 4), np.uint8)
    rgba[..., :3] = col.astype(np.uint8)
    rgba[..., 3] = np.where(alpha, 255, 0).astype(np.uint8)
    img = Image.fromarray(rgba, "RGBA")
    _run_ops(sk, img, base, sec, attrs, sp, tex_rng)
    if sk.ootd:
        # details may have been drawn over holes: clear them again
        a = np.asarray(img.getchannel("A")).copy()
        a[holes & ~(np.asarray(sk.extra.get("keep", Image.new("L", (sk.W, sk.H), 0))) > 127)] = 0
        img.putalpha(Image.fromarray(a))
    return img


def _palette(base, sec):
    return {
        "base": tuple(base), "sec": tuple(sec), "dark": seam_color(base), "outline": shade(base, 0.5),
        "light": lighten(base, 0.3), "lining": shade(base, 0.42), "contrast": contrast_color(base),
        "metal": (196, 196, 204), "gold": (212, 172, 60), "white": (244, 244, 240), "black": (24, 24, 26),
        "skin": (222, 180, 150), "fur": (236, 230, 216),
    }


def _motif(draw, sk, x, y, s, kind, color, color2):
    (cx, cy), = sk.P([(x, y)])
    r = s * sk.R / 2
    if kind == 0:
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=color)
        draw.ellipse([cx - r * .45, cy - r * .45, cx + r * .45, cy + r * .45], fill=color2)
    elif kind == 1:
        pts = []
        for i in range(10):
            ang = -math.pi / 2 + i * math.pi / 5
            rr = r if i % 2 == 0 else r * 0.45
            pts.append((cx + rr * math.cos(ang), cy + rr * math.sin(ang)))
        draw.polygon(pts, fill=color)
    elif kind == 2:
        draw.polygon([(cx, cy - r), (cx + r, cy + r * .8), (cx - r, cy + r * .8)], fill=color)
        draw.polygon([(cx, cy - r * .2), (cx + r * .45, cy + r * .6), (cx - r * .45, cy + r * .6)], fill=color2)
    elif kind == 3:
        draw.polygon([(cx - r * .2, cy - r), (cx + r * .6, cy - r), (cx + r * .1, cy - r * .1), (cx + r * .6, cy - r * .1),
                      (cx - r * .5, cy + r), (cx - r * .05, cy + r * .1), (cx - r * .55, cy + r * .1)], fill=color)
    else:
        draw.rectangle([cx - r, cy - r * .7, cx + r, cy + r * .7], fill=color)
        for i in range(3):
            yy = cy - r * .4 + i * r * .4
            draw.rectangle([cx - r * .75, yy - r * .08, cx + r * (.75 - .25 * i), yy + r * .08], fill=color2)


def _run_ops(sk: Sketch, img: Image.Image, base, sec, attrs, sp, rng):
    draw = ImageDraw.Draw(img)
    pal = _palette(base, sec)
    R = sk.R

    def c(name):
        return pal[name] if isinstance(name, str) else tuple(name)

    if attrs.get("pattern") == "graphic":
        mc = sp.get("motif_color") or (238, 60, 60)
        if luminance(base) > 150 and mc == (238, 236, 228):
            mc = (30, 30, 40)
        for x, y, s in sk.anchors:
            _motif(draw, sk, x, y, s, sp["motif"], tuple(mc), contrast_color(base))
    for op in sk.ops:
        kind = op[0]
        if kind == "line":
            _, pts, color, w = op
            draw.line(sk.P(pts), fill=c(color), width=max(1, int(round(w * R))), joint="curve")
        elif kind == "dots":
            _, pts, r, color = op
            for x, y in pts:
                draw.ellipse(sk.box(x, y, r, r), fill=c(color))
        elif kind == "poly":
            _, pts, color, outline = op
            draw.polygon(sk.P(pts), fill=c(color) if color is not None else None,
                         outline=c(outline) if outline is not None else None)
        elif kind == "rect":
            _, (x0, y0, x1, y1), color, outline = op
            (a, b), (cc, dd) = sk.P([(x0, y0), (x1, y1)])
            draw.rectangle([min(a, cc), min(b, dd), max(a, cc), max(b, dd)], fill=c(color) if color else None,
                           outline=c(outline) if outline else None, width=max(1, int(R * 0.6)))
        elif kind == "ell":
            _, (x, y, rx, ry), color, outline = op
            draw.ellipse(sk.box(x, y, rx, ry), fill=c(color) if color else None,
                         outline=c(outline) if outline else None, width=max(1, int(R * 0.6)))
        elif kind == "zipper":
            _, pts = op
            draw.line(sk.P(pts), fill=pal["metal"], width=max(1, int(R * 1.1)))
            (x0, y0), (x1, y1) = pts[0], pts[-1]
            n = int(abs(y1 - y0) / 2.2) + 1
            for i in range(n):
                t = i / max(1, n - 1)
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                draw.line(sk.P([(x - 0.9, y), (x + 0.9, y)]), fill=(120, 120, 128), width=1)
            draw.rectangle(sk.box(x0, y0 + 1.5, 0.9, 1.6), fill=(150, 150, 160))
        elif kind == "laces":
            _, pts, color = op  # zig-zag through pts
            draw.line(sk.P(pts), fill=c(color), width=max(1, int(R * 0.7)))
        elif kind == "chain":
            _, pts = op
            flat = []
            for a, b in zip(pts, pts[1:]):
                n = max(2, int(math.hypot(b[0] - a[0], b[1] - a[1]) / 1.6))
                for i in range(n):
                    t = i / n
                    flat.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
            for i, (x, y) in enumerate(flat):
                rx, ry = (0.9, 0.6) if i % 2 else (0.6, 0.9)
                draw.ellipse(sk.box(x, y, rx, ry), outline=pal["gold"], width=max(1, int(R * 0.45)))
        elif kind == "bow":
            _, (x, y, s), color = op
            col = c(color)
            draw.polygon(sk.P([(x, y), (x - s, y - s * .6), (x - s, y + s * .6)]), fill=col, outline=shade(col, .6))
            draw.polygon(sk.P([(x, y), (x + s, y - s * .6), (x + s, y + s * .6)]), fill=col, outline=shade(col, .6))
            draw.ellipse(sk.box(x, y, s * .28, s * .28), fill=shade(col, .75))
        elif kind == "fur":
            _, pts, w = op
            layer = Image.new("L", img.size, 0)
            ImageDraw.Draw(layer).line(sk.P(pts), fill=255, width=max(2, int(w * R)), joint="curve")
            for x, y in pts:
                ImageDraw.Draw(layer).ellipse(sk.box(x, y, w / 2, w / 2), fill=255)
            fm = np.asarray(layer) > 127
            arr = np.asarray(img).copy()
            noise = rng.normal(0, 18, (fm.sum(), 1))
            furc = np.asarray(pal["fur"], np.float32)[None, :] + noise
            arr[fm, :3] = np.clip(furc, 0, 255).astype(np.uint8)
            arr[fm, 3] = 255
            img.paste(Image.fromarray(arr, "RGBA"))
            draw = ImageDraw.Draw(img)
            if sk.ootd:
                keep = sk.extra.setdefault("keep", Image.new("L", img.size, 0))
                keep.paste(255, mask=layer)
        elif kind == "belt":
            _, y, color = op
            m = np.asarray(sk.mask) > 127
            (_, py), = sk.P([(50, y)])
            row = int(min(max(py, 0), sk.H - 1))
            xs = np.nonzero(m[row])[0]
            if len(xs):
                h = 2.6 * R
                draw.rectangle([xs[0], py - h / 2, xs[-1], py + h / 2], fill=c(color))
                (bx, _), = sk.P([(50 + sp.get("belt_off", 0), y)])
                draw.rectangle([bx - 1.6 * R, py - 1.8 * R, bx + 1.6 * R, py + 1.8 * R], outline=pal["gold"],
                               width=max(1, int(R * .6)))
        elif kind == "print":
            _, (x, y, s) = op
            pc = contrast_color(base)
            for i in range(3):
                yy = y - s * .4 + i * s * .4
                draw.rectangle(sk.P([(x - s, yy - s * .12), (x + s * (1 - .3 * i), yy + s * .12)]), fill=pc)
        elif kind == "quilt":
            _, ys, color = op
            m = np.asarray(sk.mask) > 127
            for y in ys:
                (_, py), = sk.P([(50, y)])
                row = int(min(max(py, 0), sk.H - 1))
                xs = np.nonzero(m[row])[0]
                if len(xs):
                    draw.line([(xs[0], py), (xs[-1], py)], fill=c(color), width=max(1, int(R * .8)))
        elif kind == "stud_edge":
            _, pts = op
            for x, y in pts:
                draw.ellipse(sk.box(x, y, .9, .9), fill=pal["metal"], outline=(110, 110, 118))
        else:  # pragma: no cover
            raise ValueError(f"unknown detail op {kind}")


# ------------------------------------------------------------------------------------- garments
def _sleeve(sk: Sketch, length: float, hw0: float, hw1: float, puff: float = 0.0, side: str = "both",
            cuff: str | None = None, fur: bool = False):
    full = ARM_L
    pts = polyline_cut(full, length)
    if puff > 0 and len(pts) >= 2:
        # insert a mid point with a wider half-width
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        mid = ((x0 + x1) / 2, (y0 + y1) / 2)
        pts = [pts[0], mid, pts[-1]] if len(pts) == 2 else pts
        hws = [hw0] + [hw0 + puff] * (len(pts) - 2) + [hw1]
    else:
        hws = _lerp_widths(pts, hw0, hw1)
    for p, mir in (("L", False), ("R", True)):
        q = mirror(pts) if mir else pts
        sk.tube(q, hws)
        sk.ell(q[0][0], q[0][1], hw0 * 0.9, hw0 * 0.9)
        if cuff and len(q) >= 2:
            (xa, ya), (xb, yb) = q[-2], q[-1]
            L = math.hypot(xb - xa, yb - ya) or 1
            tx, ty = (xb - xa) / L, (yb - ya) / L
            c0 = (xb - tx * 4, yb - ty * 4)
            nx, ny = -ty, tx
            sk.d("line", [(c0[0] + nx * hw1, c0[1] + ny * hw1), (c0[0] - nx * hw1, c0[1] - ny * hw1)], cuff, 0.7)
        if fur and len(q) >= 2:
            (xa, ya), (xb, yb) = q[-2], q[-1]
            L = math.hypot(xb - xa, yb - ya) or 1
            tx, ty = (xb - xa) / L, (yb - ya) / L
            nx, ny = -ty, tx
            sk.d("fur", [(xb + nx * hw1, yb + ny * hw1), (xb - nx * hw1, yb - ny * hw1)], 3.2)


def _bodice(sk: Sketch, ew: float, hem: float, flare: float, taper: float, neck_w: float = 6.0, tank=False):
    nx = 50 - neck_w
    if tank:
        left = [(nx + 1.5, 31), (nx - 3.0, 31), (38.5 - ew * .3, 44), (32.5 - ew, 57)]
    else:
        left = [(nx, 31), (30.5 - 0.6 * ew, 38 + 0.2 * ew), (31.5 - ew, 54)]
    wy = min(94.0, hem)
    left.append((33.5 - ew + taper, wy))
    if hem > 94:
        left.append((32.5 - ew - flare, hem))
    sk.poly(sym(left))
    return left


def _neck(sk: Sketch, neckline: str, depth: float = 0.0, width: float = 6.0, lapel=False):
    if neckline == "v_neck":
        sk.hole_poly([(50 - width, 30.5), (50 + width, 30.5), (50, 44 + depth)])
        sk.d("line", [(50 - width, 30.5), (50, 44 + depth), (50 + width, 30.5)], "dark", 0.8)
    elif neckline == "round":
        sk.hole_ell(50, 30.5, width, 4.5 + depth * .4)
        sk.d("ell", (50, 30.5, width + .6, 5.1 + depth * .4), None, "dark")
    elif neckline == "collar":
        sk.hole_ell(50, 30.5, width - 1, 3.5)
        sk.d("poly", [(50 - width - 1, 28.5), (50, 39 + depth * .3), (50 - width - 3.5, 40)], "base", "outline")
        sk.d("poly", [(50 + width + 1, 28.5), (50, 39 + depth * .3), (50 + width + 3.5, 40)], "base", "outline")
    elif neckline == "hooded":
        sk.hole_ell(50, 31, width, 4.5)


def _hood(sk: Sketch, ew: float, fur: bool):
    left = [(38 - ew * .2, 41), (36.5 - ew * .2, 30), (39, 22), (45, 18.5)]
    sk.poly(sym(left))
    sk.d("ell", (50, 28.5, 7.5, 8.5), "lining", "outline")
    if fur:
        sk.d("fur", [(39, 37), (38, 28), (41, 21.5), (46, 19), (54, 19), (59, 21.5), (62, 28), (61, 37)], 3.0)


def _skirt(sk: Sketch, top_y: float, top_hw: float, hem: float, hem_hw: float):
    sk.poly(sym([(50 - top_hw, top_y), (50 - hem_hw, hem)]))


def _pleats(sk: Sketch, top_y, top_hw, hem, hem_hw, n=7):
    for i in range(1, n):
        t = i / n
        sk.d("line", [(50 - top_hw + 2 * top_hw * t, top_y + 3), (50 - hem_hw + 2 * hem_hw * t, hem - 1)], "dark", 0.6)


def _ruffle(sk: Sketch, y, hw, amp=2.2):
    n = max(4, int(2 * hw / 5))
    for i in range(n + 1):
        x = 50 - hw + 2 * hw * i / n
        sk.ell(x, y, 2.8, amp)
        sk.d("ell", (x, y + .5, 2.2, amp * .6), None, "dark")


def draw_top(sk: Sketch, sub: str, a: dict, sp: dict):
    ew = FIT_EW[a["fit"]] + sp["ew_j"]
    if sub == "sweater" or sub == "hoodie":
        ew += 1.2
    hem = {"short": 84.0, "regular": 110.0, "long": 126.0}[a["length"]] + sp["len_j"]
    flare = {"blouse": 3.0 + ew * .5, "sweater": -2.0, "hoodie": -2.0}.get(sub, 0.4 * ew) + sp["flare_j"]
    taper = 1.5 if a["fit"] == "slim" else 0.4
    tank = sub == "tank_top"
    trim = set(a.get("trim", []))
    det = set(a.get("details", []))
    emb = set(a.get("embellishment", []))
    if a["neckline"] == "hooded":
        _hood(sk, ew, "fur_trim" in trim)
    _bodice(sk, ew, hem, flare, taper, neck_w=5.0 if tank else 6.0, tank=tank)
    sl = a["sleeve_length"]
    cuff = "dark" if sub in ("shirt", "sweater", "hoodie") else None
    if sl != "sleeveless" and not tank:
        length = (22.0 if sub != "blouse" else 26.0) + sp["sleeve_j"] if sl == "short" else 87.0
        hw0 = 8.2 + .45 * ew
        hw1 = (7.8 + .5 * ew) if sl == "short" else (4.8 + .35 * ew)
        puff = 3.0 if sub == "blouse" else 0.0
        _sleeve(sk, length, hw0, hw1, puff=puff, cuff=cuff if sl == "long" else None, fur="fur_trim" in trim)
    _neck(sk, a["neckline"], depth=4.0 if tank else 0.0)
    hem_hw = 50 - (32.5 - ew - flare) if hem > 94 else 50 - (33.5 - ew + taper)
    if sub == "shirt":  # shirt-tail hem: the side seams are cut up
        for side in (-1, 1):
            x = 50 + side * (hem_hw + 1)
            sk.poly([(x, hem - 7), (x, hem + 1), (x - side * 9, hem + 1)], fill=0)
        sk.d("line", [(50, 39), (50, hem - 1)], "dark", 0.6)
        n = sp["n_buttons"]
        sk.d("dots", [(51.6, 42 + i * (hem - 48) / max(1, n)) for i in range(n + 1)], 1.0, "contrast")
    if sub in ("sweater", "hoodie"):
        sk.d("rect", (50 - hem_hw + .5, hem - 5, 50 + hem_hw - .5, hem - .5), None, "dark")
        for i in range(int(hem_hw)):
            x = 50 - hem_hw + 1 + 2 * i
            sk.d("line", [(x, hem - 4.5), (x, hem - 1)], "dark", 0.35)
    if sub == "hoodie":
        sk.d("line", [(47, 34), (46.5, 48)], "contrast", 0.6)
        sk.d("line", [(53, 34), (53.5, 48)], "contrast", 0.6)
    if "pocket" in det:
        if sub == "hoodie":
            y1 = min(hem - 6, 106)
            sk.d("poly", [(39, y1 - 17), (61, y1 - 17), (65, y1), (35, y1)], None, "dark")
        else:
            sk.d("rect", (36, 48, 43, 56), None, "dark")
    if "ruffle" in det:
        _ruffle(sk, hem, hem_hw)
    if "print" in det:
        sk.d("print", (50, 66, 7))
    if "belt" in det and hem > 96:
        sk.d("belt", 94, "black")
    if a["pattern"] == "graphic":
        sk.anchors.append((50, 64 if hem > 80 else 58, 15))
    if "logo" in emb:
        sk.d("ell", (58, 49, 2.0, 2.0), "contrast", None)
    if "bow" in emb:
        sk.d("bow", (50, 36, 3.5), "contrast")
    if "studs" in emb:
        sk.d("stud_edge", [(32 - ew * .6 + i * 1.2, 39 + i * .3) for i in range(0, 5)] +
             [(68 + ew * .6 - i * 1.2, 39 + i * .3) for i in range(0, 5)])
    if "chain" in emb:
        sk.d("chain", [(38, 60), (50, 66), (62, 60)])


def draw_outer(sk: Sketch, sub: str, a: dict, sp: dict):
    ew = FIT_EW[a["fit"]] + sp["ew_j"] + 3.0
    if sub == "padded_jacket":
        ew += 3.0
    if sub == "cardigan":
        ew -= 0.8
    base_len = {"short": 100.0, "regular": 122.0, "long": 176.0}[a["length"]]
    if sub == "coat" and a["length"] == "long":
        base_len = 196.0
    hem = base_len + sp["len_j"]
    flare = 0.5 * ew + sp["flare_j"] + (3.0 if sub == "coat" else 0.0)
    taper = 1.0 if sub in ("blazer", "coat") else -0.5
    trim = set(a.get("trim", []))
    det = set(a.get("details", []))
    emb = set(a.get("embellishment", []))
    if a["neckline"] == "hooded":
        _hood(sk, ew, "fur_trim" in trim)
    _bodice(sk, ew, hem, flare, taper, neck_w=6.5)
    if a["sleeve_length"] != "sleeveless":
        length = 24.0 if a["sleeve_length"] == "short" else 90.0
        hw0 = 9.5 + .45 * ew
        hw1 = (9 + .4 * ew) if a["sleeve_length"] == "short" else (5.8 + .35 * ew)
        _sleeve(sk, length, hw0, hw1, cuff="dark", fur="fur_trim" in trim)
    hem_hw = 50 - (32.5 - ew - flare) if hem > 94 else 50 - (33.5 - ew + taper)
    closure = a["closure"]
    v_style = sub in ("blazer", "coat")
    if v_style:
        vy = 78.0 + sp["len_j"]
        sk.hole_poly([(44, 30), (56, 30), (50.5, vy), (49.5, vy)])
        # lapels
        sk.d("poly", [(44, 30), (49.5, vy - 1), (40.5, 52), (39.5, 40)], "base", "outline")
        sk.d("poly", [(56, 30), (50.5, vy - 1), (59.5, 52), (60.5, 40)], "base", "outline")
        sk.d("line", [(50, vy), (50, hem - 1)], "outline", 0.5)
        if closure == "buttons":
            n = 2 if sub == "blazer" else 3
            pts = [(52.2, vy + 3 + i * 9) for i in range(n)]
            if sub == "coat":
                pts += [(44.5, y) for _, y in pts]
            sk.d("dots", pts, 1.3, "contrast")
    else:
        g0 = 5.0
        g1 = 3.5 + sp["flare_j"] * 2
        sk.hole_poly([(50 - g0, 28), (50 + g0, 28), (50 + g1, hem + 1), (50 - g1, hem + 1)])
        _neck(sk, a["neckline"] if a["neckline"] != "hooded" else "round", width=6.5)
        if closure == "zipper":
            sk.d("zipper", [(50 - g0 - 0.8, 34), (50 - g1 - 0.8, hem - 1)])
            sk.d("zipper", [(50 + g0 + 0.8, 34), (50 + g1 + 0.8, hem - 1)])
        elif closure == "buttons":
            n = sp["n_buttons"]
            pts = [(50 - g0 - 2.2 + (g0 - g1) * i / max(1, n), 38 + i * (hem - 46) / max(1, n)) for i in range(n)]
            sk.d("dots", pts, 1.2, "contrast")
    if sub == "padded_jacket":
        ys = [40 + 9 * i for i in range(1, int((hem - 40) / 9))]
        sk.d("quilt", ys, "dark")
    if sub == "cardigan":
        sk.d("rect", (50 - hem_hw + .5, hem - 5, 50 + hem_hw - .5, hem - .5), None, "dark")
    if sub == "vest" and not sk.ootd:
        sk.hole_ell(33 - ew * .4, 48, 3.2, 7)
        sk.hole_ell(67 + ew * .4, 48, 3.2, 7)
    if "pocket" in det:
        py = min(hem - 10, 104)
        if sub in ("blazer", "coat"):
            sk.d("line", [(35 - ew * .5, py), (43, py)], "outline", 0.8)
            sk.d("line", [(57, py), (65 + ew * .5, py)], "outline", 0.8)
        else:
            sk.d("rect", (35 - ew * .4, py - 6, 42.5, py + 2), None, "dark")
            sk.d("rect", (57.5, py - 6, 65 + ew * .4, py + 2), None, "dark")
    if "belt" in det:
        sk.d("belt", 94, "outline")
    if "fur_trim" in trim and a["neckline"] != "hooded":
        sk.d("fur", [(41, 36), (44, 30), (50, 28.5), (56, 30), (59, 36)], 3.4)
    if a["pattern"] == "graphic":
        sk.anchors.append((39, 70, 9))
    if "logo" in emb:
        sk.d("ell", (61, 50, 1.8, 1.8), "contrast", None)
    if "studs" in emb:
        sk.d("stud_edge", [(40 + i * 0.2, 36 + i * 3) for i in range(6)] + [(60 - i * .2, 36 + i * 3) for i in range(6)])
    if "chain" in emb:
        sk.d("chain", [(41, 58), (44, 66)])
    if "bow" in emb:
        sk.d("bow", (50, 94, 3.5), "contrast")


def draw_bottom(sk: Sketch, sub: str, a: dict, sp: dict):
    rise = {"low": 106.0, "mid": 99.0, "high": 92.0}[a["waist_rise"]] + sp["len_j"] * .3
    fit = a["fit"]
    det = set(a.get("details", []))
    emb = set(a.get("embellishment", []))
    ln = a["length"]
    wj = sp["ew_j"] * .5
    if sub in ("jeans", "slacks", "leggings", "shorts"):
        if sub == "shorts":
            hem_len = {"short": 26.0, "regular": 40.0, "long": 56.0}[ln]
            tw, hw = 10.5 + wj + (1.0 if fit == "loose" else 0), 11.0 + wj + {"slim": 0, "regular": 1, "loose": 2.5}[fit]
        else:
            hem_len = {"long": 114.0, "regular": 103.0, "short": 88.0}[ln]
            if sub == "leggings":
                tw, hw = 8.0, 4.9
            else:
                tw, hw = {"slim": (8.7, 5.6), "regular": (9.6, 7.6), "loose": (11.2, 11.5)}[fit]
            if sub == "slacks":  # straight, pressed leg
                tw, hw = tw + .6, max(hw, tw - .3) + .8
            tw += wj
            hw += wj
        gap = 2.2 if sub == "shorts" else 1.6
        pts = polyline_cut(LEG_L, hem_len)
        ex = min(pts[-1][0], 50.0 - hw - gap) - pts[-1][0]
        total = polyline_len(pts) or 1.0
        acc, bent = 0.0, [pts[0]]
        for p0, p1 in zip(pts, pts[1:]):
            acc += math.hypot(p1[0] - p0[0], p1[1] - p0[1])
            bent.append((p1[0] + ex * acc / total, p1[1]))
        pts = bent
        hws = _lerp_widths(pts, tw, hw)
        for q in (pts, mirror(pts)):
            sk.tube(q, hws)
        top_hw = 50 - (41.5 - tw) + 0.3
        crotch = 118.0 if sub == "shorts" else 122.0
        sk.poly([(50 - top_hw, rise), (50 + top_hw, rise), (50 + top_hw, crotch - 4), (50, crotch), (50 - top_hw, crotch - 4)])
        hem_y = pts[-1][1]
        sk.d("line", [(50 - top_hw, rise + 3), (50 + top_hw, rise + 3)], "dark", 0.5)
        if sub == "jeans":
            sk.d("line", [(51.5, rise + 3), (51.5, 120), (50, 122)], "dark", 0.6)
            sk.d("dots", [(51.5, rise + 1.6)], 1.1, "metal")
            for x in (50 - top_hw + 3, 50 + top_hw - 3):
                sk.d("rect", (x - .6, rise, x + .6, rise + 3.6), "dark", None)
        if sub == "slacks":
            for x in (pts[0][0], 100 - pts[0][0]):
                sk.d("line", [(x, rise + 4), (x - .5 if x < 50 else x + .5, hem_y - 1)], "outline", 0.5)
        if sub in ("shorts", "jeans") and ln != "short" or sub == "shorts":
            for q in (pts, mirror(pts)):
                x, y = q[-1]
                sk.d("line", [(x - hw, y - 2.5), (x + hw, y - 2.5)], "dark", 0.6)
        if "pocket" in det:
            sk.d("line", [(50 - top_hw + .5, rise + 6), (50 - top_hw + 7, rise + 9), (50 - top_hw + 9, rise + 4)], "dark", 0.6)
            sk.d("line", [(50 + top_hw - .5, rise + 6), (50 + top_hw - 7, rise + 9), (50 + top_hw - 9, rise + 4)], "dark", 0.6)
        if "pleat" in det:
            for x in (44.0, 56.0):
                sk.d("line", [(x, rise + 3.5), (x, rise + 14)], "outline", 0.6)
        if "belt" in det:
            sk.d("belt", rise + 1.8, "black")
        if "ruffle" in det:
            for q in (pts, mirror(pts)):
                x, y = q[-1]
                for i in range(3):
                    sk.ell(x - hw + hw * i, y, 2.6, 2.0)
        if a["pattern"] == "graphic":
            sk.anchors.append((pts[min(1, len(pts) - 1)][0] + 1, 138, 9))
        anchor_y = 130
    else:
        top_hw = 16.5 + wj
        if sub == "mini_skirt":
            hem = {"short": 136.0, "regular": 152.0, "long": 160.0}[ln] + sp["len_j"]
            hem_hw = 19.0 + {"slim": 0.5, "regular": 4.5, "loose": 9.0}[fit] + sp["flare_j"] * 2
        else:
            hem = {"short": 170.0, "regular": 188.0, "long": 214.0}[ln] + sp["len_j"]
            hem_hw = 21.0 + {"slim": 2.0, "regular": 9.0, "loose": 17.0}[fit] + sp["flare_j"] * 3
        _skirt(sk, rise, top_hw, hem, hem_hw)
        sk.d("line", [(50 - top_hw, rise + 3), (50 + top_hw, rise + 3)], "dark", 0.5)
        if "pleat" in det:
            _pleats(sk, rise, top_hw, hem, hem_hw, n=9 if sub == "mini_skirt" else 11)
        if "ruffle" in det:
            _ruffle(sk, hem, hem_hw)
        if "pocket" in det:
            sk.d("rect", (50 - top_hw + 3, rise + 8, 50 - top_hw + 10, rise + 16), None, "dark")
            sk.d("rect", (50 + top_hw - 10, rise + 8, 50 + top_hw - 3, rise + 16), None, "dark")
        if "belt" in det:
            sk.d("belt", rise + 1.8, "black")
        if a["pattern"] == "graphic":
            sk.anchors.append((50, (rise + hem) / 2, 10))
        anchor_y = rise + 10
    if "logo" in emb:
        sk.d("rect", (56, anchor_y, 60, anchor_y + 2.5), "contrast", None)
    if "studs" in emb:
        sk.d("stud_edge", [(38 + i * 3, rise + 6) for i in range(9)])
    if "chain" in emb:
        sk.d("chain", [(36, rise + 4), (44, rise + 10)])
    if "bow" in emb:
        sk.d("bow", (50, rise + 2, 3.0), "contrast")


def draw_dress(sk: Sketch, sub: str, a: dict, sp: dict):
    ew = FIT_EW[a["fit"]] * .6 + sp["ew_j"]
    det = set(a.get("details", []))
    emb = set(a.get("embellishment", []))
    ln = a["length"]
    if sub == "mini_dress":
        hem = {"short": 146.0, "regular": 162.0, "long": 170.0}[ln] + sp["len_j"]
    else:
        hem = {"short": 176.0, "regular": 190.0, "long": 218.0}[ln] + sp["len_j"]
    _bodice(sk, ew, 94.0, 0.0, 1.5, neck_w=6.0, tank=a["sleeve_length"] == "sleeveless")
    flare = {"slim": 1.0, "regular": 7.0, "loose": 14.0}[a["fit"]] * (1.0 if sub == "mini_dress" else 1.4) + sp["flare_j"] * 2
    top_hw = 50 - (33.5 - ew + 1.5)
    hem_hw = top_hw + 2 + flare
    _skirt(sk, 93.0, top_hw, hem, hem_hw)
    sl = a["sleeve_length"]
    if sl != "sleeveless":
        length = 22.0 + sp["sleeve_j"] if sl == "short" else 87.0
        _sleeve(sk, length, 7.8 + .4 * ew, (7.5 + .4 * ew) if sl == "short" else (4.6 + .3 * ew))
    _neck(sk, a["neckline"], depth=3.0)
    if a["neckline"] == "collar":
        sk.d("line", [(50, 39), (50, 92)], "dark", 0.5)
        sk.d("dots", [(51.5, 44 + i * 10) for i in range(5)], 0.9, "contrast")
    sk.d("line", [(50 - top_hw, 94), (50 + top_hw, 94)], "dark", 0.5)
    if "pleat" in det:
        _pleats(sk, 94, top_hw, hem, hem_hw, n=9)
    if "ruffle" in det:
        _ruffle(sk, hem, hem_hw)
    if "belt" in det:
        sk.d("belt", 94, "black")
    if "pocket" in det:
        sk.d("line", [(50 - top_hw - 1, 104), (50 - top_hw + 1.5, 112)], "dark", 0.6)
        sk.d("line", [(50 + top_hw + 1, 104), (50 + top_hw - 1.5, 112)], "dark", 0.6)
    if "print" in det:
        sk.d("print", (50, 62, 6))
    if a["pattern"] == "graphic":
        sk.anchors.append((50, 62, 13))
    if "bow" in emb:
        sk.d("bow", (50, 94, 4.0), "contrast")
    if "logo" in emb:
        sk.d("ell", (57, 50, 1.8, 1.8), "contrast", None)
    if "studs" in emb:
        sk.d("stud_edge", [(44 + i * 2.4, 37 + (abs(i - 2.5) < 2) * 2.5) for i in range(6)])
    if "chain" in emb:
        sk.d("chain", [(36, 96), (50, 99), (64, 96)])


def _shoe_geometry(sub: str, a: dict, sp: dict):
    """Side profile of one shoe in (u, h): u 0 (heel back) .. 1 (toe), h above ground (units)."""
    hh = {"flat": 0.4, "low": 4.0, "high": 9.0}[a["heel_height"]]
    st = {"sneakers": 3.6, "boots": 2.6, "loafers": 2.0, "flats": 1.2, "heels": 1.0, "sandals": 2.0,
          "slippers": 2.8}[sub]
    us = np.linspace(0, 1, 13)

    def sb(u):
        return hh * max(0.0, 1 - u / 0.62)

    sole_top = [(u, sb(u) + st) for u in us]
    sole_bot = [(u, sb(u)) for u in us]
    if sub == "sneakers":
        prof = [(0, 11), (.18, 10), (.33, 12.5), (.6, 9), (.85, 5.5), (1.0, 3.6)]
    elif sub == "boots":
        H = sp["boot_h"]
        prof = [(0, H), (.36, H), (.4, 15), (.7, 8), (.92, 6), (1.0, 3.5)]
    elif sub == "heels":
        prof = [(0, 7.5), (.25, 6.5), (.55, 4.2), (.8, 3.0), (1.04, 1.2)]
    elif sub == "loafers":
        prof = [(0, 8), (.3, 7.5), (.45, 8.5), (.8, 6.5), (1.0, 3.8)]
    elif sub == "flats":
        prof = [(0, 5.5), (.3, 4.8), (.55, 3.6), (.85, 3.8), (1.0, 2.6)]
    else:  # sandals / slippers handled by straps
        prof = []
    prof = [(u, sb(min(u, 1.0)) + h) for u, h in prof]
    return hh, st, sole_top, sole_bot, prof


def draw_shoes(sk: Sketch, sub: str, a: dict, sp: dict):
    Ls = sp["shoe_len"]
    hh, st, sole_top, sole_bot, prof = _shoe_geometry(sub, a, sp)
    emb = set(a.get("embellishment", []))
    trim = set(a.get("trim", []))
    closure = a["closure"]
    sole_col = "white" if sub == "sneakers" else ("outline" if sub != "slippers" else "light")
    for side in (-1, 1):  # -1: left foot, toe to the left
        hx = 50 - 5.0 if side < 0 else 50 + 5.0

        def T(u, h, hx=hx, side=side):
            return (hx + side * u * Ls, 240.0 - h)

        # sole (drawn as detail so it keeps its own colour, but also part of the silhouette)
        sole_poly = [T(u, h) for u, h in sole_top] + [T(u, h) for u, h in sole_bot[::-1]]
        sk.poly(sole_poly)
        if hh > 1.0:
            if sub == "heels" or (sub == "sandals" and hh > 5):
                heel = [T(0.03, hh + st), T(0.13, hh + st), T(0.085, 0), T(0.055, 0)]
            else:
                heel = [T(0.0, hh + st), T(0.2, hh * .7 + st), T(0.18, 0), T(0.0, 0)]
            sk.poly(heel)
            sk.d("poly", heel, "outline", None)
        sk.d("poly", sole_poly, sole_col, "outline")
        if prof:
            upper = [T(u, h) for u, h in prof] + [T(u, h) for u, h in sole_top[::-1] if u <= prof[-1][0]]
            sk.poly(upper)
        if sub == "sandals":
            for u0, u1 in ((.55, .63), (.8, .88)):
                sk.poly([T(u0, sole_top[0][1] * 0 + hh * max(0, 1 - u0 / .62) + st), T(u0 + .03, hh * max(0, 1 - u0 / .62) + st + 5.0),
                         T(u1 + .03, hh * max(0, 1 - u1 / .62) + st + 4.5), T(u1, hh * max(0, 1 - u1 / .62) + st)])
            sk.poly([T(0.0, hh + st), T(0.0, hh + st + 9.0), T(0.06, hh + st + 9.0), T(0.06, hh + st)])
            sk.poly([T(0.0, hh + st + 7.0), T(0.32, hh * .5 + st + 8.0), T(0.32, hh * .5 + st + 9.5), T(0.0, hh + st + 9.0)])
            if closure == "buttons":
                sk.d("rect", (T(.3, hh * .5 + st + 9.5)[0] - 1, T(0, hh + st + 9.5)[1], T(.3, 0)[0] + 1,
                              T(0, hh + st + 6.5)[1]), None, "gold")
        if sub == "slippers":
            band = [T(.42, st), T(.5, st + 7.5), T(.8, st + 6.5), T(.95, st + 2.5), T(.95, st)]
            sk.poly(band)
            if "fur_trim" in trim:
                sk.d("fur", [T(.44, st + 5), T(.5, st + 7.5), T(.8, st + 6.5), T(.94, st + 3)], 2.6)
        if sub == "sneakers":
            sk.d("line", [T(.72, st + .4), T(.8, st + 3.0), T(.97, st + 3.0)], "dark", 0.5)
            if closure == "laces":
                zz = [T(.36 + .06 * i, (11.5 - 4.0 * i / 5) + (-1.8 if i % 2 else 0)) for i in range(7)]
                sk.d("laces", zz, "contrast")
            if "logo" in emb:
                sk.d("line", [T(.25, st + 5), T(.45, st + 2.2), T(.62, st + 6.5)], "contrast", 1.0)
        if sub == "boots":
            H = sp["boot_h"]
            if closure == "zipper":
                sk.d("zipper", [T(.18, H - 1.5), T(.18, st + 2)])
            elif closure == "laces":
                zz = [T(.36 + (.02 if i % 2 else 0), H - 2 - i * (H - 15) / 6) for i in range(7)]
                sk.d("laces", zz, "contrast")
            if "fur_trim" in trim:
                sk.d("fur", [T(0, H), T(.36, H)], 3.0)
            sk.d("line", [T(.0, H - 1.4), T(.36, H - 1.4)], "dark", 0.5)
        if sub == "heels":
            sk.d("line", [T(.02, hh + st + 6), T(.5, hh * .3 + st + 4)], "lining", 1.0)
            if closure == "buttons":
                sk.d("line", [T(-.02, hh + st + 9.5), T(.3, hh * .55 + st + 8.5)], "base", 1.0)
                sk.d("line", [T(-.02, hh + st + 9.5), T(.3, hh * .55 + st + 8.5)], "outline", 0.3)
                sk.d("dots", [T(.28, hh * .55 + st + 8.7)], .8, "gold")
        if sub == "loafers":
            sk.d("line", [T(.5, 7.8 + sb0(hh, .5)), T(.6, 4.5 + sb0(hh, .6)), T(.9, 4.5), T(.97, 6.0)], "dark", 0.5)
            sk.d("line", [T(.45, 8.0 + sb0(hh, .45)), T(.45, st + sb0(hh, .45) + 1.5)], "dark", 1.2)
        if sub == "flats":
            sk.d("line", [T(.05, 5.0 + sb0(hh, .05)), T(.55, 3.3 + sb0(hh, .55))], "lining", 0.8)
        if "bow" in emb:
            sk.d("bow", (*T(.62, st + 4.0 + (4 if sub == "heels" else 0) * 0), 2.2), "contrast")
        if "studs" in emb:
            sk.d("stud_edge", [T(u, h - 1.2) for u, h in prof[:4]] or [T(.5, st + 3)])
        if "chain" in emb:
            sk.d("chain", [T(.4, 7.0 + sb0(hh, .4)), T(.55, 6.0 + sb0(hh, .55))])
        if "logo" in emb and sub != "sneakers":
            sk.d("ell", (*T(.25, st + 3), 1.1, 1.1), "contrast", None)
        if a["pattern"] == "graphic":
            sk.anchors.append((*T(.55, st + 3.5 + hh * .2), 5.0))


def sb0(hh, u):
    return hh * max(0.0, 1 - u / 0.62)


BAG_SCALE = {"small": 0.72, "medium": 1.0, "large": 1.3}


def draw_bag(sk: Sketch, sub: str, a: dict, sp: dict):
    s = BAG_SCALE[a["bag_size"]]
    w0 = sp["bag_w"] * s
    h0 = sp["bag_h"] * s
    emb = set(a.get("embellishment", []))
    closure = a["closure"]
    cx = 32.0
    ty = 40.0  # top of the bag body
    if sub == "backpack":
        w, h = 26 * w0, 34 * h0
        ty = 28.0
        sk.md.rounded_rectangle(sk.box(cx, ty + h / 2, w / 2, h / 2), radius=6 * s * sk.R, fill=255)
        sk.tube([(cx - 4 * s, ty + 1), (cx - 3 * s, ty - 6 * s), (cx + 3 * s, ty - 6 * s), (cx + 4 * s, ty + 1)], [1.2] * 4)
        sk.d("rect", (cx - w * .36, ty + h * .5, cx + w * .36, ty + h * .92), None, "dark")
        handle = (cx, ty - 6 * s)
        if closure == "zipper":
            sk.d("zipper", [(cx - w * .3, ty + h * .52), (cx + w * .3, ty + h * .52)])
        else:
            sk.d("poly", [(cx - w * .36, ty + h * .5), (cx + w * .36, ty + h * .5), (cx, ty + h * .66)], None, "dark")
            sk.d("dots", [(cx, ty + h * .62)], 1.0, "metal")
        body = (cx - w / 2, ty, cx + w / 2, ty + h)
    elif sub == "tote":
        w, h = 36 * w0, 28 * h0
        sk.poly([(cx - w / 2, ty), (cx + w / 2, ty), (cx + w * .42, ty + h), (cx - w * .42, ty + h)])
        hh = 16 * s
        for side in (-1, 1):
            sk.tube([(cx + side * w * .3, ty + 1), (cx + side * w * .25, ty - hh * .8), (cx + side * w * .1, ty - hh),
                     (cx + side * w * .03, ty - hh * .8), (cx + side * w * .05, ty + 1)][::1], [1.0] * 5)
        handle = (cx, ty - hh)
        if closure == "zipper":
            sk.d("zipper", [(cx - w * .4, ty + 2), (cx + w * .4, ty + 2)])
        elif closure == "buttons":
            sk.d("dots", [(cx, ty + 3)], 1.3, "metal")
        body = (cx - w / 2, ty, cx + w / 2, ty + h)
    elif sub == "clutch":
        w, h = 30 * w0, 15 * h0
        ty = 44.0
        sk.md.rounded_rectangle(sk.box(cx, ty + h / 2, w / 2, h / 2), radius=2 * sk.R, fill=255)
        sk.d("line", [(cx - w / 2 + .5, ty + .5), (cx, ty + h * .62), (cx + w / 2 - .5, ty + .5)], "outline", 0.6)
        if closure == "buttons":
            sk.d("dots", [(cx, ty + h * .6)], 1.2, "gold")
        elif closure == "zipper":
            sk.d("zipper", [(cx - w * .4, ty + 1.5), (cx + w * .4, ty + 1.5)])
        handle = (cx, ty + h / 2)
        body = (cx - w / 2, ty, cx + w / 2, ty + h)
        if "chain" in emb and not sk.ootd:
            sk.d("chain", [(cx - w * .45, ty + 1), (cx - w * .3, ty - 12), (cx + w * .3, ty - 12), (cx + w * .45, ty + 1)])
    elif sub == "shoulder_bag":
        w, h = 28 * w0, 20 * h0
        sk.md.rounded_rectangle(sk.box(cx, ty + h / 2, w / 2, h / 2), radius=min(w, h) * .45 * sk.R, fill=255)
        sk.poly([(cx - w / 2, ty + 2), (cx + w / 2, ty + 2), (cx + w / 2, ty)] + [(cx - w / 2, ty)])
        sk.d("poly", [(cx - w / 2 + .5, ty + .5), (cx + w / 2 - .5, ty + .5), (cx + w * .42, ty + h * .58), (cx - w * .42, ty + h * .58)],
             None, "outline")
        if closure == "buttons":
            sk.d("dots", [(cx, ty + h * .55)], 1.3, "gold")
        else:
            sk.d("zipper", [(cx - w * .4, ty + 1.2), (cx + w * .4, ty + 1.2)])
        if not sk.ootd:
            if "chain" in emb:
                sk.d("chain", [(cx - w * .45, ty + 1), (cx - w * .3, ty - 20), (cx + w * .3, ty - 20), (cx + w * .45, ty + 1)])
            else:
                sk.tube([(cx - w * .45, ty + 1), (cx - w * .3, ty - 20), (cx + w * .3, ty - 20), (cx + w * .45, ty + 1)], [1.0] * 4)
        handle = (cx, ty - 20 if not sk.ootd else ty)
        body = (cx - w / 2, ty, cx + w / 2, ty + h)
    else:  # crossbody
        w, h = 20 * w0, 15 * h0
        ty = 50.0
        sk.md.rounded_rectangle(sk.box(cx, ty + h / 2, w / 2, h / 2), radius=2.5 * sk.R, fill=255)
        sk.d("line", [(cx - w / 2 + .5, ty + h * .35), (cx + w / 2 - .5, ty + h * .35)], "outline", 0.6)
        if closure == "zipper":
            sk.d("zipper", [(cx - w * .4, ty + 1.2), (cx + w * .4, ty + 1.2)])
        else:
            sk.d("dots", [(cx, ty + h * .35)], 1.1, "gold")
        if not sk.ootd:
            if "chain" in emb:
                sk.d("chain", [(cx - w / 2 + 1, ty + 1), (cx - w * .6, ty - 34), (cx + w * .6, ty - 34), (cx + w / 2 - 1, ty + 1)])
            else:
                sk.tube([(cx - w / 2 + 1, ty + 1), (cx - w * .6, ty - 34), (cx + w * .6, ty - 34), (cx + w / 2 - 1, ty + 1)], [.55] * 4)
        handle = (cx, ty - 34 if not sk.ootd else ty)
        body = (cx - w / 2, ty, cx + w / 2, ty + h)
    sk.extra["handle"] = handle
    sk.extra["body"] = body
    if "logo" in emb:
        sk.d("rect", (cx - 2.5, body[3] - 6, cx + 2.5, body[3] - 3.5), "contrast", None)
    if "studs" in emb:
        sk.d("stud_edge", [(body[0] + 2 + i * (body[2] - body[0] - 4) / 6, body[3] - 2) for i in range(7)])
    if "bow" in emb:
        sk.d("bow", (cx, ty + 4, 3.0), "contrast")
    if a["pattern"] == "graphic":
        sk.anchors.append((cx, (body[1] + body[3]) / 2, min(12.0, (body[3] - body[1]) * .7)))


DRAWERS = {"top": draw_top, "outer": draw_outer, "bottom": draw_bottom, "dress": draw_dress,
           "shoes": draw_shoes, "bag": draw_bag}


def render_sprite(sup: str, sub: str, attrs: dict, sp: dict, base_rgb, sec_rgb, tex_seed: int,
                  ootd: bool = False) -> tuple[Image.Image, dict]:
    """RGBA sprite of one garment (its super-category region at RES px/unit) + extra geometry."""
    sk = Sketch(sup, ootd)
    DRAWERS[sup](sk, sub, attrs, sp)
    tex_rng = np.random.default_rng(tex_seed)
    img = finish(sk, base_rgb, sec_rgb, attrs, sp, tex_rng)
    extra = dict(sk.extra)
    extra.pop("keep", None)
    extra["region"] = REGIONS[sup]
    extra["res"] = RES[sup]
    return img, extra


def sample_shape_params(rng: np.random.Generator) -> dict:
    return {
        "ew_j": float(rng.uniform(-0.8, 0.8)), "len_j": float(rng.uniform(-3, 3)), "flare_j": float(rng.uniform(0, 1)),
        "sleeve_j": float(rng.uniform(-2, 2)), "stripe_p": float(rng.uniform(7, 11)), "stripe_f": float(rng.uniform(.3, .5)),
        "stripe_v": bool(rng.random() < .3), "check_p": float(rng.uniform(9, 13)), "dot_p": float(rng.uniform(8, 11)),
        "dot_r": float(rng.uniform(1.8, 2.8)), "phase": float(rng.uniform(0, 10)), "motif": int(rng.integers(0, 5)),
        "motif_color": [(238, 60, 60), (250, 200, 40), (40, 170, 220), (238, 236, 228), (120, 210, 90)][int(rng.integers(0, 5))],
        "shoe_len": float(rng.uniform(21, 25)), "boot_h": float(rng.choice([26.0, 34.0, 44.0])),
        "bag_w": float(rng.uniform(.9, 1.1)), "bag_h": float(rng.uniform(.9, 1.1)), "n_buttons": int(rng.integers(3, 7)),
        "belt_off": float(rng.uniform(-3, 3)), "tex_seed": int(rng.integers(0, 2 ** 31 - 1)),
    }


def pattern_secondary(base_rgb, rng_value: float):
    """Secondary colour of a pattern: a contrast derived from the base colour (so variants differ)."""
    lum = luminance(base_rgb)
    if lum < 110:
        return (236, 234, 226) if rng_value < .6 else lighten(base_rgb, 0.55)
    return (34, 38, 60) if rng_value < .5 else shade(base_rgb, 0.45)

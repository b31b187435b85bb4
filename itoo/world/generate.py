"""``generate_world``: write a deterministic sample fashion world (see docs/DATA_FORMATS.md)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from itoo.taxonomy import load_taxonomy
from itoo.world import catalog as C
from itoo.world import scenes as S
from itoo.world import social as SO
from itoo.world.render import render_sprite, sample_shape_params, pattern_secondary

GENERATOR_VERSION = "1"
START_DAY = "2026-11-01"

WORLD_SIZES: dict[str, dict] = {
    "tiny": {"shops": 3, "products": 72, "catalog_days": 3, "timeline_days": 14, "users": 30, "ootds": 60,
             "views_per_day": 3.6},
    "small": {"shops": 4, "products": 480, "catalog_days": 7, "timeline_days": 28, "users": 150, "ootds": 700,
              "views_per_day": 6.0},
    "large": {"shops": 6, "products": 2400, "catalog_days": 14, "timeline_days": 56, "users": 800, "ootds": 3000,
              "views_per_day": 7.0},
}
SHOP_NAMES = ["Urban Thread", "Maison Lumen", "Northloop", "Petal & Pine", "Kiko Studio", "Bold Basics"]
SUPER_WEIGHT = {"top": 1.3, "bottom": 1.2, "outer": 1.0, "dress": 1.1, "shoes": 1.0, "bag": .9}
REVIEW_COUNTS = ([0, 1, 2], [.5, .3, .2])
NEAR_DUP_P = .1

# streams of the seeded generator (stable numbers: changing one must not shift another)
_S_CATALOG, _S_PHOTOS, _S_USERS, _S_OOTD, _S_INTER = 1, 2, 3, 4, 5


def _check_args(out_dir, size, seed) -> Path:
    if size not in WORLD_SIZES:
        raise ValueError(f"unknown world size {size!r}; expected one of {sorted(WORLD_SIZES)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if out_dir is None or str(out_dir) == "":
        raise ValueError("out_dir must be a folder path")
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise ValueError(f"out_dir {root} exists and is not a folder")
    return root


def _dump(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _rng(seed: int, stream: int, *idx: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream, *idx])


def _jitter(rgb, rng, amount=10):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in rgb)


def build_catalog(cfg: dict, seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    """-> (shops json, products json, internal per-product render info)."""
    tax = load_taxonomy()
    rng = _rng(seed, _S_CATALOG)
    shops = [{"shop_id": f"s{i + 1:02d}", "name": SHOP_NAMES[i % len(SHOP_NAMES)],
              "base_url": f"https://shop-{i + 1:02d}.example"} for i in range(cfg["shops"])]
    start = datetime.fromisoformat(START_DAY).date()
    subs = list(tax.sub_categories)
    w = np.asarray([SUPER_WEIGHT[tax.sub_to_super[s]] for s in subs])
    first = [subs[i] for i in rng.permutation(len(subs))]
    products, info = [], []
    n_target = cfg["products"]
    d = 0
    while len(products) < n_target:
        sub = first[d] if d < len(first) else subs[int(rng.choice(len(subs), p=w / w.sum()))]
        sup = tax.sub_to_super[sub]
        attrs, color = C.sample_design_attributes(sub, rng)
        nv = 1 if rng.random() >= .3 else int(rng.choice([2, 3]))
        nv = min(nv, n_target - len(products))
        colors = C.variant_colors(color, attrs["material"], nv, rng)
        latent = C.derive_latent(sub, sup, attrs, color, rng)
        sp = sample_shape_params(rng)
        sec_v = float(rng.random())
        shop = shops[int(rng.integers(0, len(shops)))]["shop_id"]
        pday = 0 if (rng.random() < .5 or cfg["catalog_days"] == 1) else int(rng.integers(1, cfg["catalog_days"]))
        design_id = f"d{d + 1:04d}"
        for col in colors:
            pi = len(products)
            pid = f"p{pi + 1:05d}"
            full = C.full_attributes(sub, attrs, col, latent)
            base = _jitter(C.COLOR_RGB[col], rng)
            products.append({
                "product_id": pid, "design_id": design_id, "shop_id": shop, "title": C.product_title(sub, full),
                "price": C.product_price(sup, sub, attrs["material"], rng), "currency": "EUR",
                "in_stock": bool(rng.random() < .85), "super_category": sup, "sub_category": sub,
                "attributes": full, "publish_day": (start + timedelta(days=pday)).isoformat(), "images": [],
            })
            info.append({"sp": sp, "base": base, "sec": pattern_secondary(base, sec_v), "pday": pday,
                         "attrs": {**attrs, **latent, "color": col}})
        d += 1
    return shops, products, info


def _sprite(p: dict, inf: dict, ootd: bool):
    return render_sprite(p["super_category"], p["sub_category"], inf["attrs"], inf["sp"], inf["base"], inf["sec"],
                         inf["sp"]["tex_seed"], ootd=ootd)


def _write_products(root: Path, seed: int, products: list[dict], info: list[dict]) -> list[dict]:
    pages = []
    for pi, (p, inf) in enumerate(zip(products, info)):
        rng = _rng(seed, _S_PHOTOS, pi)
        sprite, extra = _sprite(p, inf, ootd=False)
        sup = p["super_category"]
        c = S.product_content(sprite, sup, extra, p["attributes"])
        pid = p["product_id"]
        photos = [(f"{pid}_shop0", "shop", S.shop_photo(c, rng, 0), 90),
                  (f"{pid}_shop1", "shop", S.shop_photo(c, rng, 1), 90)]
        n_rev = int(rng.choice(REVIEW_COUNTS[0], p=REVIEW_COUNTS[1]))
        for r in range(n_rev):
            photos.append((f"{pid}_review{r}", "review", S.review_photo(c, rng), int(rng.integers(72, 88))))
        images = []
        for image_id, kind, img, q in photos:
            data = S.jpeg_bytes(img, q)
            rel = f"images/products/{image_id}.jpg"
            (root / rel).write_bytes(data)
            images.append({"image_id": image_id, "path": rel, "kind": kind, "near_duplicate_of": None})
            if rng.random() < NEAR_DUP_P:
                dup, op = S.near_duplicate(data, rng)
                did = f"{image_id}_dup"
                drel = f"images/products/{did}.jpg"
                (root / drel).write_bytes(dup)
                images.append({"image_id": did, "path": drel, "kind": kind, "near_duplicate_of": image_id,
                               "near_duplicate_op": op})
        p["images"] = images
        page_id = f"pg{pi + 1:05d}"
        page, regions = S.shop_page(c, p["title"], p["price"], p["attributes"], pid, rng)
        rel = f"images/pages/{page_id}.png"
        (root / rel).write_bytes(S.png_bytes(page))
        pages.append({"page_id": page_id, "shop_id": p["shop_id"], "product_id": pid, "publish_day": p["publish_day"],
                      "path": rel, "width": page.width, "height": page.height, "regions": regions})
    return pages


class _SpriteCache:
    def __init__(self, products, info, cap=256):
        self.products, self.info, self.cap = products, info, cap
        self.d: OrderedDict[int, tuple] = OrderedDict()

    def get(self, i):
        if i in self.d:
            self.d.move_to_end(i)
            return self.d[i]
        v = _sprite(self.products[i], self.info[i], ootd=True)
        self.d[i] = v
        if len(self.d) > self.cap:
            self.d.popitem(last=False)
        return v


def generate_world(out_dir: str | Path, size: str = "tiny", seed: int = 7) -> dict:
    """Write the sample world of ``size`` into ``out_dir``; returns the content of world.json.

    Same ``size`` and ``seed`` give byte-identical JSON and images (with the same Pillow/numpy).
    A folder that already holds a world is regenerated in place (its image folders are replaced);
    world.json is written last, so a half-written folder is never mistaken for a world.
    """
    root = _check_args(out_dir, size, seed)
    seed = int(seed)
    cfg = WORLD_SIZES[size]
    tax = load_taxonomy()
    root.mkdir(parents=True, exist_ok=True)
    if (root / "world.json").exists():
        (root / "world.json").unlink()
    for sub in ("products", "pages", "ootds"):
        d = root / "images" / sub
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    start = datetime.fromisoformat(START_DAY).replace(tzinfo=timezone.utc)
    T = cfg["timeline_days"]

    shops, products, info = build_catalog(cfg, seed)
    pages = _write_products(root, seed, products, info)

    urng = _rng(seed, _S_USERS)
    users, taste, activity, leaders = SO.make_users(cfg["users"], urng)
    follows, follow_day = SO.make_follows(users, taste, leaders, start, T, urng)

    # ---- OOTDs
    styles = tax.group("style").values
    prod_style = np.zeros((len(products), len(styles)), np.float32)
    for i, p in enumerate(products):
        for s in p["attributes"]["style"]:
            prod_style[i, styles.index(s)] = 1.0
    posts = SO.plan_posts(cfg["ootds"], activity, leaders, T, _rng(seed, _S_OOTD))
    cache = _SpriteCache(products, info)
    ootds, o_user, o_day, o_sec, o_style = [], [], [], [], []
    avail_by_day: dict[int, dict[str, list[int]]] = {}
    for oi, (day, sec, u) in enumerate(posts):
        rng = _rng(seed, _S_OOTD, oi + 1)
        if day not in avail_by_day:
            av: dict[str, list[int]] = {}
            for i, inf in enumerate(info):
                if inf["pday"] < day:  # only products published on an earlier day than the post
                    av.setdefault(products[i]["super_category"], []).append(i)
            avail_by_day[day] = av
        avail = avail_by_day[day]
        style, chosen = SO.choose_outfit(users[u], taste[u], avail, products, prod_style, rng)
        person = {"skin": S.SKIN_TONES[int(rng.integers(0, len(S.SKIN_TONES)))],
                  "hair": S.HAIR_COLORS[int(rng.integers(0, len(S.HAIR_COLORS)))],
                  "long_hair": bool(rng.random() < {"female": .75, "male": .1}.get(users[u]["gender"], .5)),
                  "body_shape": users[u]["body_shape"]}
        items = []
        for i in chosen:
            spr, extra = cache.get(i)
            p = products[i]
            items.append({"sup": p["super_category"], "sub": p["sub_category"], "sprite": spr, "extra": extra,
                          "strap_rgb": info[i]["base"], "side": int(rng.choice([-1, 1]))})
        img, vis = S.render_ootd(items, person, rng)
        oid = f"o{oi + 1:05d}"
        rel = f"images/ootds/{oid}.jpg"
        (root / rel).write_bytes(S.jpeg_bytes(img, int(rng.integers(82, 93))))
        gt = []
        for idx, box in vis:
            p = products[chosen[idx]]
            gt.append({"box": box, "super_category": p["super_category"], "sub_category": p["sub_category"],
                       "product_id": p["product_id"], "attributes": p["attributes"]})
        desc, tags = SO.describe(style, [products[chosen[idx]] for idx, _ in vis] or [products[i] for i in chosen], rng)
        posted = start + timedelta(days=day, seconds=sec)
        ootds.append({"ootd_id": oid, "user_id": users[u]["user_id"], "posted_at": SO.iso(posted), "path": rel,
                      "width": img.width, "height": img.height, "description": desc, "hashtags": tags,
                      "style": style, "items": gt})
        v = np.zeros(len(styles), np.float32)
        v[styles.index(style)] += 1.0
        if chosen:
            v += prod_style[chosen].mean(0)
        o_user.append(u)
        o_day.append(day)
        o_sec.append(sec)
        o_style.append(v)

    # ---- interactions
    rows = SO.simulate_interactions(taste, activity, leaders, follow_day, np.asarray(o_user, int),
                                    np.asarray(o_day, int), np.asarray(o_sec, int),
                                    np.asarray(o_style, np.float32).reshape(-1, len(styles)), start, T,
                                    cfg["views_per_day"], _rng(seed, _S_INTER))
    end_s = T * 86400 - 1
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["user_id", "ootd_id", "kind", "ts"])
    n_views = n_likes = 0
    for t, u, o, kind in rows:
        wr.writerow([users[u]["user_id"], ootds[o]["ootd_id"], kind, SO.iso(start + timedelta(seconds=min(t, end_s)))])
        if kind == "view":
            n_views += 1
        else:
            n_likes += 1
    (root / "interactions.csv").write_text(buf.getvalue(), encoding="utf-8")

    _dump(root / "shops.json", shops)
    _dump(root / "products.json", products)
    _dump(root / "shop_pages.json", pages)
    _dump(root / "users.json", users)
    _dump(root / "ootds.json", ootds)
    _dump(root / "follows.json", follows)
    n_images = sum(len(p["images"]) for p in products)
    summary = {
        "size": size, "seed": seed, "start_day": START_DAY, "catalog_days": cfg["catalog_days"], "timeline_days": T,
        "counts": {
            "shops": len(shops), "designs": len({p["design_id"] for p in products}), "products": len(products),
            "product_images": n_images,
            "near_duplicates": sum(1 for p in products for im in p["images"] if im["near_duplicate_of"]),
            "shop_pages": len(pages), "users": len(users), "ootds": len(ootds),
            "ootd_items": sum(len(o["items"]) for o in ootds), "follows": len(follows),
            "interactions": n_views + n_likes, "views": n_views, "likes": n_likes,
        },
        "generator_version": GENERATOR_VERSION,
    }
    _dump(root / "world.json", summary)
    return summary

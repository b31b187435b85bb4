"""Data cleaning without ground truth: split shops' descriptive images, drop near-duplicate photos.

Plain functions (Dagster assets call them). The ``evaluate_*`` functions measure them against the
ground truth that the sample world carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import imagehash
import numpy as np
from PIL import Image
from scipy import ndimage

# ------------------------------------------------------------------------------ page splitting
SPLIT_DIFF_THRESHOLD = 10   # max channel distance from the page background that counts as content
SPLIT_CLOSE = (7, 9)        # closing structure (rows, cols): joins text lines and words, not blocks
SPLIT_MIN_AREA = 120


def _page_background(arr: np.ndarray) -> np.ndarray:
    """Most common colour of the border pixels (quantised), refined as their median."""
    border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]]).reshape(-1, 3)
    q = (border // 8).astype(np.int32)
    key = q[:, 0] * 1024 + q[:, 1] * 32 + q[:, 2]
    vals, counts = np.unique(key, return_counts=True)
    mode = vals[np.argmax(counts)]
    sel = border[key == mode]
    return np.median(sel, axis=0)


def _features(arr: np.ndarray, mask: np.ndarray, comp: np.ndarray, sl) -> dict:
    h = sl[0].stop - sl[0].start
    w = sl[1].stop - sl[1].start
    raw = mask[sl] & comp
    px = arr[sl][raw].astype(np.float32)
    n = max(1, len(px))
    sat = float((px.max(1) - px.min(1)).mean()) if len(px) else 0.0
    lum = px @ np.asarray([.299, .587, .114], np.float32) if len(px) else np.zeros(1, np.float32)
    g = arr[sl].astype(np.float32).mean(2)
    gy = np.abs(np.diff(g, axis=0))[:, :-1] if h > 1 and w > 1 else np.zeros((1, 1))
    gx = np.abs(np.diff(g, axis=1))[:-1, :] if h > 1 and w > 1 else np.zeros((1, 1))
    edges = (np.maximum(gx, gy) > 40)
    return {
        "h": h, "w": w, "aspect": w / max(1, h), "area": int(comp.sum()),
        "fill": float(raw.sum()) / max(1, int(comp.sum())),          # content pixels / component pixels
        "rect": float(comp.sum()) / max(1, h * w),                     # component pixels / its box
        "sat": sat, "color_std": float(px.std(0).mean()) if len(px) > 1 else 0.0,
        "dark": float((lum < 120).sum()) / n, "edges": float(edges.mean()),
    }


def classify_region(f: dict, page_width: int) -> str:
    """photo / text / banner from a component's own pixels (see ``_features``)."""
    solid = f["fill"] >= 0.8 and f["rect"] >= 0.85
    if solid and f["aspect"] >= 3.0 and f["w"] >= 0.6 * page_width:
        return "banner"
    if solid and 0.4 <= f["aspect"] <= 2.6 and min(f["h"], f["w"]) >= 32:
        return "photo"
    if f["fill"] < 0.6 or (f["dark"] > 0.5 and f["sat"] < 25 and f["edges"] > 0.15):
        return "text"
    if solid and f["aspect"] > 2.6:
        return "banner"
    if f["fill"] >= 0.8 and min(f["h"], f["w"]) >= 32:
        return "photo"
    return "text"


def split_descriptive_image(img: Image.Image, diff_threshold: int = SPLIT_DIFF_THRESHOLD,
                            min_area: int = SPLIT_MIN_AREA) -> list[dict]:
    """Find the regions of a shop's descriptive image without ground truth.

    Non-background mask (distance to the border's dominant colour) -> morphological closing (joins
    text lines, fills photo gaps) -> hole filling -> connected components (scipy.ndimage.label) ->
    each component classified as photo / text / banner from its own pixels (size, aspect ratio,
    fill ratio, colour saturation/variance, dark-pixel share, edge density).
    Returns ``[{"box": [x0, y0, x1, y1], "kind": ...}]`` sorted top to bottom.
    """
    if not isinstance(img, Image.Image):
        raise ValueError(f"split_descriptive_image expects a PIL image, got {type(img).__name__}")
    if img.width < 4 or img.height < 4:
        return []
    arr = np.asarray(img.convert("RGB"), np.int16)
    bg = _page_background(arr)
    mask = np.abs(arr - bg[None, None, :]).max(2) > diff_threshold
    ph, pw = SPLIT_CLOSE[0], SPLIT_CLOSE[1]
    padded = np.pad(mask, ((ph, ph), (pw, pw)))
    closed = ndimage.binary_closing(padded, structure=np.ones(SPLIT_CLOSE, bool))[ph:-ph, pw:-pw]
    filled = ndimage.binary_fill_holes(closed)
    lab, n = ndimage.label(filled)
    out = []
    for i, sl in enumerate(ndimage.find_objects(lab)):
        if sl is None:
            continue
        comp = lab[sl] == i + 1
        if comp.sum() < min_area:
            continue
        f = _features(arr, mask, comp, sl)
        kind = classify_region(f, img.width)
        out.append({"box": [float(sl[1].start), float(sl[0].start), float(sl[1].stop), float(sl[0].stop)], "kind": kind})
    out.sort(key=lambda r: (r["box"][1], r["box"][0]))
    return out


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / ua if ua > 0 else 0.0


def _pairs(pred, gt):
    if isinstance(pred, Mapping) or isinstance(gt, Mapping):
        if not (isinstance(pred, Mapping) and isinstance(gt, Mapping)):
            raise ValueError("pass both predictions and ground truth as lists (aligned) or both as dicts by page id")
        missing = set(gt) - set(pred)
        return [(pred.get(k, []), gt[k]) for k in gt] + [(pred[k], []) for k in pred if k not in gt], missing
    pred, gt = list(pred), list(gt)
    if len(pred) != len(gt):
        raise ValueError(f"{len(pred)} predicted pages for {len(gt)} ground-truth pages")
    return list(zip(pred, gt)), set()


def evaluate_page_splitting(pred_regions_per_page, gt_regions_per_page, iou: float = 0.5,
                            kind: str = "photo") -> dict:
    """Precision/recall of ``kind`` regions (greedy one-to-one matching at IoU >= ``iou``)."""
    pairs, _ = _pairs(pred_regions_per_page, gt_regions_per_page)
    tp = n_pred = n_gt = 0
    for pred, gt in pairs:
        pb = [r["box"] for r in pred if r.get("kind") == kind]
        gb = [r["box"] for r in gt if r.get("kind") == kind]
        n_pred += len(pb)
        n_gt += len(gb)
        cand = sorted(((box_iou(p, g), i, j) for i, p in enumerate(pb) for j, g in enumerate(gb)), reverse=True)
        used_p, used_g = set(), set()
        for v, i, j in cand:
            if v < iou:
                break
            if i in used_p or j in used_g:
                continue
            used_p.add(i)
            used_g.add(j)
            tp += 1
    return {"precision": tp / n_pred if n_pred else 1.0, "recall": tp / n_gt if n_gt else 1.0,
            "tp": tp, "n_pred": n_pred, "n_gt": n_gt}


# ------------------------------------------------------------------------------------ dedupe
def _phash_int(img: Image.Image) -> int:
    bits = imagehash.phash(img.convert("RGB")).hash.flatten()
    v = 0
    for b in bits:
        v = (v << 1) | int(b)
    return v


THUMB = 8


def _thumb(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB").resize((THUMB, THUMB), Image.BOX), np.float32)


def image_signature(img: Image.Image) -> str:
    """Compact, storable dedupe signature: 64-bit phash + 8x8 RGB thumbnail, as hex ("<16>:<384>")."""
    return f"{_phash_int(img):016x}:{_thumb(img).astype(np.uint8).tobytes().hex()}"


def _parse_signature(sig: str) -> tuple[int, np.ndarray]:
    try:
        h, t = sig.split(":")
        thumb = np.frombuffer(bytes.fromhex(t), np.uint8).astype(np.float32).reshape(THUMB, THUMB, 3)
        return int(h, 16), thumb
    except (ValueError, AttributeError) as e:
        raise ValueError(f"not an image signature: {str(sig)[:40]!r} ({e})") from None


def _chunks(nbits: int, k: int) -> list[tuple[int, int]]:
    """Split ``nbits`` into ``k`` contiguous (shift, width) chunks."""
    base, extra = divmod(nbits, k)
    out, pos = [], 0
    for i in range(k):
        w = base + (1 if i < extra else 0)
        out.append((nbits - pos - w, w))
        pos += w
    return out


def perceptual_dedupe(items: Iterable[tuple[str, Image.Image]], max_distance: int = 6,
                      max_color_distance: float | None = 5.0,
                      previous: Iterable[tuple[str, Image.Image | str]] | None = None,
                      ) -> tuple[list[str], dict[str, str]]:
    """Near-duplicate removal with 64-bit perceptual hashes (``imagehash.phash``).

    Items are taken in order; an item whose hash is within ``max_distance`` bits of an earlier *kept*
    item becomes its duplicate, provided (unless ``max_color_distance`` is None) that their 8x8 RGB
    thumbnails also agree within that mean absolute difference (0-255 scale). The hash ignores
    colour and fine detail, so without this check colour variants of one design and look-alike
    product shots on plain backgrounds get merged; re-compressed, resized or slightly cropped copies
    keep their thumbnail.
    Candidates come from multi-index hashing: the hash is cut into ``max_distance + 1`` chunks, and
    by the pigeonhole principle two hashes within ``max_distance`` bits agree exactly on at least one
    chunk, so bucket look-ups find every true match (exact, not approximate) without comparing all
    pairs. Returns (kept ids in input order, {duplicate_id: kept_id}).

    ``previous``: items kept earlier (e.g. on earlier crawl days) as (id, image or
    ``image_signature`` string). They are matched against but not returned; an item that duplicates
    one of them maps to that earlier id.
    """
    if max_distance < 0 or max_distance >= 64:
        raise ValueError(f"max_distance must be in [0, 63], got {max_distance}")
    chunks = _chunks(64, max_distance + 1)
    tables: list[dict[int, list[int]]] = [dict() for _ in chunks]
    kept_ids: list[str] = []
    kept_hash: list[int] = []
    kept_sig: list[np.ndarray] = []
    dup: dict[str, str] = {}
    seen: set[str] = set()

    def insert(item_id, h, sig):
        idx = len(kept_ids)
        kept_ids.append(item_id)
        kept_hash.append(h)
        kept_sig.append(sig)
        for t, (sh, w) in zip(tables, chunks):
            t.setdefault((h >> sh) & ((1 << w) - 1), []).append(idx)

    for item_id, prev in previous or ():
        if isinstance(prev, str):
            h, sig = _parse_signature(prev)
        else:
            h, sig = _phash_int(prev), _thumb(prev)
        seen.add(item_id)
        insert(item_id, h, sig)
    n_previous = len(kept_ids)
    for item_id, img in items:
        if item_id in seen:
            raise ValueError(f"perceptual_dedupe: duplicate id {item_id!r}")
        seen.add(item_id)
        h = _phash_int(img)
        sig = _thumb(img)
        keys = [(h >> sh) & ((1 << w) - 1) for sh, w in chunks]
        cands: set[int] = set()
        for t, k in zip(tables, keys):
            cands.update(t.get(k, ()))
        best, best_d = None, None
        for c in sorted(cands):
            d = (h ^ kept_hash[c]).bit_count()
            if d > max_distance:
                continue
            if max_color_distance is not None and float(np.abs(sig - kept_sig[c]).mean()) > max_color_distance:
                continue
            if best_d is None or d < best_d:
                best, best_d = c, d
        if best is not None:
            dup[item_id] = kept_ids[best]
            continue
        insert(item_id, h, sig)
    return kept_ids[n_previous:], dup


def evaluate_dedupe(dup_map: Mapping[str, str], ground_truth_near_dup_of: Mapping[str, str | None]) -> dict:
    """Precision/recall of a duplicate map against ``{image_id: original_id or None}``.

    Ground-truth groups are an original with its near-duplicates (chains are followed). A predicted
    pair (dup -> kept) is correct when both are in the same group; a ground-truth duplicate is
    recalled when it ends up in the same predicted group as its original.
    """
    gt = dict(ground_truth_near_dup_of)

    def root(x):
        seen = set()
        while gt.get(x) and x not in seen:
            seen.add(x)
            x = gt[x]
        return x

    correct = sum(1 for d, k in dup_map.items() if root(d) == root(k))

    def pc(x):
        return dup_map.get(x, x)

    gt_dups = [d for d, o in gt.items() if o]
    recalled = sum(1 for d in gt_dups if pc(d) == pc(root(d)))
    return {"precision": correct / len(dup_map) if dup_map else 1.0,
            "recall": recalled / len(gt_dups) if gt_dups else 1.0,
            "n_pred": len(dup_map), "n_gt": len(gt_dups), "tp": correct}


def evaluate_on_world(world_dir, max_distance: int = 6) -> dict:
    """Run both cleaning steps on a sample world and score them against its ground truth."""
    from itoo.world import load_world

    w = load_world(world_dir)
    preds, gts = [], []
    for p in w.shop_pages:
        with Image.open(w.image_path(p["path"])) as im:
            preds.append(split_descriptive_image(im.convert("RGB")))
        gts.append(p["regions"])
    pages = evaluate_page_splitting(preds, gts)
    items, gt = [], {}
    for prod in w.products:
        for im in prod["images"]:
            with Image.open(w.image_path(im["path"])) as f:
                items.append((im["image_id"], f.convert("RGB")))
            gt[im["image_id"]] = im["near_duplicate_of"]
    _, dmap = perceptual_dedupe(items, max_distance=max_distance)
    return {"page_splitting": pages, "dedupe": evaluate_dedupe(dmap, gt), "pages": len(gts), "images": len(items)}


if __name__ == "__main__":  # python -m itoo.cleaning <world_dir>
    import json
    import sys

    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m itoo.cleaning <world_dir>")
    print(json.dumps(evaluate_on_world(sys.argv[1]), indent=1))

"""Colour-separated training sets built from the cleaned crops and the outfit photos.

- Splits are made by *design*: all colour variants of a design fall in the same split, so a
  model is never evaluated on a colour variant of something it trained on.
- For visual search each *product* (one design in one colour) is its own class: colour
  variants are separate identities, which teaches the embedder that colour matters.
- Detection examples are outfit photos with ground-truth boxes, split by photo.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pandas as pd

SPLITS = ("train", "val", "test")


def split_of(key: str, seed: int, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)) -> str:
    """Deterministic split from a hash of the key, stable across runs and machines."""
    if abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f"split fractions must sum to 1, got {fractions}")
    h = int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if h < fractions[0]:
        return "train"
    return "val" if h < fractions[0] + fractions[1] else "test"


def build_training_sets(clean: pd.DataFrame, products: pd.DataFrame, ootds: list[dict],
                        world_prefix: str, seed: int = 0) -> dict:
    """Returns a JSON-able dict with `crops`, `detection` and `stats`."""
    for name, df, cols in (("clean_images", clean, {"image_id", "product_id", "key", "sha256", "source_kind"}),
                           ("catalog_products", products, {"product_id", "design_id", "super_category",
                                                            "sub_category", "attributes_json"})):
        missing = cols - set(df.columns)
        if missing:
            raise ValueError(f"{name} lacks columns {sorted(missing)}")
    if clean.empty:
        raise ValueError("no cleaned crops: materialize catalog_pages and cleaned_crops for at least one day")
    prod = products.drop_duplicates("product_id", keep="last").set_index("product_id")
    crops = []
    for r in clean.itertuples(index=False):
        if r.product_id not in prod.index:
            continue  # crop of a product whose listing row is missing: cannot be labelled
        p = prod.loc[r.product_id]
        attrs = json.loads(p["attributes_json"])
        crops.append({
            "image_id": r.image_id, "key": r.key, "sha256": r.sha256, "product_id": r.product_id,
            "design_id": p["design_id"], "super_category": p["super_category"],
            "sub_category": p["sub_category"], "color": attrs.get("color"), "attributes": attrs,
            "source_kind": r.source_kind, "split": split_of(p["design_id"], seed),
        })
    detection = []
    for o in ootds:
        if not o.get("items"):
            continue
        detection.append({
            "ootd_id": o["ootd_id"], "key": f"{world_prefix}/{o['path']}",
            "boxes": [it["box"] for it in o["items"]],
            "classes": [it["super_category"] for it in o["items"]],
            "split": split_of(o["ootd_id"], seed, (0.7, 0.1, 0.2)),
        })
    designs_per_split = {s: len({c["design_id"] for c in crops if c["split"] == s}) for s in SPLITS}
    variants = Counter(c["design_id"] for c in {c["product_id"]: c for c in crops}.values())
    stats = {
        "crops": dict(Counter(c["split"] for c in crops)),
        "designs": designs_per_split,
        "products": len({c["product_id"] for c in crops}),
        "designs_with_colour_variants": sum(1 for v in variants.values() if v > 1),
        "detection": dict(Counter(d["split"] for d in detection)),
        "crops_per_super_category": dict(Counter(c["super_category"] for c in crops)),
    }
    leaks = {c["design_id"] for c in crops if c["split"] == "train"} & {c["design_id"] for c in crops if c["split"] != "train"}
    if leaks:  # cannot happen with design-hash splits; guard against future edits
        raise AssertionError(f"designs in train and held-out splits: {sorted(leaks)[:5]}")
    return {"crops": crops, "detection": detection, "stats": stats}

"""Cleaned crops: one crawl day's images made fit for training and search.

Descriptive shop pages are split into their product photos (text blocks and banners dropped),
then near-duplicates are removed by perceptual hash, within the day and against everything kept
on earlier days.
"""

from __future__ import annotations

import io
import json

import pandas as pd

from itoo.cleaning import (evaluate_dedupe, evaluate_page_splitting, image_signature, perceptual_dedupe,
                           split_descriptive_image)
from itoo.imaging import load_image_safe

CLEAN_COLUMNS = ["crawl_day", "image_id", "product_id", "source_image_id", "source_kind", "key", "sha256",
                 "signature"]
MAX_HASH_DISTANCE = 6


def clean_day(images: pd.DataFrame, store, day: str,
              previous: list[tuple[str, str]]) -> tuple[pd.DataFrame, dict]:
    """Split pages, de-duplicate, and store crops under `catalog/clean/<day>/`.

    `images` are the day's rows of the `catalog_images` table; `previous` the (image_id,
    signature) pairs kept on earlier days. Returns the clean rows and a report with counts and
    ground-truth figures.
    """
    candidates: list[tuple[str, object, dict]] = []  # (id, PIL image, row)
    pred_regions, gt_regions = [], []
    for row in images.itertuples(index=False):
        img = load_image_safe(store.read_bytes(row.key, row.sha256))
        if row.kind == "page":
            regions = split_descriptive_image(img)
            pred_regions.append(regions)
            if row.regions_json:
                gt_regions.append(json.loads(row.regions_json))
            photos = [r for r in regions if r["kind"] == "photo"]
            for i, r in enumerate(photos):
                x0, y0, x1, y1 = (int(round(v)) for v in r["box"])
                candidates.append((f"{row.image_id}_r{i}", img.crop((x0, y0, x1, y1)),
                                   {"product_id": row.product_id, "source_image_id": row.image_id, "source_kind": "page"}))
        else:
            candidates.append((row.image_id, img, {"product_id": row.product_id, "source_image_id": row.image_id,
                                                   "source_kind": row.kind}))

    earlier = {pid for pid, _ in previous}
    # a photo re-listed under an id kept on an earlier day is a duplicate of that earlier crop
    relisted = {cid: cid for cid, _, _ in candidates if cid in earlier}
    kept_ids, dup_map = perceptual_dedupe([(cid, im) for cid, im, _ in candidates if cid not in relisted],
                                          max_distance=MAX_HASH_DISTANCE, previous=previous)
    dup_map.update(relisted)
    kept = set(kept_ids)
    rows = []
    for cid, im, meta in candidates:
        if cid not in kept:
            continue
        buf = io.BytesIO()
        im.convert("RGB").save(buf, format="JPEG", quality=92)
        ref = store.write_bytes(f"catalog/clean/{day}/{cid}.jpg", buf.getvalue())
        rows.append({"crawl_day": day, "image_id": cid, **meta, "key": ref.key, "sha256": ref.sha256,
                     "signature": image_signature(im)})

    truth = {r.image_id: r.near_duplicate_of for r in images.itertuples(index=False)
             if r.kind != "page" and isinstance(r.near_duplicate_of, str)}
    report = {
        "images_in": int(len(images)),
        "pages_split": len(pred_regions),
        "page_crops": sum(1 for _, _, m in candidates if m["source_kind"] == "page"),
        "near_duplicates_removed": len(dup_map),
        "duplicates_of_earlier_days": sum(1 for v in dup_map.values() if v in earlier),
        "crops_kept": len(rows),
    }
    if gt_regions and len(gt_regions) == len(pred_regions):
        report.update({f"page_split_{k}": v for k, v in evaluate_page_splitting(pred_regions, gt_regions).items()})
    if truth:
        all_ids = [r.image_id for r in images.itertuples(index=False) if r.kind != "page"]
        product_ids = set(all_ids)
        product_dups = {k: v for k, v in dup_map.items() if k in product_ids}
        report.update({f"dedupe_{k}": v for k, v in
                       evaluate_dedupe(product_dups, {i: truth.get(i) for i in all_ids}).items()})
    return pd.DataFrame(rows, columns=CLEAN_COLUMNS), report

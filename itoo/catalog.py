"""Crawled catalogue: what a shop published on one crawl day, fetched into the artifact store.

The sample world is the built-in source: its shops "publish" products on their `publish_day`.
Each fetched image is decoded and validated before it is stored; an image that fails gets an
error record and never enters a dataset.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from itoo.imaging import load_image_safe

PRODUCT_COLUMNS = [
    "crawl_day", "product_id", "design_id", "shop_id", "title", "price", "currency", "in_stock",
    "super_category", "sub_category", "color", "attributes_json",
]
IMAGE_COLUMNS = [
    "crawl_day", "image_id", "product_id", "shop_id", "kind", "key", "sha256", "width", "height",
    "near_duplicate_of", "regions_json",
]


def validate_day(day: str) -> str:
    try:
        return date.fromisoformat(day).isoformat()
    except (TypeError, ValueError):
        raise ValueError(f"crawl day must be YYYY-MM-DD, got {day!r}") from None


def listed_on(world, day: str) -> tuple[list[dict], list[dict]]:
    """Products and shop pages that the sample world's shops publish on `day`."""
    day = validate_day(day)
    products = [p for p in world.products if p["publish_day"] == day]
    pages = [pg for pg in world.shop_pages if pg["publish_day"] == day]
    return products, pages


def crawl_day(world, day: str, store) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Fetch one day's listings into `store` under `catalog/raw/<day>/`.

    Returns (products, images, errors): one row per product, one row per stored image, and one
    record per image that could not be read (kept out of the catalogue).
    """
    day = validate_day(day)
    products, pages = listed_on(world, day)
    product_rows, image_rows, errors = [], [], []
    for p in products:
        product_rows.append({
            "crawl_day": day, "product_id": p["product_id"], "design_id": p["design_id"],
            "shop_id": p["shop_id"], "title": p["title"], "price": float(p["price"]),
            "currency": p.get("currency", "EUR"), "in_stock": bool(p["in_stock"]),
            "super_category": p["super_category"], "sub_category": p["sub_category"],
            "color": p["attributes"].get("color"), "attributes_json": json.dumps(p["attributes"], sort_keys=True),
        })
        for im in p["images"]:
            _fetch(world, store, day, im["path"], {
                "image_id": im["image_id"], "product_id": p["product_id"], "shop_id": p["shop_id"],
                "kind": im["kind"], "near_duplicate_of": im.get("near_duplicate_of"), "regions_json": None,
            }, image_rows, errors)
    for pg in pages:
        _fetch(world, store, day, pg["path"], {
            "image_id": pg["page_id"], "product_id": pg["product_id"], "shop_id": pg["shop_id"],
            "kind": "page", "near_duplicate_of": None, "regions_json": json.dumps(pg["regions"]),
        }, image_rows, errors)
    return (pd.DataFrame(product_rows, columns=PRODUCT_COLUMNS),
            pd.DataFrame(image_rows, columns=IMAGE_COLUMNS), errors)


def _fetch(world, store, day, rel_path, row, image_rows, errors):
    path = world.image_path(rel_path)
    try:
        data = path.read_bytes()
        img = load_image_safe(data)
    except (OSError, ValueError) as e:
        errors.append({"crawl_day": day, "image_id": row["image_id"], "source": str(rel_path), "error": str(e)})
        return
    ext = path.suffix.lower().lstrip(".") or "bin"
    ref = store.write_bytes(f"catalog/raw/{day}/{row['image_id']}.{ext}", data)
    image_rows.append({"crawl_day": day, **row, "key": ref.key, "sha256": ref.sha256,
                       "width": img.width, "height": img.height})

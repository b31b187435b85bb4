"""Catalogue embeddings: one 128-d vector per catalogue photo (shop photos and page crops).

Consumer (review) photos are not indexed: they are the queries of the search evaluation.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from itoo.imaging import load_image_safe

GALLERY_KINDS = ("shop", "page")


def embed_clean_images(store, models, clean: pd.DataFrame, products: pd.DataFrame,
                       kinds: tuple[str, ...] = GALLERY_KINDS) -> tuple[np.ndarray, list[dict]]:
    """Vectors and id records (image_id, product_id, super_category, sub_category, color, shop_id)
    of the cleaned photos of the given source kinds (the catalogue gallery by default)."""
    gallery = clean[clean.source_kind.isin(kinds)]
    prod = products.drop_duplicates("product_id", keep="last").set_index("product_id")
    gallery = gallery[gallery.product_id.isin(prod.index)]
    imgs = [load_image_safe(store.read_bytes(k, s)) for k, s in zip(gallery.key, gallery.sha256)]
    vectors = models.embed(imgs).astype(np.float32)
    records = [{"image_id": i, "product_id": p, "super_category": prod.at[p, "super_category"],
                "sub_category": prod.at[p, "sub_category"], "color": prod.at[p, "color"],
                "shop_id": prod.at[p, "shop_id"]} for i, p in zip(gallery.image_id, gallery.product_id)]
    return vectors, records


def save_batch(store, prefix: str, vectors: np.ndarray, records: list[dict]) -> dict:
    buf = io.BytesIO()
    np.save(buf, vectors, allow_pickle=False)
    v = store.write_bytes(f"{prefix}/vectors.npy", buf.getvalue())
    r = store.write_json(f"{prefix}/ids.json", records)
    return {"vectors_key": v.key, "vectors_sha256": v.sha256, "ids_key": r.key, "ids_sha256": r.sha256,
            "count": len(records)}


def load_batch(store, batch: dict) -> tuple[np.ndarray, list[dict]]:
    vectors = np.load(io.BytesIO(store.read_bytes(batch["vectors_key"], batch["vectors_sha256"])), allow_pickle=False)
    records = json.loads(store.read_bytes(batch["ids_key"], batch["ids_sha256"]))
    if len(records) != len(vectors):
        raise ValueError(f"embedding batch {batch['vectors_key']}: {len(vectors)} vectors but {len(records)} ids")
    return vectors, records

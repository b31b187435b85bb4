"""Search indexes: per-super-category vector indexes over every catalogue photo known on a day,
rebuilt from scratch (the dawn rebuild), checked against exact search, then published."""

from __future__ import annotations

import tempfile
import time

import numpy as np
import pandas as pd

from itoo.catalog_embeddings import load_batch
from itoo.search_index import CategoryIndexes, build_category_indexes, recall_at_k

INDEX_PARAMS = {"exact_below": 256, "shard_size": 50_000, "M": 16, "ef_construction": 200, "ef_search": 64}


def gather_vectors(store, batches: pd.DataFrame, model_version: str) -> tuple[np.ndarray, list[dict]]:
    """All embedding batches up to the day; every one must come from the same embedder version."""
    if batches.empty:
        raise ValueError("no catalogue embeddings up to this day: materialize catalog_embeddings first")
    stale = sorted(batches.loc[batches.model_version != model_version, "crawl_day"].unique())
    if stale:
        raise ValueError(f"catalogue embeddings of days {stale} were made with another embedder than "
                         f"{model_version}; re-materialize catalog_embeddings for those days")
    vecs, recs = [], []
    for b in batches.sort_values("crawl_day").to_dict("records"):
        v, r = load_batch(store, b)
        vecs.append(v)
        recs.extend(r)
    return np.concatenate(vecs), recs


def build(vectors: np.ndarray, records: list[dict]) -> CategoryIndexes:
    return build_category_indexes(vectors, [r["image_id"] for r in records],
                                  [r["super_category"] for r in records], **INDEX_PARAMS)


def evaluate(indexes: CategoryIndexes, vectors: np.ndarray, records: list[dict], queries: np.ndarray,
             query_categories: list[str], k: int = 10) -> dict:
    """Recall@k of each category's index against exact search, for real queries of that category."""
    cats = np.array([r["super_category"] for r in records])
    ids = np.array([r["image_id"] for r in records])
    qcats = np.array(query_categories)
    rows, total_hits, total_q, seconds = [], 0.0, 0, 0.0
    for cat in indexes:
        q = queries[qcats == cat]
        if len(q) == 0:
            continue
        m = cats == cat
        t0 = time.perf_counter()
        r = recall_at_k(indexes[cat], vectors[m], list(ids[m]), q, k)
        seconds += time.perf_counter() - t0
        rows.append({"category": cat, "vectors": int(m.sum()), "kind": indexes[cat].kind, "queries": int(len(q)),
                     "recall_at_10": r})
        total_hits += r * len(q)
        total_q += len(q)
    return {"recall_at_10": total_hits / total_q if total_q else float("nan"), "per_category": rows,
            "queries": total_q}


def save(store, prefix: str, indexes: CategoryIndexes, records: list[dict]) -> dict:
    """Index files plus `records.json` (what each indexed photo shows) under a new version prefix."""
    with tempfile.TemporaryDirectory() as tmp:
        manifest = indexes.save(tmp)
        refs = store.put_dir(f"{prefix}/index", tmp)
    rec = store.write_json(f"{prefix}/records.json", records)
    return {"prefix": f"{prefix}/index", "index_manifest": manifest, "records_key": rec.key,
            "records_sha256": rec.sha256, "files": {r.key: r.sha256 for r in refs}}


def load(store, published: dict) -> tuple[CategoryIndexes, list[dict]]:
    """The indexes and photo records of one published version (checksums verified)."""
    local = store.local_dir(published["prefix"])
    records = store.read_json(published["records_key"], published["records_sha256"])
    return CategoryIndexes.load(local, published["index_manifest"]), records

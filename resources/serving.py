"""Serving: shop the look, the personal feed and who to follow, from the published artifacts.

`ItooServing` reads the `CURRENT` pointers that the model and index assets switch after their
checks pass, and hot-reloads when a pointer changes; a version being served is never modified.
"""

from __future__ import annotations

import threading
import time

import dagster as dg
import sqlalchemy as sa

from resources.artifact_store import ArtifactStore
from resources.databases import SqlDatabase
from resources.model_runtime import ModelRuntime

MODEL_NAMES = ("detector", "category_classifier", "attribute_tagger", "search_embedder")


class NotReadyError(RuntimeError):
    """Raised when an artifact that a call needs has not been published yet."""


class ItooServing:
    def __init__(self, store: ArtifactStore, runtime: ModelRuntime, warehouse: SqlDatabase, app_db: SqlDatabase,
                 reload_interval_s: float = 5.0):
        self.store, self.runtime, self.warehouse, self.app_db = store, runtime, warehouse, app_db
        self.reload_interval_s = reload_interval_s
        self._lock = threading.Lock()
        self._versions: dict[str, str] = {}
        self._models = None
        self._indexes = None
        self._records: dict[str, dict] = {}  # image_id -> what the indexed photo shows
        self._checked_at = 0.0

    # -- loading ------------------------------------------------------------------------------
    def _pointer(self, prefix: str) -> dict | None:
        try:
            return self.store.current(prefix)
        except FileNotFoundError:
            return None

    def refresh(self, force: bool = False) -> dict[str, str]:
        """Reload whatever was published since the last look; returns the versions in use."""
        from itoo import search_indexes
        from itoo.inference import ModelSet

        with self._lock:
            if not force and time.monotonic() - self._checked_at < self.reload_interval_s:
                return dict(self._versions)
            manifests = {n: m for n in MODEL_NAMES if (m := self._pointer(f"models/{n}")) is not None}
            idx = self._pointer("indexes")
            if idx is not None:
                # queries must be embedded by the model that embedded the index, published or not
                manifests["search_embedder"] = idx["embedder"]
            versions = {n: m["version"] for n, m in manifests.items()}
            if {n: self._versions.get(n) for n in manifests} != versions or self._models is None:
                self._models = ModelSet(self.store, self.runtime, manifests) if manifests else None
            if idx is not None and self._versions.get("indexes") != f"{idx['day']}/{idx['version']}":
                self._indexes, records = search_indexes.load(self.store, idx)
                self._records = {r["image_id"]: r for r in records}
                versions["indexes"] = f"{idx['day']}/{idx['version']}"
            elif idx is not None:
                versions["indexes"] = self._versions["indexes"]
            self._versions = versions
            self._checked_at = time.monotonic()
            return dict(versions)

    def _require_models(self, *names: str):
        self.refresh()
        missing = [n for n in names if n not in self._versions]
        if missing:
            raise NotReadyError(f"models not published yet: {missing}; materialize them (make run) first")
        return self._models

    # -- calls --------------------------------------------------------------------------------
    def analyse(self, image_bytes: bytes) -> list[dict]:
        """Detected items of an outfit photo with sub-category and attributes."""
        from itoo.imaging import load_image_safe

        img = load_image_safe(image_bytes)
        models = self._require_models(*MODEL_NAMES)
        return models.analyse_outfit(img)

    def shop_the_look(self, image_bytes: bytes, k: int = 5) -> list[dict]:
        """For each item in the photo, the k most similar products of its super-category."""
        if not isinstance(k, int) or not 1 <= k <= 100:
            raise ValueError("k must be an integer between 1 and 100")
        items = self.analyse(image_bytes)
        if self._indexes is None:
            raise NotReadyError("no search index published yet; materialize search_indexes first")
        products = self._product_info()
        out = []
        for it in items:
            entry = {k2: it[k2] for k2 in ("box", "super_category", "sub_category", "score", "attributes")}
            entry["products"] = []
            if it["super_category"] in self._indexes and it.get("embedding") is not None:
                ids, scores = self._indexes.search(it["super_category"], it["embedding"][None], k * 4)
                seen = set()
                for image_id, score in zip(ids[0], scores[0]):
                    pid = self._records[image_id]["product_id"]
                    if pid in seen:
                        continue
                    seen.add(pid)
                    entry["products"].append({"product_id": pid, "score": float(score), **products.get(pid, {})})
                    if len(seen) == k:
                        break
            out.append(entry)
        return out

    def _product_info(self) -> dict:
        from itoo import app_db as schema

        with self.app_db.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.products.c.product_id, schema.products.c.title,
                                          schema.products.c.price, schema.products.c.shop_id,
                                          schema.products.c.in_stock, schema.products.c.color)).mappings().all()
        return {r["product_id"]: {k: r[k] for k in ("title", "price", "shop_id", "in_stock", "color")} for r in rows}

    def _latest_rows(self, table: str, user_id: str, k: int, order: str) -> list[dict]:
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("user_id must be a non-empty string")
        if not isinstance(k, int) or not 1 <= k <= 100:
            raise ValueError("k must be an integer between 1 and 100")
        if not self.warehouse.has_table(table):
            raise NotReadyError(f"{table} is empty; materialize recommendation_tables first")
        df = self.warehouse.read_sql(
            f"SELECT * FROM {table} WHERE user_id = :u AND day = (SELECT MAX(day) FROM {table}) ORDER BY {order}",
            u=user_id)
        return df.head(k).to_dict("records")

    def feed(self, user_id: str, k: int = 10) -> list[dict]:
        """The user's personal feed from the latest recommendation tables, with a reason per row."""
        return self._latest_rows("rec_feed", user_id, k, "rank")

    def who_to_follow(self, user_id: str, k: int = 5) -> list[dict]:
        return self._latest_rows("rec_style_leaders", user_id, k, "score DESC")


class ServingResource(dg.ConfigurableResource):
    """Serving as a Dagster resource, for assets and sensors that answer lookups."""

    artifact_root: str
    warehouse_url: str
    app_db_url: str
    s3_endpoint_url: str | None = None

    def serving(self) -> ItooServing:
        return ItooServing(ArtifactStore(self.artifact_root, self.s3_endpoint_url), ModelRuntime(),
                           SqlDatabase(self.warehouse_url), SqlDatabase(self.app_db_url))

"""Upload processing: detect → classify ‖ tag → embed the items of each pending outfit upload and
store them in the app database. Each upload is processed in its own transaction and marked
`processed` (or `failed` with the reason), so a rerun never processes one twice."""

from __future__ import annotations

import json

import sqlalchemy as sa

from itoo import app_db as schema
from itoo.imaging import load_image_safe


def process_uploads(engine: sa.Engine, store, models, upload_ids: list[int]) -> list[dict]:
    schema.create_schema(engine)
    results = []
    for upload_id in upload_ids:
        with engine.connect() as conn:
            row = conn.execute(sa.select(schema.uploads).where(schema.uploads.c.upload_id == upload_id)).mappings().first()
        if row is None:
            results.append({"upload_id": upload_id, "status": "missing", "items": 0})
            continue
        if row["status"] != "pending":
            results.append({"upload_id": upload_id, "status": f"skipped ({row['status']})", "items": 0})
            continue
        ootd_id = f"up{upload_id:06d}"
        try:
            img = load_image_safe(store.read_bytes(row["image_key"], row["sha256"]))
            items = models.analyse_outfit(img)
        except Exception as e:  # a bad upload must not stop the batch; the reason is kept
            with engine.begin() as conn:
                conn.execute(schema.uploads.update().where(schema.uploads.c.upload_id == upload_id)
                             .values(status="failed", error=f"{type(e).__name__}: {e}"))
            results.append({"upload_id": upload_id, "status": "failed", "items": 0, "error": str(e)})
            continue
        with engine.begin() as conn:
            claimed = conn.execute(schema.uploads.update().where(
                schema.uploads.c.upload_id == upload_id, schema.uploads.c.status == "pending").values(
                status="processed", ootd_id=ootd_id)).rowcount
            if claimed != 1:  # another run got there first: leave its result alone
                results.append({"upload_id": upload_id, "status": "skipped (concurrent)", "items": 0})
                continue
            conn.execute(schema.ootds.insert().values(
                ootd_id=ootd_id, user_id=row["user_id"], posted_at=row["created_at"], image_key=row["image_key"],
                width=img.width, height=img.height, description=row["description"], hashtags=row["hashtags"],
                source="upload"))
            if items:
                conn.execute(schema.ootd_items.insert(), [{
                    "ootd_id": ootd_id, "box_json": json.dumps(it["box"]), "super_category": it["super_category"],
                    "sub_category": it.get("sub_category"), "product_id": None,
                    "attributes_json": json.dumps(it.get("attributes", {}), sort_keys=True),
                    "origin": "detected", "score": float(it["score"])} for it in items])
        results.append({"upload_id": upload_id, "status": "processed", "ootd_id": ootd_id, "items": len(items),
                        "categories": ", ".join(f"{it['super_category']}/{it.get('sub_category')}" for it in items)})
    return results

"""The app database: users, products, outfit posts (OOTDs) with their items, follows, interactions
and uploads. SQLAlchemy Core, so the same code runs on SQLite (default) and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("user_id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("age_band", sa.String(16)), sa.Column("gender", sa.String(16)), sa.Column("body_shape", sa.String(32)),
    sa.Column("style_tags", sa.Text, nullable=False, default="[]"),
    sa.Column("taste", sa.Text, nullable=False, default="[]"),
)
products = sa.Table(
    "products", metadata,
    sa.Column("product_id", sa.String(32), primary_key=True),
    sa.Column("design_id", sa.String(32), nullable=False), sa.Column("shop_id", sa.String(32), nullable=False),
    sa.Column("title", sa.String(300), nullable=False), sa.Column("price", sa.Float, nullable=False),
    sa.Column("currency", sa.String(8), nullable=False), sa.Column("in_stock", sa.Boolean, nullable=False),
    sa.Column("super_category", sa.String(32), nullable=False), sa.Column("sub_category", sa.String(32), nullable=False),
    sa.Column("color", sa.String(32)), sa.Column("attributes_json", sa.Text, nullable=False),
    sa.Column("publish_day", sa.String(10), nullable=False),
)
ootds = sa.Table(
    "ootds", metadata,
    sa.Column("ootd_id", sa.String(40), primary_key=True),
    sa.Column("user_id", sa.String(32), sa.ForeignKey("users.user_id"), nullable=False),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("image_key", sa.String(400), nullable=False),
    sa.Column("width", sa.Integer), sa.Column("height", sa.Integer),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("hashtags", sa.Text, nullable=False, default="[]"),
    sa.Column("source", sa.String(16), nullable=False),  # world | upload
)
ootd_items = sa.Table(
    "ootd_items", metadata,
    sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ootd_id", sa.String(40), sa.ForeignKey("ootds.ootd_id"), nullable=False, index=True),
    sa.Column("box_json", sa.Text, nullable=False),
    sa.Column("super_category", sa.String(32), nullable=False), sa.Column("sub_category", sa.String(32)),
    sa.Column("product_id", sa.String(32)), sa.Column("attributes_json", sa.Text),
    sa.Column("origin", sa.String(16), nullable=False),  # ground_truth | detected
    sa.Column("score", sa.Float),
)
follows = sa.Table(
    "follows", metadata,
    sa.Column("follower_id", sa.String(32), primary_key=True), sa.Column("followee_id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)
interactions = sa.Table(
    "interactions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(32), nullable=False, index=True), sa.Column("ootd_id", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False), sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
)
uploads = sa.Table(
    "uploads", metadata,
    sa.Column("upload_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(32), sa.ForeignKey("users.user_id"), nullable=False),
    sa.Column("image_key", sa.String(400), nullable=False), sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""), sa.Column("hashtags", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default="pending"),  # pending | processed | failed
    sa.Column("error", sa.Text), sa.Column("ootd_id", sa.String(40)),
)


def create_schema(engine: sa.Engine) -> None:
    metadata.create_all(engine)


def _utc(value) -> datetime:
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return ts.tz_convert("UTC").to_pydatetime()


def load_world(engine: sa.Engine, world, world_prefix: str) -> dict:
    """Replace the world's rows (uploads and their OOTDs are kept). Returns row counts."""
    create_schema(engine)
    with engine.begin() as conn:
        world_ootds = sa.select(ootds.c.ootd_id).where(ootds.c.source == "world")
        conn.execute(ootd_items.delete().where(ootd_items.c.ootd_id.in_(world_ootds)))
        conn.execute(interactions.delete())
        conn.execute(follows.delete())
        conn.execute(ootds.delete().where(ootds.c.source == "world"))
        conn.execute(products.delete())
        uploaded_users = {r[0] for r in conn.execute(sa.select(ootds.c.user_id))} | {
            r[0] for r in conn.execute(sa.select(uploads.c.user_id))}
        conn.execute(users.delete().where(users.c.user_id.not_in(uploaded_users)))
        existing = {r[0] for r in conn.execute(sa.select(users.c.user_id))}
        rows = [{"user_id": u["user_id"], "name": u["name"], "age_band": u.get("age_band"), "gender": u.get("gender"),
                 "body_shape": u.get("body_shape"), "style_tags": json.dumps(u.get("style_tags", [])),
                 "taste": json.dumps(u.get("taste", []))} for u in world.users if u["user_id"] not in existing]
        if rows:
            conn.execute(users.insert(), rows)
        conn.execute(products.insert(), [{
            "product_id": p["product_id"], "design_id": p["design_id"], "shop_id": p["shop_id"], "title": p["title"],
            "price": float(p["price"]), "currency": p.get("currency", "EUR"), "in_stock": bool(p["in_stock"]),
            "super_category": p["super_category"], "sub_category": p["sub_category"],
            "color": p["attributes"].get("color"), "attributes_json": json.dumps(p["attributes"], sort_keys=True),
            "publish_day": p["publish_day"]} for p in world.products])
        conn.execute(ootds.insert(), [{
            "ootd_id": o["ootd_id"], "user_id": o["user_id"], "posted_at": _utc(o["posted_at"]),
            "image_key": f"{world_prefix}/{o['path']}", "width": o.get("width"), "height": o.get("height"),
            "description": o.get("description", ""), "hashtags": json.dumps(o.get("hashtags", [])),
            "source": "world"} for o in world.ootds])
        items = [{"ootd_id": o["ootd_id"], "box_json": json.dumps(it["box"]), "super_category": it["super_category"],
                  "sub_category": it["sub_category"], "product_id": it.get("product_id"),
                  "attributes_json": json.dumps(it.get("attributes", {}), sort_keys=True),
                  "origin": "ground_truth", "score": None} for o in world.ootds for it in o["items"]]
        if items:
            conn.execute(ootd_items.insert(), items)
        if world.follows:
            conn.execute(follows.insert(), [{"follower_id": f["follower_id"], "followee_id": f["followee_id"],
                                             "created_at": _utc(f["created_at"])} for f in world.follows])
        inter = world.interactions
        if len(inter):
            conn.execute(interactions.insert(), [
                {"user_id": u, "ootd_id": o, "kind": k, "ts": t.to_pydatetime()}
                for u, o, k, t in zip(inter.user_id, inter.ootd_id, inter.kind, inter.ts)])
    return {"users": len(world.users), "products": len(world.products), "ootds": len(world.ootds),
            "ootd_items": len(items), "follows": len(world.follows), "interactions": int(len(inter))}


def read_frame(engine: sa.Engine, table: sa.Table) -> pd.DataFrame:
    with engine.connect() as conn:
        df = pd.read_sql(sa.select(table), conn)
    for col in ("posted_at", "ts", "created_at"):
        if col in df.columns:
            df[col] = pd.to_datetime(df[col], utc=True)
    for col in ("hashtags", "style_tags", "taste"):
        if col in df.columns:
            df[col] = df[col].map(json.loads)
    return df


# -- uploads -------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MIN_SIDE = 64
MAX_DESCRIPTION = 2000
MAX_HASHTAGS = 30
_HASHTAG = re.compile(r"^#?[A-Za-z0-9_]{1,50}$")


def upload_ootd(engine: sa.Engine, store, user_id: str, image: bytes, description: str = "",
                hashtags: list[str] | tuple[str, ...] = ()) -> int:
    """Validate and store one outfit upload; returns its `upload_id` (status `pending`).

    Everything is checked before anything is written, so a rejected upload leaves no trace and
    an accepted one is stored whole. Raises ValueError with the reason for bad input.
    """
    from itoo.imaging import load_image_safe
    from resources.artifact_store import sha256_bytes

    if not isinstance(user_id, str) or not user_id:
        raise ValueError("user_id must be a non-empty string")
    if not isinstance(image, (bytes, bytearray)) or not image:
        raise ValueError("image must be non-empty bytes")
    if len(image) > MAX_UPLOAD_BYTES:
        raise ValueError(f"image is {len(image)} bytes; the limit is {MAX_UPLOAD_BYTES}")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise ValueError(f"description must be a string of at most {MAX_DESCRIPTION} characters")
    if isinstance(hashtags, str) or len(hashtags) > MAX_HASHTAGS:
        raise ValueError(f"hashtags must be a list of at most {MAX_HASHTAGS} tags")
    tags = []
    for t in hashtags:
        if not isinstance(t, str) or not _HASHTAG.match(t):
            raise ValueError(f"invalid hashtag {t!r}: use # followed by 1-50 letters, digits or _")
        tags.append("#" + t.lstrip("#").lower())
    img = load_image_safe(bytes(image))
    if min(img.size) < MIN_SIDE:
        raise ValueError(f"image is {img.width}x{img.height}; both sides must be at least {MIN_SIDE} px")
    create_schema(engine)
    with engine.connect() as conn:
        if conn.execute(sa.select(users.c.user_id).where(users.c.user_id == user_id)).first() is None:
            raise ValueError(f"unknown user {user_id!r}")
    digest = sha256_bytes(bytes(image))
    ref = store.write_bytes(f"uploads/{digest[:2]}/{digest}.img", bytes(image))
    with engine.begin() as conn:
        result = conn.execute(uploads.insert().values(
            user_id=user_id, image_key=ref.key, sha256=digest, description=description, hashtags=json.dumps(tags),
            created_at=datetime.now(timezone.utc), status="pending"))
        return int(result.inserted_primary_key[0])


def pending_uploads(engine: sa.Engine, after_id: int = 0, limit: int = 100) -> list[dict]:
    create_schema(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(uploads).where(uploads.c.upload_id > after_id, uploads.c.status == "pending")
                            .order_by(uploads.c.upload_id).limit(limit)).mappings().all()
    return [dict(r) for r in rows]

"""Outfit uploads: validation before anything is written, on SQLite and on PostgreSQL."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from itoo import app_db as schema
from resources import ArtifactStore, SqlDatabase


def jpeg(w=128, h=160, color=(200, 40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    eng = SqlDatabase(url).engine
    schema.metadata.drop_all(eng)
    schema.create_schema(eng)
    with eng.begin() as conn:
        conn.execute(schema.users.insert().values(user_id="u0001", name="Ada", style_tags="[]", taste="[]"))
    return eng


@pytest.fixture
def store(tmp_path):
    return ArtifactStore(str(tmp_path / "artifacts"))


def _uploads(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(schema.uploads)).mappings().all()


def test_upload_is_stored_and_pending(engine, store):
    uid = schema.upload_ootd(engine, store, "u0001", jpeg(), "my look", ["#Street", "navy"])
    rows = _uploads(engine)
    assert len(rows) == 1 and rows[0]["upload_id"] == uid and rows[0]["status"] == "pending"
    assert rows[0]["hashtags"] == '["#street", "#navy"]'
    assert store.read_bytes(rows[0]["image_key"], rows[0]["sha256"]) == jpeg()
    assert [u["upload_id"] for u in schema.pending_uploads(engine)] == [uid]
    assert schema.pending_uploads(engine, after_id=uid) == []


@pytest.mark.parametrize("kwargs, message", [
    ({"image": b"not an image at all"}, "image"),
    ({"image": b""}, "non-empty bytes"),
    ({"image": jpeg()[:200]}, "image"),  # truncated JPEG
    ({"image": jpeg(20, 20)}, "at least 64"),
    ({"user_id": "u9999"}, "unknown user"),
    ({"user_id": ""}, "user_id"),
    ({"description": "x" * 5000}, "description"),
    ({"hashtags": ["#ok", "bad tag!"]}, "invalid hashtag"),
    ({"hashtags": "#street"}, "list"),
    ({"hashtags": ["#a"] * 31}, "at most 30"),
])
def test_bad_uploads_are_refused_and_leave_no_trace(engine, store, kwargs, message):
    args = {"user_id": "u0001", "image": jpeg(), "description": "", "hashtags": []} | kwargs
    with pytest.raises(ValueError, match=message):
        schema.upload_ootd(engine, store, args["user_id"], args["image"], args["description"], args["hashtags"])
    assert _uploads(engine) == []
    assert not (store.base / "uploads").exists()


def test_decompression_bomb_is_refused(engine, store):
    buf = io.BytesIO()
    Image.new("L", (12000, 12000)).save(buf, format="PNG")  # 144 Mpx, a few hundred KB compressed
    with pytest.raises(ValueError):
        schema.upload_ootd(engine, store, "u0001", buf.getvalue())
    assert _uploads(engine) == []

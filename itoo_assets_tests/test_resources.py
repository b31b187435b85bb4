"""Artifact store (local and a real S3-compatible server) and SQL databases (SQLite, DuckDB, PostgreSQL)."""

import pandas as pd
import pytest

from resources import ArtifactStore, SqlDatabase
from resources.artifact_store import sha256_bytes


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return ArtifactStore(str(tmp_path / "artifacts"))
    url = request.getfixturevalue("s3_server")
    return ArtifactStore(f"s3://itoo-test/run-{tmp_path.name}", s3_endpoint_url=url, cache_dir=str(tmp_path / "cache"))


def test_store_roundtrip_checksums_and_publish(store, tmp_path):
    ref = store.write_bytes("models/x/v1/model.onnx", b"weights")
    assert ref.sha256 == sha256_bytes(b"weights") and ref.bytes == 7
    assert store.read_bytes("models/x/v1/model.onnx", ref.sha256) == b"weights"
    assert store.exists("models/x/v1/model.onnx") and not store.exists("models/x/v2/model.onnx")
    with pytest.raises(ValueError, match="checksum mismatch"):
        store.read_bytes("models/x/v1/model.onnx", "0" * 64)
    store.publish("models/x", {"version": "v1"})
    store.write_bytes("models/x/v2/model.onnx", b"newer")
    assert store.current("models/x") == {"version": "v1"}  # writing v2 does not switch serving
    store.publish("models/x", {"version": "v2"})
    assert store.current("models/x")["version"] == "v2"
    assert store.local_file("models/x/v1/model.onnx", ref.sha256).read_bytes() == b"weights"


def test_store_directories(store, tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "a" / "one.txt").write_text("1")
    (src / "two.txt").write_text("2")
    refs = store.put_dir("dir/v1", src)
    assert sorted(r.key for r in refs) == ["dir/v1/a/one.txt", "dir/v1/two.txt"]
    local = store.local_dir("dir/v1")
    assert (local / "a" / "one.txt").read_text() == "1"
    with pytest.raises(FileNotFoundError):
        store.local_dir("dir/nothing")


@pytest.mark.parametrize("key", ["../escape", "/abs/path", "a/../../b", "", "a//b", "a b", "a/./b", "x\\y"])
def test_store_rejects_bad_keys(store, key):
    with pytest.raises(ValueError, match="invalid artifact key"):
        store.write_bytes(key, b"x")


def test_store_missing_artifact_is_clear(store):
    with pytest.raises(FileNotFoundError, match="not found"):
        store.read_bytes("no/such/key")


def test_store_rejects_bad_roots():
    with pytest.raises(ValueError):
        ArtifactStore("")
    with pytest.raises(ValueError, match="names no bucket"):
        ArtifactStore("s3://")


@pytest.fixture(params=["sqlite", "duckdb", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return SqlDatabase(f"sqlite:///{tmp_path / 'w.sqlite'}")
    if request.param == "duckdb":
        return SqlDatabase(f"duckdb:///{tmp_path / 'w.duckdb'}")
    return SqlDatabase(request.getfixturevalue("postgres_url"))


def test_replace_partition_is_idempotent(db):
    day1 = pd.DataFrame({"crawl_day": ["2026-11-01"] * 3, "image_id": ["a", "b", "c"], "n": [1, 2, 3]})
    day2 = pd.DataFrame({"crawl_day": ["2026-11-02"] * 2, "image_id": ["d", "e"], "n": [4, 5]})
    db.replace_partition("t_images", day1, "crawl_day", "2026-11-01")
    db.replace_partition("t_images", day2, "crawl_day", "2026-11-02")
    db.replace_partition("t_images", day1, "crawl_day", "2026-11-01")  # rerun of day 1
    df = db.read_sql("SELECT crawl_day, COUNT(*) AS n FROM t_images GROUP BY crawl_day ORDER BY crawl_day")
    assert df.n.tolist() == [3, 2]
    assert db.read_table("t_images").n.sum() == 15
    with pytest.raises(LookupError, match="materialize"):
        db.read_table("never_written")


def test_database_url_garbage():
    with pytest.raises(ValueError, match="not a SQLAlchemy URL"):
        SqlDatabase("warehouse.db")


@pytest.mark.parametrize("name", ["t; DROP TABLE x", "1abc", "a-b", "", "x" * 80])
def test_sql_identifiers_are_checked(tmp_path, name):
    db = SqlDatabase(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with pytest.raises(ValueError, match="invalid SQL identifier"):
        db.replace_partition(name, pd.DataFrame({"a": [1]}))

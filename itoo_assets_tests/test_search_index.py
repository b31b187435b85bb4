"""Real hnswlib indexes on small clustered data (whole file runs in a few seconds on 1 core)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from itoo.search_index import (
    CategoryIndexes,
    IndexIntegrityError,
    ShardedIndex,
    build_category_indexes,
    build_index,
    exact_search,
    recall_at_k,
)

N, D, N_CLUSTERS = 5000, 48, 40


def _clustered(n=N, d=D, n_clusters=N_CLUSTERS, noise=0.6, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(n_clusters, d))
    lab = rng.integers(0, n_clusters, n)
    x = (centers[lab] + noise * rng.normal(size=(n, d))).astype(np.float32)
    ids = [f"p{i:05d}" for i in range(n)]
    return x, ids, centers, rng


@pytest.fixture(scope="module")
def data():
    x, ids, centers, rng = _clustered()
    q = (centers[rng.integers(0, N_CLUSTERS, 300)] + 0.6 * rng.normal(size=(300, D))).astype(np.float32)
    return x, ids, q


@pytest.fixture(scope="module")
def index(data):
    x, ids, _ = data
    return build_index(x, ids)


def test_hnsw_recall_at_10(data, index):
    x, ids, q = data
    assert index.kind == "hnsw" and len(index) == N and index.dim == D
    r = recall_at_k(index, x, ids, q, k=10)
    assert r >= 0.95, r


def test_scores_are_cosine_and_sorted(data, index):
    x, ids, q = data
    got_ids, got_sc = index.search(q[:5], 7)
    assert got_sc.shape == (5, 7) and got_sc.dtype == np.float32
    assert np.all(np.diff(got_sc, axis=1) <= 1e-6)
    pos = {i: n for n, i in enumerate(ids)}
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    qn = q[:5] / np.linalg.norm(q[:5], axis=1, keepdims=True)
    for row, (r_ids, r_sc) in enumerate(zip(got_ids, got_sc)):
        cos = xn[[pos[i] for i in r_ids]] @ qn[row]
        np.testing.assert_allclose(cos, r_sc, atol=1e-4)
    # a stored vector (scaled) finds itself first with score ~1
    ids1, sc1 = index.search(3.0 * x[[123]], 1)
    assert ids1 == [["p00123"]] and sc1[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_sharded_matches_single_shard(data, index):
    x, ids, q = data
    sharded = build_index(x, ids, shard_size=1300)
    assert sharded.kind == "sharded_hnsw" and len(sharded.shards) == 4 and len(sharded) == N
    assert recall_at_k(sharded, x, ids, q, k=10) >= 0.95
    a, _ = index.search(q, 10)
    b, sb = sharded.search(q, 10)
    overlap = np.mean([len(set(u) & set(v)) / 10 for u, v in zip(a, b)])
    assert overlap >= 0.95, overlap
    assert sb.shape == (len(q), 10) and np.all(np.diff(sb, axis=1) <= 1e-6)


def test_exact_path_below_threshold():
    x, ids, _, rng = _clustered(n=200, seed=1)
    ix = build_index(x, ids, exact_below=256)
    assert ix.kind == "exact" and ix.shards[0].hnsw is None
    q = rng.normal(size=(20, D))
    got, sc = ix.search(q, 10)
    want, wsc = exact_search(x, ids, q, 10)
    assert got == want
    np.testing.assert_allclose(sc, wsc, atol=1e-6)
    assert recall_at_k(ix, x, ids, q, 10) == 1.0
    # k larger than N → k' = N
    got, sc = ix.search(q[:2], 500)
    assert sc.shape == (2, 200) and all(len(r) == 200 for r in got)


def test_allowed_filter(data, index):
    x, ids, q = data
    allowed = lambda i: i.endswith("3")  # noqa: E731  (10% of ids)
    for ix in (index, build_index(x, ids, shard_size=2500)):
        got, sc = ix.search(q[:30], 10, allowed=allowed)
        assert all(i.endswith("3") for row in got for i in row)
        want, _ = exact_search(x, ids, q[:30], 10, allowed=allowed)
        rec = np.mean([len(set(g) & set(w)) / len(w) for g, w in zip(got, want)])
        assert rec >= 0.9, rec
    # a filter with only two matches: short id rows, -inf padding
    got, sc = index.search(q[:3], 5, allowed=lambda i: i in {"p00010", "p04000"})
    assert all(sorted(r) == ["p00010", "p04000"] for r in got)
    assert sc.shape == (3, 5) and np.isneginf(sc[:, 2:]).all() and np.isfinite(sc[:, :2]).all()


def test_save_load_roundtrip_and_tamper(tmp_path, data):
    x, ids, q = data
    ix = build_index(x[:3000], ids[:3000], shard_size=1600)
    manifest = ix.save(tmp_path / "ix")
    assert manifest["count"] == 3000 and manifest["dim"] == D and manifest["index_kind"] == "sharded_hnsw"
    assert manifest["params"]["shard_size"] == 1600
    assert all(len(m["sha256"]) == 64 and m["bytes"] > 0 for m in manifest["files"].values())
    assert not list((tmp_path / "ix").glob("*.tmp"))
    json.dumps(manifest)  # JSON-able for asset metadata
    loaded = ShardedIndex.load(tmp_path / "ix", manifest)
    a, sa = ix.search(q[:50], 10)
    b, sb = loaded.search(q[:50], 10)
    assert a == b
    np.testing.assert_allclose(sa, sb)
    assert ShardedIndex.load(tmp_path / "ix").search(q[:5], 3)[0] == a_first(a, 3, 5)

    # tamper: flip one byte of an hnsw file → checksum error naming the file
    victim = next(n for n in manifest["files"] if n.endswith(".hnsw.bin"))
    p = tmp_path / "ix" / victim
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    p.write_bytes(bytes(raw))
    with pytest.raises(IndexIntegrityError, match="checksum"):
        ShardedIndex.load(tmp_path / "ix", manifest)
    p.unlink()
    with pytest.raises(IndexIntegrityError, match="missing"):
        ShardedIndex.load(tmp_path / "ix", manifest)


def a_first(rows, k, q):
    return [r[:k] for r in rows[:q]]


def test_exact_save_load(tmp_path):
    x, ids, _, rng = _clustered(n=100, seed=2)
    ix = build_index(x, ids)
    m = ix.save(tmp_path)
    assert m["index_kind"] == "exact"
    q = rng.normal(size=(4, D))
    assert ShardedIndex.load(tmp_path, m).search(q, 5)[0] == ix.search(q, 5)[0]
    (tmp_path / "shard000.ids.json").write_text(json.dumps(list(reversed(ids))))  # same size, new content
    with pytest.raises(IndexIntegrityError, match="checksum"):
        ShardedIndex.load(tmp_path, m)


def test_category_indexes(tmp_path):
    x, ids, _, rng = _clustered(n=1200, seed=3)
    cats = np.where(np.arange(1200) < 1000, "top", "shoes")
    ci = build_category_indexes(x, ids, cats, exact_below=256)
    assert isinstance(ci, CategoryIndexes) and set(ci) == {"top", "shoes"}
    assert ci["top"].kind == "hnsw" and ci["shoes"].kind == "exact"
    got, _ = ci.search("shoes", x[[1100]], 3)
    assert got[0][0] == "p01100" and all(int(i[1:]) >= 1000 for i in got[0])
    with pytest.raises(ValueError, match=r"unknown category 'dress'.*shoes.*top"):
        ci.search("dress", x[:1], 3)
    m = ci.save(tmp_path)
    back = CategoryIndexes.load(tmp_path, m)
    assert back.search("top", x[:5], 4)[0] == ci.search("top", x[:5], 4)[0]
    bad = json.loads(json.dumps(m))
    bad["categories"]["top"]["manifest"]["files"]["shard000.ids.json"]["sha256"] = "0" * 64
    with pytest.raises(IndexIntegrityError):
        CategoryIndexes.load(tmp_path, bad)


def test_garbage_inputs(index):
    x, ids, _, _ = _clustered(n=300, seed=4)
    bad = x.copy()
    bad[7, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        build_index(bad, ids)
    bad = x.copy()
    bad[9] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        build_index(bad, ids)
    bad = x.copy()
    bad[5] = 0
    with pytest.raises(ValueError, match="all-zero"):
        build_index(bad, ids)
    with pytest.raises(ValueError, match="dimension"):
        index.search(np.ones((2, D + 1)), 5)
    with pytest.raises(ValueError, match="NaN"):
        index.search(np.full((1, D), np.nan), 5)
    for k in (0, -3, 2.5):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            index.search(x[:1, :D], k)
    with pytest.raises(ValueError, match="ids"):
        build_index(x, ids[:-1])
    with pytest.raises(ValueError, match="unique"):
        build_index(x[:2], ["a", "a"])
    with pytest.raises(ValueError, match="0 vectors"):
        build_index(np.zeros((0, 4), np.float32), [])
    with pytest.raises(ValueError, match="2-D"):
        build_index(x[0], ["a"])
    with pytest.raises(ValueError, match="categories"):
        build_category_indexes(x, ids, ["top"] * 10)

"""Per-super-category vector search: exact numpy below a size threshold, hnswlib above, sharded
hnswlib above ``shard_size``.

Similarity is cosine: every stored vector and every query is L2-normalised here, and scores are
inner products of unit vectors (1.0 = same direction). hnswlib runs in space ``'ip'`` so its
distance is ``1 - score``.

Public API
----------
- ``build_index(vectors, ids, *, shard_size, exact_below, M, ef_construction, ef_search, seed)``
- ``ShardedIndex.search(queries, k, allowed=None) -> (ids, scores)``; ``len(index)``; ``index.dim``
- ``ShardedIndex.save(directory) -> manifest``; ``ShardedIndex.load(directory, manifest)``
- ``exact_search(vectors, ids, queries, k, allowed=None)``; ``recall_at_k(index, vectors, ids, queries, k)``
- ``CategoryIndexes`` / ``build_category_indexes(vectors, ids, categories, **params)``

Result shape: ``ids`` is a list of Q lists; ``scores`` is float32 ``(Q, k')`` with
``k' = min(k, N)``, best first. With an ``allowed`` filter a row may have fewer than k' matches:
its id list is shorter and the missing scores are ``-inf``.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from itoo.checksums import sha256_file

__all__ = [
    "ShardedIndex",
    "CategoryIndexes",
    "IndexIntegrityError",
    "build_index",
    "build_category_indexes",
    "exact_search",
    "recall_at_k",
    "normalize_rows",
]

MANIFEST_KIND = "itoo.sharded_index"
CATEGORY_MANIFEST_KIND = "itoo.category_indexes"
FORMAT_VERSION = 1
_QUERY_CHUNK = 1024  # queries per exact-search matmul block (bounds memory to chunk x N floats)

Allowed = Callable[[str], bool] | None


class IndexIntegrityError(ValueError):
    """A saved index does not match its manifest (missing file, wrong size or checksum)."""


# ----------------------------------------------------------------------------------- validation


def normalize_rows(x: np.ndarray, *, name: str = "vectors", dim: int | None = None) -> np.ndarray:
    """Return a float32 C-contiguous copy of ``x`` (2-D) with unit L2 rows.

    Raises ValueError for non-2-D input, a dimension other than ``dim``, NaN/inf values or
    all-zero rows (cosine similarity is undefined for them)."""
    arr = np.asarray(x)
    if arr.ndim == 1 and dim is not None and arr.shape[0] == dim:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (N, d); got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has dimension 0")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} have dimension {arr.shape[1]}, the index has dimension {dim}")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(f"{name} contain NaN or inf in {int(bad.sum())} row(s), e.g. rows {rows}")
    norms = np.linalg.norm(arr, axis=1)
    zero = norms <= 1e-12
    if zero.any():
        rows = np.flatnonzero(zero)[:5].tolist()
        raise ValueError(f"{name} contain {int(zero.sum())} all-zero row(s) (no direction), e.g. rows {rows}")
    return np.ascontiguousarray((arr / norms[:, None]).astype(np.float32))


def _check_ids(ids: Sequence[str], n: int) -> np.ndarray:
    if isinstance(ids, (str, bytes)):
        raise ValueError("ids must be a sequence of strings, not a single string")
    arr = np.asarray(list(ids), dtype=object)
    if arr.shape != (n,):
        raise ValueError(f"got {arr.shape[0] if arr.ndim else 0} ids for {n} vectors")
    for i in arr:
        if not isinstance(i, str) or not i:
            raise ValueError(f"ids must be non-empty strings; got {i!r}")
    uniq, counts = np.unique(arr.astype(str), return_counts=True)
    if len(uniq) != n:
        raise ValueError(f"ids must be unique; {uniq[counts > 1][0]!r} appears more than once")
    return arr


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a positive integer; got {k!r}")
    if k <= 0:
        raise ValueError(f"k must be a positive integer; got {k}")
    return int(k)


# ---------------------------------------------------------------------------------- exact path


def _topk_exact(base: np.ndarray, queries: np.ndarray, k: int, mask: np.ndarray | None):
    """Top-k rows of ``base`` by inner product with each query. Returns (idx (Q,k) int64 with -1
    padding, scores (Q,k) float32 with -inf padding). ``base`` and ``queries`` are unit rows."""
    n = base.shape[0]
    q = queries.shape[0]
    k = min(k, n)
    out_idx = np.full((q, k), -1, dtype=np.int64)
    out_sc = np.full((q, k), -np.inf, dtype=np.float32)
    if n == 0 or k == 0:
        return out_idx, out_sc
    for s in range(0, q, _QUERY_CHUNK):
        sims = queries[s : s + _QUERY_CHUNK] @ base.T  # (c, n)
        if mask is not None:
            sims = np.where(mask[None, :], sims, -np.inf)
        if k < n:
            part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(n), (sims.shape[0], n))
        psc = np.take_along_axis(sims, part, axis=1)
        # stable order: score desc, then row index asc (deterministic ties)
        order = np.lexsort((part, -psc), axis=1)
        idx = np.take_along_axis(part, order, axis=1)
        sc = np.take_along_axis(psc, order, axis=1)
        idx = np.where(np.isfinite(sc), idx, -1)
        out_idx[s : s + sims.shape[0]] = idx
        out_sc[s : s + sims.shape[0]] = sc
    return out_idx, out_sc


def _allowed_mask(ids: np.ndarray, allowed: Allowed) -> np.ndarray | None:
    if allowed is None:
        return None
    if not callable(allowed):
        raise ValueError("allowed must be a callable id -> bool or None")
    return np.fromiter((bool(allowed(i)) for i in ids), dtype=bool, count=len(ids))


def _to_result(ids: np.ndarray, idx: np.ndarray, sc: np.ndarray):
    out_ids = [[ids[j] for j in row if j >= 0] for row in idx]
    return out_ids, sc.astype(np.float32, copy=False)


def exact_search(
    vectors: np.ndarray,
    ids: Sequence[str],
    queries: np.ndarray,
    k: int,
    *,
    allowed: Allowed = None,
) -> tuple[list[list[str]], np.ndarray]:
    """Brute-force cosine top-k. Same return shape as ``ShardedIndex.search``."""
    k = _check_k(k)
    base = normalize_rows(vectors)
    id_arr = _check_ids(ids, base.shape[0])
    if base.shape[0] == 0:
        raise ValueError("cannot search an empty set of vectors")
    qs = normalize_rows(queries, name="queries", dim=base.shape[1])
    idx, sc = _topk_exact(base, qs, k, _allowed_mask(id_arr, allowed))
    return _to_result(id_arr, idx, sc)


# --------------------------------------------------------------------------------------- shards


@dataclass
class _Shard:
    kind: str  # "exact" | "hnsw"
    ids: np.ndarray  # object array of str
    vectors: np.ndarray | None = None  # exact shards keep their (unit) vectors
    hnsw: object | None = None  # hnswlib.Index for hnsw shards

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, k: int, ef: int, allowed: Allowed, num_threads: int):
        n = len(self.ids)
        k = min(k, n)
        mask = _allowed_mask(self.ids, allowed)
        if self.kind == "exact":
            return _topk_exact(self.vectors, queries, k, mask)
        if mask is not None:
            n_ok = int(mask.sum())
            if n_ok == 0:
                q = queries.shape[0]
                return np.full((q, k), -1, np.int64), np.full((q, k), -np.inf, np.float32)
            if n_ok <= max(k * 4, 64):
                # a very selective filter: exact over the few allowed vectors is both faster and
                # complete (graph search with a tight filter may fail to find k neighbours)
                sub = np.flatnonzero(mask)
                base = np.asarray(self.hnsw.get_items(sub.tolist()), dtype=np.float32)
                idx, sc = _topk_exact(base, queries, k, None)
                idx = np.where(idx >= 0, sub[np.clip(idx, 0, None)], -1)
                return idx, sc
            k = min(k, n_ok)
        return self._knn(queries, k, ef, mask, num_threads)

    def _knn(self, queries, k, ef, mask, num_threads):
        index = self.hnsw
        index.set_ef(max(ef, k))
        q = queries.shape[0]
        if mask is None:
            labels, dist = index.knn_query(queries, k=k, num_threads=num_threads)
            return labels.astype(np.int64), (1.0 - dist).astype(np.float32)
        filt = lambda label: bool(mask[label])  # noqa: E731
        out_idx = np.full((q, k), -1, np.int64)
        out_sc = np.full((q, k), -np.inf, np.float32)
        for i in range(q):
            kk = k
            while kk > 0:
                try:
                    labels, dist = index.knn_query(queries[i : i + 1], k=kk, num_threads=1, filter=filt)
                    break
                except RuntimeError:  # fewer than kk reachable allowed points: ask for fewer
                    kk //= 2
            if kk == 0:
                continue
            out_idx[i, :kk] = labels[0]
            out_sc[i, :kk] = 1.0 - dist[0]
        return out_idx, out_sc


def _new_hnsw(dim: int, n: int, M: int, ef_construction: int, seed: int):
    import hnswlib

    index = hnswlib.Index(space="ip", dim=dim)
    index.init_index(max_elements=max(n, 1), ef_construction=ef_construction, M=M, random_seed=seed)
    return index


# --------------------------------------------------------------------------------- ShardedIndex


@dataclass
class ShardedIndex:
    """Cosine top-k over one set of vectors, split into exact or hnswlib shards."""

    dim: int
    params: dict
    shards: list[_Shard] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(s) for s in self.shards)

    @property
    def kind(self) -> str:
        kinds = {s.kind for s in self.shards}
        if kinds == {"exact"}:
            return "exact"
        return "hnsw" if len(self.shards) == 1 else "sharded_hnsw"

    @property
    def ids(self) -> list[str]:
        return [i for s in self.shards for i in s.ids]

    def search(
        self,
        queries: np.ndarray,
        k: int,
        *,
        allowed: Allowed = None,
        ef_search: int | None = None,
        num_threads: int = 1,
    ) -> tuple[list[list[str]], np.ndarray]:
        """Top-k ids and cosine scores per query (best first). See the module doc for shapes."""
        k = _check_k(k)
        qs = normalize_rows(queries, name="queries", dim=self.dim)
        ef = int(ef_search if ef_search is not None else self.params.get("ef_search", 64))
        kk = min(k, len(self))
        parts_idx, parts_sc, off = [], [], 0
        all_ids = []
        for shard in self.shards:
            idx, sc = shard.search(qs, kk, ef, allowed, num_threads)
            parts_idx.append(np.where(idx >= 0, idx + off, -1))
            parts_sc.append(sc)
            all_ids.append(shard.ids)
            off += len(shard)
        ids = np.concatenate(all_ids) if len(all_ids) > 1 else all_ids[0]
        if len(parts_idx) == 1:
            idx, sc = parts_idx[0], parts_sc[0]
            if idx.shape[1] < kk:  # a filter left fewer matches than k in total
                pad = kk - idx.shape[1]
                idx = np.pad(idx, ((0, 0), (0, pad)), constant_values=-1)
                sc = np.pad(sc, ((0, 0), (0, pad)), constant_values=-np.inf)
            return _to_result(ids, idx, sc)
        idx = np.concatenate(parts_idx, axis=1)
        sc = np.concatenate(parts_sc, axis=1)
        order = np.lexsort((np.where(idx >= 0, idx, np.iinfo(np.int64).max), -sc), axis=1)[:, :kk]
        idx = np.take_along_axis(idx, order, axis=1)
        sc = np.take_along_axis(sc, order, axis=1)
        return _to_result(ids, idx, sc)

    # ---------------------------------------------------------------------------- persistence

    def save(self, directory: str | os.PathLike) -> dict:
        """Write the index under ``directory`` and return its manifest (JSON-able dict).

        Every file is written to a temporary name in the same directory and moved into place with
        ``os.replace``, so readers never see a half-written file. The manifest lists each file's
        sha256 and size; ``load`` checks them. Also writes ``manifest.json`` for convenience."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        files: dict[str, dict] = {}
        shard_meta = []
        for i, shard in enumerate(self.shards):
            ids_name = f"shard{i:03d}.ids.json"
            files[ids_name] = _atomic_write_bytes(d / ids_name, json.dumps(list(shard.ids)).encode())
            if shard.kind == "exact":
                data_name = f"shard{i:03d}.vectors.npy"

                def _w(p, arr=shard.vectors):
                    with open(p, "wb") as f:
                        np.save(f, arr, allow_pickle=False)

                files[data_name] = _atomic_write(d / data_name, _w)
            else:
                data_name = f"shard{i:03d}.hnsw.bin"
                files[data_name] = _atomic_write(d / data_name, lambda p, ix=shard.hnsw: ix.save_index(str(p)))
            shard_meta.append({"kind": shard.kind, "count": len(shard), "ids": ids_name, "data": data_name})
        manifest = {
            "kind": MANIFEST_KIND,
            "format_version": FORMAT_VERSION,
            "index_kind": self.kind,
            "dim": self.dim,
            "count": len(self),
            "params": dict(self.params),
            "shards": shard_meta,
            "files": files,
        }
        _atomic_write_bytes(d / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        return manifest

    @classmethod
    def load(cls, directory: str | os.PathLike, manifest: Mapping | None = None) -> ShardedIndex:
        """Load an index saved by ``save``; verify every file against ``manifest`` first.

        ``manifest`` defaults to ``<directory>/manifest.json``; pass the one returned by ``save``
        (e.g. stored as asset metadata) to also detect a swapped manifest file."""
        import hnswlib

        d = Path(directory)
        manifest = _read_manifest(d, manifest, MANIFEST_KIND)
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexIntegrityError(f"unsupported index format_version {manifest.get('format_version')!r}")
        _verify_files(d, manifest["files"])
        dim = int(manifest["dim"])
        params = dict(manifest["params"])
        shards = []
        for meta in manifest["shards"]:
            ids = np.asarray(json.loads((d / meta["ids"]).read_text()), dtype=object)
            if len(ids) != meta["count"]:
                raise IndexIntegrityError(f"{meta['ids']}: {len(ids)} ids, manifest says {meta['count']}")
            if meta["kind"] == "exact":
                vec = np.load(d / meta["data"], allow_pickle=False)
                if vec.shape != (len(ids), dim):
                    raise IndexIntegrityError(f"{meta['data']}: shape {vec.shape}, expected {(len(ids), dim)}")
                shards.append(_Shard("exact", ids, vectors=np.ascontiguousarray(vec, dtype=np.float32)))
            elif meta["kind"] == "hnsw":
                index = hnswlib.Index(space="ip", dim=dim)
                index.load_index(str(d / meta["data"]), max_elements=max(len(ids), 1))
                if index.get_current_count() != len(ids):
                    raise IndexIntegrityError(
                        f"{meta['data']}: {index.get_current_count()} vectors, manifest says {len(ids)}"
                    )
                index.set_ef(int(params.get("ef_search", 64)))
                shards.append(_Shard("hnsw", ids, hnsw=index))
            else:
                raise IndexIntegrityError(f"unknown shard kind {meta['kind']!r}")
        out = cls(dim=dim, params=params, shards=shards)
        if len(out) != manifest["count"]:
            raise IndexIntegrityError(f"loaded {len(out)} vectors, manifest says {manifest['count']}")
        return out


def build_index(
    vectors: np.ndarray,
    ids: Sequence[str],
    *,
    shard_size: int = 50_000,
    exact_below: int = 256,
    M: int = 16,
    ef_construction: int = 200,
    ef_search: int = 64,
    seed: int = 0,
    num_threads: int = 1,
) -> ShardedIndex:
    """Build a cosine index. ``N < exact_below`` → one exact numpy shard; otherwise hnswlib,
    split into ``ceil(N / shard_size)`` near-equal shards. ``num_threads=1`` (default) makes the
    hnswlib graphs reproducible for a given ``seed``; more threads build faster but not bit-exactly."""
    for name, v, lo in (
        ("shard_size", shard_size, 1),
        ("exact_below", exact_below, 0),
        ("M", M, 2),
        ("ef_construction", ef_construction, 1),
        ("ef_search", ef_search, 1),
    ):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}; got {v!r}")
    base = normalize_rows(vectors)
    n, dim = base.shape
    if n == 0:
        raise ValueError("cannot build an index over 0 vectors")
    id_arr = _check_ids(ids, n)
    params = {
        "shard_size": int(shard_size),
        "exact_below": int(exact_below),
        "M": int(M),
        "ef_construction": int(ef_construction),
        "ef_search": int(ef_search),
        "seed": int(seed),
        "metric": "cosine",
    }
    if n < exact_below:
        return ShardedIndex(dim=dim, params=params, shards=[_Shard("exact", id_arr, vectors=base)])
    n_shards = math.ceil(n / shard_size)
    bounds = np.linspace(0, n, n_shards + 1).round().astype(int)
    shards = []
    for s, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        index = _new_hnsw(dim, b - a, int(M), int(ef_construction), int(seed) + s)
        index.add_items(base[a:b], np.arange(b - a), num_threads=num_threads)
        index.set_ef(int(ef_search))
        shards.append(_Shard("hnsw", id_arr[a:b], hnsw=index))
    return ShardedIndex(dim=dim, params=params, shards=shards)


def recall_at_k(
    index: ShardedIndex, vectors: np.ndarray, ids: Sequence[str], queries: np.ndarray, k: int = 10
) -> float:
    """Mean fraction of the exact top-k ids that ``index.search`` also returns (ties at the k-th
    score count as found)."""
    k = _check_k(k)
    exact_ids, exact_sc = exact_search(vectors, ids, queries, k)
    got_ids, got_sc = index.search(queries, k)
    total, hit = 0, 0
    for e_ids, e_sc, g_ids, g_sc in zip(exact_ids, exact_sc, got_ids, got_sc):
        total += len(e_ids)
        g = set(g_ids)
        kth = e_sc[len(e_ids) - 1] if len(e_ids) else np.inf
        found = sum(1 for i in e_ids if i in g)
        # an approximate result with a score equal to the k-th exact one is a tie, not a miss
        extra = sum(1 for i, s in zip(g_ids, g_sc) if i not in set(e_ids) and s >= kth - 1e-6)
        hit += min(len(e_ids), found + extra)
    return hit / total if total else 1.0


# ------------------------------------------------------------------------------ CategoryIndexes


_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SAFE_DIR = re.compile(r"[A-Za-z0-9_-]+")


class CategoryIndexes(Mapping):
    """super_category → ShardedIndex, with category-checked search and one manifest for all."""

    def __init__(self, indexes: Mapping[str, ShardedIndex]):
        if not indexes:
            raise ValueError("CategoryIndexes needs at least one category")
        dims = {ix.dim for ix in indexes.values()}
        if len(dims) != 1:
            raise ValueError(f"all category indexes must share one dimension; got {sorted(dims)}")
        self._indexes = dict(sorted(indexes.items()))

    def __getitem__(self, category: str) -> ShardedIndex:
        try:
            return self._indexes[category]
        except KeyError:
            raise ValueError(f"unknown category {category!r}; known: {sorted(self._indexes)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._indexes)

    def __len__(self) -> int:
        return len(self._indexes)

    @property
    def dim(self) -> int:
        return next(iter(self._indexes.values())).dim

    def search(self, category: str, queries: np.ndarray, k: int, **kwargs):
        return self[category].search(queries, k, **kwargs)

    def save(self, directory: str | os.PathLike) -> dict:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        cats = {}
        for i, (cat, ix) in enumerate(self._indexes.items()):
            sub = f"{i:02d}_{_SAFE.sub('_', cat)[:40]}"
            cats[cat] = {"dir": sub, "manifest": ix.save(d / sub)}
        manifest = {"kind": CATEGORY_MANIFEST_KIND, "format_version": FORMAT_VERSION, "dim": self.dim,
                    "count": sum(len(ix) for ix in self._indexes.values()), "categories": cats}
        _atomic_write_bytes(d / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        return manifest

    @classmethod
    def load(cls, directory: str | os.PathLike, manifest: Mapping | None = None) -> CategoryIndexes:
        d = Path(directory)
        manifest = _read_manifest(d, manifest, CATEGORY_MANIFEST_KIND)
        out = {}
        for c, m in manifest["categories"].items():
            if not _SAFE_DIR.fullmatch(str(m["dir"])):
                raise IndexIntegrityError(f"manifest names an unsafe directory {m['dir']!r} for category {c!r}")
            out[c] = ShardedIndex.load(d / m["dir"], m["manifest"])
        return cls(out)


def build_category_indexes(
    vectors: np.ndarray, ids: Sequence[str], categories: Sequence[str], **params
) -> CategoryIndexes:
    """One ShardedIndex per distinct value of ``categories`` (aligned with ``vectors``/``ids``);
    ``params`` go to ``build_index``."""
    arr = np.asarray(vectors)
    if arr.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array (N, d); got shape {arr.shape}")
    cats = np.asarray(list(categories), dtype=object)
    if cats.shape != (arr.shape[0],):
        raise ValueError(f"got {len(cats)} categories for {arr.shape[0]} vectors")
    if arr.shape[0] == 0:
        raise ValueError("cannot build category indexes over 0 vectors")
    for c in set(cats.tolist()):
        if not isinstance(c, str) or not c:
            raise ValueError(f"categories must be non-empty strings; got {c!r}")
    id_arr = _check_ids(ids, arr.shape[0])
    out = {}
    for c in sorted(set(cats.tolist())):
        sel = np.flatnonzero(cats == c)
        out[c] = build_index(arr[sel], id_arr[sel].tolist(), **params)
    return CategoryIndexes(out)


# ------------------------------------------------------------------------------------ file utils


def _atomic_write(path: Path, writer: Callable[[Path], None]) -> dict:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        entry = {"sha256": sha256_file(tmp), "bytes": os.path.getsize(tmp)}
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return entry


def _atomic_write_bytes(path: Path, data: bytes) -> dict:
    def w(p: Path) -> None:
        with open(p, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    return _atomic_write(path, w)


def _read_manifest(d: Path, manifest: Mapping | None, kind: str) -> Mapping:
    """The given manifest, else ``<d>/manifest.json``; either must be of ``kind``."""
    if manifest is None:
        mpath = d / "manifest.json"
        if not mpath.is_file():
            raise IndexIntegrityError(f"no manifest given and {mpath} does not exist")
        manifest = json.loads(mpath.read_text())
    if manifest.get("kind") != kind:
        raise IndexIntegrityError(f"not a {kind} manifest (kind={manifest.get('kind')!r})")
    return manifest


def _verify_files(d: Path, files: Mapping[str, Mapping]) -> None:
    for name, meta in sorted(files.items()):
        if "/" in name or "\\" in name or name.startswith("."):
            raise IndexIntegrityError(f"manifest names an unsafe file path {name!r}")
        p = d / name
        if not p.is_file():
            raise IndexIntegrityError(f"index file missing: {p}")
        size = os.path.getsize(p)
        if size != meta["bytes"]:
            raise IndexIntegrityError(f"index file {p} has {size} bytes, manifest says {meta['bytes']}")
        digest = sha256_file(p)
        if digest != meta["sha256"]:
            raise IndexIntegrityError(f"index file {p} checksum mismatch (sha256 {digest[:12]}…, "
                                      f"manifest {meta['sha256'][:12]}…): the file was modified or corrupted")

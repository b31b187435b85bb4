"""Style vectors and CF-CBF recommendation tables for the OOTD feed and "style leaders to follow".

Inputs (pandas DataFrames, as read from the sample world, see docs/DATA_FORMATS.md):

- ``ootds``:        ootd_id, user_id, posted_at (tz-aware datetime, or ISO-8601 strings with offset), hashtags (list[str])
- ``interactions``: user_id, ootd_id, kind ∈ {view, like}, ts (tz-aware)
- ``follows``:      follower_id, followee_id (created_at optional)
- ``ootd_content``: optional {ootd_id: np.ndarray} content vectors (e.g. mean item embedding)

All times are compared in UTC. Naive datetimes, missing columns and empty inputs raise ValueError.

Public API
----------
``hashtag_tfidf``, ``ootd_style_vectors``, ``user_style_vectors``, ``temporal_split``,
``popularity_baseline``, ``cf_cbf_recommend``, ``hit_rate_at_k``, ``ndcg_at_k``, ``style_leaders``.
Recommendation tables have columns ``user_id, ootd_id, score, rank, reason`` (rank 1 = best).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "hashtag_tfidf",
    "ootd_style_vectors",
    "user_style_vectors",
    "temporal_split",
    "popularity_baseline",
    "cf_cbf_recommend",
    "hit_rate_at_k",
    "ndcg_at_k",
    "style_leaders",
    "normalize_hashtag",
    "DEFAULT_BLEND",
]

KIND_WEIGHTS = {"like": 1.0, "view": 0.2}
DEFAULT_BLEND = {"user_cf": 0.35, "item_cf": 0.15, "content": 0.40, "popularity": 0.10}
DEFAULT_LEADER_BLEND = {"latent": 0.5, "walk": 0.3, "popularity": 0.2}
REASONS = {
    "user_cf": "liked by users like you",
    "item_cf": "similar to posts you liked",
    "content": "matches your style",
    "popularity": "popular this week",
}
OOTD_COLS = ("ootd_id", "user_id", "posted_at", "hashtags")
INTERACTION_COLS = ("user_id", "ootd_id", "kind", "ts")
FOLLOW_COLS = ("follower_id", "followee_id")
REC_COLS = ("user_id", "ootd_id", "score", "rank", "reason")
_DAY = pd.Timedelta(days=1)


# ------------------------------------------------------------------------------------ validation


def _require(df: pd.DataFrame, name: str, cols: Iterable[str], *, allow_empty: bool = False) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame; got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; has {list(df.columns)}")
    if not allow_empty and len(df) == 0:
        raise ValueError(f"{name} is empty")


def _utc_series(s: pd.Series, name: str) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(s):
        try:
            s = pd.to_datetime(s, format="ISO8601")
        except (ValueError, TypeError) as e:
            raise ValueError(f"{name} must be timezone-aware datetimes: {e}") from None
    if getattr(s.dt, "tz", None) is None:
        raise ValueError(f"{name} holds naive datetimes; give UTC-aware times (e.g. '2026-11-03T09:15:00+00:00')")
    if s.isna().any():
        raise ValueError(f"{name} has {int(s.isna().sum())} missing value(s)")
    return s.dt.tz_convert("UTC")


def _utc_now(now, name: str = "now") -> pd.Timestamp:
    if now is None:
        raise ValueError(f"{name} is required")
    ts = pd.Timestamp(now)
    if ts.tzinfo is None:
        raise ValueError(f"{name}={now!r} is a naive datetime; give a UTC-aware time")
    return ts.tz_convert("UTC")


def _check_half_life(v: float, name: str = "half_life_days") -> float:
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive number; got {v!r}")
    return float(v)


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k <= 0:
        raise ValueError(f"k must be a positive integer; got {k!r}")
    return int(k)


def _clean_ootds(ootds: pd.DataFrame) -> pd.DataFrame:
    _require(ootds, "ootds", OOTD_COLS)
    df = ootds.loc[:, list(OOTD_COLS)].copy()
    df["posted_at"] = _utc_series(df["posted_at"], "ootds.posted_at")
    if df["ootd_id"].duplicated().any():
        raise ValueError(f"ootds.ootd_id has duplicates, e.g. {df.loc[df['ootd_id'].duplicated(), 'ootd_id'].iloc[0]!r}")
    df["ootd_id"] = df["ootd_id"].astype(str)
    df["user_id"] = df["user_id"].astype(str)
    return df.reset_index(drop=True)


def _clean_interactions(interactions: pd.DataFrame, name: str = "interactions", *, allow_empty=False) -> pd.DataFrame:
    _require(interactions, name, INTERACTION_COLS, allow_empty=allow_empty)
    df = interactions.loc[:, list(INTERACTION_COLS)].copy()
    if len(df):
        df["ts"] = _utc_series(df["ts"], f"{name}.ts")
    else:
        df["ts"] = pd.to_datetime(df["ts"], utc=True)
    kinds = set(df["kind"].unique()) - set(KIND_WEIGHTS)
    if kinds:
        raise ValueError(f"{name}.kind has unknown value(s) {sorted(map(str, kinds))}; expected view | like")
    df["user_id"] = df["user_id"].astype(str)
    df["ootd_id"] = df["ootd_id"].astype(str)
    return df.reset_index(drop=True)


def normalize_hashtag(tag: str) -> str:
    """'Street ' → '#street'; '#OOTD' → '#ootd'."""
    t = str(tag).strip().lstrip("#").strip().lower()
    return f"#{t}" if t else ""


def _tag_lists(hashtags: pd.Series) -> list[list[str]]:
    out = []
    for v in hashtags:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append([])
            continue
        if isinstance(v, str):
            v = v.split()
        out.append(sorted({t for t in (normalize_hashtag(x) for x in v) if t}))
    return out


def _decay(ts: pd.Series, now: pd.Timestamp, half_life_days: float) -> np.ndarray:
    age = ((now - ts) / _DAY).to_numpy(dtype=float)
    return np.power(0.5, np.clip(age, 0.0, None) / half_life_days)


def _l2_rows(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)


def _style_tags() -> set[str]:
    try:
        from itoo.taxonomy import load_taxonomy

        return {f"#{v}" for v in load_taxonomy().group("style").values}
    except Exception:  # pragma: no cover - taxonomy is packaged with itoo
        return set()


# ---------------------------------------------------------------------------------- style vectors


def hashtag_tfidf(
    ootds: pd.DataFrame,
    now,
    half_life_days: float = 14.0,
    shrinkage: float = 2.0,
) -> tuple[sp.csr_matrix, list[str]]:
    """Binary-TF × time-decayed, shrunk IDF hashtag matrix, rows L2-normalised.

    Document frequency counts each OOTD posted at or before ``now`` with weight
    ``0.5 ** (age_days / half_life_days)`` (later posts count 0), so a tag that was everywhere a
    month ago but is rare now is distinctive again. ``idf = log((1 + N_eff) / (1 + df)) + 1`` is
    then shrunk by ``df / (df + shrinkage)``: a tag seen on one or two posts is mostly noise
    (typos, one-off jokes) and should not dominate a style vector. Rows keep ``ootds`` order;
    vocab is sorted, tags are lower-cased with a leading '#'."""
    df = _clean_ootds(ootds)
    now = _utc_now(now)
    half_life_days = _check_half_life(half_life_days)
    if not np.isfinite(shrinkage) or shrinkage < 0:
        raise ValueError(f"shrinkage must be >= 0; got {shrinkage!r}")
    tags = _tag_lists(df["hashtags"])
    vocab = sorted({t for ts in tags for t in ts})
    col = {t: j for j, t in enumerate(vocab)}
    rows = np.repeat(np.arange(len(tags)), [len(t) for t in tags])
    cols = np.fromiter((col[t] for ts in tags for t in ts), dtype=np.int64, count=len(rows))
    tf = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(df), len(vocab)))
    w = _decay(df["posted_at"], now, half_life_days) * (df["posted_at"] <= now).to_numpy()
    dfreq = np.asarray(tf.T @ w).ravel()
    idf = np.log((1.0 + w.sum()) / (1.0 + dfreq)) + 1.0
    idf *= dfreq / (dfreq + shrinkage) if shrinkage > 0 else 1.0
    m = sp.csr_matrix(tf @ sp.diags(idf))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    m = sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ m
    m = sp.csr_matrix(m, dtype=np.float32)
    m.eliminate_zeros()
    return m, vocab


def _content_block(ids: Sequence[str], ootd_content: Mapping[str, np.ndarray]) -> np.ndarray:
    dims = {np.asarray(v).shape for v in ootd_content.values()}
    if len(dims) != 1 or len(next(iter(dims))) != 1:
        raise ValueError(f"ootd_content vectors must all be 1-D of one length; got shapes {sorted(dims)}")
    d = next(iter(dims))[0]
    out = np.zeros((len(ids), d), dtype=np.float64)
    for r, i in enumerate(ids):
        v = ootd_content.get(i)
        if v is not None:
            v = np.asarray(v, dtype=np.float64)
            if not np.isfinite(v).all():
                raise ValueError(f"ootd_content[{i!r}] has NaN or inf")
            out[r] = v
    return _l2_rows(out)


def ootd_style_vectors(
    ootds: pd.DataFrame,
    now,
    ootd_content: Mapping[str, np.ndarray] | None = None,
    *,
    content_weight: float = 0.5,
    half_life_days: float = 14.0,
    shrinkage: float = 2.0,
    max_tag_dim: int = 256,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """One style vector per OOTD (``ootds`` order): ``[sqrt(1-w)·tfidf, sqrt(w)·content]`` with
    both blocks L2-normalised (w = ``content_weight``), so rows are unit vectors when both blocks
    exist. If the vocabulary is larger than ``max_tag_dim`` the TF-IDF block is projected onto its
    top ``max_tag_dim`` singular directions (seeded truncated SVD) first. OOTDs with no hashtags
    and no content get a zero row. Returns ``(ootd_ids, float32 (n, d))``."""
    if not 0.0 <= content_weight <= 1.0:
        raise ValueError(f"content_weight must be in [0, 1]; got {content_weight!r}")
    df = _clean_ootds(ootds)
    tfidf, vocab = hashtag_tfidf(df, now, half_life_days, shrinkage)
    tag_block = _project_tags(tfidf, max_tag_dim, seed)
    ids = df["ootd_id"].to_numpy(dtype=object)
    if not ootd_content:
        return ids, _l2_rows(tag_block).astype(np.float32)
    content = _content_block(ids, ootd_content)
    has_tags = np.linalg.norm(tag_block, axis=1) > 0
    has_content = np.linalg.norm(content, axis=1) > 0
    wt = np.where(has_content, np.sqrt(1.0 - content_weight), 1.0)
    wc = np.where(has_tags, np.sqrt(content_weight), 1.0)
    out = np.hstack([_l2_rows(tag_block) * wt[:, None], content * wc[:, None]])
    return ids, out.astype(np.float32)


def _project_tags(tfidf: sp.csr_matrix, max_dim: int, seed: int) -> np.ndarray:
    n, v = tfidf.shape
    if v <= max_dim or min(n, v) <= max_dim + 1:
        return tfidf.toarray().astype(np.float64)
    from scipy.sparse.linalg import svds

    rng = np.random.default_rng(seed)
    m = tfidf.astype(np.float64)
    u, s, vt = svds(m, k=max_dim, v0=rng.uniform(-1, 1, min(m.shape)), random_state=seed)
    order = np.argsort(-s)
    return np.asarray(m @ vt[order].T)


def user_style_vectors(
    interactions: pd.DataFrame,
    ootd_ids: Sequence[str],
    ootd_vectors: np.ndarray,
    now,
    half_life_days: float = 7.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Recency-weighted mean of the style vectors of OOTDs each user liked (weight 1) or viewed
    (0.2), each interaction weighted by ``0.5 ** (age_days / half_life_days)``; interactions after
    ``now`` and on unknown OOTDs are ignored. Rows are L2-normalised (so dot products are
    cosines); users with no usable interaction are left out. Returns ``(user_ids, float32)``."""
    inter = _clean_interactions(interactions)
    now = _utc_now(now)
    half_life_days = _check_half_life(half_life_days)
    vecs = np.asarray(ootd_vectors, dtype=np.float64)
    ids = [str(i) for i in ootd_ids]
    if vecs.ndim != 2 or vecs.shape[0] != len(ids):
        raise ValueError(f"ootd_vectors must be (len(ootd_ids), d); got {vecs.shape} for {len(ids)} ids")
    pos = pd.Series(np.arange(len(ids)), index=pd.Index(ids))
    if pos.index.duplicated().any():
        raise ValueError("ootd_ids has duplicates")
    inter = inter[(inter["ts"] <= now) & inter["ootd_id"].isin(pos.index)]
    if inter.empty:
        return np.asarray([], dtype=object), np.zeros((0, vecs.shape[1]), np.float32)
    w = inter["kind"].map(KIND_WEIGHTS).to_numpy() * _decay(inter["ts"], now, half_life_days)
    users, uidx = np.unique(inter["user_id"].to_numpy(dtype=str), return_inverse=True)
    W = sp.csr_matrix((w, (uidx, pos.loc[inter["ootd_id"]].to_numpy())), shape=(len(users), len(ids)))
    tot = np.asarray(W.sum(axis=1)).ravel()
    mean = np.asarray(W @ vecs) / tot[:, None]
    out = _l2_rows(mean)
    keep = np.linalg.norm(out, axis=1) > 0
    return users[keep].astype(object), out[keep].astype(np.float32)


# ----------------------------------------------------------------------------- splits, baselines


def temporal_split(interactions: pd.DataFrame, cutoff) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``train`` = interactions with ts < cutoff, ``test`` = ts >= cutoff (both keep all columns)."""
    _require(interactions, "interactions", INTERACTION_COLS)
    cutoff = _utc_now(cutoff, "cutoff")
    ts = _utc_series(interactions["ts"], "interactions.ts")
    before = (ts < cutoff).to_numpy()
    out = interactions.reset_index(drop=True).assign(ts=ts.to_numpy())
    return out[before].reset_index(drop=True), out[~before].reset_index(drop=True)


def _popularity(inter: pd.DataFrame, item_pos: pd.Series, now: pd.Timestamp, half_life_days: float) -> np.ndarray:
    x = inter[inter["ootd_id"].isin(item_pos.index)]
    w = x["kind"].map(KIND_WEIGHTS).to_numpy() * _decay(x["ts"], now, half_life_days)
    return np.bincount(item_pos.loc[x["ootd_id"]].to_numpy(), weights=w, minlength=len(item_pos))


def popularity_baseline(
    train: pd.DataFrame,
    k: int,
    exclude_seen: bool = True,
    *,
    ootds: pd.DataFrame | None = None,
    now=None,
    users: Iterable[str] | None = None,
    half_life_days: float = 7.0,
) -> pd.DataFrame:
    """Everyone gets the same recency-decayed most-liked OOTDs (like 1, view 0.2, half-life
    ``half_life_days``), minus what they already interacted with when ``exclude_seen``.
    With ``ootds`` (and ``now``) it also drops OOTDs posted at/after ``now`` and the user's own.
    ``now`` defaults to just after the last train interaction; ``users`` to train's users."""
    k = _check_k(k)
    inter = _clean_interactions(train)
    now = _utc_now(now) if now is not None else inter["ts"].max() + pd.Timedelta(seconds=1)
    inter = inter[inter["ts"] < now]
    owner: dict[str, str] = {}
    if ootds is not None:
        od = _clean_ootds(ootds)
        od = od[od["posted_at"] < now]
        items = od["ootd_id"].to_numpy(dtype=object)
        owner = dict(zip(od["ootd_id"], od["user_id"]))
    else:
        items = np.unique(inter["ootd_id"].to_numpy(dtype=str)).astype(object)
    item_pos = pd.Series(np.arange(len(items)), index=pd.Index(items))
    pop = _popularity(inter, item_pos, now, _check_half_life(half_life_days))
    order = np.lexsort((np.arange(len(items)), -pop))
    order = order[pop[order] > 0]
    seen = inter.groupby("user_id")["ootd_id"].agg(set).to_dict() if exclude_seen else {}
    user_list = sorted(set(inter["user_id"]) | set(map(str, users if users is not None else [])))
    rows = []
    top = pop[order[0]] if len(order) else 1.0
    for u in user_list:
        s = seen.get(u, set())
        r = 0
        for j in order:
            i = items[j]
            if i in s or owner.get(i) == u:
                continue
            r += 1
            rows.append((u, i, float(pop[j] / top), r, REASONS["popularity"]))
            if r == k:
                break
    return _rec_frame(rows)


def _rec_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(REC_COLS))
    return df.astype({"user_id": object, "ootd_id": object, "score": float, "rank": int, "reason": object})


# ------------------------------------------------------------------------------------ CF + CBF


def _blend_weights(alpha) -> dict[str, float]:
    if alpha is None:
        w = dict(DEFAULT_BLEND)
    elif isinstance(alpha, Mapping):
        unknown = set(alpha) - set(DEFAULT_BLEND)
        if unknown:
            raise ValueError(f"alpha has unknown component(s) {sorted(unknown)}; use {sorted(DEFAULT_BLEND)}")
        w = {c: float(alpha.get(c, 0.0)) for c in DEFAULT_BLEND}
    else:
        a = float(alpha)
        if not 0.0 <= a <= 1.0:
            raise ValueError(f"alpha (share of collaborative filtering) must be in [0, 1]; got {alpha!r}")
        w = {"user_cf": 0.9 * a * 0.7, "item_cf": 0.9 * a * 0.3, "content": 0.9 * (1 - a), "popularity": 0.1}
    if any(v < 0 or not np.isfinite(v) for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"blend weights must be >= 0 with a positive sum; got {w}")
    return w


def _topk_rows(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of each row of a CSR matrix."""
    m = sp.csr_matrix(m)
    m.eliminate_zeros()
    counts = np.diff(m.indptr)
    if counts.max(initial=0) <= k:
        return m
    data, indices, indptr = [], [], [0]
    for r in range(m.shape[0]):
        a, b = m.indptr[r], m.indptr[r + 1]
        d, ix = m.data[a:b], m.indices[a:b]
        if b - a > k:
            sel = np.argpartition(-d, k - 1)[:k]
            d, ix = d[sel], ix[sel]
        data.append(d)
        indices.append(ix)
        indptr.append(indptr[-1] + len(d))
    return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), np.asarray(indptr)), shape=m.shape)


def _row_max_normalise(x: np.ndarray) -> np.ndarray:
    mx = x.max(axis=1, keepdims=True) if x.shape[1] else np.zeros((x.shape[0], 1))
    return np.divide(x, mx, out=np.zeros_like(x), where=mx > 0)


def _l2_sparse_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    n = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(np.divide(1.0, n, out=np.zeros_like(n), where=n > 0)) @ m)


def cf_cbf_recommend(
    train: pd.DataFrame,
    ootds: pd.DataFrame,
    now,
    k: int = 10,
    alpha: float | Mapping[str, float] | None = None,
    ootd_content: Mapping[str, np.ndarray] | None = None,
    *,
    users: Iterable[str] | None = None,
    n_neighbors: int = 40,
    item_neighbors: int = 40,
    half_life_days: float = 14.0,
    popularity_half_life_days: float = 7.0,
    exclude_viewed: bool = False,
    similarity_shrinkage: float = 5.0,
    freshness_half_life_days: float | None = 7.0,
    chunk_size: int = 512,
) -> pd.DataFrame:
    """Top-k OOTDs per user from a blend of four per-user max-normalised scores:

    - ``user_cf``: sum over the user's ``n_neighbors`` most similar users (cosine of their
      recency-weighted interaction rows, like 1 / view 0.2) of similarity × their interaction;
    - ``item_cf``: sum over the user's interactions of item-item cosine (``item_neighbors`` kept);
    - ``content``: cosine of the user style vector and the OOTD style vector (hashtags + content);
    - ``popularity``: recency-decayed likes (half-life ``popularity_half_life_days``).

    ``alpha``: None → ``DEFAULT_BLEND``; a float a ∈ [0,1] → CF share (user 0.63a, item 0.27a,
    content 0.9(1-a), popularity 0.1); or a mapping of component → weight. Interactions at/after
    ``now`` are ignored, only OOTDs posted before ``now`` are candidates, and a user's own and
    already-liked OOTDs (also viewed ones when ``exclude_viewed``) are never recommended. Users:
    everyone in ``train`` plus ``users`` (users without history get popularity only). ``reason``
    names the component that lifts the OOTD most above the user's average. Returns columns user_id, ootd_id, score, rank, reason."""
    k = _check_k(k)
    weights = _blend_weights(alpha)
    now = _utc_now(now)
    for name, v in (("n_neighbors", n_neighbors), ("item_neighbors", item_neighbors), ("chunk_size", chunk_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
            raise ValueError(f"{name} must be a positive integer; got {v!r}")
    inter = _clean_interactions(train, "train")
    od = _clean_ootds(ootds)
    inter = inter[inter["ts"] < now]
    od = od[od["posted_at"] < now].reset_index(drop=True)
    if od.empty:
        raise ValueError(f"no OOTD was posted before now={now.isoformat()}")
    items = od["ootd_id"].to_numpy(dtype=object)
    item_pos = pd.Series(np.arange(len(items)), index=pd.Index(items))
    inter = inter[inter["ootd_id"].isin(item_pos.index)]
    user_list = np.asarray(sorted(set(inter["user_id"]) | set(map(str, users if users is not None else []))), dtype=object)
    if len(user_list) == 0:
        raise ValueError("no user to recommend for: train has no interaction on OOTDs posted before now")
    user_pos = pd.Series(np.arange(len(user_list)), index=pd.Index(user_list))
    n_u, n_i = len(user_list), len(items)

    # interaction matrix: strongest recency-weighted signal per (user, ootd)
    w = inter["kind"].map(KIND_WEIGHTS).to_numpy() * _decay(inter["ts"], now, _check_half_life(half_life_days))
    agg = (
        pd.DataFrame({"u": user_pos.loc[inter["user_id"]].to_numpy(), "i": item_pos.loc[inter["ootd_id"]].to_numpy(), "w": w})
        .groupby(["u", "i"], as_index=False)["w"].max()
    )
    R = sp.csr_matrix((agg["w"], (agg["u"], agg["i"])), shape=(n_u, n_i))
    likes = inter[inter["kind"] == "like"]
    L = sp.csr_matrix(
        (np.ones(len(likes)), (user_pos.loc[likes["user_id"]].to_numpy(), item_pos.loc[likes["ootd_id"]].to_numpy())),
        shape=(n_u, n_i),
    )
    L.data[:] = 1.0
    block = L.copy()
    if exclude_viewed:
        block = block + (R > 0).astype(float)
    block = sp.csr_matrix(block)
    owner_idx = user_pos.reindex(od["user_id"]).to_numpy()
    own = ~np.isnan(owner_idx)
    Own = sp.csr_matrix(
        (np.ones(own.sum()), (owner_idx[own].astype(int), np.flatnonzero(own))), shape=(n_u, n_i)
    )
    block = sp.csr_matrix(block + Own)

    # item-item similarity (cosine over users), pruned to item_neighbors per item
    B = sp.csr_matrix((R > 0).astype(np.float64))
    Cn = _l2_sparse_rows(sp.csr_matrix(R.T))
    S_item = sp.csr_matrix(Cn @ Cn.T)
    if similarity_shrinkage > 0:  # cosine from 1-2 co-interactions is noise: shrink by n/(n+β)
        co = sp.csr_matrix(B.T @ B)
        co.data = co.data / (co.data + similarity_shrinkage)
        S_item = sp.csr_matrix(S_item.multiply(co))
    S_item.setdiag(0.0)
    S_item.eliminate_zeros()
    S_item = _topk_rows(S_item, item_neighbors)
    Rn = _l2_sparse_rows(R)

    # content: user style vectors from train interactions vs OOTD style vectors
    all_ids, all_vecs = ootd_style_vectors(od, now, ootd_content)
    tfidf, vocab = hashtag_tfidf(od, now)
    uv_ids, uv = user_style_vectors(inter, all_ids, all_vecs, now, half_life_days=half_life_days)
    U = np.zeros((n_u, all_vecs.shape[1]), np.float32)
    if len(uv_ids):
        U[user_pos.loc[uv_ids].to_numpy()] = uv
    V = all_vecs  # rows aligned with items (same od order)
    # user hashtag profile (for "matches your #tag style" reasons)
    P = sp.csr_matrix(R @ tfidf)

    pop = _popularity(inter, item_pos, now, _check_half_life(popularity_half_life_days, "popularity_half_life_days"))
    pop = pop / pop.max() if pop.max() > 0 else pop
    if freshness_half_life_days is None:
        fresh = np.ones(n_i)
    else:  # a feed shows recent posts: older ones fade (x0.5 per half-life of post age)
        fresh = _decay(od["posted_at"], now, _check_half_life(freshness_half_life_days, "freshness_half_life_days"))
    style_tags = _style_tags()
    vocab_arr = np.asarray(vocab, dtype=object)
    comp_names = list(DEFAULT_BLEND)

    rows = []
    step = max(8, min(chunk_size, 2_000_000 // max(n_i, 1)))  # ~10 dense (step, n_items) float64 arrays live
    for a in range(0, n_u, step):
        b = min(a + step, n_u)
        sim_u = sp.csr_matrix(Rn[a:b] @ Rn.T)
        if similarity_shrinkage > 0:
            co = sp.csr_matrix(B[a:b] @ B.T)
            co.data = co.data / (co.data + similarity_shrinkage)
            sim_u = sim_u.multiply(co)
        sim_u = sp.coo_matrix(sim_u)
        off_diag = sim_u.row + a != sim_u.col  # a user is not their own neighbour
        sim_u = sp.csr_matrix((sim_u.data[off_diag], (sim_u.row[off_diag], sim_u.col[off_diag])), shape=sim_u.shape)
        sim_u = _topk_rows(sim_u, n_neighbors)
        comps = {
            "user_cf": _row_max_normalise(np.asarray((sim_u @ R).todense())),
            "item_cf": _row_max_normalise(np.asarray((R[a:b] @ S_item).todense())),
            "content": _row_max_normalise(np.clip(U[a:b] @ V.T, 0.0, None).astype(np.float64)),
            "popularity": np.broadcast_to(pop, (b - a, n_i)),
        }
        contrib = np.stack([weights[c] * comps[c] for c in comp_names])  # (4, chunk, n_i)
        score = contrib.sum(axis=0) * fresh[None, :]
        # reason: the component that lifts this OOTD most above the user's average candidate
        # (dense content scores would otherwise win almost every time)
        mean_contrib = contrib.mean(axis=2)  # (4, chunk)
        blocked = block[a:b].toarray() > 0
        score = np.where(blocked, -np.inf, score)
        kk = min(k, n_i)
        part = np.argpartition(-score, kk - 1, axis=1)[:, :kk] if kk < n_i else np.tile(np.arange(n_i), (b - a, 1))
        psc = np.take_along_axis(score, part, axis=1)
        order = np.lexsort((part, -psc), axis=1)
        part = np.take_along_axis(part, order, axis=1)
        for r in range(b - a):
            u = user_list[a + r]
            rank = 0
            for j in part[r]:
                s = score[r, j]
                if not np.isfinite(s) or s <= 0:
                    continue
                rank += 1
                best = comp_names[int(np.argmax(contrib[:, r, j] - mean_contrib[:, r]))]
                reason = REASONS[best]
                if best == "content":
                    reason = _style_reason(P, a + r, tfidf, j, vocab_arr, style_tags)
                rows.append((u, items[j], float(s), rank, reason))
    return _rec_frame(rows)


def _style_reason(P: sp.csr_matrix, u: int, tfidf: sp.csr_matrix, j: int, vocab: np.ndarray, style_tags: set[str]) -> str:
    a, b = tfidf.indptr[j], tfidf.indptr[j + 1]
    cols = tfidf.indices[a:b]
    if len(cols) == 0:
        return REASONS["content"]
    shared = np.asarray(P[u, cols].todense()).ravel() * tfidf.data[a:b]
    if shared.max(initial=0) <= 0:
        return REASONS["content"]
    # prefer a taxonomy style tag (#street) over incidental ones (#sunday) when the user shares it
    is_style = np.array([vocab[c] in style_tags for c in cols])
    cand = np.where(is_style & (shared > 0))[0]
    best = cand[np.argmax(shared[cand])] if len(cand) else int(np.argmax(shared))
    return f"matches your {vocab[cols[best]]} style"


# ----------------------------------------------------------------------------------- evaluation


def _eval_inputs(recs: pd.DataFrame, test: pd.DataFrame, k: int):
    k = _check_k(k)
    _require(recs, "recs", ("user_id", "ootd_id", "rank"), allow_empty=True)
    _require(test, "test", ("user_id", "ootd_id", "kind"))
    liked = test[test["kind"] == "like"]
    truth = liked.assign(user_id=liked["user_id"].astype(str), ootd_id=liked["ootd_id"].astype(str)).groupby("user_id")["ootd_id"].agg(set)
    if truth.empty:
        raise ValueError("test has no like: hit rate / NDCG are undefined")
    top = recs[recs["rank"] <= k].sort_values(["user_id", "rank"])
    top = top.assign(user_id=top["user_id"].astype(str), ootd_id=top["ootd_id"].astype(str))
    lists = top.groupby("user_id")["ootd_id"].agg(list).to_dict()
    return k, truth, lists


def hit_rate_at_k(recs: pd.DataFrame, test: pd.DataFrame, k: int = 10) -> float:
    """Fraction of test users with ≥1 like in ``test`` whose top-k holds at least one of them
    (users without recommendations count as misses)."""
    k, truth, lists = _eval_inputs(recs, test, k)
    hits = sum(1 for u, rel in truth.items() if rel.intersection(lists.get(u, [])[:k]))
    return hits / len(truth)


def ndcg_at_k(recs: pd.DataFrame, test: pd.DataFrame, k: int = 10) -> float:
    """Mean binary-relevance NDCG@k over test users with ≥1 like in ``test``."""
    k, truth, lists = _eval_inputs(recs, test, k)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    total = 0.0
    for u, rel in truth.items():
        got = lists.get(u, [])[:k]
        dcg = sum(disc[i] for i, o in enumerate(got) if o in rel)
        total += dcg / disc[: min(len(rel), k)].sum()
    return total / len(truth)


# -------------------------------------------------------------------------------- style leaders


def _as_vector_map(v) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(v, tuple) and len(v) == 2:
        ids, arr = v
        ids = np.asarray([str(i) for i in ids], dtype=object)
        arr = np.asarray(arr, dtype=np.float64)
    elif isinstance(v, Mapping):
        ids = np.asarray([str(i) for i in v], dtype=object)
        arr = np.asarray([np.asarray(x, dtype=np.float64) for x in v.values()]) if len(v) else np.zeros((0, 0))
    else:
        raise ValueError("vectors must be a (ids, array) tuple or a {id: vector} mapping")
    if arr.ndim != 2 or arr.shape[0] != len(ids):
        raise ValueError(f"vectors must be (len(ids), d); got {arr.shape} for {len(ids)} ids")
    if not np.isfinite(arr).all():
        raise ValueError("vectors contain NaN or inf")
    return ids, _l2_rows(arr)


def style_leaders(
    interactions: pd.DataFrame,
    follows: pd.DataFrame,
    ootds: pd.DataFrame,
    user_vectors,
    k: int = 10,
    *,
    ootd_vectors=None,
    now=None,
    weights: Mapping[str, float] | None = None,
    n_walks: int = 64,
    walk_length: int = 3,
    seed: int = 0,
    min_posts: int = 1,
) -> pd.DataFrame:
    """Suggest up to k style leaders (users who posted ≥ ``min_posts`` OOTDs) for every user in
    ``user_vectors`` or ``follows``. Score = blend (``weights``, default
    ``{latent: .5, walk: .3, popularity: .2}``) of

    - ``latent``: cosine(user vector, leader vector); leader vector = mean of their OOTDs'
      vectors when ``ootd_vectors`` = (ootd_ids, array) is given, else their own user vector;
    - ``walk``: visit share of ``n_walks`` seeded random walks of ``walk_length`` follow hops
      from the user (friends-of-friends), normalised per user;
    - ``popularity``: log(1 + likes received), normalised to [0, 1].

    Self and already-followed users are excluded. ``user_vectors`` is (user_ids, array) as
    returned by ``user_style_vectors`` or a {user_id: vector} mapping. ``now`` (optional) drops
    interactions/OOTDs/follows (with created_at) at or after it. Returns user_id, leader_id, score, reason."""
    k = _check_k(k)
    w = dict(DEFAULT_LEADER_BLEND)
    if weights is not None:
        unknown = set(weights) - set(w)
        if unknown:
            raise ValueError(f"weights has unknown component(s) {sorted(unknown)}; use {sorted(w)}")
        w = {c: float(weights.get(c, 0.0)) for c in w}
        if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
            raise ValueError(f"weights must be >= 0 with a positive sum; got {w}")
    if n_walks < 0 or walk_length < 1:
        raise ValueError("n_walks must be >= 0 and walk_length >= 1")
    inter = _clean_interactions(interactions, allow_empty=True)
    _require(follows, "follows", FOLLOW_COLS, allow_empty=True)
    od = _clean_ootds(ootds)
    fol = follows.assign(follower_id=follows["follower_id"].astype(str), followee_id=follows["followee_id"].astype(str))
    if now is not None:
        now = _utc_now(now)
        inter = inter[inter["ts"] < now]
        od = od[od["posted_at"] < now]
        if "created_at" in fol.columns and len(fol):
            fol = fol[(_utc_series(fol["created_at"], "follows.created_at") < now).to_numpy()]
    uv_ids, uv = _as_vector_map(user_vectors)

    posts = od.groupby("user_id")["ootd_id"].count()
    leaders = np.asarray(sorted(posts[posts >= min_posts].index), dtype=object)
    if len(leaders) == 0:
        raise ValueError(f"no user posted at least {min_posts} OOTD(s): nobody can be a style leader")
    targets = np.asarray(sorted(set(uv_ids) | set(fol["follower_id"])), dtype=object)
    if len(targets) == 0:
        raise ValueError("no user to suggest leaders for (user_vectors and follows are empty)")
    lpos = pd.Series(np.arange(len(leaders)), index=pd.Index(leaders))
    tpos = pd.Series(np.arange(len(targets)), index=pd.Index(targets))
    n_t, n_l = len(targets), len(leaders)

    # latent similarity
    d = uv.shape[1] if uv.size else 0
    T = np.zeros((n_t, d))
    if len(uv_ids):
        T[tpos.loc[uv_ids].to_numpy()] = uv
    Lv = np.zeros((n_l, d))
    if ootd_vectors is not None:
        o_ids, o_vecs = _as_vector_map(ootd_vectors)
        if o_vecs.shape[1] != d:
            raise ValueError(f"ootd_vectors have dimension {o_vecs.shape[1]}, user_vectors {d}")
        opos = pd.Series(np.arange(len(o_ids)), index=pd.Index(o_ids))
        x = od[od["ootd_id"].isin(opos.index) & od["user_id"].isin(lpos.index)]
        M = sp.csr_matrix((np.ones(len(x)), (lpos.loc[x["user_id"]].to_numpy(), opos.loc[x["ootd_id"]].to_numpy())), shape=(n_l, len(o_ids)))
        Lv = _l2_rows(np.asarray(M @ o_vecs))
    else:
        upos = pd.Series(np.arange(len(uv_ids)), index=pd.Index(uv_ids))
        have = [l for l in leaders if l in upos.index]
        if have:
            Lv[lpos.loc[have].to_numpy()] = uv[upos.loc[have].to_numpy()]
    latent = np.clip(T @ Lv.T, 0.0, None) if d else np.zeros((n_t, n_l))

    # random walks on the follow graph (follower → followee)
    nodes = np.asarray(sorted(set(targets) | set(fol["followee_id"]) | set(leaders)), dtype=object)
    npos = pd.Series(np.arange(len(nodes)), index=pd.Index(nodes))
    fe = fol.drop_duplicates(["follower_id", "followee_id"])
    fe = fe[fe["follower_id"] != fe["followee_id"]]
    G = sp.csr_matrix(
        (np.ones(len(fe)), (npos.loc[fe["follower_id"]].to_numpy(), npos.loc[fe["followee_id"]].to_numpy())),
        shape=(len(nodes), len(nodes)),
    )
    walk = np.zeros((n_t, n_l))
    if n_walks > 0 and G.nnz:
        rng = np.random.default_rng(seed)
        origin = np.repeat(np.arange(n_t), n_walks)
        cur = np.repeat(npos.loc[targets].to_numpy(), n_walks)
        node_to_leader = lpos.reindex(nodes).to_numpy()
        deg = np.diff(G.indptr)
        for _ in range(walk_length):
            alive = deg[cur] > 0
            origin, cur = origin[alive], cur[alive]
            if len(cur) == 0:
                break
            cur = G.indices[G.indptr[cur] + (rng.random(len(cur)) * deg[cur]).astype(np.int64)]
            li = node_to_leader[cur]
            ok = ~np.isnan(li)
            np.add.at(walk, (origin[ok], li[ok].astype(np.int64)), 1.0)
    valid_edge = tpos.reindex(fe["follower_id"]).notna().to_numpy() & lpos.reindex(fe["followee_id"]).notna().to_numpy()
    blocked = np.zeros((n_t, n_l), dtype=bool)
    if valid_edge.any():
        blocked[tpos.loc[fe["follower_id"][valid_edge]].to_numpy(), lpos.loc[fe["followee_id"][valid_edge]].to_numpy()] = True
    self_t = tpos.reindex(leaders).to_numpy()
    has = ~np.isnan(self_t)
    blocked[self_t[has].astype(int), np.flatnonzero(has)] = True
    # walks reward friends-of-friends, not the people already followed: normalise after blocking
    walk = _row_max_normalise(np.where(blocked, 0.0, walk))

    likes = inter[(inter["kind"] == "like")].merge(od[["ootd_id", "user_id"]].rename(columns={"user_id": "leader"}), on="ootd_id")
    likes = likes[likes["user_id"] != likes["leader"]]
    got = likes.groupby("leader").size().reindex(leaders, fill_value=0).to_numpy(dtype=float)
    popn = np.log1p(got)
    popn = popn / popn.max() if popn.max() > 0 else popn

    comp_names = list(DEFAULT_LEADER_BLEND)
    contrib = np.stack([w["latent"] * latent, w["walk"] * walk, w["popularity"] * np.broadcast_to(popn, (n_t, n_l))])
    score = np.where(blocked, -np.inf, contrib.sum(axis=0))
    leader_tag = _leader_tags(od, leaders)
    kk = min(k, n_l)
    part = np.argpartition(-score, kk - 1, axis=1)[:, :kk] if kk < n_l else np.tile(np.arange(n_l), (n_t, 1))
    psc = np.take_along_axis(score, part, axis=1)
    part = np.take_along_axis(part, np.lexsort((part, -psc), axis=1), axis=1)
    rows = []
    for r in range(n_t):
        for j in part[r]:
            s = score[r, j]
            if not np.isfinite(s) or s <= 0:
                continue
            best = comp_names[int(np.argmax(contrib[:, r, j]))]
            if best == "latent":
                tag = leader_tag.get(leaders[j])
                reason = f"posts {tag} looks like yours" if tag else "dresses in a style like yours"
            elif best == "walk":
                reason = "followed by people you follow"
            else:
                reason = "popular style leader"
            rows.append((targets[r], leaders[j], float(s), reason))
    return pd.DataFrame(rows, columns=["user_id", "leader_id", "score", "reason"]).astype(
        {"user_id": object, "leader_id": object, "score": float, "reason": object}
    )


def _leader_tags(od: pd.DataFrame, leaders: np.ndarray) -> dict[str, str]:
    """Each leader's most used taxonomy style hashtag (else most used hashtag)."""
    style_tags = _style_tags()
    out: dict[str, str] = {}
    tags = _tag_lists(od["hashtags"])
    per: dict[str, dict[str, int]] = {}
    for u, ts in zip(od["user_id"], tags):
        c = per.setdefault(u, {})
        for t in ts:
            c[t] = c.get(t, 0) + 1
    for u in leaders:
        c = per.get(u, {})
        if not c:
            continue
        styled = {t: n for t, n in c.items() if t in style_tags}
        pool = styled or c
        out[u] = max(sorted(pool), key=lambda t: pool[t])
    return out

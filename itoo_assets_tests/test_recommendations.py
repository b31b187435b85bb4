"""CF-CBF recommender on a small synthetic log with planted taste clusters (built here with numpy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from itoo.recommendations import (
    cf_cbf_recommend,
    hashtag_tfidf,
    hit_rate_at_k,
    ndcg_at_k,
    ootd_style_vectors,
    popularity_baseline,
    style_leaders,
    temporal_split,
    user_style_vectors,
)

STYLES = ["casual", "formal", "street", "sporty", "romantic", "minimal", "vintage", "office"]
T0 = pd.Timestamp("2026-11-01T00:00:00+00:00")
DAYS, CUTOFF_DAY = 70, 56


def make_world(n_users=240, n_ootds=1400, events_per_user=70, d_content=16, seed=7):
    """Users belong to one of 8 taste clusters (taste = 0.75 on their style, the rest spread);
    each OOTD has one style (mostly its poster's), hashtags from that style's pool plus generic
    ones, a noisy content vector around its style centroid and a latent quality. Users view
    recent posts with probability ∝ quality × taste², and like them with probability rising with
    taste. Interactions are spread over 70 days; the split is at day 56."""
    rng = np.random.default_rng(seed)
    S = len(STYLES)
    user_style = np.arange(n_users) % S
    taste = rng.dirichlet(np.ones(S) * 0.5, n_users) * 0.25
    taste[np.arange(n_users), user_style] += 0.75
    users = [f"u{i:04d}" for i in range(n_users)]

    poster = rng.integers(0, n_users, n_ootds)
    o_style = np.where(rng.random(n_ootds) < 0.8, user_style[poster], rng.integers(0, S, n_ootds))
    posted = np.sort(rng.uniform(0, DAYS - 1, n_ootds))
    quality = rng.lognormal(0.0, 0.8, n_ootds)
    centroids = rng.normal(size=(S, d_content))
    content = centroids[o_style] + 1.0 * rng.normal(size=(n_ootds, d_content))
    generic = ["#ootd", "#daily", "#weekend", "#lookbook", "#fit"]
    tags = []
    for s in o_style:
        t = {f"#{STYLES[s]}"} if rng.random() < 0.7 else set()
        t |= {f"#{STYLES[s]}_{j}" for j in rng.choice(6, rng.integers(1, 3), replace=False)}
        t |= set(rng.choice(generic, rng.integers(0, 3), replace=False).tolist())
        if rng.random() < 0.15:  # noise: a tag of another style
            t.add(f"#{STYLES[rng.integers(0, S)]}_{rng.integers(0, 6)}")
        tags.append(sorted(t))
    ootd_ids = [f"o{i:05d}" for i in range(n_ootds)]
    ootds = pd.DataFrame({
        "ootd_id": ootd_ids,
        "user_id": [users[p] for p in poster],
        "posted_at": T0 + pd.to_timedelta(posted, unit="D"),
        "hashtags": tags,
    })

    rows = []
    for u in range(n_users):
        times = np.sort(rng.uniform(0, DAYS, events_per_user))
        for t in times:
            lo, hi = np.searchsorted(posted, [t - 14, t])
            if hi <= lo:
                continue
            cand = np.arange(lo, hi)
            cand = cand[poster[cand] != u]
            if len(cand) == 0:
                continue
            p = quality[cand] * taste[u, o_style[cand]] ** 2
            j = cand[rng.choice(len(cand), p=p / p.sum())]
            ts = T0 + pd.Timedelta(days=float(t))
            rows.append((users[u], ootd_ids[j], "view", ts))
            if rng.random() < 0.1 + 0.7 * taste[u, o_style[j]]:
                rows.append((users[u], ootd_ids[j], "like", ts + pd.Timedelta(seconds=30)))
    inter = pd.DataFrame(rows, columns=["user_id", "ootd_id", "kind", "ts"])

    follows = []
    for u in range(n_users):  # follow mostly people of the same taste cluster
        same = np.flatnonzero((user_style == user_style[u]) & (np.arange(n_users) != u))
        other = np.flatnonzero(user_style != user_style[u])
        for f in np.concatenate([rng.choice(same, 4, replace=False), rng.choice(other, 1)]):
            follows.append((users[u], users[f], T0))
    follows = pd.DataFrame(follows, columns=["follower_id", "followee_id", "created_at"])
    content_map = dict(zip(ootd_ids, content))
    return ootds, inter, follows, content_map, user_style, users


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.fixture(scope="module")
def split(world):
    ootds, inter, follows, content, _, _ = world
    cutoff = T0 + pd.Timedelta(days=CUTOFF_DAY)
    train, test = temporal_split(inter, cutoff)
    return cutoff, train, test


@pytest.fixture(scope="module")
def recs(world, split):
    ootds, _, _, content, _, _ = world
    cutoff, train, _ = split
    return cf_cbf_recommend(train, ootds, cutoff, k=10, ootd_content=content)


def test_temporal_split(world, split):
    _, inter, _, _, _, _ = world
    cutoff, train, test = split
    assert len(train) + len(test) == len(inter)
    assert (train["ts"] < cutoff).all() and (test["ts"] >= cutoff).all()


def test_cf_cbf_beats_popularity(world, split, recs):
    ootds, _, _, content, _, _ = world
    cutoff, train, test = split
    pop = popularity_baseline(train, 10, ootds=ootds, now=cutoff)
    hr_cf, hr_pop = hit_rate_at_k(recs, test, 10), hit_rate_at_k(pop, test, 10)
    nd_cf, nd_pop = ndcg_at_k(recs, test, 10), ndcg_at_k(pop, test, 10)
    print(f"HR@10 cf_cbf={hr_cf:.3f} popularity={hr_pop:.3f}  NDCG@10 cf_cbf={nd_cf:.3f} popularity={nd_pop:.3f}")
    assert hr_cf >= 0.6 and hr_cf > hr_pop + 0.3, (hr_cf, hr_pop)
    assert nd_cf > nd_pop
    # the same holds without content vectors (hashtags only)
    no_content = cf_cbf_recommend(train, ootds, cutoff, k=10)
    assert hit_rate_at_k(no_content, test, 10) > hr_pop


def test_recommendation_constraints(world, split, recs):
    ootds, _, _, _, _, _ = world
    cutoff, train, _ = split
    assert list(recs.columns) == ["user_id", "ootd_id", "score", "rank", "reason"]
    owner = dict(zip(ootds["ootd_id"], ootds["user_id"]))
    posted = dict(zip(ootds["ootd_id"], ootds["posted_at"]))
    liked = set(zip(train.loc[train["kind"] == "like", "user_id"], train.loc[train["kind"] == "like", "ootd_id"]))
    assert not any(owner[o] == u for u, o in zip(recs["user_id"], recs["ootd_id"]))
    assert not any((u, o) in liked for u, o in zip(recs["user_id"], recs["ootd_id"]))
    assert all(posted[o] < cutoff for o in recs["ootd_id"])
    assert recs["reason"].str.len().gt(0).all()
    assert recs.groupby("user_id")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1))).all()
    assert recs.groupby("user_id").size().max() == 10
    assert not recs.duplicated(["user_id", "ootd_id"]).any()
    assert recs.groupby("user_id")["score"].apply(lambda s: s.is_monotonic_decreasing).all()
    styled = recs["reason"].str.match(r"matches your #\w+ style")
    assert styled.any() and recs["reason"].str.contains("users like you").any()


def test_cold_users_and_exclude_viewed(world, split):
    ootds, _, _, _, _, _ = world
    cutoff, train, _ = split
    small = train[train["user_id"].isin(["u0000", "u0001"])]
    out = cf_cbf_recommend(small, ootds, cutoff, k=5, users=["newbie"], exclude_viewed=True)
    cold = out[out["user_id"] == "newbie"]
    assert len(cold) == 5 and (cold["reason"] == "popular this week").all()
    seen = set(zip(small["user_id"], small["ootd_id"]))
    assert not any((u, o) in seen for u, o in zip(out["user_id"], out["ootd_id"]))
    assert set(out["user_id"]) == {"u0000", "u0001", "newbie"}


def test_style_vectors_cluster(world):
    ootds, inter, _, content, user_style, users = world
    now = T0 + pd.Timedelta(days=DAYS)
    m, vocab = hashtag_tfidf(ootds, now)
    assert m.shape == (len(ootds), len(vocab)) and "#street" in vocab
    np.testing.assert_allclose(np.sqrt(m.multiply(m).sum(axis=1)).A1[np.diff(m.indptr) > 0], 1.0, atol=1e-5)
    # shrinkage: a tag used once weighs less than a frequent distinctive one on the same post
    one = ootds.iloc[:1].copy()
    o2 = pd.concat([ootds, one.assign(ootd_id="x1", hashtags=[["#street_1", "#zzz_once"]])], ignore_index=True)
    m2, v2 = hashtag_tfidf(o2, now, shrinkage=5.0)
    row = m2.getrow(len(o2) - 1).toarray().ravel()
    assert row[v2.index("#zzz_once")] < row[v2.index("#street_1")]
    ids, vecs = ootd_style_vectors(ootds, now, content)
    uids, uv = user_style_vectors(inter, ids, vecs, now)
    assert uv.shape[1] == vecs.shape[1] and np.allclose(np.linalg.norm(uv, axis=1), 1.0, atol=1e-5)
    style = dict(zip(users, user_style))
    lab = np.array([style[u] for u in uids])
    sim = uv @ uv.T
    same = sim[lab[:, None] == lab[None, :]].mean()
    diff = sim[lab[:, None] != lab[None, :]].mean()
    assert same > diff + 0.3, (same, diff)


def test_style_leaders(world, split):
    ootds, _, follows, content, user_style, users = world
    cutoff, train, _ = split
    ids, vecs = ootd_style_vectors(ootds, cutoff, content)
    uv = user_style_vectors(train, ids, vecs, cutoff)
    out = style_leaders(train, follows, ootds, uv, k=5, ootd_vectors=(ids, vecs), now=cutoff, seed=1)
    assert list(out.columns) == ["user_id", "leader_id", "score", "reason"]
    followed = set(zip(follows["follower_id"], follows["followee_id"]))
    assert not any((u, l) in followed for u, l in zip(out["user_id"], out["leader_id"]))
    assert (out["user_id"] != out["leader_id"]).all()
    assert out.groupby("user_id").size().max() == 5 and out["reason"].str.len().gt(0).all()
    style = dict(zip(users, user_style))
    same = np.mean([style[u] == style[l] for u, l in zip(out["user_id"], out["leader_id"])])
    assert same > 0.6, same  # leaders share the user's planted taste (chance: 1/8)
    again = style_leaders(train, follows, ootds, uv, k=5, ootd_vectors=(ids, vecs), now=cutoff, seed=1)
    pd.testing.assert_frame_equal(out, again)


def test_bad_inputs(world, split):
    ootds, inter, follows, _, _, _ = world
    cutoff, train, _ = split
    with pytest.raises(ValueError, match="missing column"):
        cf_cbf_recommend(train.drop(columns=["kind"]), ootds, cutoff)
    with pytest.raises(ValueError, match="empty"):
        cf_cbf_recommend(train.iloc[:0], ootds, cutoff)
    with pytest.raises(ValueError, match="naive"):
        cf_cbf_recommend(train, ootds, pd.Timestamp("2026-12-01"))
    naive = train.assign(ts=train["ts"].dt.tz_localize(None))
    with pytest.raises(ValueError, match="naive"):
        temporal_split(naive, cutoff)
    with pytest.raises(ValueError, match="naive"):
        hashtag_tfidf(ootds.assign(posted_at=ootds["posted_at"].dt.tz_localize(None)), cutoff)
    with pytest.raises(ValueError, match="kind"):
        cf_cbf_recommend(train.assign(kind="share"), ootds, cutoff)
    with pytest.raises(ValueError, match="k must be"):
        cf_cbf_recommend(train, ootds, cutoff, k=0)
    with pytest.raises(ValueError, match="posted before"):
        cf_cbf_recommend(train, ootds, T0 - pd.Timedelta(days=1))
    with pytest.raises(ValueError, match="missing column"):
        style_leaders(train, follows.drop(columns=["followee_id"]), ootds, {"u0001": np.ones(3)})
    with pytest.raises(ValueError, match="no like"):
        hit_rate_at_k(pd.DataFrame(columns=["user_id", "ootd_id", "rank"]), train[train["kind"] == "view"])

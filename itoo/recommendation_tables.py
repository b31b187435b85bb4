"""Recommendation tables for one day: the personal feed (CF-CBF) and style leaders to follow,
computed from interactions before the day ends and evaluated on the week after it."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from itoo import recommendations as rec
from itoo.imaging import load_image_safe

EVAL_DAYS = 7


def outfit_content_vectors(store, models, ootds: pd.DataFrame, items: pd.DataFrame) -> dict[str, np.ndarray]:
    """Visual style of each outfit: the mean embedding of its items' crops."""
    out: dict[str, np.ndarray] = {}
    by_ootd = items.groupby("ootd_id")
    for o in ootds.itertuples(index=False):
        if o.ootd_id not in by_ootd.groups:
            continue
        img = load_image_safe(store.read_bytes(o.image_key))
        crops = []
        for box in by_ootd.get_group(o.ootd_id).box_json:
            x0, y0, x1, y1 = (int(round(v)) for v in json.loads(box))
            if x1 - x0 >= 2 and y1 - y0 >= 2:
                crops.append(img.crop((x0, y0, x1, y1)))
        if crops:
            v = models.embed(crops).mean(axis=0)
            out[o.ootd_id] = (v / max(np.linalg.norm(v), 1e-12)).astype(np.float32)
    return out


def save_vectors(store, prefix: str, vectors: dict[str, np.ndarray]) -> dict:
    ids = sorted(vectors)
    buf = io.BytesIO()
    np.save(buf, np.stack([vectors[i] for i in ids]) if ids else np.zeros((0, 0), np.float32), allow_pickle=False)
    v = store.write_bytes(f"{prefix}/content.npy", buf.getvalue())
    r = store.write_json(f"{prefix}/ootd_ids.json", ids)
    return {"vectors_key": v.key, "vectors_sha256": v.sha256, "ids_key": r.key, "ids_sha256": r.sha256,
            "count": len(ids)}


def load_vectors(store, manifest: dict) -> dict[str, np.ndarray]:
    arr = np.load(io.BytesIO(store.read_bytes(manifest["vectors_key"], manifest["vectors_sha256"])))
    ids = json.loads(store.read_bytes(manifest["ids_key"], manifest["ids_sha256"]))
    return dict(zip(ids, arr))


def compute(day: str, ootds: pd.DataFrame, interactions: pd.DataFrame, follows: pd.DataFrame,
            content: dict[str, np.ndarray], k: int = 10) -> dict:
    """Feed and leader tables as of the end of `day`, plus held-out figures on the next week."""
    now = pd.Timestamp(day, tz="UTC") + pd.Timedelta(days=1)
    train, future = rec.temporal_split(interactions, now)
    test = future[future.ts < now + pd.Timedelta(days=EVAL_DAYS)]
    posted = ootds[ootds.posted_at < now]
    if train.empty or posted.empty:  # a platform's first day: nothing to learn from yet
        return {"feed": pd.DataFrame(columns=["user_id", "ootd_id", "score", "rank", "reason", "day"]),
                "leaders": pd.DataFrame(columns=["user_id", "leader_id", "score", "reason", "day"]),
                "figures": {"now": now.isoformat(), "train_interactions": int(len(train)),
                            "test_interactions": int(len(test)), "note": "no interactions or posts yet"}}
    feed = rec.cf_cbf_recommend(train, posted, now, k=k, ootd_content=content)
    popular = rec.popularity_baseline(train, k, ootds=posted, now=now, users=feed.user_id.unique())
    ids, vecs = rec.ootd_style_vectors(posted, now, content)
    users = rec.user_style_vectors(train, ids, vecs, now)
    leaders = rec.style_leaders(train, follows, posted, users, k=k, ootd_vectors=(ids, vecs), now=now)
    figures = {"now": now.isoformat(), "train_interactions": int(len(train)), "test_interactions": int(len(test))}
    if (test.kind == "like").any():
        figures.update({
            "hr_at_10": rec.hit_rate_at_k(feed, test, 10), "ndcg_at_10": rec.ndcg_at_k(feed, test, 10),
            "popularity_hr_at_10": rec.hit_rate_at_k(popular, test, 10),
            "popularity_ndcg_at_10": rec.ndcg_at_k(popular, test, 10),
            "test_users": int(test[test.kind == "like"].user_id.nunique()),
        })
    feed = feed.assign(day=day)
    leaders = leaders.assign(day=day)
    return {"feed": feed, "leaders": leaders, "figures": figures}

"""Users, follow graph, outfits of the day and timestamped views/likes for the sample world.

The social signal is generated from latent quantities so that models can be checked against it:

* each user has a ``taste`` vector over the 8 ``style`` values (Dirichlet, peaky) and posts
  outfits whose intended style is drawn from it (items carrying that style are preferred);
* users follow people of similar taste (softmax over taste cosine) plus a few popular
  "style leaders" (``is_style_leader``);
* an OOTD's appeal to a user is ``2.4 * cos(taste, ootd_style) + 0.8 * quality + 1.0 * follows author
  - 0.25 * age_in_days`` where ``quality`` is a hidden per-OOTD effect (higher for leaders). Each day
  every user views a handful of OOTDs posted before that day (Gumbel top-k on the appeal) and
  likes them with ``sigmoid(-3.2 + 3 * cos + 0.9 * quality + 0.8 * follows)``. So a taste-aware
  recommender beats popularity, and popularity still beats random.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from itoo.taxonomy import load_taxonomy

AGE_BANDS = ["18-24", "25-34", "35-44", "45+"]
GENDERS = ["female", "male", "nonbinary"]
BODY_SHAPES = ["slim", "regular", "curvy", "athletic"]
_SYL = ["ka", "mi", "ro", "lu", "na", "te", "si", "jo", "ra", "ve", "li", "mo", "da", "ne", "yu", "ki", "sa", "po",
        "ha", "ze", "ri", "an", "el", "or"]
STYLE_ADJ = {"casual": "Easy casual", "formal": "Dressed up", "street": "Street", "sporty": "Sporty",
             "romantic": "Romantic", "minimal": "Clean minimal", "vintage": "Vintage", "office": "Office-ready"}


def iso(t: datetime) -> str:
    return t.replace(microsecond=0).isoformat()


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-9)


def make_users(n: int, rng: np.random.Generator) -> tuple[list[dict], np.ndarray, np.ndarray, np.ndarray]:
    """-> (users json, taste [n,8], activity [n], is_leader [n])."""
    styles = load_taxonomy().group("style").values
    taste = rng.dirichlet(np.full(len(styles), 0.35), size=n)
    users = []
    gender = rng.choice(len(GENDERS), size=n, p=[.55, .4, .05])
    age = rng.choice(len(AGE_BANDS), size=n, p=[.35, .35, .18, .12])
    for i in range(n):
        bias = np.ones(len(styles))
        if GENDERS[gender[i]] == "male":
            bias[styles.index("romantic")] = .35
        if AGE_BANDS[age[i]] == "45+":
            bias[styles.index("street")] = .4
            bias[styles.index("office")] = 1.4
        if AGE_BANDS[age[i]] == "18-24":
            bias[styles.index("street")] = 1.5
            bias[styles.index("office")] = .6
        t = taste[i] * bias
        taste[i] = t / t.sum()
    taste = np.round(taste, 4)
    taste = taste / taste.sum(1, keepdims=True)
    activity = np.exp(rng.normal(0, .5, n))
    activity /= activity.mean()
    n_lead = max(1, int(round(n * .06)))
    leaders = np.zeros(n, bool)
    leaders[rng.choice(n, n_lead, replace=False)] = True
    for i in range(n):
        name = "".join(_SYL[int(k)] for k in rng.integers(0, len(_SYL), int(rng.integers(2, 4)))).capitalize()
        tags = [styles[j] for j in np.argsort(-taste[i])[:3] if taste[i, j] >= .18][:3] or [styles[int(np.argmax(taste[i]))]]
        users.append({
            "user_id": f"u{i + 1:04d}", "name": name, "age_band": AGE_BANDS[age[i]], "gender": GENDERS[gender[i]],
            "body_shape": BODY_SHAPES[int(rng.integers(0, len(BODY_SHAPES)))], "style_tags": tags,
            "taste": [round(float(v), 4) for v in taste[i]], "is_style_leader": bool(leaders[i]),
        })
    return users, taste, activity, leaders


def make_follows(users, taste, leaders, start: datetime, timeline_days: int, rng) -> tuple[list[dict], np.ndarray]:
    """-> (follows json, created_day matrix [n, n] with -1 where no edge)."""
    n = len(users)
    tu = _unit(taste)
    cos = tu @ tu.T
    day = np.full((n, n), -1, np.int32)
    rows = []
    for u in range(n):
        k = min(n - 1, 3 + int(rng.poisson(4)))
        w = np.exp(4.0 * cos[u]) * np.where(leaders, 6.0, 1.0)
        w[u] = 0
        vs = rng.choice(n, size=k, replace=False, p=w / w.sum())
        for v in sorted(int(x) for x in vs):
            d = int(min(timeline_days - 1, rng.exponential(timeline_days / 4)))
            t = start + timedelta(days=d, seconds=int(rng.integers(0, 86400)))
            day[u, v] = d
            rows.append((t, users[u]["user_id"], users[v]["user_id"]))
    rows.sort()
    return [{"follower_id": a, "followee_id": b, "created_at": iso(t)} for t, a, b in rows], day


def plan_posts(n_ootds: int, activity, leaders, timeline_days: int, rng) -> list[tuple[int, int, int]]:
    """-> sorted [(day, second_of_day, user_idx)] for every OOTD (days 1..T-1)."""
    w = activity * np.where(leaders, 3.0, 1.0)
    users = rng.choice(len(w), size=n_ootds, p=w / w.sum())
    days = rng.integers(1, timeline_days, n_ootds)
    hours = rng.choice(24, size=n_ootds, p=_HOUR_P)
    secs = hours * 3600 + rng.integers(0, 3600, n_ootds)
    return sorted(zip(days.tolist(), secs.tolist(), users.tolist()))


_HOUR_W = np.array([1, .5, .3, .2, .2, .3, .8, 1.5, 2, 2, 2, 2.5, 3, 2.5, 2, 2, 2.5, 3, 4, 5, 5, 4.5, 3, 2])
_HOUR_P = _HOUR_W / _HOUR_W.sum()


def choose_outfit(user: dict, taste_u: np.ndarray, avail: dict[str, list[int]], products: list[dict],
                  prod_style: np.ndarray, rng) -> tuple[str, list[int]]:
    """Pick the intended style from the user's taste and one product per worn super-category."""
    styles = load_taxonomy().group("style").values
    p = taste_u ** 1.5
    s_idx = int(rng.choice(len(styles), p=p / p.sum()))
    male = user["gender"] == "male"
    want = []
    if avail.get("dress") and rng.random() < (.03 if male else .28):
        want.append("dress")
    else:
        want += ["top", "bottom"]
    if rng.random() < .38:
        want.append("outer")
    if rng.random() < .8:
        want.append("shoes")
    if rng.random() < (.3 if male else .5):
        want.append("bag")
    chosen = []
    for sup in want:
        cand = avail.get(sup) or []
        if not cand:
            continue
        idx = np.asarray(cand)
        w = np.where(prod_style[idx, s_idx] > 0, 1.0, .12)
        if male:
            subs = [products[i]["sub_category"] for i in cand]
            w = w * np.asarray([.05 if s in ("mini_skirt", "long_skirt", "heels", "clutch", "long_dress", "mini_dress",
                                              "blouse", "flats") else 1.0 for s in subs])
        chosen.append(int(rng.choice(idx, p=w / w.sum())))
    return styles[s_idx], chosen


def describe(style: str, items: list[dict], rng) -> tuple[str, list[str]]:
    main = [it for it in items if it["super_category"] in ("dress", "top", "outer")] or items
    m = main[int(rng.integers(0, len(main)))]
    others = [it for it in items if it is not m]
    hum = lambda it: it["sub_category"].replace("_", " ")  # noqa: E731
    parts = [f"{STYLE_ADJ[style]} look today: {m['attributes']['color']} {hum(m)}"]
    if others:
        o = others[int(rng.integers(0, len(others)))]
        parts.append(f" with {o['attributes']['color']} {hum(o)}")
    tail = ["", " Loving this combo.", " Thoughts?", " Weekend mood.", " Ready for work.", " Found it on itoo!"]
    desc = "".join(parts) + "." + tail[int(rng.integers(0, len(tail)))]
    tags = ["#ootd", f"#{style}", f"#{m['attributes']['color']}", f"#{m['sub_category']}"]
    for o in others:
        if rng.random() < .5:
            tags.append(f"#{o['sub_category']}")
    seasons = m["attributes"].get("season") or []
    if seasons and rng.random() < .4:
        tags.append(f"#{seasons[0]}")
    seen = []
    for t in tags:
        if t not in seen:
            seen.append(t)
    return desc, seen


def simulate_interactions(taste, activity, leaders, follow_day, ootd_user, ootd_day, ootd_sec, ootd_style,
                          start: datetime, timeline_days: int, views_per_day: float, rng):
    """-> rows [(ts_seconds_from_start, user_idx, ootd_idx, kind)] sorted by time."""
    n_u = len(taste)
    n_o = len(ootd_user)
    if n_o == 0:
        return []
    cos = _unit(taste) @ _unit(ootd_style).T  # [n_u, n_o]
    quality = rng.normal(0, 1, n_o) + np.where(leaders[ootd_user], .8, 0.0)
    viewed = np.zeros((n_u, n_o), bool)
    viewed[ootd_user, np.arange(n_o)] = True  # never one's own
    post_t = ootd_day * 86400 + ootd_sec
    rows = []
    for d in range(1, timeline_days):
        avail = np.nonzero(ootd_day < d)[0]
        if len(avail) == 0:
            continue
        fol = (follow_day >= 0) & (follow_day <= d)
        f = fol[:, ootd_user[avail]].astype(np.float32)
        age = d - post_t[avail] / 86400.0
        appeal = 2.4 * cos[:, avail] + .8 * quality[avail][None, :] + 1.0 * f - .25 * age[None, :]
        noisy = appeal + rng.gumbel(0, 1, appeal.shape)
        noisy[viewed[:, avail]] = -np.inf
        n_views = rng.poisson(views_per_day * activity)
        n_views = np.minimum(n_views, (~viewed[:, avail]).sum(1))
        kmax = int(n_views.max()) if len(n_views) else 0
        if kmax == 0:
            continue
        kk = min(kmax, len(avail))
        top = np.argpartition(-noisy, kk - 1, axis=1)[:, :kk] if kk < len(avail) else np.tile(np.arange(len(avail)), (n_u, 1))
        # order the top-k by score so that the first n_views are the best
        ts = np.take_along_axis(noisy, top, 1)
        order = np.argsort(-ts, axis=1, kind="stable")
        top = np.take_along_axis(top, order, 1)
        for u in range(n_u):
            k = int(n_views[u])
            if k == 0:
                continue
            js = top[u, :k]
            os_ = avail[js]
            viewed[u, os_] = True
            secs = np.sort(rng.choice(24, size=k, p=_HOUR_P) * 3600 + rng.integers(0, 3600, k))
            pl = 1 / (1 + np.exp(-(-3.2 + 3.0 * cos[u, os_] + .9 * quality[os_] + .8 * f[u, js])))
            likes = rng.random(k) < pl
            for o, sec, lk in zip(os_.tolist(), secs.tolist(), likes.tolist()):
                t = d * 86400 + int(sec)
                rows.append((t, u, o, "view"))
                if lk:
                    rows.append((t + int(rng.integers(3, 120)), u, o, "like"))
    rows.sort()
    return rows

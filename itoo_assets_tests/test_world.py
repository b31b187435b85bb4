"""The sample world generator on real files (tiny size; the whole file runs in ~10 s on one core)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import defaultdict
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from itoo.taxonomy import load_taxonomy
from itoo.world import WORLD_SIZES, generate_world, load_world
from itoo.world.generate import build_catalog
from itoo.world.render import render_sprite, sample_shape_params


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_world")
    summary = generate_world(root, "tiny", seed=7)
    return root, summary, load_world(root)


def _digest(root):
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_summary_and_counts(tiny):
    root, summary, w = tiny
    assert json.loads((root / "world.json").read_text()) == summary == w.meta
    cfg = WORLD_SIZES["tiny"]
    c = summary["counts"]
    assert summary["size"] == "tiny" and summary["seed"] == 7 and summary["start_day"] == "2026-11-01"
    assert (summary["catalog_days"], summary["timeline_days"]) == (3, 14)
    assert len(w.shops) == c["shops"] == cfg["shops"] == 3
    assert len(w.products) == c["products"] == 72
    assert len(w.shop_pages) == c["shop_pages"] == 72
    assert len(w.users) == c["users"] == 30
    assert len(w.ootds) == c["ootds"] == 60
    assert len(w.follows) == c["follows"]
    assert 1000 <= len(w.interactions) == c["interactions"] <= 2500
    assert c["views"] + c["likes"] == c["interactions"]
    assert sum(len(p["images"]) for p in w.products) == c["product_images"]


def test_same_seed_same_bytes_other_seed_differs(tiny, tmp_path):
    root, summary, _ = tiny
    again = tmp_path / "again"
    assert generate_world(again, "tiny", seed=7) == summary
    assert (again / "products.json").read_bytes() == (root / "products.json").read_bytes()
    assert _digest(again) == _digest(root)  # every JSON, CSV and image byte-identical
    _, p7, _ = build_catalog(WORLD_SIZES["tiny"], 7)
    _, p8, _ = build_catalog(WORLD_SIZES["tiny"], 8)
    assert [p["title"] for p in p7] != [p["title"] for p in p8]


def test_regenerate_in_place_replaces_images(tiny, tmp_path):
    root, _, _ = tiny
    copy = tmp_path / "w"
    shutil.copytree(root, copy)
    stale = copy / "images" / "products" / "stale.jpg"
    stale.write_bytes(b"x")
    generate_world(copy, "tiny", seed=7)
    assert not stale.exists()
    assert _digest(copy) == _digest(root)


def test_products_follow_taxonomy(tiny):
    _, _, w = tiny
    tax = load_taxonomy()
    shop_ids = {s["shop_id"] for s in w.shops}
    days = {(date(2026, 11, 1).toordinal() + i) for i in range(3)}
    for p in w.products:
        assert p["shop_id"] in shop_ids and p["currency"] == "EUR" and p["price"] > 0
        assert tax.sub_to_super[p["sub_category"]] == p["super_category"]
        groups = {g.name: g for g in tax.groups_for(p["super_category"])}
        assert set(p["attributes"]) == set(groups), p["product_id"]
        for name, v in p["attributes"].items():
            g = groups[name]
            if g.kind == "categorical":
                assert isinstance(v, str) and v in g.values
            else:
                assert isinstance(v, list) and set(v) <= set(g.values) and len(v) == len(set(v))
        for name in ("style", "season", "occasion", "texture"):
            assert 1 <= len(p["attributes"][name]) <= 3
        assert date.fromisoformat(p["publish_day"]).toordinal() in days
        assert p["attributes"]["color"].lower() in p["title"].lower()
        kinds = [im["kind"] for im in p["images"] if not im["near_duplicate_of"]]
        assert kinds[:2] == ["shop", "shop"] and set(kinds) <= {"shop", "review"}
    # the tiny world already shows every super-category, in products and in OOTDs
    assert {p["super_category"] for p in w.products} == set(tax.super_categories)
    assert {it["super_category"] for o in w.ootds for it in o["items"]} == set(tax.super_categories)


def test_every_sub_category_in_small_catalog():
    tax = load_taxonomy()
    _, products, _ = build_catalog(WORLD_SIZES["small"], 7)  # the catalogue only, no rendering
    assert len(products) == WORLD_SIZES["small"]["products"]
    assert {p["sub_category"] for p in products} == set(tax.sub_categories)


def test_images_exist_with_expected_sizes(tiny):
    _, _, w = tiny
    for p in w.products:
        for im in p["images"]:
            with Image.open(w.image_path(im["path"])) as f:
                assert f.format == "JPEG" and f.size == (96, 96)
    for o in w.ootds:
        with Image.open(w.image_path(o["path"])) as f:
            assert f.format == "JPEG" and f.size == (o["width"], o["height"]) == (192, 256)
    with pytest.raises(ValueError):
        w.image_path("../../etc/passwd")


def test_boxes_inside_images(tiny):
    _, _, w = tiny
    n_items = 0
    for o in w.ootds:
        assert o["items"], o["ootd_id"]
        for it in o["items"]:
            x0, y0, x1, y1 = it["box"]
            assert 0 <= x0 < x1 <= o["width"] and 0 <= y0 < y1 <= o["height"]
            assert (x1 - x0) * (y1 - y0) >= 20
            n_items += 1
        supers = [it["super_category"] for it in o["items"]]
        assert len(supers) == len(set(supers))
        assert not ({"top", "bottom"} & set(supers) and "dress" in supers)
    assert n_items >= 2 * len(w.ootds)
    by_pid = {p["product_id"]: p for p in w.products}
    for pg in w.shop_pages:
        with Image.open(w.image_path(pg["path"])) as f:
            assert f.format == "PNG" and f.width == 256 and f.size == (pg["width"], pg["height"])
        kinds = [r["kind"] for r in pg["regions"]]
        assert 2 <= kinds.count("photo") <= 3 and kinds.count("banner") == 1 and "text" in kinds
        for r in pg["regions"]:
            x0, y0, x1, y1 = r["box"]
            assert 0 <= x0 < x1 <= pg["width"] and 0 <= y0 < y1 <= pg["height"]
            assert r["product_id"] == (pg["product_id"] if r["kind"] == "photo" else None)
        assert by_pid[pg["product_id"]]["publish_day"] == pg["publish_day"]


def test_color_variants_share_design(tiny):
    _, _, w = tiny
    designs = defaultdict(list)
    for p in w.products:
        designs[p["design_id"]].append(p)
    multi = [ps for ps in designs.values() if len(ps) > 1]
    assert len(multi) >= 0.15 * len(designs)
    assert all(len(ps) <= 3 for ps in designs.values())
    for ps in multi:
        colors = [p["attributes"]["color"] for p in ps]
        assert len(set(colors)) == len(colors)
        strip = [{k: v for k, v in p["attributes"].items() if k != "color"} for p in ps]
        assert all(s == strip[0] for s in strip)
        assert len({(p["sub_category"], p["shop_id"], p["publish_day"]) for p in ps}) == 1
    # and they look alike: same silhouette, other colour
    a, b = multi[0][:2]
    ia = np.asarray(Image.open(w.image_path(a["images"][0]["path"])).convert("RGB"), float)
    ib = np.asarray(Image.open(w.image_path(b["images"][0]["path"])).convert("RGB"), float)
    assert np.abs(ia - ib).mean() > 3


def test_near_duplicates_marked(tiny):
    _, _, w = tiny
    n_img = n_dup = 0
    for p in w.products:
        ids = {im["image_id"] for im in p["images"]}
        for im in p["images"]:
            n_img += 1
            if im["near_duplicate_of"]:
                n_dup += 1
                assert im["near_duplicate_of"] in ids and im["image_id"].startswith(im["near_duplicate_of"])
    assert 0.03 <= n_dup / n_img <= 0.2


def test_ootds_use_products_published_before(tiny):
    _, _, w = tiny
    by_pid = {p["product_id"]: p for p in w.products}
    users = {u["user_id"] for u in w.users}
    start = datetime.fromisoformat("2026-11-01T00:00:00+00:00")
    for o in w.ootds:
        posted = datetime.fromisoformat(o["posted_at"])
        assert o["user_id"] in users and 0 <= (posted - start).days < 14
        for it in o["items"]:
            p = by_pid[it["product_id"]]
            assert date.fromisoformat(p["publish_day"]) < posted.date()
            assert it["attributes"] == p["attributes"] and it["sub_category"] == p["sub_category"]
        assert o["hashtags"][0] == "#ootd" and f"#{o['style']}" in o["hashtags"]
        assert all(t.startswith("#") for t in o["hashtags"]) and o["description"]


def test_users_follows_interactions(tiny):
    _, _, w = tiny
    tax = load_taxonomy()
    uid = {u["user_id"] for u in w.users}
    for u in w.users:
        assert len(u["taste"]) == len(tax.group("style").values)
        assert abs(sum(u["taste"]) - 1) < 1e-3 and min(u["taste"]) >= 0
        assert set(u["style_tags"]) <= set(tax.group("style").values)
    assert any(u["is_style_leader"] for u in w.users)
    for f in w.follows:
        assert f["follower_id"] in uid and f["followee_id"] in uid and f["follower_id"] != f["followee_id"]
    df = w.interactions
    assert list(df.columns) == ["user_id", "ootd_id", "kind", "ts"]
    assert isinstance(df["ts"].dtype, pd.DatetimeTZDtype) and str(df["ts"].dt.tz) == "UTC"
    assert set(df["kind"]) == {"view", "like"}
    assert df["ts"].min() >= pd.Timestamp("2026-11-01", tz="UTC") and df["ts"].max() < pd.Timestamp("2026-11-15", tz="UTC")
    posted = {o["ootd_id"]: pd.Timestamp(o["posted_at"]) for o in w.ootds}
    author = {o["ootd_id"]: o["user_id"] for o in w.ootds}
    assert (df["ts"] > df["ootd_id"].map(posted)).all()
    assert (df["user_id"] != df["ootd_id"].map(author)).all()
    views = df[df.kind == "view"]
    assert not views.duplicated(["user_id", "ootd_id"]).any()
    likes = df[df.kind == "like"].merge(views, on=["user_id", "ootd_id"], suffixes=("", "_view"))
    assert len(likes) == (df.kind == "like").sum() and (likes["ts"] > likes["ts_view"]).all()
    assert 0.05 < len(likes) / len(views) < 0.5


def test_taste_drives_likes(tiny):
    """Likes go more to OOTDs of the user's preferred styles than views do (the learnable signal)."""
    _, _, w = tiny
    styles = list(load_taxonomy().group("style").values)
    taste = {u["user_id"]: np.asarray(u["taste"]) for u in w.users}
    ostyle = {o["ootd_id"]: styles.index(o["style"]) for o in w.ootds}
    df = w.interactions
    aff = np.asarray([taste[u][ostyle[o]] for u, o in zip(df.user_id, df.ootd_id)])
    assert aff[(df.kind == "like").to_numpy()].mean() > aff[(df.kind == "view").to_numpy()].mean()


def test_sub_category_silhouettes_differ():
    tax = load_taxonomy()
    rng = np.random.default_rng(0)
    sp = sample_shape_params(rng)
    masks = {}
    base = {"pattern": "solid", "material": "cotton", "texture": ["smooth"], "fit": "regular", "length": "regular",
            "sleeve_length": "long", "neckline": "round", "closure": "none", "heel_height": "flat",
            "bag_size": "medium", "waist_rise": "mid", "details": [], "embellishment": [], "trim": []}
    from itoo.world.catalog import LENGTH_PRIOR, MATERIAL_PRIOR, NECK_PRIOR, SLEEVE_PRIOR
    for sub in tax.sub_categories:
        sup = tax.sub_to_super[sub]
        a = dict(base)
        if sub in SLEEVE_PRIOR:
            a["sleeve_length"] = max(SLEEVE_PRIOR[sub], key=SLEEVE_PRIOR[sub].get)
        a["material"] = max(MATERIAL_PRIOR[sub], key=MATERIAL_PRIOR[sub].get)
        lp = LENGTH_PRIOR.get(sub) or LENGTH_PRIOR["top"]
        a["length"] = max(lp, key=lp.get)
        if sub in NECK_PRIOR:
            a["neckline"] = max(NECK_PRIOR[sub], key=NECK_PRIOR[sub].get)
        img, _ = render_sprite(sup, sub, a, sp, (120, 60, 60), (240, 240, 240), 1)
        masks[sub] = (sup, np.asarray(img.getchannel("A")) > 127, np.asarray(img.convert("RGB"), float))
    for s1, (sup1, m1, c1) in masks.items():
        assert m1.sum() > 200, s1
        for s2, (sup2, m2, c2) in masks.items():
            if s1 < s2 and sup1 == sup2:
                iou = (m1 & m2).sum() / (m1 | m2).sum()
                both = m1 & m2
                diff = np.abs(c1[both] - c2[both]).max(1) > 40
                assert iou < 0.95 or diff.mean() > 0.02, (s1, s2, iou, diff.mean())  # silhouette or drawn details


@pytest.mark.parametrize("kwargs, match", [
    ({"size": "huge"}, "unknown world size"),
    ({"seed": -1}, "non-negative"),
    ({"seed": 1.5}, "non-negative integer"),
])
def test_bad_generate_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_world(tmp_path / "w", **kwargs)


def test_out_dir_that_is_a_file(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        generate_world(f, "tiny")


def test_load_world_rejects_non_worlds(tmp_path, tiny):
    with pytest.raises(ValueError, match="not a folder"):
        load_world(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="world.json is missing"):
        load_world(tmp_path / "empty")
    root, _, _ = tiny
    for name, content in (("products.json", "{not json"), ("users.json", '{"a": 1}'),
                          ("interactions.csv", "a,b\n1,2\n")):
        bad = tmp_path / f"bad_{name}"
        shutil.copytree(root, bad, ignore=shutil.ignore_patterns("images"))
        (bad / name).write_text(content)
        with pytest.raises(ValueError, match=name.replace(".", r"\.")):
            load_world(bad)
    bad = tmp_path / "no_ootds"
    shutil.copytree(root, bad, ignore=shutil.ignore_patterns("images", "ootds.json"))
    with pytest.raises(ValueError, match="ootds.json"):
        load_world(bad)

"""Page splitting and perceptual dedupe on a real (tiny) sample world and on hand-made cases."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from itoo.cleaning import (
    _chunks,
    _phash_int,
    box_iou,
    evaluate_dedupe,
    evaluate_page_splitting,
    image_signature,
    perceptual_dedupe,
    split_descriptive_image,
)
from itoo.world import generate_world, load_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_world_cleaning")
    generate_world(root, "tiny", seed=11)
    return load_world(root)


def _product_images(w):
    items, gt = [], {}
    for p in w.products:
        for im in p["images"]:
            with Image.open(w.image_path(im["path"])) as f:
                items.append((im["image_id"], f.convert("RGB")))
            gt[im["image_id"]] = im["near_duplicate_of"]
    return items, gt


def test_split_pages_of_the_world(world):
    preds, gts = [], []
    for pg in world.shop_pages:
        with Image.open(world.image_path(pg["path"])) as im:
            preds.append(split_descriptive_image(im))
        gts.append(pg["regions"])
    m = evaluate_page_splitting(preds, gts)
    assert m["n_gt"] >= 2 * len(gts)
    assert m["precision"] >= 0.9 and m["recall"] >= 0.9, m
    banners = evaluate_page_splitting(preds, gts, kind="banner")
    assert banners["recall"] >= 0.8, banners


def _hand_page():
    page = Image.new("RGB", (256, 420), (252, 252, 250))
    d = ImageDraw.Draw(page)
    rng = np.random.default_rng(0)
    d.rectangle([0, 10, 255, 55], fill=(230, 40, 120))            # banner
    d.ellipse([150, 15, 190, 50], fill=(255, 220, 0))
    photo = rng.integers(0, 255, (150, 150, 3), dtype=np.uint8)    # photo
    page.paste(Image.fromarray(photo), (50, 80))
    for i in range(4):                                              # text block
        d.text((14, 250 + 13 * i), "soft fabric relaxed cut machine wash", fill=(50, 50, 50))
    page.paste(Image.new("RGB", (120, 100), (225, 230, 240)), (10, 320))  # photo with plain light bg
    d.rectangle([50, 340, 80, 400], fill=(20, 30, 90))
    return page, [{"box": [0, 10, 256, 56], "kind": "banner"}, {"box": [50, 80, 200, 230], "kind": "photo"},
                  {"box": [14, 250, 200, 300], "kind": "text"}, {"box": [10, 320, 130, 420], "kind": "photo"}]


def test_split_hand_made_page():
    page, gt = _hand_page()
    pred = split_descriptive_image(page)
    kinds = [r["kind"] for r in pred]
    assert kinds.count("photo") == 2 and kinds.count("banner") == 1 and "text" in kinds, pred
    for g in gt:
        best = max(pred, key=lambda r: box_iou(r["box"], g["box"]))
        assert best["kind"] == g["kind"] and box_iou(best["box"], g["box"]) > 0.5, (g, best)
    assert split_descriptive_image(Image.new("RGB", (256, 300), "white")) == []
    with pytest.raises(ValueError):
        split_descriptive_image(np.zeros((10, 10, 3)))


def test_evaluate_page_splitting_by_hand():
    gt = [[{"box": [0, 0, 10, 10], "kind": "photo"}, {"box": [0, 20, 10, 30], "kind": "photo"},
           {"box": [0, 40, 10, 50], "kind": "text"}]]
    pred = [[{"box": [0, 0, 10, 11], "kind": "photo"}, {"box": [50, 50, 60, 60], "kind": "photo"},
             {"box": [0, 40, 10, 50], "kind": "photo"}]]
    m = evaluate_page_splitting(pred, gt)
    assert (m["tp"], m["n_pred"], m["n_gt"]) == (1, 3, 2)
    assert m["precision"] == pytest.approx(1 / 3) and m["recall"] == pytest.approx(0.5)
    assert evaluate_page_splitting({"a": gt[0]}, {"a": gt[0]})["recall"] == 1.0
    assert evaluate_page_splitting({}, {"a": gt[0]})["recall"] == 0.0
    with pytest.raises(ValueError):
        evaluate_page_splitting([], gt)
    with pytest.raises(ValueError):
        evaluate_page_splitting({"a": []}, gt)


def test_dedupe_on_the_world(world):
    items, gt = _product_images(world)
    kept, dmap = perceptual_dedupe(items)
    assert len(kept) + len(dmap) == len(items)
    assert set(dmap.values()) <= set(kept) and not set(dmap) & set(kept)
    m = evaluate_dedupe(dmap, gt)
    assert m["n_gt"] >= 5
    assert m["precision"] >= 0.85 and m["recall"] >= 0.75, m


def test_multi_index_search_equals_brute_force(world):
    """The bucketed search finds exactly what comparing every pair would (pigeonhole is exact)."""
    items, _ = _product_images(world)
    items = items[:150]
    for d in (2, 6, 10):
        kept, dmap = perceptual_dedupe(items, max_distance=d, max_color_distance=None)
        hashes = {i: _phash_int(im) for i, im in items}
        bk, bmap = [], {}
        for i, _ in items:
            best = min(((hashes[i] ^ hashes[k]).bit_count(), n, k) for n, k in enumerate(bk)) if bk else None
            if best and best[0] <= d:
                bmap[i] = best[2]
            else:
                bk.append(i)
        assert kept == bk and dmap == bmap
    assert sum(w for _, w in _chunks(64, 7)) == 64


def test_dedupe_by_hand():
    rng = np.random.default_rng(1)
    a = Image.fromarray(rng.integers(0, 255, (12, 12, 3), dtype=np.uint8)).resize((96, 96), Image.BICUBIC)
    buf = io.BytesIO()
    a.save(buf, "JPEG", quality=20)
    a_low = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    b = Image.fromarray(rng.integers(0, 255, (12, 12, 3), dtype=np.uint8)).resize((96, 96), Image.BICUBIC)
    kept, dmap = perceptual_dedupe([("a", a), ("b", b), ("a_low", a_low)])
    assert kept == ["a", "b"] and dmap == {"a_low": "a"}
    with pytest.raises(ValueError, match="duplicate id"):
        perceptual_dedupe([("a", a), ("a", b)])
    with pytest.raises(ValueError):
        perceptual_dedupe([("a", a)], max_distance=64)
    assert perceptual_dedupe([]) == ([], {})
    # against items kept earlier (e.g. earlier crawl days), given as images or stored signatures
    for prev in (a, image_signature(a)):
        kept, dmap = perceptual_dedupe([("b", b), ("a_low", a_low)], previous=[("a_day1", prev)])
        assert kept == ["b"] and dmap == {"a_low": "a_day1"}
    with pytest.raises(ValueError, match="not an image signature"):
        perceptual_dedupe([("b", b)], previous=[("x", "zz")])


def test_evaluate_dedupe_by_hand():
    gt = {"x": None, "x_dup": "x", "x_dup_dup": "x_dup", "y": None, "y_dup": "y", "z": None}
    assert evaluate_dedupe({"x_dup": "x", "x_dup_dup": "x", "y_dup": "y"}, gt)["precision"] == 1.0
    m = evaluate_dedupe({"x_dup": "x", "z": "y"}, gt)
    assert m["precision"] == 0.5 and m["recall"] == pytest.approx(1 / 3)
    # kept the copy, dropped the original: still the right group
    assert evaluate_dedupe({"y": "y_dup"}, gt)["precision"] == 1.0
    assert evaluate_dedupe({}, {"a": None}) == {"precision": 1.0, "recall": 1.0, "n_pred": 0, "n_gt": 0, "tp": 0}

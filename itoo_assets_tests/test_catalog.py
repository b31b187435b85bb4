"""Crawl, cleaning and training sets on a real tiny world, without Dagster."""

import pandas as pd
import pytest

from itoo.catalog import crawl_day
from itoo.cleaned_crops import clean_day
from itoo.training_sets import build_training_sets, split_of
from itoo.world import generate_world, load_world
from resources import ArtifactStore

DAY = "2026-11-01"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    generate_world(root, "tiny", 7)
    return load_world(root)


def test_crawl_rejects_unreadable_images_and_keeps_the_rest(world, tmp_path):
    store = ArtifactStore(str(tmp_path / "a"))
    product = next(p for p in world.products if p["publish_day"] == DAY)
    victim = world.image_path(product["images"][0]["path"])
    original = victim.read_bytes()
    try:
        victim.write_bytes(original[: len(original) // 3])  # a truncated download
        products, images, errors = crawl_day(world, DAY, store)
    finally:
        victim.write_bytes(original)
    assert [e["image_id"] for e in errors] == [product["images"][0]["image_id"]]
    assert "truncated" in errors[0]["error"].lower() or "image" in errors[0]["error"].lower()
    assert product["images"][0]["image_id"] not in set(images.image_id)
    expected = sum(len(p["images"]) + 1 for p in world.products if p["publish_day"] == DAY) - 1
    assert len(images) == expected and len(products) == sum(p["publish_day"] == DAY for p in world.products)
    for row in images.itertuples():
        assert store.read_bytes(row.key, row.sha256)  # stored and checksummed


def test_crawl_day_garbage(world, tmp_path):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        crawl_day(world, "yesterday", ArtifactStore(str(tmp_path / "a")))
    products, images, errors = crawl_day(world, "2030-01-01", ArtifactStore(str(tmp_path / "a")))
    assert products.empty and images.empty and errors == []


def test_cleaning_splits_pages_and_dedupes_across_days(world, tmp_path):
    store = ArtifactStore(str(tmp_path / "a"))
    _, images1, _ = crawl_day(world, DAY, store)
    clean1, report = clean_day(images1, store, DAY, previous=[])
    assert report["page_split_precision"] >= 0.9 and report["page_split_recall"] >= 0.9
    assert report["dedupe_precision"] >= 0.9
    assert set(clean1.source_kind) == {"shop", "review", "page"}
    previous = list(zip(clean1.image_id, clean1.signature))
    # the same photos published again under new ids on a later day: caught by their pixels
    renamed = images1.assign(image_id="re_" + images1.image_id)
    again, report2 = clean_day(renamed, store, "2026-11-02", previous=previous)
    assert report2["duplicates_of_earlier_days"] >= 0.9 * len(clean1)
    assert len(again) <= 0.1 * len(clean1)
    # and re-listed under the same ids: duplicates of themselves, nothing kept twice
    same, _ = clean_day(images1, store, "2026-11-02", previous=previous)
    assert not set(same.image_id) & set(clean1.image_id)


def test_training_sets_split_by_design(world, tmp_path):
    store = ArtifactStore(str(tmp_path / "a"))
    products, images, _ = crawl_day(world, DAY, store)
    clean, _ = clean_day(images, store, DAY, previous=[])
    sets = build_training_sets(clean, products, world.ootds, "world/x", seed=7)
    by_design = {}
    for c in sets["crops"]:
        assert by_design.setdefault(c["design_id"], c["split"]) == c["split"]
    assert {d["split"] for d in sets["detection"]} <= {"train", "val", "test"}
    assert split_of("d0001", 7) == split_of("d0001", 7)
    with pytest.raises(ValueError, match="no cleaned crops"):
        build_training_sets(clean.iloc[0:0], products, world.ootds, "world/x")
    with pytest.raises(ValueError, match="lacks columns"):
        build_training_sets(pd.DataFrame({"x": [1]}), products, world.ootds, "world/x")

"""Jobs: the groups of assets that users launch together."""

import dagster as dg


world_job = dg.define_asset_job(
    "world_job", selection=dg.AssetSelection.assets("sample_world", "app_database"),
    description="Generate the sample world and load the app database.")

ingest_job = dg.define_asset_job(
    "ingest_job", selection=dg.AssetSelection.assets("crawled_catalog", "cleaned_crops"),
    description="Crawl one day's catalogue and clean it (page splitting, de-duplication).")

training_job = dg.define_asset_job(
    "training_job", selection=dg.AssetSelection.groups("training_data", "models") | dg.AssetSelection.assets("style_vectors"),
    description="Build the training sets from every crawled day, train, evaluate and export the four models.")

nightly_job = dg.define_asset_job(
    "nightly_job",
    selection=dg.AssetSelection.assets("crawled_catalog", "cleaned_crops", "catalog_embeddings", "search_indexes",
                                       "recommendation_tables"),
    description="The dawn run for one day: crawl, clean, embed new items, rebuild and publish the "
                "per-category indexes, and compute the recommendation tables.")

uploads_job = dg.define_asset_job(
    "uploads_job", selection=dg.AssetSelection.assets("upload_detections"),
    description="Detect, classify, tag and embed the items of new outfit uploads.")

recommendations_job = dg.define_asset_job(
    "recommendations_job", selection=dg.AssetSelection.assets("recommendation_tables"),
    description="Recompute one day's recommendation tables (e.g. a backfill over the interaction log).")

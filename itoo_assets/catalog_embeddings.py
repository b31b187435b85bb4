"""Catalogue embeddings: each crawl day's catalogue photos embedded with the search embedder."""


import dagster as dg
import pandas as pd

from itoo_assets.partitions import daily_partitions
from resources import ArtifactStoreResource, ModelRuntimeResource, SqlDatabaseResource
from resources.artifact_store import new_version

BATCH_COLUMNS = ["crawl_day", "version", "model_version", "vectors_key", "vectors_sha256", "ids_key", "ids_sha256",
                 "count"]


@dg.asset(group_name="search", partitions_def=daily_partitions, deps=["cleaned_crops"], kinds={"onnx"})
def catalog_embeddings(context: dg.AssetExecutionContext, search_embedder: dict, artifacts: ArtifactStoreResource,
                       warehouse: SqlDatabaseResource, model_runtime: ModelRuntimeResource) -> dg.MaterializeResult:
    """Embeds the day's shop photos and page crops with the exact embedder version it received and
    records the batch in `catalog_embedding_batches`."""
    from itoo.catalog_embeddings import embed_clean_images, save_batch
    from itoo.inference import ModelSet

    day = context.partition_key
    store, db = artifacts.store(), warehouse.db()
    clean = db.read_sql("SELECT * FROM clean_images WHERE crawl_day = :day", day=day)
    products = db.read_sql("SELECT * FROM catalog_products WHERE crawl_day = :day", day=day)
    models = ModelSet(store, model_runtime.runtime(), {"search_embedder": search_embedder})
    vectors, records = embed_clean_images(store, models, clean, products)
    version = new_version()
    batch = save_batch(store, f"embeddings/{day}/{version}", vectors, records)
    row = {"crawl_day": day, "version": version, "model_version": search_embedder["version"], **batch}
    db.replace_partition("catalog_embedding_batches", pd.DataFrame([row], columns=BATCH_COLUMNS), "crawl_day", day)
    context.log.info(f"{day}: embedded {len(records)} catalogue photos with embedder {search_embedder['version']}")
    return dg.MaterializeResult(metadata={
        "vectors": len(records), "embedder_version": search_embedder["version"], "version": version,
        "vectors_uri": dg.MetadataValue.path(store.uri(batch["vectors_key"])), "vectors_sha256": batch["vectors_sha256"],
    })

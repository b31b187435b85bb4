"""Search indexes: the dawn rebuild of the per-category vector indexes, published atomically."""


import dagster as dg

from itoo_assets.metadata import md_table
from itoo_assets.partitions import daily_partitions
from resources import ArtifactStoreResource, ModelRuntimeResource, SqlDatabaseResource
from resources.artifact_store import new_version

MIN_RECALL = 0.9


@dg.asset(group_name="search", partitions_def=daily_partitions, deps=["catalog_embeddings"], kinds={"hnswlib"},
          check_specs=[dg.AssetCheckSpec("recall_at_10", asset="search_indexes", blocking=True,
                                         description=f"index recall@10 against exact search ≥ {MIN_RECALL}")],
          automation_condition=dg.AutomationCondition.eager())
def search_indexes(context: dg.AssetExecutionContext, search_embedder: dict, artifacts: ArtifactStoreResource,
                   warehouse: SqlDatabaseResource, model_runtime: ModelRuntimeResource):
    """Rebuilds one index per super-category from every catalogue photo embedded up to the day
    (exact search for small categories, HNSW above, sharded above a size), writes it to
    `indexes/<day>/<version>/`, measures recall@10 against exact search with consumer photos as
    queries, and only then switches `indexes/CURRENT` to it. A served index is never mutated."""
    from itoo import search_indexes as logic
    from itoo.catalog_embeddings import embed_clean_images
    from itoo.inference import ModelSet

    day = context.partition_key
    store, db = artifacts.store(), warehouse.db()
    batches = db.read_sql("SELECT * FROM catalog_embedding_batches WHERE crawl_day <= :day", day=day)
    vectors, records = logic.gather_vectors(store, batches, search_embedder["version"])
    indexes = logic.build(vectors, records)
    reviews = db.read_sql("SELECT * FROM clean_images WHERE crawl_day <= :day AND source_kind = 'review'", day=day)
    products = db.read_sql("SELECT * FROM catalog_products WHERE crawl_day <= :day", day=day)
    models = ModelSet(store, model_runtime.runtime(), {"search_embedder": search_embedder})
    qv, qrec = embed_clean_images(store, models, reviews, products, kinds=("review",))
    report = logic.evaluate(indexes, vectors, records, qv, [r["super_category"] for r in qrec])
    version = new_version()
    published = {"day": day, "version": version, "embedder_version": search_embedder["version"],
                 "embedder": search_embedder,  # serving embeds queries with exactly this model
                 "count": len(records), "recall_at_10": report["recall_at_10"],
                 **logic.save(store, f"indexes/{day}/{version}", indexes, records)}
    manifest_ref = store.write_json(f"indexes/{day}/{version}/published.json", published)
    passed = report["recall_at_10"] == report["recall_at_10"] and report["recall_at_10"] >= MIN_RECALL
    if passed:
        store.publish("indexes", published)
        context.log.info(f"published indexes {day}/{version}: {len(records)} vectors, "
                         f"recall@10 {report['recall_at_10']:.3f}")
    else:
        context.log.warning(f"indexes {day}/{version} NOT published: recall@10 {report['recall_at_10']:.3f}")
    return dg.MaterializeResult(
        value=published,
        metadata={"vectors": len(records), "recall_at_10": float(report["recall_at_10"]),
                  "queries": report["queries"], "version": version, "published": passed,
                  "manifest_uri": dg.MetadataValue.path(manifest_ref.uri), "manifest_sha256": manifest_ref.sha256,
                  "per_category": md_table(report["per_category"])},
        check_results=[dg.AssetCheckResult(check_name="recall_at_10", passed=passed,
                                           metadata={"recall_at_10": float(report["recall_at_10"]),
                                                     "threshold": MIN_RECALL})],
    )

"""Upload detections: the items of new outfit uploads, found by the sensor-triggered uploads job."""


import dagster as dg

from itoo_assets.metadata import md_table
from resources import ArtifactStoreResource, ModelRuntimeResource, SqlDatabaseResource


class UploadBatchConfig(dg.Config):
    upload_ids: list[int] = []  # empty: every pending upload


@dg.asset(group_name="app", kinds={"onnx", "sql"})
def upload_detections(context: dg.AssetExecutionContext, config: UploadBatchConfig, detector: dict,
                      category_classifier: dict, attribute_tagger: dict, search_embedder: dict,
                      artifacts: ArtifactStoreResource, app_db: SqlDatabaseResource,
                      model_runtime: ModelRuntimeResource) -> dg.MaterializeResult:
    """Runs detect → classify ‖ tag → embed on each upload of the batch and stores the detected
    items with their OOTD; failures are recorded on the upload with their reason."""
    from itoo.inference import ModelSet
    from itoo.upload_detections import process_uploads

    from itoo.app_db import pending_uploads

    engine = app_db.db().engine
    ids = list(config.upload_ids) or [u["upload_id"] for u in pending_uploads(engine, limit=10_000)]
    models = ModelSet(artifacts.store(), model_runtime.runtime(), {
        "detector": detector, "category_classifier": category_classifier,
        "attribute_tagger": attribute_tagger, "search_embedder": search_embedder})
    results = process_uploads(engine, artifacts.store(), models, ids)
    for r in results:
        context.log.info(f"upload {r['upload_id']}: {r['status']} ({r['items']} items)")
    return dg.MaterializeResult(metadata={
        "uploads": len(results), "processed": sum(r["status"] == "processed" for r in results),
        "failed": sum(r["status"] == "failed" for r in results), "results": md_table(results)})

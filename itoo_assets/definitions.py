"""The Dagster code location of itoo. Loads fast: torch and onnxruntime are imported inside assets."""

import dagster as dg

from itoo_assets import (
    app_database,
    catalog_embeddings,
    cleaned_crops,
    crawled_catalog,
    recommendation_tables,
    sample_world,
    search_indexes,
    style_vectors,
    trained_models,
    training_sets,
    upload_detections,
)
from itoo_assets import settings
from itoo_assets.jobs import ingest_job, nightly_job, recommendations_job, training_job, uploads_job, world_job
from itoo_assets.schedules import nightly_schedule
from itoo_assets.sensors import new_uploads_sensor
from resources import ArtifactStoreResource, ModelRuntimeResource, SqlDatabaseResource
from resources.serving import ServingResource

STAGE_MODULES = [sample_world, crawled_catalog, cleaned_crops, training_sets, trained_models, catalog_embeddings,
                 search_indexes, app_database, style_vectors, recommendation_tables, upload_detections]


def build_resources() -> dict:
    """Resources from the environment (see itoo_assets/settings.py); embedded defaults need no server."""
    return {
        "artifacts": ArtifactStoreResource(root=settings.artifact_root(), s3_endpoint_url=settings.s3_endpoint_url()),
        "warehouse": SqlDatabaseResource(url=settings.warehouse_url()),
        "app_db": SqlDatabaseResource(url=settings.app_db_url()),
        "model_runtime": ModelRuntimeResource(providers=settings.ort_providers()),
        # lookups from the published artifacts, for assets and sensors that answer them
        "serving": ServingResource(artifact_root=settings.artifact_root(), warehouse_url=settings.warehouse_url(),
                                   app_db_url=settings.app_db_url(), s3_endpoint_url=settings.s3_endpoint_url()),
    }


def build_definitions(resources: dict | None = None) -> dg.Definitions:
    """The code location; tests pass their own resources (temporary folders, a test database)."""
    return dg.Definitions(
        assets=dg.load_assets_from_modules(STAGE_MODULES),
        asset_checks=dg.load_asset_checks_from_modules(STAGE_MODULES),
        jobs=[world_job, ingest_job, training_job, nightly_job, recommendations_job, uploads_job],
        schedules=[nightly_schedule],
        sensors=[new_uploads_sensor],
        resources=resources if resources is not None else build_resources(),
    )


defs = build_definitions()

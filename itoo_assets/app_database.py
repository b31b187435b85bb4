"""App database: users, products, outfit posts with items, follows and interactions."""


import dagster as dg

from itoo_assets.metadata import md_table
from itoo_assets.sample_world import open_world
from resources import ArtifactStoreResource, SqlDatabaseResource


@dg.asset(group_name="app", kinds={"sql"})
def app_database(context: dg.AssetExecutionContext, sample_world: dict, artifacts: ArtifactStoreResource,
                 app_db: SqlDatabaseResource) -> dg.MaterializeResult:
    """Loads the sample world's users, products, OOTDs (with ground-truth items), follows and
    interactions into the app database. Uploaded OOTDs are kept across reloads."""
    from itoo import app_db as schema

    store, db = artifacts.store(), app_db.db()
    counts = schema.load_world(db.engine, open_world(store, sample_world), sample_world["prefix"])
    context.log.info(f"app database loaded: {counts}")
    return dg.MaterializeResult(
        value={"world_prefix": sample_world["prefix"], "counts": counts},
        metadata={**counts, "tables": md_table([{"table": k, "rows": v} for k, v in counts.items()]),
                  "url": db.engine.url.render_as_string(hide_password=True)},
    )

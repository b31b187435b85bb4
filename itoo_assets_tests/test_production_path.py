"""The production path end to end: the whole graph on the tiny world with the artifact store on a
real S3-compatible server and the warehouse and app database on a real PostgreSQL."""

import dagster as dg
import pytest
import sqlalchemy as sa

from itoo_assets.definitions import build_definitions
from itoo_assets.full_run import run_everything
from resources import ArtifactStoreResource, ModelRuntimeResource, SqlDatabase, SqlDatabaseResource


@pytest.fixture(scope="module")
def production_urls(postgres_url, s3_server):
    """Separate PostgreSQL schemas for the warehouse and the app database in the test database."""
    engine = SqlDatabase(postgres_url).engine
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA IF NOT EXISTS warehouse"))
        conn.execute(sa.text("CREATE SCHEMA IF NOT EXISTS app"))
    engine.dispose()
    sep = "&" if "?" in postgres_url else "?"
    return {"warehouse": f"{postgres_url}{sep}options=-csearch_path%3Dwarehouse",
            "app": f"{postgres_url}{sep}options=-csearch_path%3Dapp", "s3": s3_server}


def test_whole_graph_on_s3_and_postgresql(production_urls, tmp_path):
    resources = {
        "artifacts": ArtifactStoreResource(root="s3://itoo-test/production", s3_endpoint_url=production_urls["s3"]),
        "warehouse": SqlDatabaseResource(url=production_urls["warehouse"]),
        "app_db": SqlDatabaseResource(url=production_urls["app"]),
        "model_runtime": ModelRuntimeResource(),
    }
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        summary = run_everything("tiny", 7, instance=instance, defs=build_definitions(resources), log=lambda m: None,
                                 console_log_level="WARNING")
    assert all(f["value"] is not None for f in summary["figures"])
    wh, app = resources["warehouse"].db(), resources["app_db"].db()
    assert wh.backend == "postgresql" and app.backend == "postgresql"
    with wh.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names(schema="warehouse"))
    assert {"catalog_products", "catalog_images", "clean_images", "catalog_embedding_batches",
            "rec_feed", "rec_style_leaders"} <= tables
    assert len(wh.read_sql("SELECT DISTINCT crawl_day FROM catalog_images")) == 3
    assert len(app.read_sql("SELECT * FROM ootds")) > 0
    store = resources["artifacts"].store()
    published = store.current("indexes")
    assert published["prefix"].startswith("indexes/") and store.exists(published["records_key"])

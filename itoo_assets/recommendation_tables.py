"""Recommendation tables: each day's personal feed and style-leader suggestions."""


import dagster as dg

from itoo_assets.metadata import md_table, numbers
from itoo_assets.partitions import daily_partitions
from resources import ArtifactStoreResource, SqlDatabaseResource


@dg.asset(group_name="recommendations", partitions_def=daily_partitions, deps=["app_database"], kinds={"sql"},
          check_specs=[dg.AssetCheckSpec("beats_popularity", asset="recommendation_tables",
                                         description="held-out HR@10 of the feed is at least the popularity baseline's")],
          automation_condition=dg.AutomationCondition.eager())
def recommendation_tables(context: dg.AssetExecutionContext, style_vectors: dict, artifacts: ArtifactStoreResource,
                          app_db: SqlDatabaseResource, warehouse: SqlDatabaseResource) -> dg.MaterializeResult:
    """CF-CBF feed (user- and item-based CF, content, popularity; reasons on each row) and style
    leaders as of the end of the day, written to `rec_feed` and `rec_style_leaders`; HR@10 on the
    following week's likes is reported next to the popularity baseline."""
    from itoo import app_db as schema
    from itoo.recommendation_tables import compute, load_vectors

    day = context.partition_key
    store, engine, wh = artifacts.store(), app_db.db().engine, warehouse.db()
    ootds = schema.read_frame(engine, schema.ootds)
    result = compute(day, ootds, schema.read_frame(engine, schema.interactions),
                     schema.read_frame(engine, schema.follows), load_vectors(store, style_vectors))
    wh.replace_partition("rec_feed", result["feed"], "day", day)
    wh.replace_partition("rec_style_leaders", result["leaders"], "day", day)
    fig = result["figures"]
    context.log.info(f"{day}: {fig}")
    hr, pop = fig.get("hr_at_10"), fig.get("popularity_hr_at_10")
    passed = hr is not None and pop is not None and hr >= pop
    return dg.MaterializeResult(
        metadata={**numbers(fig),
                  "feed_rows": len(result["feed"]), "leader_rows": len(result["leaders"]),
                  "sample_feed": md_table(result["feed"].head(10).drop(columns=["day"]).to_dict("records"))},
        check_results=[dg.AssetCheckResult(
            check_name="beats_popularity", passed=bool(passed),
            severity=dg.AssetCheckSeverity.WARN,
            metadata=numbers({"hr_at_10": hr, "popularity_hr_at_10": pop}))],
    )

"""Cleaned crops: page splitting and perceptual-hash de-duplication of each crawl day."""


import dagster as dg

from itoo_assets.metadata import md_image, md_table, numbers
from itoo_assets.partitions import daily_partitions
from resources import ArtifactStoreResource, SqlDatabaseResource


@dg.asset(group_name="catalog", partitions_def=daily_partitions, deps=["crawled_catalog"], kinds={"python", "sql"},
          automation_condition=dg.AutomationCondition.eager())
def cleaned_crops(context: dg.AssetExecutionContext, artifacts: ArtifactStoreResource,
                  warehouse: SqlDatabaseResource) -> dg.MaterializeResult:
    """Splits each descriptive shop page into its product photos (text and banners dropped), removes
    near-duplicates within the day and against earlier days, and writes `clean_images`."""
    from itoo.cleaned_crops import clean_day
    from itoo.imaging import contact_sheet, load_image_safe

    day = context.partition_key
    store, db = artifacts.store(), warehouse.db()
    images = db.read_sql("SELECT * FROM catalog_images WHERE crawl_day = :day", day=day)
    previous = (list(db.read_sql("SELECT image_id, signature FROM clean_images WHERE crawl_day < :day",
                                 day=day).itertuples(index=False, name=None))
                if db.has_table("clean_images") else [])
    rows, report = clean_day(images, store, day, previous)
    db.replace_partition("clean_images", rows, "crawl_day", day)
    context.log.info(f"{day}: {report}")
    page_crops = rows[rows.source_kind == "page"].key.head(16).tolist()
    metadata = {**numbers(report),
                "report": md_table([{"measure": k, "value": v} for k, v in report.items()])}
    if page_crops:
        metadata["page_crops"] = md_image(contact_sheet([load_image_safe(store.read_bytes(k)) for k in page_crops],
                                                        cols=8), "Photos cut out of descriptive pages")
    return dg.MaterializeResult(metadata=metadata)

"""Crawled catalogue: each day, the shops' new products and their photos, fetched and validated."""


import dagster as dg

from itoo_assets.metadata import md_image, md_table
from itoo_assets.partitions import daily_partitions
from itoo_assets.sample_world import open_world
from resources import ArtifactStoreResource, SqlDatabaseResource


@dg.asset(group_name="catalog", partitions_def=daily_partitions, kinds={"python", "sql"},
          automation_condition=dg.AutomationCondition.on_cron("0 2 * * *"))
def crawled_catalog(context: dg.AssetExecutionContext, sample_world: dict,
                    artifacts: ArtifactStoreResource, warehouse: SqlDatabaseResource) -> dg.MaterializeResult:
    """Fetches what the shops published on the partition's day into `catalog/raw/<day>/` and
    records it in the warehouse tables `catalog_products` and `catalog_images` (idempotent per day).
    Images that do not decode are kept out and listed in `catalog_errors`."""
    import pandas as pd

    from itoo.catalog import crawl_day
    from itoo.imaging import contact_sheet, load_image_safe

    day = context.partition_key
    store, db = artifacts.store(), warehouse.db()
    world = open_world(store, sample_world)
    products, images, errors = crawl_day(world, day, store)
    db.replace_partition("catalog_products", products, "crawl_day", day)
    db.replace_partition("catalog_images", images, "crawl_day", day)
    db.replace_partition("catalog_errors", pd.DataFrame(errors, columns=["crawl_day", "image_id", "source", "error"]),
                         "crawl_day", day)
    context.log.info(f"{day}: {len(products)} products, {len(images)} images, {len(errors)} rejected")
    sample = [load_image_safe(store.read_bytes(k)) for k in images[images.kind != "page"].key.head(16)]
    by_shop = products.groupby("shop_id").size().reset_index(name="products").to_dict("records") if len(products) else []
    metadata = {
        "day": day, "products": len(products), "images": len(images), "rejected_images": len(errors),
        "images_by_kind": md_table(images.groupby("kind").size().reset_index(name="count").to_dict("records"))
        if len(images) else md_table([]),
        "products_by_shop": md_table(by_shop),
    }
    if sample:
        metadata["sample"] = md_image(contact_sheet(sample, cols=8), f"Crawled on {day}")
    return dg.MaterializeResult(metadata=metadata)

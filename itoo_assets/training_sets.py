"""Training sets: colour-separated, design-split crops and outfit photos with boxes."""


import dagster as dg

from itoo_assets.metadata import md_image, md_table
from itoo_assets.sample_world import open_world
from resources import ArtifactStoreResource, SqlDatabaseResource
from resources.artifact_store import new_version


@dg.asset(group_name="training_data", deps=["cleaned_crops"], kinds={"python"})
def training_sets(context: dg.AssetExecutionContext, sample_world: dict, artifacts: ArtifactStoreResource,
                  warehouse: SqlDatabaseResource) -> dg.MaterializeResult:
    """Builds the training sets of all crawled days: crops labelled with category and attributes
    (split by design so colour variants never straddle splits; each product its own search class)
    and outfit photos with boxes for the detector. Written to `training_sets/<version>/sets.json`."""
    from itoo.imaging import contact_sheet, load_image_safe
    from itoo.training_sets import build_training_sets

    store, db = artifacts.store(), warehouse.db()
    clean = db.read_table("clean_images")
    products = db.read_table("catalog_products")
    world = open_world(store, sample_world)
    sets = build_training_sets(clean, products, world.ootds, sample_world["prefix"], seed=sample_world["seed"])
    version = new_version()
    ref = store.write_json(f"training_sets/{version}/sets.json", sets)
    stats = sets["stats"]
    context.log.info(f"training sets {version}: {stats}")
    variants = {}
    for c in sets["crops"]:
        if c["source_kind"] == "shop":
            variants.setdefault(c["design_id"], {}).setdefault(c["product_id"], c["key"])
    multi = [v for v in variants.values() if len(v) > 1][:8]
    grid = [load_image_safe(store.read_bytes(k)) for v in multi for k in list(v.values())[:3]]
    rows = [{"split": s, "crops": stats["crops"].get(s, 0), "designs": stats["designs"].get(s, 0),
             "outfit_photos": stats["detection"].get(s, 0)} for s in ("train", "val", "test")]
    metadata = {"version": version, "sets_uri": dg.MetadataValue.path(ref.uri), "sets_sha256": ref.sha256,
                "splits": md_table(rows), "products": stats["products"],
                "designs_with_colour_variants": stats["designs_with_colour_variants"],
                "crops_per_super_category": md_table([{"super_category": k, "crops": v}
                                                      for k, v in sorted(stats["crops_per_super_category"].items())])}
    if grid:
        metadata["colour_variants"] = md_image(contact_sheet(grid, cols=9), "Colour variants: separate search classes")
    return dg.MaterializeResult(value={"version": version, "key": ref.key, "sha256": ref.sha256, "stats": stats},
                                metadata=metadata)

"""Sample world: the built-in, seeded fashion world every stage runs on by default."""


import tempfile

import dagster as dg

from itoo_assets.metadata import md_image, md_table
from itoo_assets.settings import world_seed, world_size
from resources import ArtifactStoreResource


class SampleWorldConfig(dg.Config):
    size: str = world_size()  # tiny | small | large; ITOO_WORLD_SIZE sets the default
    seed: int = world_seed()


@dg.asset(group_name="sample_world", kinds={"python", "pillow"})
def sample_world(context: dg.AssetExecutionContext, config: SampleWorldConfig,
                 artifacts: ArtifactStoreResource) -> dg.MaterializeResult:
    """Generates the deterministic sample world (shops, products with photos and pages, users,
    outfit photos, follows, interactions) and stores it under `world/<size>-seed<seed>/`."""
    from itoo.imaging import contact_sheet, draw_boxes, load_image_safe
    from itoo.world import generate_world, load_world

    store = artifacts.store()
    prefix = f"world/{config.size}-seed{config.seed}"
    with tempfile.TemporaryDirectory() as tmp:
        context.log.info(f"generating the {config.size!r} world with seed {config.seed}")
        summary = generate_world(tmp, size=config.size, seed=config.seed)
        world = load_world(tmp)
        refs = store.put_dir(prefix, tmp)
        context.log.info(f"stored {len(refs)} files under {store.uri(prefix)}")
        products_ref = next(r for r in refs if r.key == f"{prefix}/products.json")
        shop_photos = [load_image_safe(world.image_path(p["images"][0]["path"])) for p in world.products[:24]]
        outfits = []
        for o in world.ootds[:8]:
            img = load_image_safe(world.image_path(o["path"]))
            outfits.append(draw_boxes(img, [it["box"] for it in o["items"]],
                                      [it["sub_category"] for it in o["items"]]))
    counts = summary.get("counts", {})
    return dg.MaterializeResult(
        value={"prefix": prefix, "size": config.size, "seed": config.seed,
               "products_sha256": products_ref.sha256, "start_day": summary["start_day"],
               "catalog_days": summary["catalog_days"], "timeline_days": summary["timeline_days"]},
        metadata={
            "size": config.size, "seed": config.seed, "files": len(refs),
            "location": dg.MetadataValue.path(store.uri(prefix)),
            "counts": md_table([{"what": k, "count": v} for k, v in counts.items()]),
            "products_sha256": products_ref.sha256,
            "shop_photos": md_image(contact_sheet(shop_photos, cols=12), "Shop photos"),
            "outfits": md_image(contact_sheet(outfits, cols=8, cell=160), "Outfit photos with ground-truth boxes"),
        },
    )


def open_world(store, manifest: dict):
    """The exact world version a downstream asset received from `sample_world`."""
    from itoo.world import load_world

    return load_world(store.local_dir(manifest["prefix"]))

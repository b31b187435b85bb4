"""The sample fashion world: a deterministic, seeded generator with ground truth.

    from itoo.world import WORLD_SIZES, generate_world, load_world, World
    summary = generate_world(out_dir, size="tiny", seed=7)   # writes files per docs/DATA_FORMATS.md
    world = load_world(out_dir)

Modules: ``catalog`` (designs, attributes; which groups are latent), ``render`` (garment sprites),
``scenes`` (shop/review photos, near-duplicates, shop pages, OOTD photos; box conventions),
``social`` (users, follows, outfits, views/likes), ``generate`` and ``load``.
"""

from itoo.world.generate import START_DAY, WORLD_SIZES, generate_world
from itoo.world.load import World, load_world

__all__ = ["WORLD_SIZES", "START_DAY", "World", "generate_world", "load_world"]

"""`itoo`: what users do outside the Dagster UI.

  itoo run [--size small] [--seed 7]        materialize the whole graph on the sample world
  itoo world --size tiny --out DIR          write a sample world to a folder
  itoo upload --user U --image F [--hashtag #street ...] [--description TEXT]
  itoo shop-the-look IMAGE [--k 5]          items in an outfit photo and similar products
  itoo feed USER [--k 10]                   a user's personal feed
  itoo who-to-follow USER [--k 5]           style leaders to follow
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _serving():
    from itoo_assets.definitions import build_resources

    return build_resources()["serving"].serving()


def cmd_run(args) -> int:
    import dagster as dg

    from itoo_assets import settings
    from itoo_assets.full_run import format_summary, run_everything

    if not os.environ.get("DAGSTER_HOME"):
        home = Path(".dagster_home").resolve()
        home.mkdir(exist_ok=True)
        os.environ["DAGSTER_HOME"] = str(home)
        print(f"DAGSTER_HOME not set; using {home}")
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    summary = run_everything(args.size, args.seed, instance=dg.DagsterInstance.get(),
                             results_path=args.results or Path("bench/results/pipeline.json"))
    print(format_summary(summary, settings.artifact_root()))
    return 0


def cmd_world(args) -> int:
    from itoo.world import generate_world

    summary = generate_world(args.out, size=args.size, seed=args.seed)
    if args.preview:
        world_preview(args.out, args.preview)
    print(json.dumps(summary, indent=2))
    return 0


def world_preview(world_dir: str, out: str) -> None:
    """A picture of the world: shop photos, review photos, a shop page and outfits with boxes."""
    from PIL import Image

    from itoo.imaging import contact_sheet, draw_boxes, load_image_safe
    from itoo.world import load_world

    world = load_world(world_dir)

    def load(rel):
        return load_image_safe(world.image_path(rel))

    shop = [load(p["images"][0]["path"]) for p in world.products[:16]]
    reviews = [load(i["path"]) for p in world.products for i in p["images"] if i["kind"] == "review"][:16]
    outfits = [draw_boxes(load(o["path"]), [it["box"] for it in o["items"]], [it["sub_category"] for it in o["items"]])
               for o in world.ootds[:6]]
    rows = [contact_sheet(shop, cols=16, cell=80), contact_sheet(reviews, cols=16, cell=80),
            contact_sheet(outfits, cols=6, cell=213)]
    width = max(r.width for r in rows)
    sheet = Image.new("RGB", (width, sum(r.height for r in rows)), "white")
    y = 0
    for r in rows:
        sheet.paste(r, (0, y))
        y += r.height
    sheet.save(out, quality=85)


def cmd_upload(args) -> int:
    from itoo.app_db import upload_ootd
    from itoo_assets import settings
    from resources import ArtifactStore, SqlDatabase

    path = Path(args.image)
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    upload_id = upload_ootd(SqlDatabase(settings.app_db_url()).engine,
                            ArtifactStore(settings.artifact_root(), settings.s3_endpoint_url()),
                            args.user, path.read_bytes(), args.description, args.hashtag or [])
    print(json.dumps({"upload_id": upload_id, "status": "pending"}))
    return 0


def cmd_shop(args) -> int:
    path = Path(args.image)
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    items = _serving().shop_the_look(path.read_bytes(), k=args.k)
    for it in items:
        it.pop("embedding", None)
    print(json.dumps(items, indent=2, default=str))
    return 0


def cmd_feed(args) -> int:
    print(json.dumps(_serving().feed(args.user, k=args.k), indent=2, default=str))
    return 0


def cmd_follow(args) -> int:
    print(json.dumps(_serving().who_to_follow(args.user, k=args.k), indent=2, default=str))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="itoo", description="itoo: fashion AI pipeline on Dagster")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="materialize the whole asset graph on the sample world")
    r.add_argument("--size", default="small", choices=["tiny", "small", "large"])
    r.add_argument("--seed", type=int, default=7)
    r.add_argument("--results", type=Path, default=None, help="where to write the timing JSON")
    r.set_defaults(func=cmd_run)
    w = sub.add_parser("world", help="write a sample world to a folder")
    w.add_argument("--size", default="tiny", choices=["tiny", "small", "large"])
    w.add_argument("--seed", type=int, default=7)
    w.add_argument("--out", required=True)
    w.add_argument("--preview", help="also write a picture of the world to this file (.jpg/.png)")
    w.set_defaults(func=cmd_world)
    u = sub.add_parser("upload", help="upload an outfit photo (processed by the uploads sensor)")
    u.add_argument("--user", required=True)
    u.add_argument("--image", required=True)
    u.add_argument("--description", default="")
    u.add_argument("--hashtag", action="append")
    u.set_defaults(func=cmd_upload)
    s = sub.add_parser("shop-the-look", help="items in an outfit photo and similar products")
    s.add_argument("image")
    s.add_argument("--k", type=int, default=5)
    s.set_defaults(func=cmd_shop)
    f = sub.add_parser("feed", help="a user's personal feed")
    f.add_argument("user")
    f.add_argument("--k", type=int, default=10)
    f.set_defaults(func=cmd_feed)
    fo = sub.add_parser("who-to-follow", help="style leaders to follow")
    fo.add_argument("user")
    fo.add_argument("--k", type=int, default=5)
    fo.set_defaults(func=cmd_follow)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, LookupError, FileNotFoundError, RuntimeError) as e:
        print(f"itoo {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""``load_world``: read a sample world written by ``generate_world`` back into memory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

_JSON_FILES = {
    "shops": "shops.json", "products": "products.json", "shop_pages": "shop_pages.json", "users": "users.json",
    "ootds": "ootds.json", "follows": "follows.json",
}
_META_KEYS = ("size", "seed", "start_day", "catalog_days", "timeline_days", "counts", "generator_version")
_INTERACTION_COLUMNS = ["user_id", "ootd_id", "kind", "ts"]


@dataclass
class World:
    root: Path
    meta: dict
    shops: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    shop_pages: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    ootds: list[dict] = field(default_factory=list)
    follows: list[dict] = field(default_factory=list)
    interactions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_INTERACTION_COLUMNS))

    def image_path(self, rel: str) -> Path:
        """Absolute path of an image referenced in the JSON (refuses paths that leave the world)."""
        parts = Path(rel).parts
        if not parts or Path(rel).is_absolute() or ".." in parts:
            raise ValueError(f"image path {rel!r} points outside the world folder {self.root}")
        return self.root / rel


def _read_json(path: Path, expect: type):
    if not path.is_file():
        raise ValueError(f"not a complete sample world: {path} is missing")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"corrupt JSON in {path}: {e}") from None
    if not isinstance(obj, expect):
        raise ValueError(f"corrupt world file {path}: expected a JSON {expect.__name__}, got {type(obj).__name__}")
    return obj


def load_world(out_dir: str | Path) -> World:
    root = Path(out_dir)
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder (expected a sample world written by generate_world)")
    if not (root / "world.json").is_file():
        raise ValueError(f"{root} is not a sample world: world.json is missing")
    meta = _read_json(root / "world.json", dict)
    missing = [k for k in _META_KEYS if k not in meta]
    if missing:
        raise ValueError(f"corrupt world file {root / 'world.json'}: missing keys {missing}")
    parts = {name: _read_json(root / fn, list) for name, fn in _JSON_FILES.items()}
    csv_path = root / "interactions.csv"
    if not csv_path.is_file():
        raise ValueError(f"not a complete sample world: {csv_path} is missing")
    try:
        df = pd.read_csv(csv_path, dtype={"user_id": str, "ootd_id": str, "kind": str, "ts": str})
    except Exception as e:  # pandas raises several error types for broken CSV
        raise ValueError(f"corrupt CSV in {csv_path}: {e}") from None
    if list(df.columns) != _INTERACTION_COLUMNS:
        raise ValueError(f"corrupt CSV in {csv_path}: columns {list(df.columns)}, expected {_INTERACTION_COLUMNS}")
    try:
        df["ts"] = pd.to_datetime(df["ts"], utc=True, format="ISO8601")
    except (ValueError, TypeError) as e:
        raise ValueError(f"corrupt CSV in {csv_path}: bad timestamp: {e}") from None
    bad = set(df["kind"].unique()) - {"view", "like"}
    if bad:
        raise ValueError(f"corrupt CSV in {csv_path}: unknown interaction kinds {sorted(bad)}")
    return World(root=root, meta=meta, interactions=df, **parts)

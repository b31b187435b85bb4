"""The one taxonomy of itoo: 6 super-categories, 32 sub-categories, 18 attribute groups.

Everything (sample world, datasets, model heads, serving) reads it through `load_taxonomy()`,
so class indices mean the same thing everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class AttributeGroup:
    name: str
    kind: str  # "categorical" (exactly one value) or "multi_label" (any subset)
    values: tuple[str, ...]
    applies_to: tuple[str, ...]  # super-category names; "*" means all

    def applies(self, super_category: str) -> bool:
        return "*" in self.applies_to or super_category in self.applies_to


@dataclass(frozen=True)
class Taxonomy:
    super_categories: tuple[str, ...]
    sub_categories: tuple[str, ...]  # flat, in file order; index = class id of the 32-way head
    sub_to_super: dict[str, str]
    attribute_groups: tuple[AttributeGroup, ...]

    def super_index(self, name: str) -> int:
        try:
            return self.super_categories.index(name)
        except ValueError:
            raise ValueError(f"unknown super-category {name!r}; expected one of {self.super_categories}") from None

    def sub_index(self, name: str) -> int:
        try:
            return self.sub_categories.index(name)
        except ValueError:
            raise ValueError(f"unknown sub-category {name!r}; expected one of the 32 in taxonomy.json") from None

    def subs_of(self, super_category: str) -> tuple[str, ...]:
        self.super_index(super_category)
        return tuple(s for s in self.sub_categories if self.sub_to_super[s] == super_category)

    def group(self, name: str) -> AttributeGroup:
        for g in self.attribute_groups:
            if g.name == name:
                return g
        raise ValueError(f"unknown attribute group {name!r}")

    def groups_for(self, super_category: str) -> tuple[AttributeGroup, ...]:
        return tuple(g for g in self.attribute_groups if g.applies(super_category))

    def sub_to_super_index(self) -> list[int]:
        """For each of the 32 sub-category ids, the id of its super-category."""
        return [self.super_index(self.sub_to_super[s]) for s in self.sub_categories]


def _parse(raw: dict) -> Taxonomy:
    supers = tuple(raw["super_categories"])
    subs: list[str] = []
    sub_to_super: dict[str, str] = {}
    for sup, names in raw["sub_categories"].items():
        if sup not in supers:
            raise ValueError(f"taxonomy: sub-categories listed under unknown super-category {sup!r}")
        for n in names:
            if n in sub_to_super:
                raise ValueError(f"taxonomy: sub-category {n!r} listed twice")
            subs.append(n)
            sub_to_super[n] = sup
    groups = tuple(
        AttributeGroup(g["name"], g["kind"], tuple(g["values"]), tuple(g["applies_to"]))
        for g in raw["attribute_groups"]
    )
    for g in groups:
        if g.kind not in ("categorical", "multi_label"):
            raise ValueError(f"taxonomy: group {g.name!r} has unknown kind {g.kind!r}")
    return Taxonomy(supers, tuple(subs), sub_to_super, groups)


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    text = resources.files("itoo").joinpath("taxonomy.json").read_text()
    return _parse(json.loads(text))

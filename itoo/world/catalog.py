"""Designs, products and their attributes for the sample world.

Which attribute groups are drawn into the pixels (see ``itoo.world.render``):

* visible: ``color``, ``pattern``, ``sleeve_length``, ``length``, ``neckline``, ``fit``,
  ``material`` (fabric texture: denim twill, knit ribs, leather gloss, synthetic sheen, cotton),
  ``closure`` (buttons / zipper / laces / buckle strap), ``heel_height``, ``bag_size`` (bags are
  drawn to an absolute scale), ``waist_rise`` (waistband height), ``details`` (pockets, ruffles,
  pleats, belts, chest prints), ``texture`` (ribs, fuzz, gloss), ``embellishment`` (studs, chain,
  logo, bow) and ``trim`` (piping, contrast stitching, fur trim).
* latent (derived, with a little noise, from visible ones so that they stay learnable but not
  trivially): ``style`` (sub-category prior + colour + pattern + material + details),
  ``season`` (material + sleeve length + sub-category + colour darkness) and ``occasion``
  (style + sub-category).

All sampling goes through a ``numpy.random.Generator`` given by the caller, so the same seed
gives the same catalogue.
"""

from __future__ import annotations

import numpy as np

from itoo.taxonomy import load_taxonomy

COLOR_RGB: dict[str, tuple[int, int, int]] = {
    "black": (32, 32, 36),
    "white": (242, 242, 238),
    "grey": (140, 141, 146),
    "beige": (216, 196, 160),
    "brown": (118, 78, 48),
    "red": (200, 36, 42),
    "pink": (238, 150, 182),
    "orange": (238, 128, 40),
    "yellow": (238, 208, 58),
    "green": (58, 138, 70),
    "blue": (52, 110, 210),
    "navy": (32, 42, 92),
    "purple": (118, 58, 150),
}

HUMAN_SUB = {
    "t_shirt": "t-shirt", "tank_top": "tank top", "mini_skirt": "mini skirt", "long_skirt": "long skirt",
    "padded_jacket": "padded jacket", "mini_dress": "mini dress", "long_dress": "long dress",
    "shoulder_bag": "shoulder bag", "crossbody": "crossbody bag",
}

PATTERN_WORD = {"solid": "", "stripe": "striped", "check": "checked", "dot": "polka-dot", "graphic": "graphic"}
FIT_WORD = {"slim": "slim", "regular": "", "loose": "oversized"}

# ----------------------------------------------------------------------------------------- priors
MATERIAL_PRIOR = {
    "t_shirt": {"cotton": .7, "synthetic": .2, "knit": .1},
    "shirt": {"cotton": .75, "denim": .15, "synthetic": .1},
    "blouse": {"synthetic": .5, "cotton": .5},
    "sweater": {"knit": .85, "cotton": .15},
    "hoodie": {"cotton": .7, "synthetic": .2, "knit": .1},
    "tank_top": {"cotton": .6, "synthetic": .3, "knit": .1},
    "jeans": {"denim": 1.0},
    "slacks": {"synthetic": .5, "cotton": .4, "knit": .1},
    "shorts": {"denim": .5, "cotton": .4, "synthetic": .1},
    "mini_skirt": {"denim": .35, "leather": .2, "cotton": .25, "knit": .1, "synthetic": .1},
    "long_skirt": {"cotton": .4, "synthetic": .4, "knit": .2},
    "leggings": {"synthetic": .7, "knit": .2, "cotton": .1},
    "jacket": {"denim": .35, "leather": .35, "synthetic": .2, "cotton": .1},
    "coat": {"synthetic": .4, "cotton": .3, "knit": .2, "leather": .1},
    "blazer": {"synthetic": .5, "cotton": .4, "knit": .1},
    "cardigan": {"knit": .9, "cotton": .1},
    "padded_jacket": {"synthetic": .9, "leather": .1},
    "vest": {"synthetic": .4, "denim": .2, "knit": .2, "leather": .2},
    "mini_dress": {"cotton": .4, "synthetic": .4, "knit": .1, "denim": .05, "leather": .05},
    "long_dress": {"synthetic": .5, "cotton": .4, "knit": .1},
    "sneakers": {"synthetic": .5, "leather": .3, "cotton": .2},
    "boots": {"leather": .8, "synthetic": .2},
    "heels": {"leather": .7, "synthetic": .3},
    "sandals": {"leather": .6, "synthetic": .4},
    "loafers": {"leather": .9, "synthetic": .1},
    "flats": {"leather": .5, "synthetic": .3, "cotton": .2},
    "slippers": {"synthetic": .5, "cotton": .3, "knit": .2},
    "backpack": {"synthetic": .6, "leather": .2, "cotton": .2},
    "tote": {"cotton": .5, "leather": .3, "synthetic": .2},
    "clutch": {"leather": .5, "synthetic": .5},
    "shoulder_bag": {"leather": .7, "synthetic": .3},
    "crossbody": {"leather": .6, "synthetic": .4},
}

COLOR_PRIOR_BY_MATERIAL = {
    "denim": {"blue": .45, "navy": .25, "black": .15, "grey": .1, "white": .05},
    "leather": {"black": .35, "brown": .3, "beige": .1, "red": .06, "white": .06, "navy": .05, "green": .04,
                "pink": .04},
    None: {"black": .13, "white": .13, "grey": .09, "beige": .09, "brown": .06, "red": .07, "pink": .07,
           "orange": .05, "yellow": .05, "green": .07, "blue": .07, "navy": .08, "purple": .04},
}

PATTERN_PRIOR = {
    "default": {"solid": .55, "stripe": .14, "check": .1, "dot": .09, "graphic": .12},
    "t_shirt": {"solid": .45, "stripe": .2, "graphic": .3, "dot": .05},
    "hoodie": {"solid": .55, "graphic": .35, "stripe": .1},
    "sweater": {"solid": .5, "stripe": .25, "graphic": .15, "check": .1},
    "shirt": {"solid": .45, "stripe": .25, "check": .25, "dot": .05},
    "blouse": {"solid": .45, "dot": .3, "stripe": .15, "check": .1},
    "mini_dress": {"solid": .45, "dot": .25, "stripe": .15, "check": .1, "graphic": .05},
    "long_dress": {"solid": .5, "dot": .25, "stripe": .15, "check": .1},
    "jeans": {"solid": 1.0}, "leggings": {"solid": .7, "stripe": .15, "graphic": .15},
    "coat": {"solid": .7, "check": .3}, "blazer": {"solid": .65, "check": .25, "stripe": .1},
    "padded_jacket": {"solid": .85, "graphic": .15}, "jacket": {"solid": .75, "check": .1, "graphic": .15},
    "mini_skirt": {"solid": .5, "check": .3, "dot": .1, "stripe": .1},
    "long_skirt": {"solid": .5, "dot": .2, "check": .15, "stripe": .15},
    "shoes": {"solid": .75, "stripe": .08, "check": .05, "dot": .04, "graphic": .08},
    "bag": {"solid": .7, "stripe": .1, "check": .1, "dot": .04, "graphic": .06},
}

SLEEVE_PRIOR = {
    "t_shirt": {"short": .9, "long": .1}, "shirt": {"long": .7, "short": .3},
    "blouse": {"long": .4, "short": .4, "sleeveless": .2}, "sweater": {"long": 1.0}, "hoodie": {"long": 1.0},
    "tank_top": {"sleeveless": 1.0}, "jacket": {"long": 1.0}, "coat": {"long": 1.0}, "blazer": {"long": 1.0},
    "cardigan": {"long": .85, "short": .15}, "padded_jacket": {"long": 1.0}, "vest": {"sleeveless": 1.0},
    "mini_dress": {"sleeveless": .4, "short": .35, "long": .25},
    "long_dress": {"sleeveless": .35, "short": .35, "long": .3},
}

LENGTH_PRIOR = {
    "top": {"short": .2, "regular": .65, "long": .15},
    "jacket": {"short": .5, "regular": .5}, "coat": {"long": .7, "regular": .3}, "blazer": {"regular": 1.0},
    "cardigan": {"regular": .6, "long": .4}, "padded_jacket": {"short": .4, "regular": .4, "long": .2},
    "vest": {"short": .4, "regular": .6},
    "jeans": {"long": .7, "regular": .2, "short": .1}, "slacks": {"long": .75, "regular": .2, "short": .05},
    "leggings": {"long": .6, "regular": .3, "short": .1}, "shorts": {"short": .6, "regular": .4},
    "mini_skirt": {"short": .8, "regular": .2}, "long_skirt": {"long": .7, "regular": .3},
    "mini_dress": {"short": .7, "regular": .3}, "long_dress": {"long": .7, "regular": .3},
}

NECK_PRIOR = {
    "t_shirt": {"round": .7, "v_neck": .3}, "shirt": {"collar": 1.0},
    "blouse": {"round": .3, "v_neck": .4, "collar": .3}, "sweater": {"round": .7, "v_neck": .2, "collar": .1},
    "hoodie": {"hooded": 1.0}, "tank_top": {"round": .6, "v_neck": .4},
    "jacket": {"collar": .7, "hooded": .15, "round": .15}, "coat": {"collar": .8, "hooded": .1, "v_neck": .1},
    "blazer": {"v_neck": .6, "collar": .4}, "cardigan": {"v_neck": .7, "round": .3},
    "padded_jacket": {"hooded": .5, "collar": .3, "round": .2},
    "vest": {"v_neck": .4, "round": .3, "collar": .15, "hooded": .15},
    "mini_dress": {"round": .4, "v_neck": .4, "collar": .2}, "long_dress": {"round": .4, "v_neck": .45, "collar": .15},
}

FIT_PRIOR = {
    "default": {"slim": .3, "regular": .45, "loose": .25}, "leggings": {"slim": 1.0},
    "sweater": {"slim": .15, "regular": .4, "loose": .45}, "hoodie": {"slim": .1, "regular": .4, "loose": .5},
    "padded_jacket": {"regular": .4, "loose": .6}, "jeans": {"slim": .4, "regular": .4, "loose": .2},
}

CLOSURE_PRIOR = {
    "jacket": {"zipper": .5, "buttons": .4, "none": .1}, "coat": {"buttons": .7, "zipper": .1, "none": .2},
    "blazer": {"buttons": .9, "none": .1}, "cardigan": {"buttons": .8, "none": .2},
    "padded_jacket": {"zipper": .9, "buttons": .1}, "vest": {"zipper": .5, "buttons": .4, "none": .1},
    "sneakers": {"laces": .85, "none": .15}, "boots": {"laces": .3, "zipper": .4, "none": .3},
    "heels": {"none": .7, "buttons": .3}, "sandals": {"buttons": .6, "none": .4}, "loafers": {"none": 1.0},
    "flats": {"none": .8, "buttons": .2}, "slippers": {"none": 1.0},
    "backpack": {"zipper": .8, "buttons": .2}, "tote": {"none": .7, "buttons": .2, "zipper": .1},
    "clutch": {"buttons": .5, "zipper": .3, "none": .2}, "shoulder_bag": {"buttons": .6, "zipper": .4},
    "crossbody": {"zipper": .5, "buttons": .5},
}

HEEL_PRIOR = {
    "sneakers": {"flat": .9, "low": .1}, "boots": {"flat": .3, "low": .4, "high": .3},
    "heels": {"high": .8, "low": .2}, "sandals": {"flat": .6, "low": .2, "high": .2},
    "loafers": {"flat": .7, "low": .3}, "flats": {"flat": 1.0}, "slippers": {"flat": 1.0},
}

BAG_SIZE_PRIOR = {
    "backpack": {"medium": .4, "large": .6}, "tote": {"large": .6, "medium": .4}, "clutch": {"small": 1.0},
    "shoulder_bag": {"medium": .6, "small": .2, "large": .2}, "crossbody": {"small": .7, "medium": .3},
}

RISE_PRIOR = {
    "jeans": {"low": .2, "mid": .5, "high": .3}, "mini_skirt": {"mid": .5, "high": .5},
    "long_skirt": {"mid": .4, "high": .6}, "leggings": {"high": .6, "mid": .4},
    "default": {"low": .25, "mid": .45, "high": .3},
}

DETAIL_PROB = {  # P(value) per sub-category
    "pocket": {"jeans": .9, "shorts": .7, "jacket": .6, "coat": .5, "blazer": .6, "hoodie": .7, "shirt": .4,
               "slacks": .5, "t_shirt": .15, "vest": .4, "padded_jacket": .4, "cardigan": .3, "mini_skirt": .3},
    "ruffle": {"blouse": .5, "mini_dress": .3, "long_dress": .3, "mini_skirt": .2, "long_skirt": .25},
    "pleat": {"mini_skirt": .45, "long_skirt": .5, "slacks": .3, "mini_dress": .2, "long_dress": .25},
    "belt": {"coat": .3, "mini_dress": .25, "long_dress": .25, "slacks": .2, "jeans": .2, "long_skirt": .15,
             "jacket": .08},
    "print": {"t_shirt": .25, "hoodie": .3, "sweater": .15, "tank_top": .2},
}

EMB_PROB = {
    "studs": {"jacket": .12, "boots": .15, "heels": .08, "clutch": .15, "shoulder_bag": .12, "crossbody": .1,
              "mini_skirt": .05, "backpack": .05, "vest": .08},
    "chain": {"clutch": .3, "shoulder_bag": .3, "crossbody": .25, "boots": .08, "loafers": .1, "jacket": .05},
    "logo": {"sneakers": .5, "hoodie": .3, "t_shirt": .2, "backpack": .3, "tote": .2, "padded_jacket": .25,
             "leggings": .2, "crossbody": .15, "sweater": .1, "slippers": .2},
    "bow": {"flats": .3, "heels": .15, "blouse": .2, "mini_dress": .15, "long_dress": .1, "clutch": .1,
            "sandals": .1},
}

TRIM_PROB = {
    "piping": {"*": .08, "blazer": .15, "padded_jacket": .15, "sneakers": .15, "backpack": .15},
    "contrast_stitch": {"*": .06, "jacket": .3, "boots": .2, "loafers": .2, "tote": .15},
    "fur_trim": {"*": 0.0, "padded_jacket": .3, "coat": .15, "boots": .15, "slippers": .25, "jacket": .06,
                 "hoodie": .04},
}

STYLE_PRIOR = {
    "t_shirt": {"casual": 3, "street": 2, "sporty": 1, "minimal": 1},
    "shirt": {"office": 3, "formal": 2, "casual": 1.5, "minimal": 1, "vintage": .5},
    "blouse": {"romantic": 3, "office": 2, "formal": 1, "vintage": 1},
    "sweater": {"casual": 3, "minimal": 1.5, "vintage": 1.5, "street": .5},
    "hoodie": {"street": 3, "sporty": 2.5, "casual": 2},
    "tank_top": {"sporty": 2.5, "casual": 2, "street": 1.5},
    "jeans": {"casual": 3, "street": 2, "vintage": 1.5},
    "slacks": {"office": 3, "formal": 2.5, "minimal": 1.5},
    "shorts": {"casual": 2.5, "sporty": 2.5, "street": 1},
    "mini_skirt": {"romantic": 2, "street": 2, "casual": 1, "vintage": 1},
    "long_skirt": {"romantic": 2.5, "vintage": 2, "minimal": 1, "formal": .5},
    "leggings": {"sporty": 3.5, "casual": 1.5},
    "jacket": {"street": 2.5, "casual": 2, "vintage": 1.5},
    "coat": {"formal": 2.5, "minimal": 2, "office": 2, "vintage": 1},
    "blazer": {"office": 3.5, "formal": 2.5, "minimal": 1},
    "cardigan": {"casual": 2, "vintage": 2, "romantic": 1.5, "minimal": 1},
    "padded_jacket": {"street": 2, "sporty": 2, "casual": 2},
    "vest": {"casual": 2, "street": 1.5, "sporty": 1.5, "vintage": 1},
    "mini_dress": {"romantic": 3, "street": 1, "casual": 1.5, "formal": 1},
    "long_dress": {"romantic": 2.5, "formal": 2.5, "vintage": 1.5},
    "sneakers": {"sporty": 3, "street": 2.5, "casual": 2},
    "boots": {"street": 2, "vintage": 2, "casual": 1.5, "formal": .5},
    "heels": {"formal": 3, "romantic": 2, "office": 1.5},
    "sandals": {"casual": 2.5, "romantic": 1.5, "minimal": 1},
    "loafers": {"office": 2.5, "vintage": 2, "formal": 1.5, "minimal": 1},
    "flats": {"romantic": 2, "office": 2, "casual": 1.5, "minimal": 1},
    "slippers": {"casual": 3, "minimal": 1, "street": .5},
    "backpack": {"sporty": 2, "casual": 2.5, "street": 2},
    "tote": {"casual": 2.5, "minimal": 2, "office": 1},
    "clutch": {"formal": 3, "romantic": 2.5},
    "shoulder_bag": {"office": 2, "formal": 1.5, "minimal": 1.5, "vintage": 1},
    "crossbody": {"street": 2, "casual": 2, "minimal": 1},
}
STYLE_BY_COLOR = {
    "black": {"minimal": 1.2, "formal": .5}, "white": {"minimal": 1.2}, "grey": {"minimal": 1.0, "office": .5},
    "beige": {"minimal": .8, "vintage": .8, "office": .4}, "navy": {"office": .8, "formal": .5, "minimal": .4},
    "brown": {"vintage": 1.2}, "red": {"romantic": .8, "street": .4}, "pink": {"romantic": 1.4},
    "purple": {"romantic": .8, "vintage": .4}, "orange": {"street": .8, "sporty": .6},
    "yellow": {"street": .6, "sporty": .6, "casual": .4}, "green": {"casual": .6, "vintage": .5, "sporty": .3},
    "blue": {"casual": .7, "sporty": .4},
}
STYLE_BY_PATTERN = {
    "solid": {"minimal": 1.0, "formal": .3}, "stripe": {"casual": .6, "vintage": .3, "office": .2},
    "check": {"vintage": 1.5, "office": .5}, "dot": {"romantic": 1.0, "vintage": .8},
    "graphic": {"street": 1.5, "casual": .5},
}
STYLE_BY_MATERIAL = {
    "leather": {"street": .6, "formal": .3}, "denim": {"casual": .8, "street": .5},
    "knit": {"casual": .4, "vintage": .3}, "synthetic": {"sporty": .6}, "cotton": {"casual": .3},
}
OCCASION_BY_STYLE = {
    "casual": {"daily": 2, "travel": .6}, "formal": {"party": 1.6, "work": 1.2}, "street": {"daily": 1.6, "travel": .6},
    "sporty": {"sport": 2, "travel": .6, "daily": .5}, "romantic": {"party": 1.6, "daily": .8},
    "minimal": {"daily": 1.2, "work": 1.0}, "vintage": {"daily": 1.2, "party": .6}, "office": {"work": 2.2},
}
TRAVEL_SUBS = {"backpack", "sneakers", "padded_jacket", "crossbody", "tote", "leggings"}
BASE_PRICE = {
    "top": 29.0, "bottom": 45.0, "outer": 89.0, "dress": 59.0, "shoes": 69.0, "bag": 55.0,
}
MATERIAL_PRICE = {"leather": 1.8, "knit": 1.2, "denim": 1.1, "cotton": 1.0, "synthetic": 0.9}


def _choice(rng: np.random.Generator, prior: dict[str, float]) -> str:
    keys = list(prior)
    p = np.asarray([prior[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _lum(rgb) -> float:
    r, g, b = rgb
    return 0.299 * r + 0.587 * g + 0.114 * b


def _prob(table: dict[str, dict[str, float]], value: str, sub: str) -> float:
    t = table[value]
    return t.get(sub, t.get("*", 0.0))


def _multi(values: tuple[str, ...], chosen: set[str]) -> list[str]:
    return [v for v in values if v in chosen]


def style_scores(sub: str, attrs: dict, color: str) -> dict[str, float]:
    tax = load_taxonomy()
    sc = {s: 0.0 for s in tax.group("style").values}
    for table, key in ((STYLE_PRIOR, sub), (STYLE_BY_COLOR, color), (STYLE_BY_PATTERN, attrs.get("pattern")),
                       (STYLE_BY_MATERIAL, attrs.get("material"))):
        for s, w in table.get(key, {}).items():
            sc[s] += w
    det = set(attrs.get("details", [])) | set(attrs.get("embellishment", []))
    if "ruffle" in det or "bow" in det:
        sc["romantic"] += 1.3
    if "pleat" in det:
        sc["formal"] += .5
        sc["vintage"] += .5
    if "belt" in det:
        sc["office"] += .5
    if "logo" in det:
        sc["street"] += .7
        sc["sporty"] += .7
    if "studs" in det:
        sc["street"] += 1.0
    return sc


def derive_latent(sub: str, sup: str, attrs: dict, color: str, rng: np.random.Generator) -> dict:
    """style / season / occasion from visible attributes + noise (the latent groups)."""
    tax = load_taxonomy()
    styles = tax.group("style").values
    sc = style_scores(sub, attrs, color)
    noisy = np.asarray([sc[s] for s in styles]) + rng.gumbel(0, 0.45, len(styles))
    order = np.argsort(-noisy)
    top = noisy[order[0]]
    chosen = {styles[order[0]]}
    if noisy[order[1]] >= top - 1.0:
        chosen.add(styles[order[1]])
    if noisy[order[2]] >= top - 0.5:
        chosen.add(styles[order[2]])
    style = _multi(styles, chosen)

    seasons = tax.group("season").values
    ss = dict.fromkeys(seasons, 1.0)
    mat = attrs.get("material")
    bump = {
        "knit": {"autumn": 2, "winter": 2}, "leather": {"autumn": 1.5, "winter": 1.0},
        "denim": {"spring": 1, "autumn": 1}, "cotton": {"spring": 1.2, "summer": 1.2},
        "synthetic": {"spring": .5, "summer": .5, "autumn": .5, "winter": .5},
    }.get(mat, {})
    for k, v in bump.items():
        ss[k] += v
    sl = attrs.get("sleeve_length")
    if sl == "sleeveless":
        ss["summer"] += 2.5
    elif sl == "short":
        ss["summer"] += 1.5
        ss["spring"] += 1.0
    elif sl == "long":
        ss["autumn"] += 1.0
        ss["winter"] += .5
    if sub in ("padded_jacket", "coat"):
        ss["winter"] += 3
        ss["autumn"] += 1
    if sub in ("shorts", "sandals", "tank_top", "slippers") or attrs.get("length") == "short" and sup == "bottom":
        ss["summer"] += 2.5
    if sub == "boots":
        ss["winter"] += 2
        ss["autumn"] += 2
    if "fur_trim" in attrs.get("trim", []):
        ss["winter"] += 2
    lum = _lum(COLOR_RGB[color])
    if lum < 90:
        ss["autumn"] += .4
        ss["winter"] += .4
    elif lum > 170:
        ss["spring"] += .4
        ss["summer"] += .4
    noisy = np.asarray([ss[s] for s in seasons]) + rng.gumbel(0, 0.35, len(seasons))
    top = noisy.max()
    season = [s for s, v in zip(seasons, noisy) if v >= top - 1.0][:3]

    occs = tax.group("occasion").values
    oc = dict.fromkeys(occs, 0.0)
    for s in style:
        for k, v in OCCASION_BY_STYLE[s].items():
            oc[k] += v
    if sub in TRAVEL_SUBS:
        oc["travel"] += 1.5
    noisy = np.asarray([oc[o] for o in occs]) + rng.gumbel(0, 0.35, len(occs))
    top = noisy.max()
    occasion = [o for o, v in zip(occs, noisy) if v >= top - 0.8][:3]
    return {"style": style, "season": season, "occasion": occasion}


def sample_design_attributes(sub: str, rng: np.random.Generator) -> tuple[dict, str]:
    """Attributes of one design except colour, plus a first colour. Returns (attrs, color)."""
    tax = load_taxonomy()
    sup = tax.sub_to_super[sub]
    groups = {g.name for g in tax.groups_for(sup)}
    a: dict = {}
    mat = _choice(rng, MATERIAL_PRIOR[sub])
    a["material"] = mat
    pp = PATTERN_PRIOR.get(sub) or PATTERN_PRIOR.get(sup) or PATTERN_PRIOR["default"]
    if mat in ("leather",):
        pp = {"solid": .85, "graphic": .05, "check": .05, "dot": .05}
    if mat == "denim":
        pp = {"solid": .85, "stripe": .05, "check": .05, "graphic": .05}
    a["pattern"] = _choice(rng, pp)
    if "sleeve_length" in groups:
        a["sleeve_length"] = _choice(rng, SLEEVE_PRIOR[sub])
    if "length" in groups:
        a["length"] = _choice(rng, LENGTH_PRIOR.get(sub) or LENGTH_PRIOR["top"])
    if "neckline" in groups:
        a["neckline"] = _choice(rng, NECK_PRIOR[sub])
    if "fit" in groups:
        a["fit"] = _choice(rng, FIT_PRIOR.get(sub, FIT_PRIOR["default"]))
    if "closure" in groups:
        a["closure"] = _choice(rng, CLOSURE_PRIOR[sub])
    if "heel_height" in groups:
        a["heel_height"] = _choice(rng, HEEL_PRIOR[sub])
    if "bag_size" in groups:
        a["bag_size"] = _choice(rng, BAG_SIZE_PRIOR[sub])
    if "waist_rise" in groups:
        a["waist_rise"] = _choice(rng, RISE_PRIOR.get(sub, RISE_PRIOR["default"]))
    if "details" in groups:
        ch = {v for v in DETAIL_PROB if rng.random() < DETAIL_PROB[v].get(sub, 0.03 if v != "print" else 0.0)}
        if a["pattern"] == "graphic" and sup in ("top",) and rng.random() < .5:
            ch.add("print")
        a["details"] = _multi(tax.group("details").values, ch)
    ch = {v for v in EMB_PROB if rng.random() < EMB_PROB[v].get(sub, 0.02)}
    a["embellishment"] = _multi(tax.group("embellishment").values, ch)
    if "trim" in groups:
        ch = {v for v in TRIM_PROB if rng.random() < _prob(TRIM_PROB, v, sub)}
        if mat == "denim" and rng.random() < .5:
            ch.add("contrast_stitch")
        a["trim"] = _multi(tax.group("trim").values, ch)
    tex = {
        "knit": {"ribbed": .85, "fuzzy": .45}, "leather": {"glossy": .9, "smooth": .2},
        "synthetic": {"smooth": .65, "glossy": .35}, "cotton": {"smooth": .9, "fuzzy": .08},
        "denim": {"smooth": .85, "ribbed": .1},
    }[mat]
    ch = {v for v, p in tex.items() if rng.random() < p}
    if sub in ("slippers", "cardigan") and rng.random() < .4:
        ch.add("fuzzy")
    if not ch:
        ch = {max(tex, key=tex.get)}
    a["texture"] = _multi(tax.group("texture").values, ch)
    cp = COLOR_PRIOR_BY_MATERIAL.get(mat) or COLOR_PRIOR_BY_MATERIAL[None]
    color = _choice(rng, cp)
    return a, color


def variant_colors(first: str, material: str, n: int, rng: np.random.Generator) -> list[str]:
    cp = dict(COLOR_PRIOR_BY_MATERIAL.get(material) or COLOR_PRIOR_BY_MATERIAL[None])
    out = [first]
    while len(out) < n:
        rest = {k: v for k, v in cp.items() if k not in out}
        if not rest:
            rest = {k: 1.0 for k in COLOR_RGB if k not in out}
        out.append(_choice(rng, rest))
    return out


def full_attributes(sub: str, design_attrs: dict, color: str, latent: dict) -> dict:
    """Attributes in taxonomy group order, exactly the groups that apply to the super-category."""
    tax = load_taxonomy()
    sup = tax.sub_to_super[sub]
    merged = dict(design_attrs)
    merged["color"] = color
    merged.update(latent)
    out = {}
    for g in tax.groups_for(sup):
        v = merged.get(g.name)
        if v is None:
            v = [] if g.kind == "multi_label" else g.values[0]
        out[g.name] = v
    return out


def product_title(sub: str, attrs: dict) -> str:
    words = [attrs["color"].capitalize()]
    pw = PATTERN_WORD[attrs["pattern"]]
    if pw:
        words.append(pw)
    fw = FIT_WORD.get(attrs.get("fit", "regular"), "")
    if fw:
        words.append(fw)
    if attrs["material"] in ("leather", "denim", "knit") and attrs["material"] not in sub:
        words.append(attrs["material"])
    words.append(HUMAN_SUB.get(sub, sub.replace("_", " ")))
    return " ".join(words)


def product_price(sup: str, sub: str, material: str, rng: np.random.Generator) -> float:
    p = BASE_PRICE[sup] * MATERIAL_PRICE[material] * float(np.exp(rng.normal(0, 0.25)))
    return float(np.floor(p) + 0.9)

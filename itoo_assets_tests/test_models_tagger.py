"""Attribute tagger: one head per taxonomy group, non-applicable groups masked out of the loss."""

import numpy as np
import pytest
import torch

from itoo.taxonomy import load_taxonomy
from models import synthetic
from models.export import export_onnx, onnx_parity
from models.losses import masked_attribute_loss
from models.preprocess import crops_to_batch
from models.training import TrainConfig, predict_attributes, train_attribute_tagger

torch.set_num_threads(1)  # robust on a shared 2-core machine (see TrainConfig.num_threads)
TAX = load_taxonomy()
SUPER_NAMES = ("top", "bottom", "outer")  # synthetic shapes 0/1/2
CFG = TrainConfig(epochs=8, batch_size=32, max_seconds=120, width=12, patience=4, seed=0)


def make_targets(d) -> dict:
    """All 18 groups. Learnable: color, pattern, sleeve_length (band; applies to top/outer only),
    style and season (multi-label). Every other group is marked not applicable / not annotated."""
    n = len(d["super"])
    t = {}
    for g in TAX.attribute_groups:
        if g.kind == "categorical":
            t[g.name] = np.full(n, -1, np.int64)
        else:
            t[g.name] = np.zeros((n, len(g.values)), np.float32)
            t[g.name + "__mask"] = np.zeros(n, bool)
    t["color"] = np.array([TAX.group("color").values.index(c) for c in d["colour"]])
    t["pattern"] = np.where(d["striped"], TAX.group("pattern").values.index("stripe"), 0)
    sl = TAX.group("sleeve_length")
    applies = np.array([sl.applies(SUPER_NAMES[s]) for s in d["super"]])
    t["sleeve_length"] = np.where(applies, np.where(d["variant"] == 1, 2, 0), -1)
    style = TAX.group("style").values
    t["style"][:, style.index("casual")] = d["super"] == 0
    t["style"][:, style.index("formal")] = d["super"] == 1
    t["style"][:, style.index("street")] = d["striped"]
    t["style__mask"][:] = True
    season = TAX.group("season").values
    t["season"][:, season.index("summer")] = np.isin(d["colour"], ["yellow", "red"])
    t["season"][:, season.index("winter")] = np.isin(d["colour"], ["black", "blue"])
    t["season__mask"][:] = True
    return t


def split(t, a, b):
    return {k: v[a:b] for k, v in t.items()}


@pytest.fixture(scope="module")
def data():
    d = synthetic.crop_dataset(640, seed=11)
    return crops_to_batch(d["images"]), make_targets(d)


@pytest.fixture(scope="module")
def trained(data):
    x, t = data
    return train_attribute_tagger(x[:480], split(t, 0, 480), x[480:], split(t, 480, 640), CFG, lambda s: None)


def test_tagger_learns_held_out(trained):
    model, r = trained
    per = r["per_group"]
    print({g: (round(v["value"], 3), round(v["majority_baseline"], 3)) for g, v in per.items() if v["n_val"]},
          r["mean_categorical_accuracy"], r["mean_multilabel_f1"], r["seconds"])
    assert len(model.heads) == len(TAX.attribute_groups) == len(per) == 18
    assert per["color"]["value"] > per["color"]["majority_baseline"] + 0.4
    assert per["pattern"]["value"] > 0.8 and per["sleeve_length"]["value"] > 0.7
    # sleeve_length does not apply to bottoms: only top/outer items are scored
    assert 0 < per["sleeve_length"]["n_val"] < r["n_val"]
    assert per["heel_height"]["n_val"] == 0 and per["heel_height"]["value"] is None  # not scored
    assert r["mean_multilabel_f1"] > r["mean_multilabel_baseline"] + 0.2
    assert r["color_accuracy"] == per["color"]["value"] and r["style_f1"] == per["style"]["value"]
    assert r["epochs"] == len(r["loss_history"]) and r["seconds"] < CFG.max_seconds + 5


def test_tagger_predict_and_onnx_parity(trained, data, tmp_path):
    model = trained[0]
    x = data[0][:4]
    probs = predict_attributes(model, x)
    np.testing.assert_allclose(probs["color"].sum(1), 1, atol=1e-5)
    assert probs["style"].shape == (4, len(TAX.group("style").values))
    info = export_onnx(model, torch.from_numpy(x[:1]), str(tmp_path / "tagger.onnx"), ["image"], model.group_names)
    assert onnx_parity(model, info["path"], x) < 1e-4


def test_masked_attribute_loss_ignores_non_applicable():
    torch.manual_seed(0)
    logits = [torch.randn(4, 3, requires_grad=True), torch.randn(4, 5, requires_grad=True)]
    t = {"a": torch.tensor([0, -1, 2, -1]), "b": torch.rand(4, 5).round(), "b__mask": torch.tensor([True, False, True, False])}
    loss, parts = masked_attribute_loss(logits, t, ["a", "b"], ["categorical", "multi_label"])
    loss.backward()
    for g in logits:  # rows 1 and 3 are not applicable: no gradient reaches them
        assert torch.all(g.grad[[1, 3]] == 0) and torch.any(g.grad[[0, 2]] != 0)
    none = {"a": torch.full((4,), -1), "b": t["b"], "b__mask": torch.zeros(4, dtype=torch.bool)}
    assert float(masked_attribute_loss(logits, none, ["a", "b"], ["categorical", "multi_label"])[0]) == 0.0


def test_tagger_rejects_bad_targets(data):
    x, t = data
    cfg = TrainConfig(epochs=1, max_seconds=5, width=8)
    tv = split(t, 64, 96)
    missing = {k: v[:64] for k, v in t.items() if not k.startswith("season")}
    with pytest.raises(ValueError, match="season"):
        train_attribute_tagger(x[:64], missing, x[64:96], tv, cfg)
    bad = split(t, 0, 64)
    bad["color"] = bad["color"] + 20
    with pytest.raises(ValueError, match="color"):
        train_attribute_tagger(x[:64], bad, x[64:96], tv, cfg)
    bad = split(t, 0, 64)
    bad["style__mask"] = bad["style__mask"].astype(np.int64)
    with pytest.raises(ValueError, match="bool"):
        train_attribute_tagger(x[:64], bad, x[64:96], tv, cfg)
    bad = split(t, 0, 64)
    bad["style"] = bad["style"].copy()
    bad["style"][0, 0] = np.nan
    with pytest.raises(ValueError, match="style"):
        train_attribute_tagger(x[:64], bad, x[64:96], tv, cfg)
    with pytest.raises(ValueError, match="unknown attribute group"):
        train_attribute_tagger(x[:64], split(t, 0, 64), x[64:96], tv, cfg, groups=["colour"])

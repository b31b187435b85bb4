"""Trained models: train on the training split, stop early on the validation split, export to
ONNX, check parity, and report the *test* split measured through the exported ONNX file — the
figures describe exactly the artifact that serving runs."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from itoo.imaging import load_image_safe
from itoo.inference import ModelSet
from itoo.taxonomy import load_taxonomy
from models.evaluation import accuracy, detection_map50, retrieval_topk
from models.preprocess import CROP_SIZE, DETECTOR_SIZE, boxes_to_input, crops_to_batch, detector_input

PARITY_TOLERANCE = 1e-3
Log = Callable[[str], None]


def _images(store, records: list[dict]) -> list:
    return [load_image_safe(store.read_bytes(r["key"], r.get("sha256"))) for r in records]


def split(records: list[dict], name: str) -> list[dict]:
    return [r for r in records if r["split"] == name]


def _export(store, name: str, version: str, model, example, output_names: list[str], extra: dict, log: Log) -> dict:
    """Export to ONNX under models/<name>/<version>/, check parity, return the model manifest."""
    import torch

    from models.export import export_onnx, onnx_parity

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        info = export_onnx(model, torch.from_numpy(example), path, input_names=["image"], output_names=output_names)
        parity = float(onnx_parity(model, path, example))
        log(f"{name}: exported {info['bytes']} bytes, opset {info['opset']}, max |torch - onnx| = {parity:.2e}")
        ref = store.write_file(f"models/{name}/{version}/model.onnx", path)
    return {"name": name, "version": version, "onnx_key": ref.key, "onnx_uri": ref.uri, "sha256": ref.sha256,
            "bytes": ref.bytes, "opset": info["opset"], "parity_max_abs_diff": parity,
            "input": {"name": "image", "shape": ["batch", *example.shape[1:]]}, "outputs": output_names, **extra}


def _finish(store, manifest: dict, metrics: dict, report: dict) -> dict:
    manifest["metrics"] = metrics
    manifest["training"] = {k: report[k] for k in ("epochs", "seconds", "best_epoch") if k in report}
    card = {"model": manifest["name"], "version": manifest["version"], "metrics": metrics,
            "training": manifest["training"], "onnx": {k: manifest[k] for k in ("onnx_key", "sha256", "opset")}}
    manifest["card_key"] = store.write_json(f"models/{manifest['name']}/{manifest['version']}/card.json", card).key
    return manifest


# -- category classifier -----------------------------------------------------------------------
def train_category_classifier(store, runtime, sets: dict, version: str, cfg, log: Log) -> tuple[dict, dict]:
    from models.training import train_category_classifier as fit

    tax = load_taxonomy()
    crops = sets["crops"]
    data = {}
    for s in ("train", "val", "test"):
        recs = split(crops, s)
        if not recs:
            raise ValueError(f"the {s!r} split has no crops: the world is too small to train the classifier")
        data[s] = (recs, _images(store, recs),
                   np.array([tax.super_index(r["super_category"]) for r in recs]),
                   np.array([tax.sub_index(r["sub_category"]) for r in recs]))
    (_, train_imgs, yst, ybt), (_, val_imgs, ysv, ybv) = data["train"], data["val"]
    xt, xv = crops_to_batch(train_imgs), crops_to_batch(val_imgs)
    model, report = fit(xt, yst, ybt, xv, ysv, ybv, cfg, log)
    manifest = _export(store, "category_classifier", version, model, xv[:4], ["super_logits", "sub_logits"], {}, log)
    recs, test_imgs, ys_test, yb_test = data["test"]
    pred = ModelSet(store, runtime, {"category_classifier": manifest}).classify(test_imgs)
    ps = np.array([tax.super_index(p["super_category"]) for p in pred])
    pb = np.array([tax.sub_index(p["sub_category"]) for p in pred])
    majority = np.bincount(yst).argmax()
    metrics = {"super_accuracy": accuracy(ps, ys_test), "sub_accuracy": accuracy(pb, yb_test),
               "super_majority_baseline": accuracy(np.full_like(ys_test, majority), ys_test),
               "val_super_accuracy": report.get("super_accuracy"), "val_sub_accuracy": report.get("sub_accuracy"),
               "n_train": len(xt), "n_test": len(recs)}
    return _finish(store, manifest, metrics, report), {"pred": pred, "records": recs}


# -- attribute tagger --------------------------------------------------------------------------
def attribute_targets(records: list[dict]) -> dict[str, np.ndarray]:
    """Targets per group: categorical → index or -1 where the group does not apply; multi-label →
    0/1 matrix plus `<group>__mask` of applicability."""
    tax = load_taxonomy()
    n = len(records)
    out: dict[str, np.ndarray] = {}
    for g in tax.attribute_groups:
        if g.kind == "categorical":
            y = np.full(n, -1, np.int64)
            for i, r in enumerate(records):
                v = r["attributes"].get(g.name)
                if g.applies(r["super_category"]) and v is not None:
                    y[i] = g.values.index(v)
            out[g.name] = y
        else:
            y = np.zeros((n, len(g.values)), np.float32)
            mask = np.zeros(n, bool)
            for i, r in enumerate(records):
                vals = r["attributes"].get(g.name)
                if g.applies(r["super_category"]) and vals is not None:
                    mask[i] = True
                    for v in vals:
                        y[i, g.values.index(v)] = 1.0
            out[g.name], out[g.name + "__mask"] = y, mask
    return out


def train_attribute_tagger(store, runtime, sets: dict, version: str, cfg, log: Log) -> tuple[dict, dict]:
    from models.training import train_attribute_tagger as fit

    tax = load_taxonomy()
    recs = {s: split(sets["crops"], s) for s in ("train", "val", "test")}
    xt, xv = crops_to_batch(_images(store, recs["train"])), crops_to_batch(_images(store, recs["val"]))
    model, report = fit(xt, attribute_targets(recs["train"]), xv, attribute_targets(recs["val"]), cfg, log)
    groups = [[g.name, g.kind, list(g.values)] for g in tax.attribute_groups]
    manifest = _export(store, "attribute_tagger", version, model, xv[:4], [g.name for g in tax.attribute_groups],
                       {"groups": groups}, log)
    test = recs["test"]
    pred = ModelSet(store, runtime, {"attribute_tagger": manifest}).tag(
        _images(store, test), [r["super_category"] for r in test])
    per_group = []
    for g in tax.attribute_groups:
        pairs = [(p.get(g.name), r["attributes"].get(g.name)) for p, r in zip(pred, test)
                 if g.applies(r["super_category"]) and r["attributes"].get(g.name) is not None]
        if not pairs:
            continue
        if g.kind == "categorical":
            value = float(np.mean([p == t for p, t in pairs]))
            truth = [t for _, t in pairs]
            base = max(truth.count(v) for v in set(truth)) / len(truth)
            metric = "accuracy"
        else:
            tp = sum(len(set(p) & set(t)) for p, t in pairs)
            fp = sum(len(set(p) - set(t)) for p, t in pairs)
            fn = sum(len(set(t) - set(p)) for p, t in pairs)
            value = 2 * tp / max(1, 2 * tp + fp + fn)
            base = float("nan")
            metric = "micro_f1"
        per_group.append({"group": g.name, "kind": g.kind, "metric": metric, "value": value,
                          "majority_baseline": base, "n_test": len(pairs)})
    cats = [r for r in per_group if r["kind"] == "categorical"]
    mls = [r for r in per_group if r["kind"] == "multi_label"]
    metrics = {"mean_categorical_accuracy": float(np.mean([r["value"] for r in cats])),
               "mean_categorical_majority_baseline": float(np.mean([r["majority_baseline"] for r in cats])),
               "mean_multilabel_f1": float(np.mean([r["value"] for r in mls])) if mls else float("nan"),
               "n_train": len(xt), "n_test": len(test)}
    return _finish(store, manifest, metrics, report), {"per_group": per_group}


# -- visual-search embedder --------------------------------------------------------------------
def retrieval_protocol(crops: list[dict], split_name: str) -> tuple[list[dict], list[dict]]:
    """Queries: consumer (review) photos of held-out products; gallery: every catalogue photo that
    is not a review photo (shop photos and page crops of all products, held-out or not)."""
    queries = [r for r in crops if r["split"] == split_name and r["source_kind"] == "review"]
    gallery = [r for r in crops if r["source_kind"] != "review"]
    return queries, gallery


def train_search_embedder(store, runtime, sets: dict, version: str, cfg, log: Log) -> tuple[dict, dict]:
    from models.training import train_embedder as fit

    crops = sets["crops"]
    train = split(crops, "train")
    xt = crops_to_batch(_images(store, train))
    vq, gallery = retrieval_protocol(crops, "val")
    tq, _ = retrieval_protocol(crops, "test")  # the gallery does not depend on the split
    gallery_imgs = _images(store, gallery)
    g_labels = [r["product_id"] for r in gallery]
    val = None
    if vq:
        val = (crops_to_batch(_images(store, vq)), np.array([r["product_id"] for r in vq]),
               crops_to_batch(gallery_imgs), np.array(g_labels))
    model, report = fit(xt, np.array([r["product_id"] for r in train]), cfg, log, val=val)
    example = xt[:4]
    manifest = _export(store, "search_embedder", version, model, example, ["embedding"],
                       {"embed_dim": int(cfg.embed_dim)}, log)
    if not tq:
        raise ValueError("no consumer photos of held-out products: cannot evaluate search")
    ms = ModelSet(store, runtime, {"search_embedder": manifest})
    q_emb, g_emb = ms.embed(_images(store, tq)), ms.embed(gallery_imgs)
    res = retrieval_topk(q_emb, [r["product_id"] for r in tq], g_emb, g_labels, ks=(1, 10))
    top3 = np.argsort(-(q_emb[:8] @ g_emb.T), axis=1)[:, :3]
    examples = [{"query": q, "results": [gallery[j] for j in row]} for q, row in zip(tq[:8], top3)]
    metrics = {"search_top1": res["top1"], "search_top10": res["top10"], "n_test": res["n_queries"],
               "gallery_size": len(gallery), "chance_top10": min(1.0, 10 / max(1, len(set(g_labels)))),
               "n_train": len(xt)}
    return _finish(store, manifest, metrics, report), {"examples": examples}


# -- detector ----------------------------------------------------------------------------------
def _detector_arrays(store, records):
    tax = load_taxonomy()
    xs, boxes, classes = [], [], []
    for r, img in zip(records, _images(store, records)):
        x, sx, sy = detector_input(img)
        xs.append(x)
        boxes.append(boxes_to_input(r["boxes"], sx, sy))
        classes.append(np.array([tax.super_index(c) for c in r["classes"]]))
    return np.stack(xs), boxes, classes


def train_detector(store, runtime, sets: dict, version: str, cfg, log: Log) -> tuple[dict, dict]:
    from models.detector import DetectorForExport
    from models.training import train_detector as fit

    tax = load_taxonomy()
    det = sets["detection"]
    recs = {s: split(det, s) for s in ("train", "val", "test")}
    for s, r in recs.items():
        if not r:
            raise ValueError(f"the {s!r} split has no outfit photos: the world is too small to train the detector")
    xt, bt, ct = _detector_arrays(store, recs["train"])
    xv, bv, cv = _detector_arrays(store, recs["val"])
    model, report = fit(xt, bt, ct, xv, bv, cv, cfg, log)
    manifest = _export(store, "detector", version, DetectorForExport(model), xv[:2], ["heatmap", "wh", "offset"],
                       {"input_size": list(DETECTOR_SIZE)}, log)
    ms = ModelSet(store, runtime, {"detector": manifest})
    test = recs["test"]
    imgs = _images(store, test)
    preds = [ms.detect(im, score_threshold=0.3) for im in imgs]
    # mAP ranks every candidate, so score the raw decoded list; the outfit rules are for serving
    raw = [ms.detect(im, score_threshold=0.01, outfit_rules=False) for im in imgs]
    gts = [(np.array(r["boxes"]), np.array([tax.super_index(c) for c in r["classes"]])) for r in test]
    m = detection_map50([[{**d, "super_index": tax.super_index(d["super_category"])} for d in p] for p in raw],
                        gts, len(tax.super_categories))
    metrics = {"map50": m["map50"], **{f"ap50_{n}": (None if np.isnan(a) else float(a))
                                      for n, a in zip(tax.super_categories, m["per_class_ap"])},
               "val_map50": report.get("map50"), "n_train": len(xt), "n_test": len(test)}
    return _finish(store, manifest, metrics, report), {"images": imgs, "preds": preds, "records": test}

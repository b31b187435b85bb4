"""Trained models: detector, category classifier, attribute tagger and visual-search embedder.

Each asset trains on the training split, exports ONNX to `models/<name>/<version>/model.onnx`,
reports held-out test figures measured through the ONNX file, and must pass two checks (ONNX
parity, which blocks downstream assets, and quality above a baseline) before it switches
`models/<name>/CURRENT` for serving.
"""


import dagster as dg

from itoo_assets.metadata import md_image, md_table, numbers
from resources import ArtifactStoreResource, ModelRuntimeResource
from resources.artifact_store import new_version


class TrainingConfig(dg.Config):
    """Training budget; a field left empty keeps the model's default (models/training.py)."""

    epochs: int | None = None
    max_seconds: float | None = None  # wall-clock cap of the training loop
    width: int | None = None  # backbone base width
    batch_size: int | None = None
    num_threads: int = 2  # torch threads; one training step runs at a time (the `training` pool)
    seed: int = 0


def _quality(metrics: dict, key: str, floor: float) -> tuple[bool, str]:
    value = metrics.get(key)
    ok = value is not None and value == value and value >= floor
    return ok, f"{key} = {value:.3f} (needs ≥ {floor:.3f})" if value is not None else f"{key} missing"


def _pictures_classifier(store, extras):
    from itoo.imaging import contact_sheet, load_image_safe

    recs, pred = extras["records"][:32], extras["pred"][:32]
    imgs = [load_image_safe(store.read_bytes(r["key"])) for r in recs]
    labels = [("[ok] " if p["sub_category"] == r["sub_category"] else "[x] ") + p["sub_category"] for p, r in zip(pred, recs)]
    return {"test_predictions": md_image(contact_sheet(imgs, labels=labels, cols=8), "Held-out predictions")}


def _pictures_detector(store, extras):
    from itoo.imaging import contact_sheet, draw_boxes

    shown = [draw_boxes(im, [d["box"] for d in p], [f"{d['super_category']} {d['score']:.2f}" for d in p])
             for im, p in list(zip(extras["images"], extras["preds"]))[:8]]
    return {"test_detections": md_image(contact_sheet(shown, cols=4, cell=192), "Held-out detections")}


def _pictures_tagger(store, extras):
    return {"per_group": md_table(extras["per_group"])}


def _pictures_embedder(store, extras):
    from itoo.imaging import contact_sheet, load_image_safe

    images, labels = [], []
    for ex in extras["examples"]:
        q = ex["query"]
        images.append(load_image_safe(store.read_bytes(q["key"])))
        labels.append("query")
        for r in ex["results"]:
            images.append(load_image_safe(store.read_bytes(r["key"])))
            labels.append(("[ok] " if r["product_id"] == q["product_id"] else "[x] ") + r["product_id"])
    return {"test_queries": md_image(contact_sheet(images, labels=labels, cols=8),
                                     "Consumer photo → top-3 catalogue photos (held-out products)")}


def _model_asset(name: str, train_fn_name: str, metric: str, floor, pictures, description: str, defaults: dict):
    checks = [dg.AssetCheckSpec("onnx_parity", asset=name, blocking=True,
                                description="torch and ONNX Runtime outputs agree within tolerance"),
              # not blocking: a weak model still flows on (its figures are the point of a run), but
              # it is not published for serving until it passes
              dg.AssetCheckSpec("beats_baseline", asset=name,
                                description=f"held-out {metric} is above its baseline; gates publication")]

    @dg.asset(name=name, group_name="models", description=description, check_specs=checks,
              kinds={"pytorch", "onnx"}, pool="training")
    def _asset(context: dg.AssetExecutionContext, config: TrainingConfig, training_sets: dict,
               artifacts: ArtifactStoreResource, model_runtime: ModelRuntimeResource):
        from itoo import trained_models
        from models.training import TrainConfig, detector_config

        store = artifacts.store()
        sets = store.read_json(training_sets["key"], training_sets["sha256"])
        chosen = {k: v for k, v in config.model_dump().items() if v is not None}
        cfg = detector_config(**chosen) if name == "detector" else TrainConfig(**{**defaults, **chosen})
        version = new_version()
        manifest, extras = getattr(trained_models, train_fn_name)(store, model_runtime.runtime(), sets, version,
                                                                 cfg, context.log.info)
        manifest["training_sets"] = training_sets["version"]
        metrics = manifest["metrics"]
        parity_ok = manifest["parity_max_abs_diff"] <= trained_models.PARITY_TOLERANCE
        floor_value = floor(metrics) if callable(floor) else floor
        quality_ok, quality_msg = _quality(metrics, metric, floor_value)
        if parity_ok and quality_ok:
            store.publish(f"models/{name}", manifest)
            context.log.info(f"published {name} {version} for serving")
        else:
            context.log.warning(f"{name} {version} NOT published: parity_ok={parity_ok}, {quality_msg}")
        meta = numbers(metrics)
        return dg.MaterializeResult(
            value=manifest,
            metadata={**meta, "version": version, "onnx_uri": dg.MetadataValue.path(manifest["onnx_uri"]),
                      "onnx_sha256": manifest["sha256"], "onnx_bytes": manifest["bytes"],
                      "training_sets_version": training_sets["version"],
                      "epochs": manifest["training"].get("epochs", 0),
                      "train_seconds": float(manifest["training"].get("seconds", 0.0)),
                      "metrics": md_table([{"metric": k, "value": v} for k, v in metrics.items()]),
                      **pictures(store, extras)},
            check_results=[
                dg.AssetCheckResult(check_name="onnx_parity", passed=parity_ok,
                                    metadata=numbers({"max_abs_diff": manifest["parity_max_abs_diff"],
                                                      "tolerance": trained_models.PARITY_TOLERANCE})),
                dg.AssetCheckResult(check_name="beats_baseline", passed=quality_ok,
                                    metadata={"result": quality_msg}),
            ],
        )

    return _asset


detector = _model_asset(
    "detector", "train_detector", "map50", 0.3, _pictures_detector,
    "Single-stage (CenterNet-style) detector of the 6 super-categories in outfit photos; test mAP@0.5 via ONNX.",
    {})
category_classifier = _model_asset(
    "category_classifier", "train_category_classifier", "super_accuracy",
    lambda m: max(0.5, m["super_majority_baseline"] + 0.2), _pictures_classifier,
    "Hierarchical 6/32 category classifier on garment crops; test accuracy via ONNX.", {})
attribute_tagger = _model_asset(
    "attribute_tagger", "train_attribute_tagger", "mean_categorical_accuracy",
    lambda m: m["mean_categorical_majority_baseline"] + 0.05, _pictures_tagger,
    "Tagger of the 18 attribute groups (11 categorical, 7 multi-label); test accuracy via ONNX.", {})
search_embedder = _model_asset(
    "search_embedder", "train_search_embedder", "search_top10", lambda m: 2 * m["chance_top10"], _pictures_embedder,
    "128-d NT-Xent visual-search embedder; test top-1/top-10 consumer photo → shop photo via ONNX.",
    {"embed_dim": 128})

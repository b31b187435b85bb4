"""Materialize the whole asset graph on the sample world, in dependency order, into the Dagster
instance of $DAGSTER_HOME (so the runs show in `dagster dev`), and summarise the result.

Order: world → ingest each catalogue day → train → the nightly job for each catalogue day
(embed new items, rebuild and publish the indexes, recommendation tables).
"""

import json
import platform
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import dagster as dg

MODEL_ASSETS = ("detector", "category_classifier", "attribute_tagger", "search_embedder")
# Training budget (seconds per model) by world size: tiny is for tests, small for `make run`.
TRAIN_SECONDS = {"tiny": 20.0, "small": 120.0, "large": 300.0}
TRAIN_EPOCHS = {"tiny": 15, "small": None, "large": 80}

SUMMARY_FIGURES = [
    ("detector", "map50", "detector mAP@0.5 (test, ONNX)"),
    ("category_classifier", "super_accuracy", "classifier super-category accuracy (test)"),
    ("category_classifier", "sub_accuracy", "classifier sub-category accuracy (test)"),
    ("attribute_tagger", "mean_categorical_accuracy", "attribute accuracy, mean of 11 categorical groups (test)"),
    ("attribute_tagger", "mean_categorical_majority_baseline", "  majority-class baseline"),
    ("attribute_tagger", "mean_multilabel_f1", "attribute micro-F1, mean of 7 multi-label groups (test)"),
    ("search_embedder", "search_top1", "search top-1, consumer photo -> shop photo (test products)"),
    ("search_embedder", "search_top10", "search top-10"),
    ("search_indexes", "recall_at_10", "index recall@10 vs exact search"),
    ("recommendation_tables", "hr_at_10", "recommender HR@10 (next week's likes)"),
    ("recommendation_tables", "popularity_hr_at_10", "  popularity baseline HR@10"),
]


def catalogue_days(size: str) -> list[str]:
    from itoo.world import WORLD_SIZES
    from itoo_assets.settings import START_DATE

    if size not in WORLD_SIZES:
        raise ValueError(f"unknown world size {size!r}; choose one of {sorted(WORLD_SIZES)}")
    start = date.fromisoformat(START_DATE)
    return [(start + timedelta(days=i)).isoformat() for i in range(WORLD_SIZES[size]["catalog_days"])]


def evaluation_day(size: str) -> str:
    from itoo.recommendation_tables import EVAL_DAYS
    from itoo.world import WORLD_SIZES
    from itoo_assets.settings import START_DATE

    offset = WORLD_SIZES[size]["timeline_days"] - EVAL_DAYS - 1
    day = date.fromisoformat(START_DATE) + timedelta(days=offset)
    # daily partitions end yesterday; a world whose timeline runs past that is evaluated earlier
    return min(day, datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()


def training_run_config(size: str) -> dict:
    cfg = {k: v for k, v in (("max_seconds", TRAIN_SECONDS[size]), ("epochs", TRAIN_EPOCHS[size])) if v is not None}
    return {"ops": {name: {"config": cfg} for name in MODEL_ASSETS}}


def run_everything(size: str = "small", seed: int = 7, instance: dg.DagsterInstance | None = None,
                   defs: dg.Definitions | None = None, log=print, results_path: str | Path | None = None,
                   console_log_level: str = "INFO") -> dict:
    """Run every job in order; returns the summary (figures, stage times, artifact locations)."""
    from itoo_assets.definitions import defs as default_defs

    defs = defs or default_defs
    days = catalogue_days(size)
    instance = instance or dg.DagsterInstance.get()
    stage_seconds: dict[str, float] = defaultdict(float)
    metadata: dict[str, dict] = {}
    checks: dict[str, bool] = {}
    started = time.perf_counter()

    def execute(job_name: str, partition_key: str | None = None, run_config: dict | None = None):
        t0 = time.perf_counter()
        # INFO on the console (progress, figures); DEBUG events still go to the instance for the UI
        config = {**(run_config or {}), "loggers": {"console": {"config": {"log_level": console_log_level}}}}
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, partition_key=partition_key, run_config=config, raise_on_error=False)
        for ev in result.all_events:
            if ev.event_type_value == "STEP_SUCCESS":
                stage_seconds[ev.step_key] += ev.event_specific_data.duration_ms / 1000.0
            elif ev.event_type_value == "ASSET_MATERIALIZATION":
                mat = ev.event_specific_data.materialization
                metadata[mat.asset_key.to_user_string()] = {k: v.value for k, v in mat.metadata.items()}
            elif ev.event_type_value == "ASSET_CHECK_EVALUATION":
                e = ev.event_specific_data
                checks[f"{e.asset_key.to_user_string()}:{e.check_name}"] = e.passed
        where = f" [{partition_key}]" if partition_key else ""
        log(f"  {job_name}{where}: {'ok' if result.success else 'FAILED'} in {time.perf_counter() - t0:.1f} s")
        if not result.success:
            failures = [ev.message for ev in result.all_events if ev.event_type_value == "STEP_FAILURE"]
            raise RuntimeError(f"{job_name}{where} failed (run {result.run_id}): " + " | ".join(failures)[:4000])
        return result

    log(f"itoo: materializing the whole graph on the {size!r} sample world (seed {seed}), "
        f"{len(days)} catalogue days {days[0]} .. {days[-1]}")
    execute("world_job", run_config={"ops": {"sample_world": {"config": {"size": size, "seed": seed}}}})
    for day in days:
        execute("ingest_job", partition_key=day)
    execute("training_job", run_config=training_run_config(size))
    for day in days:
        execute("nightly_job", partition_key=day)
    # the social timeline runs on after the catalogue weeks: evaluate the recommender on a day
    # that has a full week of later likes to test against
    execute("recommendations_job", partition_key=evaluation_day(size))
    total = time.perf_counter() - started

    figures = []
    for asset, key, label in SUMMARY_FIGURES:
        value = metadata.get(asset, {}).get(key)
        figures.append({"asset": asset, "figure": key, "label": label,
                        "value": float(value) if isinstance(value, (int, float)) else None})
    summary = {
        "name": "pipeline", "world_size": size, "seed": seed, "catalogue_days": days,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus(), "platform": platform.platform()},
        "total_seconds": round(total, 1),
        "stage_seconds": {k: round(v, 2) for k, v in sorted(stage_seconds.items(), key=lambda kv: -kv[1])},
        "figures": figures, "checks": checks,
        "dagster_home": str(instance.root_directory) if instance.root_directory else None,
    }
    if results_path:
        Path(results_path).parent.mkdir(parents=True, exist_ok=True)
        Path(results_path).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def format_summary(summary: dict, artifact_root: str) -> str:
    lines = ["", f"itoo pipeline on the {summary['world_size']!r} world: {summary['total_seconds']:.0f} s in all", "",
             "Held-out figures:"]
    for f in summary["figures"]:
        v = "n/a" if f["value"] is None else f"{f['value']:.3f}"
        lines.append(f"  {f['label']:<62} {v:>7}")
    failed = [k for k, ok in summary["checks"].items() if not ok]
    lines += ["", f"Asset checks: {len(summary['checks']) - len(failed)} passed, {len(failed)} failed"
              + (f" ({', '.join(failed)})" if failed else "")]
    lines += ["", "Wall time per stage (summed over partitions):"]
    for step, secs in list(summary["stage_seconds"].items()):
        lines.append(f"  {step:<40} {secs:8.1f} s")
    lines += ["", f"Artifacts:       {artifact_root}", f"Dagster home:    {summary['dagster_home']}",
              "Open the UI:     make ui   (then http://127.0.0.1:3000)", ""]
    return "\n".join(lines)

"""The code location loads fast, without torch, and declares what users expect to see."""

import subprocess
import sys

import dagster as dg
import pytest

from itoo_assets.definitions import defs


def test_definitions_load_without_torch_or_onnxruntime():
    code = ("import sys, time; t = time.perf_counter(); import itoo_assets.definitions as d; "
            "d.defs.resolve_asset_graph(); "
            "print(time.perf_counter() - t, 'torch' in sys.modules, 'onnxruntime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[1:] == ["False", "False"], "definitions must not import torch or onnxruntime"
    assert float(out[0]) < 20.0


def test_every_stage_is_an_asset_with_group_and_description():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"sample_world", "crawled_catalog", "cleaned_crops", "training_sets", "detector",
                    "category_classifier", "attribute_tagger", "search_embedder", "catalog_embeddings",
                    "search_indexes", "app_database", "style_vectors", "recommendation_tables", "upload_detections"}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name and node.group_name != "default", key
        assert node.description and len(node.description) > 40, key


def test_daily_partitions_schedule_sensor_and_checks():
    graph = defs.resolve_asset_graph()
    daily = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def is not None}
    assert daily == {"crawled_catalog", "cleaned_crops", "catalog_embeddings", "search_indexes", "recommendation_tables"}
    schedule = defs.resolve_schedule_def("nightly_job_schedule")
    assert schedule.cron_schedule == "0 3 * * *" and schedule.job_name == "nightly_job"
    assert defs.resolve_sensor_def("new_uploads_sensor").job_name == "uploads_job"
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for model in ("detector", "category_classifier", "attribute_tagger", "search_embedder"):
        assert (model, "onnx_parity") in checks and (model, "beats_baseline") in checks
    assert ("search_indexes", "recall_at_10") in checks
    assert ("recommendation_tables", "beats_popularity") in checks
    for job in ("world_job", "ingest_job", "training_job", "nightly_job", "recommendations_job", "uploads_job"):
        assert defs.resolve_job_def(job) is not None


def test_bad_run_config_is_refused_before_running():
    with pytest.raises(dg.DagsterInvalidConfigError, match="seed"):
        dg.validate_run_config(defs.resolve_job_def("world_job"),
                               {"ops": {"sample_world": {"config": {"size": 3, "seed": "x"}}}})


def test_unknown_world_size_fails_the_run_with_a_clear_message(tmp_path):
    from itoo_assets.definitions import build_definitions
    from resources import ArtifactStoreResource, ModelRuntimeResource, SqlDatabaseResource

    local = build_definitions({
        "artifacts": ArtifactStoreResource(root=str(tmp_path / "a")),
        "warehouse": SqlDatabaseResource(url=f"sqlite:///{tmp_path / 'w.sqlite'}"),
        "app_db": SqlDatabaseResource(url=f"sqlite:///{tmp_path / 'app.sqlite'}"),
        "model_runtime": ModelRuntimeResource(),
    })
    result = local.resolve_job_def("world_job").execute_in_process(
        run_config={"ops": {"sample_world": {"config": {"size": "huge", "seed": 1}}}}, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "huge" in str(failure.event_specific_data.error)
    assert not (tmp_path / "a" / "world").exists()  # nothing half-written

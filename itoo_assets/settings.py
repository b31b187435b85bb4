"""Where itoo keeps its data, read once from the environment when definitions load.

ITOO_DATA_DIR        local folder for the embedded defaults (default: ./.itoo_data)
ITOO_ARTIFACT_ROOT   artifact store root: a folder or s3://bucket/prefix (default: $ITOO_DATA_DIR/artifacts)
ITOO_S3_ENDPOINT_URL endpoint of an S3-compatible server (MinIO, moto) when the root is s3://
ITOO_WAREHOUSE_URL   SQLAlchemy URL of the warehouse (default: SQLite in $ITOO_DATA_DIR)
ITOO_APP_DB_URL      SQLAlchemy URL of the app database (default: SQLite in $ITOO_DATA_DIR)
ITOO_WORLD_SIZE      sample world size preset: tiny | small | large (default: small)
ITOO_WORLD_SEED      sample world seed (default: 7)
ITOO_ORT_PROVIDERS   comma-separated ONNX Runtime providers (default: CPUExecutionProvider)
"""


import os
from pathlib import Path

START_DATE = "2026-11-01"  # first day of the sample world's catalogue; daily partitions start here


def data_dir() -> Path:
    return Path(os.environ.get("ITOO_DATA_DIR", ".itoo_data")).expanduser().resolve()


def artifact_root() -> str:
    return os.environ.get("ITOO_ARTIFACT_ROOT") or str(data_dir() / "artifacts")


def s3_endpoint_url() -> str | None:
    return os.environ.get("ITOO_S3_ENDPOINT_URL") or None


def warehouse_url() -> str:
    return os.environ.get("ITOO_WAREHOUSE_URL") or f"sqlite:///{data_dir() / 'warehouse.sqlite'}"


def app_db_url() -> str:
    return os.environ.get("ITOO_APP_DB_URL") or f"sqlite:///{data_dir() / 'app.sqlite'}"


def world_size() -> str:
    return os.environ.get("ITOO_WORLD_SIZE", "small")


def world_seed() -> int:
    raw = os.environ.get("ITOO_WORLD_SEED", "7")
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"ITOO_WORLD_SEED must be an integer, got {raw!r}") from None


def ort_providers() -> list[str]:
    return [p.strip() for p in os.environ.get("ITOO_ORT_PROVIDERS", "CPUExecutionProvider").split(",") if p.strip()]

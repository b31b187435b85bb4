"""Dagster resources of itoo: artifact store, warehouse and app database, model runtime, serving.

Each resource is a thin `ConfigurableResource` over a plain class that tests use without Dagster.
"""

from resources.artifact_store import ArtifactStore, ArtifactStoreResource
from resources.databases import SqlDatabase, SqlDatabaseResource
from resources.model_runtime import ModelRuntime, ModelRuntimeResource

__all__ = [
    "ArtifactStore",
    "ArtifactStoreResource",
    "SqlDatabase",
    "SqlDatabaseResource",
    "ModelRuntime",
    "ModelRuntimeResource",
]

"""Artifact store: versioned, checksummed files on a local directory or an S3 bucket.

Large artifacts (ONNX files, index shards, embeddings) are written under
`<prefix>/<version>/...`, never overwritten, and a `<prefix>/CURRENT` pointer is switched
atomically once a version is complete. Downstream assets receive the exact version in their
upstream's manifest (lineage); the pointer is only for serving.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import dagster as dg

from itoo.checksums import sha256_bytes, sha256_file  # noqa: F401  (re-exported)

_KEY_RE = re.compile(r"^[A-Za-z0-9_.=\-]+(/[A-Za-z0-9_.=\-]+)*$")


def validate_key(key: str) -> str:
    """Keys are relative POSIX paths of safe characters; no '..', no absolute paths."""
    if not isinstance(key, str) or not _KEY_RE.match(key) or any(p in ("..", ".") for p in key.split("/")):
        raise ValueError(f"invalid artifact key {key!r}: use relative paths of letters, digits, '_', '-', '.', '='")
    return key


def new_version() -> str:
    """Sortable, unique version id: UTC time plus a short random suffix."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


@dataclass(frozen=True)
class ArtifactRef:
    key: str
    uri: str
    sha256: str
    bytes: int

    def as_dict(self) -> dict:
        return {"key": self.key, "uri": self.uri, "sha256": self.sha256, "bytes": self.bytes}


class ArtifactStore:
    """Plain artifact store. `root` is a local directory or `s3://bucket/prefix`."""

    def __init__(self, root: str, s3_endpoint_url: str | None = None, cache_dir: str | None = None):
        if not root:
            raise ValueError("artifact store root is empty")
        self.root = root
        self.is_s3 = root.startswith("s3://")
        if self.is_s3:
            import boto3

            bucket, _, prefix = root[len("s3://"):].partition("/")
            if not bucket:
                raise ValueError(f"artifact store root {root!r} names no bucket")
            self.bucket, self.prefix = bucket, prefix.strip("/")
            self._s3 = boto3.client("s3", endpoint_url=s3_endpoint_url)
            self.cache = Path(cache_dir or tempfile.gettempdir()) / "itoo-artifact-cache" / bucket / self.prefix
        else:
            self.base = Path(root).expanduser().resolve()
            self.base.mkdir(parents=True, exist_ok=True)

    # -- addressing -------------------------------------------------------------------------
    def _s3_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        validate_key(key)
        return f"s3://{self.bucket}/{self._s3_key(key)}" if self.is_s3 else str(self.base / key)

    # -- bytes ------------------------------------------------------------------------------
    def write_bytes(self, key: str, data: bytes) -> ArtifactRef:
        validate_key(key)
        if self.is_s3:
            self._s3.put_object(Bucket=self.bucket, Key=self._s3_key(key), Body=data)
        else:
            path = self.base / key
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return ArtifactRef(key, self.uri(key), sha256_bytes(data), len(data))

    def read_bytes(self, key: str, sha256: str | None = None) -> bytes:
        validate_key(key)
        try:
            if self.is_s3:
                data = self._s3.get_object(Bucket=self.bucket, Key=self._s3_key(key))["Body"].read()
            else:
                data = (self.base / key).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"artifact {key!r} not found in {self.root}") from None
        except Exception as e:  # botocore NoSuchKey and friends
            if type(e).__name__ in ("NoSuchKey", "ClientError"):
                raise FileNotFoundError(f"artifact {key!r} not found in {self.root}: {e}") from None
            raise
        if sha256 is not None and sha256_bytes(data) != sha256:
            raise ValueError(f"artifact {key!r} checksum mismatch: expected {sha256}, got {sha256_bytes(data)}")
        return data

    def exists(self, key: str) -> bool:
        validate_key(key)
        if self.is_s3:
            resp = self._s3.list_objects_v2(Bucket=self.bucket, Prefix=self._s3_key(key), MaxKeys=1)
            return any(o["Key"] == self._s3_key(key) for o in resp.get("Contents", []))
        return (self.base / key).exists()

    def write_json(self, key: str, obj) -> ArtifactRef:
        return self.write_bytes(key, json.dumps(obj, indent=2, sort_keys=True, default=str).encode())

    def read_json(self, key: str, sha256: str | None = None):
        return json.loads(self.read_bytes(key, sha256))

    # -- files and directories ----------------------------------------------------------------
    def write_file(self, key: str, local_path: str | Path) -> ArtifactRef:
        return self.write_bytes(key, Path(local_path).read_bytes())

    def put_dir(self, prefix: str, local_dir: str | Path) -> list[ArtifactRef]:
        """Copy a local directory under `prefix`; returns one ref per file (sorted by key)."""
        validate_key(prefix)
        local_dir = Path(local_dir)
        refs = []
        for path in sorted(p for p in local_dir.rglob("*") if p.is_file()):
            rel = PurePosixPath(path.relative_to(local_dir).as_posix())
            refs.append(self.write_file(f"{prefix}/{rel}", path))
        return refs

    def local_dir(self, prefix: str) -> Path:
        """A local directory holding `prefix` (the directory itself locally; a synced cache on S3)."""
        validate_key(prefix)
        if not self.is_s3:
            path = self.base / prefix
            if not path.exists():
                raise FileNotFoundError(f"artifact folder {prefix!r} not found in {self.root}")
            return path
        target = self.cache / prefix
        paginator = self._s3.get_paginator("list_objects_v2")
        found = False
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._s3_key(prefix) + "/"):
            for obj in page.get("Contents", []):
                found = True
                rel = obj["Key"][len(self._s3_key(prefix)) + 1:]
                dest = target / rel
                if dest.exists() and dest.stat().st_size == obj["Size"]:
                    continue  # versioned keys never change, so size equality is enough for the cache
                dest.parent.mkdir(parents=True, exist_ok=True)
                self._s3.download_file(self.bucket, obj["Key"], str(dest))
        if not found:
            raise FileNotFoundError(f"artifact folder {prefix!r} not found in {self.root}")
        return target

    def local_file(self, key: str, sha256: str | None = None) -> Path:
        """A local path for one artifact, checked against `sha256` when given."""
        validate_key(key)
        if self.is_s3:
            dest = self.cache / key
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(self.read_bytes(key))
        else:
            dest = self.base / key
            if not dest.exists():
                raise FileNotFoundError(f"artifact {key!r} not found in {self.root}")
        if sha256 is not None and sha256_file(dest) != sha256:
            raise ValueError(f"artifact {key!r} checksum mismatch: expected {sha256}")
        return dest

    # -- publication ------------------------------------------------------------------------
    def publish(self, prefix: str, manifest: dict) -> ArtifactRef:
        """Switch `<prefix>/CURRENT` to a complete version: a single atomic write of its manifest."""
        return self.write_json(f"{prefix}/CURRENT", manifest)

    def current(self, prefix: str) -> dict:
        return self.read_json(f"{prefix}/CURRENT")


class ArtifactStoreResource(dg.ConfigurableResource):
    """Where itoo keeps large artifacts. `root` is a local directory, or `s3://bucket/prefix` for S3
    (set `s3_endpoint_url` for an S3-compatible server such as MinIO)."""

    root: str
    s3_endpoint_url: str | None = None

    def store(self) -> ArtifactStore:
        return ArtifactStore(self.root, self.s3_endpoint_url)

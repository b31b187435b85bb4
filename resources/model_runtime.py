"""ONNX Runtime sessions for trained models, verified against the checksum their asset recorded."""

from __future__ import annotations

import threading
from pathlib import Path

import dagster as dg

from resources.artifact_store import sha256_file


class ModelRuntime:
    def __init__(self, providers: list[str] | None = None, intra_op_threads: int = 2):
        self.providers = providers or ["CPUExecutionProvider"]
        self.intra_op_threads = intra_op_threads
        self._sessions: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def session(self, path: str | Path, sha256: str | None = None):
        import onnxruntime as ort

        path = str(path)
        key = (path, sha256 or "")
        with self._lock:
            if key not in self._sessions:
                if not Path(path).is_file():
                    raise FileNotFoundError(f"ONNX model {path} does not exist")
                if sha256 is not None and sha256_file(path) != sha256:
                    raise ValueError(f"ONNX model {path} does not match its recorded checksum {sha256}")
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = self.intra_op_threads
                available = set(ort.get_available_providers())
                providers = [p for p in self.providers if p in available] or ["CPUExecutionProvider"]
                self._sessions[key] = ort.InferenceSession(path, sess_options=opts, providers=providers)
            return self._sessions[key]

    def run(self, path: str | Path, inputs: dict, sha256: str | None = None) -> list:
        sess = self.session(path, sha256)
        return sess.run(None, inputs)


class ModelRuntimeResource(dg.ConfigurableResource):
    """ONNX Runtime with a provider list; CUDAExecutionProvider is used when the `gpu` extra is installed."""

    providers: list[str] = ["CPUExecutionProvider"]
    intra_op_threads: int = 2

    def runtime(self) -> ModelRuntime:
        return ModelRuntime(self.providers, self.intra_op_threads)

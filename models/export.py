"""ONNX export (atomic, dynamic batch axis) and torch-vs-onnxruntime parity check."""

from __future__ import annotations

import os
import warnings
from typing import Sequence

import numpy as np
import torch
from torch import nn

from itoo.checksums import sha256_file

DEFAULT_OPSET = 17


def export_onnx(
    model: nn.Module,
    example_input: torch.Tensor,
    path: str | os.PathLike,
    input_names: Sequence[str] = ("input",),
    output_names: Sequence[str] = ("output",),
    opset: int = DEFAULT_OPSET,
) -> dict:
    """Export ``model`` (put in eval mode) to ONNX with axis 0 of every input/output dynamic ("batch").

    Writes ``path + ".tmp"`` then ``os.replace``s it onto ``path`` (readers never see a partial file);
    the exported graph is checked with ``onnx.checker`` first.
    Uses the TorchScript exporter (``dynamo=False``; no onnxscript dependency).
    Returns ``{"path", "sha256", "opset", "bytes"}``.
    """
    import onnx

    if not isinstance(example_input, torch.Tensor) or example_input.dim() < 1:
        raise ValueError("export_onnx: example_input must be a torch.Tensor with a batch axis")
    if not torch.isfinite(example_input).all():
        raise ValueError("export_onnx: example_input contains NaN or inf")
    path = os.fspath(path)
    tmp = path + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    model.eval()
    dyn = {n: {0: "batch"} for n in list(input_names) + list(output_names)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.no_grad():
                torch.onnx.export(
                    model, (example_input,), tmp, dynamo=False, input_names=list(input_names),
                    output_names=list(output_names), dynamic_axes=dyn, opset_version=int(opset),
                    do_constant_folding=True,
                )
        onnx.checker.check_model(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return {"path": path, "sha256": sha256_file(path), "opset": int(opset), "bytes": os.path.getsize(path)}


def onnx_parity(model: nn.Module, onnx_path: str | os.PathLike, inputs) -> float:
    """Max absolute difference between torch (eval mode) and onnxruntime (CPUExecutionProvider) outputs
    over all outputs, for ``inputs`` (a tensor/array fed to the model's single input)."""
    import onnxruntime as ort

    x = inputs.detach().cpu().numpy() if isinstance(inputs, torch.Tensor) else np.asarray(inputs)
    x = np.ascontiguousarray(x, dtype=np.float32)
    model.eval()
    with torch.no_grad():
        ref = model(torch.from_numpy(x))
    ref = [ref] if isinstance(ref, torch.Tensor) else list(ref)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(os.fspath(onnx_path), opts, providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})
    if len(got) != len(ref):
        raise ValueError(f"onnx_parity: torch gives {len(ref)} outputs, onnx {len(got)}")
    diffs = [float(np.max(np.abs(r.numpy() - g))) if r.numel() else 0.0 for r, g in zip(ref, got)]
    return max(diffs)

"""Inference with the exported ONNX models: numpy, Pillow and ONNX Runtime only (no torch).

One `ModelSet` serves every consumer of the models (catalogue embedding, style vectors, upload
processing, the serving API and held-out evaluation), so they all see the same preprocessing and
post-processing as training.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from itoo.taxonomy import load_taxonomy
from models.postprocess import decode_detections, hierarchical_decode, postprocess_outfit, sigmoid, softmax
from models.preprocess import crops_to_batch, detector_input

MODEL_NAMES = ("detector", "category_classifier", "attribute_tagger", "search_embedder")
BATCH = 256


class ModelSet:
    """ONNX sessions of the models named in `manifests` (name -> manifest written by the model asset)."""

    def __init__(self, store, runtime, manifests: dict[str, dict]):
        unknown = set(manifests) - set(MODEL_NAMES)
        if unknown:
            raise ValueError(f"unknown model names {sorted(unknown)}; expected some of {MODEL_NAMES}")
        self.store, self.runtime, self.manifests = store, runtime, dict(manifests)
        self.taxonomy = load_taxonomy()
        self._sessions: dict[str, object] = {}

    def _session(self, name: str):
        if name not in self.manifests:
            raise LookupError(f"model {name!r} is not loaded; materialize the `{name}` asset first")
        if name not in self._sessions:  # the file's checksum is verified once, when first loaded
            m = self.manifests[name]
            self._sessions[name] = self.runtime.session(self.store.local_file(m["onnx_key"]), m["sha256"])
        return self._sessions[name]

    def _run_batched(self, name: str, x: np.ndarray) -> list[np.ndarray]:
        sess = self._session(name)
        input_name = sess.get_inputs()[0].name
        outs: list[list[np.ndarray]] = []
        for i in range(0, len(x), BATCH):
            outs.append(sess.run(None, {input_name: np.ascontiguousarray(x[i:i + BATCH], dtype=np.float32)}))
        return [np.concatenate([o[j] for o in outs]) for j in range(len(outs[0]))]

    # -- crops ------------------------------------------------------------------------------
    def embed(self, crops: Sequence) -> np.ndarray:
        if len(crops) == 0:
            return np.zeros((0, int(self.manifests["search_embedder"]["embed_dim"])), np.float32)
        return self._run_batched("search_embedder", crops_to_batch(crops))[0]

    def classify(self, crops: Sequence) -> list[dict]:
        if len(crops) == 0:
            return []
        super_logits, sub_logits = self._run_batched("category_classifier", crops_to_batch(crops))
        d = hierarchical_decode(super_logits, sub_logits, self.taxonomy.sub_to_super_index())
        t = self.taxonomy
        return [{"super_category": t.super_categories[s], "super_score": float(sp),
                 "sub_category": t.sub_categories[b], "sub_score": float(bp)}
                for s, sp, b, bp in zip(d["super_index"], d["super_prob"], d["sub_index"], d["sub_prob"])]

    def tag(self, crops: Sequence, super_categories: Sequence[str], threshold: float = 0.5) -> list[dict]:
        """Attributes of each crop, only for the groups that apply to its super-category."""
        if len(crops) == 0:
            return []
        outs = self._run_batched("attribute_tagger", crops_to_batch(crops))
        groups = self.manifests["attribute_tagger"]["groups"]  # [name, kind, values] in output order
        result = []
        for i, sup in enumerate(super_categories):
            attrs = {}
            for (name, kind, values), logits in zip(groups, outs):
                if not self.taxonomy.group(name).applies(sup):
                    continue
                if kind == "categorical":
                    p = softmax(logits[i])
                    attrs[name] = values[int(np.argmax(p))]
                else:
                    p = sigmoid(logits[i])
                    attrs[name] = [v for v, pv in zip(values, p) if pv >= threshold]
            result.append(attrs)
        return result

    # -- outfit photos ----------------------------------------------------------------------------
    def detect(self, image, score_threshold: float = 0.3, outfit_rules: bool = True) -> list[dict]:
        """Garment boxes in one outfit photo. With `outfit_rules` (serving) the paper's rules apply:
        at least one item, dress vs top+bottom; without them (mAP evaluation) every decoded
        candidate above `score_threshold` is returned. Items: box (original pixels), super_category, score."""
        x, sx, sy = detector_input(image)
        heat, wh, off = self._run_batched("detector", x[None])
        if outfit_rules:
            dets = decode_detections(heat[0], wh[0], off[0], sx, sy, score_threshold=min(score_threshold, 0.05))
            items = postprocess_outfit(dets, self.taxonomy.super_categories, score_threshold=score_threshold)
        else:
            items = decode_detections(heat[0], wh[0], off[0], sx, sy, score_threshold=score_threshold, min_keep=0)
            for it in items:
                it["super_category"] = self.taxonomy.super_categories[int(it["super_index"])]
        w, h = image.size
        for it in items:
            it["box"] = _clip_box(it["box"], w, h)
        return items

    def analyse_outfit(self, image, score_threshold: float = 0.3) -> list[dict]:
        """Detect → classify ‖ tag → embed, for one outfit photo."""
        items = self.detect(image, score_threshold)
        crops = [image.crop(tuple(int(round(v)) for v in it["box"])) for it in items]
        classes = self.classify(crops) if "category_classifier" in self.manifests else [{} for _ in crops]
        for it, c in zip(items, classes):
            # the detector's super-category wins; the classifier names the sub-category within it
            it["sub_category"] = c.get("sub_category")
            it["classifier_super_category"] = c.get("super_category")
        supers = [it["super_category"] for it in items]
        attrs = self.tag(crops, supers) if "attribute_tagger" in self.manifests else [{} for _ in crops]
        vecs = self.embed(crops) if "search_embedder" in self.manifests else [None] * len(crops)
        for it, a, v in zip(items, attrs, vecs):
            it["attributes"] = a
            it["embedding"] = v
        return items


MIN_BOX = 8.0  # pixels: a box is at least this wide and tall, so every item has a crop


def _clip_box(box, width: int, height: int) -> list[float]:
    """Clip to the image and grow degenerate boxes around their centre to MIN_BOX."""
    x0, y0, x1, y1 = (float(v) for v in box)
    out = []
    for lo, hi, limit in ((x0, x1, width), (y0, y1, height)):
        if hi - lo < MIN_BOX:
            c = (lo + hi) / 2
            lo, hi = c - MIN_BOX / 2, c + MIN_BOX / 2
        lo, hi = max(0.0, lo), min(float(limit), hi)
        if hi - lo < MIN_BOX:  # pushed against an edge
            lo, hi = (0.0, min(float(limit), MIN_BOX)) if lo == 0.0 else (max(0.0, limit - MIN_BOX), float(limit))
        out.append((lo, hi))
    return [out[0][0], out[1][0], out[0][1], out[1][1]]

"""Evaluation metrics (numpy only): accuracy, average precision, detection mAP@0.5, retrieval top-k."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from models.postprocess import box_iou


def accuracy(pred, true) -> float:
    pred, true = np.asarray(pred).reshape(-1), np.asarray(true).reshape(-1)
    if pred.shape != true.shape:
        raise ValueError(f"accuracy: {pred.shape} predictions vs {true.shape} labels")
    return float(np.mean(pred == true)) if len(true) else float("nan")


def micro_f1(pred, true) -> float:
    """Micro-averaged F1 of boolean (N, V) predictions vs targets; nan when there is nothing to score."""
    p, t = np.asarray(pred, dtype=bool), np.asarray(true, dtype=bool)
    tp = float(np.sum(p & t))
    denom = float(np.sum(p) + np.sum(t))
    if denom == 0:
        return float("nan") if p.size == 0 else 1.0
    return 2.0 * tp / denom


def average_precision(scores, is_tp, n_gt: int) -> float:
    """VOC-style (all-point interpolated) AP of ranked detections; nan when ``n_gt == 0``."""
    if n_gt <= 0:
        return float("nan")
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    tp = np.asarray(is_tp, dtype=np.float64).reshape(-1)
    if len(scores) == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    tp = tp[order]
    ctp, cfp = np.cumsum(tp), np.cumsum(1.0 - tp)
    recall = ctp / n_gt
    precision = ctp / np.maximum(ctp + cfp, 1e-12)
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    i = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def _pred_arrays(p) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(p, dict):  # {"boxes", "classes", "scores"}
        return (np.asarray(p["boxes"], dtype=np.float64).reshape(-1, 4),
                np.asarray(p["classes"], dtype=np.int64).reshape(-1),
                np.asarray(p["scores"], dtype=np.float64).reshape(-1))
    p = list(p)  # list of {"box", "super_index", "score"} as returned by decode_detections
    return (np.asarray([d["box"] for d in p], dtype=np.float64).reshape(-1, 4),
            np.asarray([d["super_index"] for d in p], dtype=np.int64),
            np.asarray([d["score"] for d in p], dtype=np.float64))


def detection_map50(preds: Sequence, gts: Sequence, n_classes: int, iou_threshold: float = 0.5) -> dict:
    """mAP at IoU 0.5 over ``n_classes``.

    preds[i]: detections of image i, either a list of ``{"box","super_index","score"}`` (the output of
    ``decode_detections``) or a dict ``{"boxes","classes","scores"}``.
    gts[i]: ``(boxes (K,4), classes (K,))`` or a dict ``{"boxes","classes"}`` in the same coordinates.
    Returns ``{"map50": float, "per_class_ap": [float|nan]*n_classes, "n_gt": [int]*n_classes}``;
    classes without ground truth get nan AP and are left out of the mean.
    """
    if len(preds) != len(gts):
        raise ValueError(f"detection_map50: {len(preds)} prediction lists vs {len(gts)} ground truths")
    scores: list[list[float]] = [[] for _ in range(n_classes)]
    tps: list[list[float]] = [[] for _ in range(n_classes)]
    n_gt = [0] * n_classes
    for p, g in zip(preds, gts):
        pb, pc, ps = _pred_arrays(p)
        if isinstance(g, dict):
            gb, gc = g["boxes"], g["classes"]
        else:
            gb, gc = g
        gb = np.asarray(gb, dtype=np.float64).reshape(-1, 4)
        gc = np.asarray(gc, dtype=np.int64).reshape(-1)
        for c in range(n_classes):
            gbc = gb[gc == c]
            n_gt[c] += len(gbc)
            m = pc == c
            if not m.any():
                continue
            bc, sc = pb[m], ps[m]
            order = np.argsort(-sc, kind="stable")
            used = np.zeros(len(gbc), dtype=bool)
            ious = box_iou(bc, gbc) if len(gbc) else np.zeros((len(bc), 0))
            for j in order:
                hit = 0.0
                if ious.shape[1]:
                    cand = np.where(used, -1.0, ious[j])
                    k = int(np.argmax(cand))
                    if cand[k] >= iou_threshold:
                        used[k] = True
                        hit = 1.0
                scores[c].append(float(sc[j]))
                tps[c].append(hit)
    per = [average_precision(scores[c], tps[c], n_gt[c]) for c in range(n_classes)]
    valid = [a for a in per if not np.isnan(a)]
    return {"map50": float(np.mean(valid)) if valid else float("nan"), "per_class_ap": per, "n_gt": n_gt}


def retrieval_topk(q_emb, q_labels, g_emb, g_labels, ks: Sequence[int] = (1, 10)) -> dict:
    """Top-k retrieval accuracy by cosine similarity (embeddings are L2-normalised first).

    A query counts as a hit at k when one of its k nearest gallery items has the same label.
    Queries whose label is absent from the gallery are left out (reported as ``n_skipped``).
    Returns ``{"top1": .., "top10": .., "n_queries": .., "n_skipped": ..}``.
    """
    q = np.asarray(q_emb, dtype=np.float32)
    g = np.asarray(g_emb, dtype=np.float32)
    ql, gl = np.asarray(q_labels).reshape(-1), np.asarray(g_labels).reshape(-1)
    if q.ndim != 2 or g.ndim != 2 or q.shape[1] != g.shape[1]:
        raise ValueError(f"retrieval_topk: embeddings must be (Nq, D) and (Ng, D), got {q.shape}, {g.shape}")
    if len(q) != len(ql) or len(g) != len(gl):
        raise ValueError("retrieval_topk: embeddings and labels differ in length")
    if not (np.all(np.isfinite(q)) and np.all(np.isfinite(g))):
        raise ValueError("retrieval_topk: embeddings contain NaN or inf")
    present = np.isin(ql, gl)
    out: dict = {"n_queries": int(present.sum()), "n_skipped": int((~present).sum())}
    q, ql = q[present], ql[present]
    if len(q) == 0 or len(g) == 0:
        out.update({f"top{k}": float("nan") for k in ks})
        return out
    q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    g = g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)
    sim = q @ g.T
    order = np.argsort(-sim, axis=1, kind="stable")
    match = gl[order] == ql[:, None]
    for k in ks:
        out[f"top{k}"] = float(np.mean(match[:, : int(k)].any(axis=1)))
    return out

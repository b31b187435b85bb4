"""Post-processing of model outputs (numpy only, usable with onnxruntime and no torch).

- ``softmax``, ``sigmoid``
- ``hierarchical_decode``: super-category, then the sub-category among that super's children only.
- ``decode_detections``: CenterNet decoding (3x3 max-pool peak NMS, top-k, class-wise box NMS).
- ``postprocess_outfit``: the outfit rules (keep at least one item; dress vs top+bottom conflicts).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

DEFAULT_STRIDE = 4


def softmax(x, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z)
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(np.float32)


def sigmoid(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out.astype(np.float32)


def hierarchical_decode(super_logits, sub_logits, sub_to_super: Sequence[int]) -> dict[str, np.ndarray]:
    """Decode (N, S) super logits and (N, K) sub logits; a 1-D pair is treated as N=1.

    The sub prediction is restricted to the children of the predicted super-category.
    Returns arrays of shape (N,): ``super_index``, ``super_prob``, ``sub_index`` and ``sub_prob``
    (probability of the sub within its predicted super, i.e. softmax over the children only).
    """
    sl = np.atleast_2d(np.asarray(super_logits, dtype=np.float32))
    bl = np.atleast_2d(np.asarray(sub_logits, dtype=np.float32))
    s2s = np.asarray(sub_to_super, dtype=np.int64)
    if sl.ndim != 2 or bl.ndim != 2 or sl.shape[0] != bl.shape[0]:
        raise ValueError(f"hierarchical_decode: shapes {sl.shape} and {bl.shape} do not match as (N,S),(N,K)")
    if bl.shape[1] != len(s2s):
        raise ValueError(f"hierarchical_decode: {bl.shape[1]} sub logits but sub_to_super has {len(s2s)} entries")
    if len(s2s) and (s2s.min() < 0 or s2s.max() >= sl.shape[1]):
        raise ValueError("hierarchical_decode: sub_to_super refers to a super index out of range")
    if not (np.all(np.isfinite(sl)) and np.all(np.isfinite(bl))):
        raise ValueError("hierarchical_decode: logits contain NaN or inf")
    sp = softmax(sl, axis=1)
    sup = np.argmax(sp, axis=1)
    allowed = s2s[None, :] == sup[:, None]  # (N, K)
    masked = np.where(allowed, bl, -np.inf)
    no_child = ~allowed.any(axis=1)
    masked[no_child] = bl[no_child]  # a super without children: fall back to the flat argmax
    cp = softmax(masked, axis=1)
    sub = np.argmax(cp, axis=1)
    n = np.arange(len(sup))
    return {
        "super_index": sup.astype(np.int64),
        "super_prob": sp[n, sup].astype(np.float32),
        "sub_index": sub.astype(np.int64),
        "sub_prob": cp[n, sub].astype(np.float32),
    }


# ----------------------------------------------------------------------------- boxes

def box_iou(a, b) -> np.ndarray:
    """IoU matrix between (A, 4) and (B, 4) boxes [x0, y0, x1, y1]."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    ix0 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy0 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix1 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area_a = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def _overlap_min(a, b) -> float:
    """Intersection over the smaller box's area (1.0 when one box contains the other)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(inter / small) if small > 0 else 0.0


def nms(boxes, scores, iou_threshold: float = 0.5) -> list[int]:
    """Greedy NMS; returns kept indices in descending score order."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    order = list(np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable"))
    keep: list[int] = []
    while order:
        i = order.pop(0)
        keep.append(int(i))
        if not order:
            break
        ious = box_iou(boxes[i : i + 1], boxes[order])[0]
        order = [j for j, v in zip(order, ious) if v <= iou_threshold]
    return keep


def _maxpool3x3(h: np.ndarray) -> np.ndarray:
    """3x3 max-pool, stride 1, same padding, over the last two axes."""
    p = np.pad(h, [(0, 0)] * (h.ndim - 2) + [(1, 1), (1, 1)], mode="constant", constant_values=-np.inf)
    H, W = h.shape[-2:]
    out = p[..., 0:H, 0:W].copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(out, p[..., dy : dy + H, dx : dx + W], out=out)
    return out


def decode_detections(
    heatmap,
    wh,
    offset,
    scale_x: float = 1.0,
    scale_y: float = 1.0,
    score_threshold: float = 0.3,
    top_k: int = 20,
    *,
    stride: int = DEFAULT_STRIDE,
    nms_iou: float = 0.5,
    min_keep: int = 1,
) -> list[dict]:
    """Decode CenterNet outputs of ONE image into boxes in original-image pixels.

    heatmap: (C, h, w) probabilities in [0, 1] (after sigmoid); wh: (2, h, w) box width/height and
    offset: (2, h, w) sub-cell centre offset, both in output-grid cells (input pixels / ``stride``).
    A leading batch axis of size 1 is accepted. ``scale_x``/``scale_y`` are those returned by
    ``preprocess.detector_input`` (boxes are divided by them).

    Peaks = local maxima of a 3x3 max-pool; the ``top_k`` best are kept if ``score >= score_threshold``,
    then class-wise box NMS (IoU > ``nms_iou``). The ``min_keep`` best peaks are returned even below the
    threshold (flagged ``below_threshold: True``) so that ``postprocess_outfit`` can keep one item.
    Returns ``[{"box": [x0,y0,x1,y1], "super_index": int, "score": float, "below_threshold": bool}]``
    sorted by descending score.
    """
    hm = np.asarray(heatmap, dtype=np.float32)
    wh = np.asarray(wh, dtype=np.float32)
    off = np.asarray(offset, dtype=np.float32)
    if hm.ndim == 4 and hm.shape[0] == 1 and wh.ndim == 4 and off.ndim == 4:
        hm, wh, off = hm[0], wh[0], off[0]
    if hm.ndim != 3:
        raise ValueError(f"decode_detections: heatmap must be (C, h, w), got shape {hm.shape}")
    C, H, W = hm.shape
    if wh.shape != (2, H, W) or off.shape != (2, H, W):
        raise ValueError(f"decode_detections: wh {wh.shape} / offset {off.shape} must be (2, {H}, {W})")
    if not (np.all(np.isfinite(hm)) and np.all(np.isfinite(wh)) and np.all(np.isfinite(off))):
        raise ValueError("decode_detections: outputs contain NaN or inf")
    if hm.size and (hm.min() < -1e-4 or hm.max() > 1 + 1e-4):
        raise ValueError("decode_detections: heatmap must hold probabilities in [0, 1] (apply sigmoid first)")
    if scale_x <= 0 or scale_y <= 0:
        raise ValueError(f"decode_detections: scales must be > 0, got {scale_x}, {scale_y}")
    if hm.size == 0 or top_k <= 0:
        return []

    peaks = (hm == _maxpool3x3(hm)) & (hm > 0)
    flat = np.where(peaks, hm, -1.0).reshape(-1)
    k = min(int(top_k), int(peaks.sum()))
    if k == 0:
        return []
    idx = np.argpartition(-flat, k - 1)[:k]
    idx = idx[np.argsort(-flat[idx], kind="stable")]
    cls, rem = np.divmod(idx, H * W)
    ys, xs = np.divmod(rem, W)
    scores = flat[idx]
    cx = (xs + off[0, ys, xs]) * stride
    cy = (ys + off[1, ys, xs]) * stride
    bw = np.maximum(wh[0, ys, xs], 0) * stride
    bh = np.maximum(wh[1, ys, xs], 0) * stride
    in_w, in_h = W * stride, H * stride
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
    boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, in_w)
    boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, in_h)
    boxes /= np.array([scale_x, scale_y, scale_x, scale_y], dtype=np.float32)

    above = scores >= score_threshold
    forced = np.zeros_like(above)
    forced[: max(0, int(min_keep))] = True  # scores are sorted: the best peaks
    cand = np.flatnonzero(above | forced)
    kept: list[int] = []
    for c in np.unique(cls[cand]):
        members = cand[cls[cand] == c]
        kept.extend(int(members[i]) for i in nms(boxes[members], scores[members], nms_iou))
    kept.sort(key=lambda i: -scores[i])
    return [
        {
            "box": [float(v) for v in boxes[i]],
            "super_index": int(cls[i]),
            "score": float(scores[i]),
            "below_threshold": bool(not above[i]),
        }
        for i in kept
    ]


def postprocess_outfit(
    dets: Sequence[dict],
    super_names: Sequence[str],
    score_threshold: float = 0.3,
    *,
    overlap: float = 0.5,
) -> list[dict]:
    """Apply the outfit rules to one photo's detections (dicts with box, super_index, score).

    1. Keep detections with ``score >= score_threshold``; if none is left, keep the single
       best-scoring detection anyway (an outfit photo shows at least one item).
    2. Dress vs top+bottom: for each kept dress whose score is >= ``score_threshold``, take the best
       top and the best bottom that each overlap it (intersection / smaller area >= ``overlap``).
       If both exist, keep the explanation with the higher mean score: either the dress (dropping
       every top/bottom overlapping it) or the pair (dropping the dress). Ties favour the pair.
    Returns new dicts sorted by score, each with ``super_category`` (name) added.
    """
    names = list(super_names)
    for d in dets:
        if not {"box", "super_index", "score"} <= set(d):
            raise ValueError(f"postprocess_outfit: detection missing box/super_index/score: {d}")
        if not 0 <= int(d["super_index"]) < len(names):
            raise ValueError(f"postprocess_outfit: super_index {d['super_index']} out of range for {names}")
    items = sorted((dict(d) for d in dets), key=lambda d: -float(d["score"]))
    if not items:
        return []
    kept = [d for d in items if float(d["score"]) >= score_threshold] or [items[0]]

    if all(n in names for n in ("dress", "top", "bottom")):
        i_dress, i_top, i_bottom = names.index("dress"), names.index("top"), names.index("bottom")
        removed: set[int] = set()
        for dress in [d for d in kept if int(d["super_index"]) == i_dress]:
            if id(dress) in removed or float(dress["score"]) < score_threshold:
                continue

            def overlapping(cls_idx: int) -> list[dict]:
                return [
                    d for d in kept
                    if int(d["super_index"]) == cls_idx and id(d) not in removed
                    and _overlap_min(d["box"], dress["box"]) >= overlap
                ]

            tops, bottoms = overlapping(i_top), overlapping(i_bottom)
            if not tops or not bottoms:
                continue
            pair_score = (float(tops[0]["score"]) + float(bottoms[0]["score"])) / 2.0
            if float(dress["score"]) > pair_score:
                removed.update(id(d) for d in tops + bottoms)
            else:
                removed.add(id(dress))
        kept = [d for d in kept if id(d) not in removed]

    for d in kept:
        d["super_category"] = names[int(d["super_index"])]
    return kept

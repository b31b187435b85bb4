"""Single-stage anchor-free detector (CenterNet-style) for the super-categories.

Backbone features at strides 4/8/16 are merged top-down (a small FPN) into one stride-4 map, which
feeds three heads: class heatmap (C, H/4, W/4), box size ``wh`` (2, H/4, W/4) and centre ``offset``
(2, H/4, W/4); ``wh`` and ``offset`` are in output cells (input pixels / stride).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models.backbone import CompactEfficientNet, ConvBNAct

STRIDE = 4


class CenterNetDetector(nn.Module):
    """forward(x) -> (heatmap_logits (N,C,h,w), wh (N,2,h,w), offset (N,2,h,w)); h, w = H/4, W/4."""

    stride = STRIDE

    def __init__(self, n_classes: int = 6, width: int = 16, depths=(1, 2, 2, 2), head_channels: int | None = None):
        super().__init__()
        self.n_classes = int(n_classes)
        self.backbone = CompactEfficientNet(width=width, depths=depths)
        hc = int(head_channels or 2 * width)
        c4, c8, c16 = self.backbone.out_channels
        self.lat4, self.lat8, self.lat16 = nn.Conv2d(c4, hc, 1), nn.Conv2d(c8, hc, 1), nn.Conv2d(c16, hc, 1)
        self.smooth = nn.Sequential(ConvBNAct(hc, hc, 3, groups=hc), ConvBNAct(hc, hc, 1))

        def head(out: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(hc, hc, 3, padding=1), nn.SiLU(inplace=True), nn.Conv2d(hc, out, 1))

        self.hm_head, self.wh_head, self.off_head = head(self.n_classes), head(2), head(2)
        nn.init.constant_(self.hm_head[-1].bias, -math.log((1 - 0.1) / 0.1))  # prior p = 0.1

    def forward(self, x: torch.Tensor):
        (f4, f8, f16), _ = self.backbone(x)
        p = self.lat16(f16)
        p = self.lat8(f8) + F.interpolate(p, size=f8.shape[-2:], mode="nearest")
        p = self.lat4(f4) + F.interpolate(p, size=f4.shape[-2:], mode="nearest")
        p = self.smooth(p)
        # wh is left unconstrained (a ReLU here can die at init); decoding clamps it at 0.
        return self.hm_head(p), self.wh_head(p), self.off_head(p)


class DetectorForExport(nn.Module):
    """Serving wrapper: same outputs but the heatmap is a probability (sigmoid applied)."""

    def __init__(self, detector: CenterNetDetector):
        super().__init__()
        self.detector = detector

    def forward(self, x: torch.Tensor):
        hm, wh, off = self.detector(x)
        return torch.sigmoid(hm), wh, off


def build_targets(boxes, classes, out_hw: tuple[int, int], stride: int = STRIDE, n_classes: int = 6,
                  alpha: float = 0.54) -> dict[str, np.ndarray]:
    """Dense CenterNet targets for one image.

    boxes: (K, 4) [x0,y0,x1,y1] in input pixels; classes: (K,) ints in [0, n_classes).
    Gaussian splats use per-axis sigma = alpha * box side / 6 (in output cells, TTFNet-style), merged by max;
    each centre cell has value exactly 1. Returns float32 ``heatmap`` (C,h,w), ``wh`` (2,h,w),
    ``offset`` (2,h,w) and ``mask`` (h,w) (1 at centre cells: where wh/offset are supervised).
    """
    h, w = int(out_hw[0]), int(out_hw[1])
    b = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    c = np.asarray(classes, dtype=np.int64).reshape(-1)
    if len(b) != len(c):
        raise ValueError(f"build_targets: {len(b)} boxes vs {len(c)} classes")
    if len(c) and (c.min() < 0 or c.max() >= n_classes):
        raise ValueError(f"build_targets: class index out of range [0, {n_classes})")
    if not np.all(np.isfinite(b)):
        raise ValueError("build_targets: boxes contain NaN or inf")
    hm = np.zeros((n_classes, h, w), np.float32)
    wh = np.zeros((2, h, w), np.float32)
    off = np.zeros((2, h, w), np.float32)
    mask = np.zeros((h, w), np.float32)
    ys, xs = np.arange(h, dtype=np.float32)[:, None], np.arange(w, dtype=np.float32)[None, :]
    # Larger boxes first, so a small box's size wins a shared centre cell.
    for i in np.argsort(-(b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), kind="stable"):
        x0, y0, x1, y1 = b[i] / stride
        bw, bh = x1 - x0, y1 - y0
        if bw <= 0 or bh <= 0:
            continue
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        ix, iy = int(np.clip(np.floor(cx), 0, w - 1)), int(np.clip(np.floor(cy), 0, h - 1))
        sx, sy = max(alpha * bw / 6, 0.5), max(alpha * bh / 6, 0.5)
        g = np.exp(-((xs - ix) ** 2) / (2 * sx * sx) - ((ys - iy) ** 2) / (2 * sy * sy))
        np.maximum(hm[c[i]], g, out=hm[c[i]])
        hm[c[i], iy, ix] = 1.0
        wh[:, iy, ix] = (bw, bh)
        off[:, iy, ix] = (cx - ix, cy - iy)
        mask[iy, ix] = 1.0
    return {"heatmap": hm, "wh": wh, "offset": off, "mask": mask}

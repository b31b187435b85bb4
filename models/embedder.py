"""Visual-search embedder: backbone + 2-layer projection to ``dim`` (128), L2-normalised."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from models.backbone import CompactEfficientNet


class Embedder(nn.Module):
    """forward(x (N,3,64,64)) -> (N, dim) unit-norm embeddings (cosine = dot product)."""

    def __init__(self, dim: int = 128, width: int = 16, depths=(1, 2, 2, 2)):
        super().__init__()
        self.dim = int(dim)
        self.backbone = CompactEfficientNet(width=width, depths=depths)
        d = self.backbone.feature_dim
        self.proj = nn.Sequential(nn.Linear(d, d), nn.SiLU(inplace=True), nn.Linear(d, self.dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, pooled = self.backbone(x)
        return F.normalize(self.proj(pooled), dim=1, eps=1e-8)

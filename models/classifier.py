"""Hierarchical category classifier: shared backbone, a super-category head and a sub-category head.

Training uses the sub head conditionally (softmax over the true super's children, see
``training.train_category_classifier``); decoding restricts the sub to the predicted super's children
(``postprocess.hierarchical_decode``).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from models.backbone import CompactEfficientNet


class HierarchicalClassifier(nn.Module):
    """forward(x (N,3,64,64)) -> (super_logits (N, n_super), sub_logits (N, n_sub))."""

    def __init__(self, sub_to_super: Sequence[int], n_super: int | None = None, width: int = 16,
                 depths=(1, 2, 2, 2), dropout: float = 0.1):
        super().__init__()
        s2s = [int(v) for v in sub_to_super]
        self.n_super = int(n_super if n_super is not None else max(s2s) + 1)
        self.n_sub = len(s2s)
        if not s2s or min(s2s) < 0 or max(s2s) >= self.n_super:
            raise ValueError("HierarchicalClassifier: sub_to_super must map every sub to a super in range")
        self.register_buffer("sub_to_super", torch.tensor(s2s, dtype=torch.long), persistent=False)
        self.backbone = CompactEfficientNet(width=width, depths=depths)
        d = self.backbone.feature_dim
        self.dropout = nn.Dropout(dropout)
        self.super_head = nn.Linear(d, self.n_super)
        self.sub_head = nn.Linear(d, self.n_sub)

    def forward(self, x: torch.Tensor):
        _, pooled = self.backbone(x)
        z = self.dropout(pooled)
        return self.super_head(z), self.sub_head(z)

    def children_mask(self, super_idx: torch.Tensor) -> torch.Tensor:
        """(N,) super indices -> (N, n_sub) bool mask of their children."""
        return self.sub_to_super[None, :] == super_idx[:, None]

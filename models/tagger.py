"""Attribute tagger: shared backbone and one linear head per attribute group.

Categorical groups get a softmax head (one value), multi-label groups a sigmoid head (any subset).
Groups that do not apply to an item are masked out of the loss (``losses.masked_attribute_loss``).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from models.backbone import CompactEfficientNet


class AttributeTagger(nn.Module):
    """groups: [(name, kind, n_values)] with kind "categorical" | "multi_label".

    forward(x) -> tuple of logits, one (N, n_values) tensor per group in ``group_names`` order
    (a tuple, not a dict, so it exports to ONNX with one named output per group).
    """

    def __init__(self, groups: Sequence[tuple[str, str, int]], width: int = 16, depths=(1, 2, 2, 2),
                 dropout: float = 0.1):
        super().__init__()
        if not groups:
            raise ValueError("AttributeTagger: no attribute groups")
        for name, kind, n in groups:
            if kind not in ("categorical", "multi_label") or int(n) < 1:
                raise ValueError(f"AttributeTagger: bad group spec {(name, kind, n)}")
        self.group_names = [g[0] for g in groups]
        self.group_kinds = [g[1] for g in groups]
        self.group_sizes = [int(g[2]) for g in groups]
        self.backbone = CompactEfficientNet(width=width, depths=depths)
        d = self.backbone.feature_dim
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleList(nn.Linear(d, n) for n in self.group_sizes)

    def forward(self, x: torch.Tensor):
        _, pooled = self.backbone(x)
        z = self.dropout(pooled)
        return tuple(h(z) for h in self.heads)

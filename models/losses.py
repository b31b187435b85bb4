"""Losses: NT-Xent (SimCLR), CenterNet focal loss for heatmaps, masked attribute loss."""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
import torch.nn.functional as F


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.2,
            labels: torch.Tensor | None = None) -> torch.Tensor:
    """NT-Xent over 2N views: (z1[i], z2[i]) are positives, every other view in the batch a negative.

    z1, z2: (N, D); they are L2-normalised here (idempotent for already-normalised embeddings).
    labels: optional (N,) ids; other views with the same id are then not used as negatives
    (so a batch may hold several photos of one product).
    """
    if z1.shape != z2.shape or z1.dim() != 2 or z1.shape[0] < 2:
        raise ValueError(f"nt_xent: need two (N, D) tensors with N >= 2, got {tuple(z1.shape)}, {tuple(z2.shape)}")
    if temperature <= 0:
        raise ValueError("nt_xent: temperature must be > 0")
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1, eps=1e-8)
    sim = z @ z.t() / temperature
    drop = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    if labels is not None:
        if labels.shape != (n,):
            raise ValueError(f"nt_xent: labels must have shape ({n},), got {tuple(labels.shape)}")
        lab = torch.cat([labels, labels])
        same = lab[:, None] == lab[None, :]
        partner = torch.roll(torch.eye(2 * n, dtype=torch.bool, device=z.device), n, dims=1)
        drop = drop | (same & ~partner)
    sim = sim.masked_fill(drop, float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(sim, target)


def heatmap_focal_loss(logits: torch.Tensor, target: torch.Tensor, alpha: float = 2.0, beta: float = 4.0) -> torch.Tensor:
    """CenterNet penalty-reduced focal loss; ``target`` is the Gaussian heatmap (1 at centres).

    Normalised by the number of centres (at least 1).
    """
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.ge(1.0 - 1e-6).float()
    neg = 1.0 - pos
    log_p = F.logsigmoid(logits)
    log_1mp = F.logsigmoid(-logits)
    pos_loss = (1 - p).pow(alpha) * log_p * pos
    neg_loss = (1 - target).pow(beta) * p.pow(alpha) * log_1mp * neg
    n_pos = pos.sum().clamp(min=1.0)
    return -(pos_loss.sum() + neg_loss.sum()) / n_pos


def masked_l1(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """L1 over (N, 2, h, w) maps, only where ``mask`` (N, h, w) is 1, averaged over masked cells."""
    m = mask.unsqueeze(1)
    return (torch.abs(pred - target) * m).sum() / (2 * m.sum()).clamp(min=1.0)


def masked_attribute_loss(
    logits: Sequence[torch.Tensor],
    targets: Mapping[str, torch.Tensor],
    group_names: Sequence[str],
    group_kinds: Sequence[str],
) -> tuple[torch.Tensor, dict[str, float]]:
    """Sum over groups of the per-group loss on the items the group applies to.

    categorical: cross-entropy; ``targets[name]`` is a long (N,) with -1 where not applicable.
    multi_label: BCE-with-logits; ``targets[name]`` is float (N, V) and ``targets[name + "__mask"]``
    a bool (N,) applicability mask. Groups with no applicable item in the batch contribute 0.
    Returns (total loss, {group: loss value}).
    """
    total = logits[0].new_zeros(())
    parts: dict[str, float] = {}
    for out, name, kind in zip(logits, group_names, group_kinds):
        if kind == "categorical":
            y = targets[name]
            valid = y >= 0
            if not bool(valid.any()):
                continue
            loss = F.cross_entropy(out[valid], y[valid])
        else:
            m = targets[name + "__mask"]
            if not bool(m.any()):
                continue
            loss = F.binary_cross_entropy_with_logits(out[m], targets[name][m])
        total = total + loss
        parts[name] = float(loss.detach())
    return total, parts

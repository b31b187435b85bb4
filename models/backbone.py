"""CompactEfficientNet: a tiny EfficientNet-style backbone (MBConv + squeeze-excitation + SiLU + BN).

Layout for ``depths=(d1, d2, d3, d4)`` and ``width=w``:
  stem 3x3/2 (w)                                     -> stride 2
  stage1: d1 x MBConv(expand 1, 3x3, w)              -> stride 2
  stage2: d2 x MBConv(expand e, 3x3, /2, 2w)         -> stride 4   (features[0])
  stage3: d3 x MBConv(expand e, 5x5, /2, 3w)         -> stride 8   (features[1])
  stage4: d4 x MBConv(expand e, 3x3, /2, 5w)         -> stride 16  (features[2])
  head 1x1 conv (feature_dim) + global average pool  -> pooled vector
"""

from __future__ import annotations

import os

import torch
import torch.nn.functional as F
from torch import nn


class ConvBNAct(nn.Sequential):
    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1, act: bool = True):
        super().__init__(
            nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.SiLU(inplace=True) if act else nn.Identity(),
        )


class SqueezeExcite(nn.Module):
    def __init__(self, ch: int, squeeze_ch: int):
        super().__init__()
        self.reduce = nn.Conv2d(ch, squeeze_ch, 1)
        self.expand = nn.Conv2d(squeeze_ch, ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.mean(dim=(2, 3), keepdim=True)
        s = self.expand(F.silu(self.reduce(s)))
        return x * torch.sigmoid(s)


class MBConv(nn.Module):
    """Inverted residual: 1x1 expand -> depthwise kxk -> SE -> 1x1 project (+ skip when shapes match)."""

    def __init__(self, cin: int, cout: int, expand: int = 4, k: int = 3, stride: int = 1, se_ratio: float = 0.25):
        super().__init__()
        mid = cin * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNAct(cin, mid, 1))
        layers.append(ConvBNAct(mid, mid, k, stride, groups=mid))
        if se_ratio > 0:
            layers.append(SqueezeExcite(mid, max(4, int(cin * se_ratio))))
        layers.append(ConvBNAct(mid, cout, 1, act=False))
        self.block = nn.Sequential(*layers)
        self.use_skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.block(x)
        return x + y if self.use_skip else y


class CompactEfficientNet(nn.Module):
    """forward(x (N,3,H,W)) -> (features [stride 4, stride 8, stride 16], pooled (N, feature_dim))."""

    def __init__(
        self,
        width: int = 16,
        depths: tuple[int, int, int, int] = (1, 2, 2, 2),
        expand: int = 4,
        se_ratio: float = 0.25,
        feature_dim: int | None = None,
        in_channels: int = 3,
    ):
        super().__init__()
        if width < 4 or len(depths) != 4 or min(depths) < 1:
            raise ValueError(f"CompactEfficientNet: need width >= 4 and 4 depths >= 1, got {width}, {depths}")
        w = int(width)
        chans = (w, 2 * w, 3 * w, 5 * w)
        kernels = (3, 3, 5, 3)
        self.stem = ConvBNAct(in_channels, w, 3, 2)
        stages = []
        cin = w
        for i, (c, d, k) in enumerate(zip(chans, depths, kernels)):
            blocks = []
            for j in range(d):
                stride = 2 if (j == 0 and i > 0) else 1
                blocks.append(MBConv(cin, c, 1 if i == 0 else expand, k, stride, se_ratio))
                cin = c
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.ModuleList(stages)
        self.feature_dim = int(feature_dim or 8 * w)
        self.head = ConvBNAct(chans[-1], self.feature_dim, 1)
        self.out_channels = chans[1:]  # channels of the stride 4 / 8 / 16 feature maps
        self.width, self.depths = w, tuple(depths)
        self._init()

    def _init(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        # Zero-init the last BN of residual blocks: each block starts as identity (faster, stabler).
        for m in self.modules():
            if isinstance(m, MBConv) and m.use_skip:
                nn.init.zeros_(m.block[-1][1].weight)

    def forward(self, x: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        x = self.stem(x)
        x = self.stages[0](x)
        f4 = self.stages[1](x)
        f8 = self.stages[2](f4)
        f16 = self.stages[3](f8)
        pooled = self.head(f16).mean(dim=(2, 3))
        return [f4, f8, f16], pooled

    def init_weights_from(self, path: str | os.PathLike, prefix: str = "") -> dict:
        """Initialise from a local state_dict file (``torch.save(model.state_dict())``).

        Keys are matched after stripping ``prefix`` (e.g. ``"backbone."`` for a whole classifier's
        state_dict); only tensors with matching names and shapes are loaded.
        Returns ``{"loaded": n, "skipped": [names], "missing": [names]}``.
        """
        if not os.path.isfile(path):
            raise FileNotFoundError(f"init_weights_from: no such file {path}")
        state = torch.load(path, map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
            state = state["state_dict"]
        if not isinstance(state, dict):
            raise ValueError(f"init_weights_from: {path} does not hold a state_dict")
        if prefix:
            state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        own = self.state_dict()
        good = {k: v for k, v in state.items() if k in own and tuple(v.shape) == tuple(own[k].shape)}
        skipped = sorted(set(state) - set(good))
        if not good:
            raise ValueError(f"init_weights_from: no tensor of {path} matches this backbone (prefix={prefix!r})")
        self.load_state_dict(good, strict=False)
        return {"loaded": len(good), "skipped": skipped, "missing": sorted(set(own) - set(good))}

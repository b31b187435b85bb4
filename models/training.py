"""Training loops for the itoo models, built on one shared ``fit`` helper.

Every public ``train_*`` function takes numpy arrays (images already preprocessed with
``models.preprocess``: float32 (N, 3, H, W)) and returns ``(model, report)``. Held-out metrics in a
report are computed on the validation data passed in, never on the training data.

``fit``: AdamW, linear warm-up then cosine LR decay driven by progress = max(step fraction, time
fraction) (so the LR still anneals when ``max_seconds`` cuts training short), early stopping on the
held-out metric with ``patience`` epochs (best weights restored), a ``max_seconds`` wall-clock cap,
one ``log`` line per epoch, deterministic seeding, and ``torch.set_num_threads(cfg.num_threads)``
(default 1, see ``TrainConfig.num_threads``) for the duration of the call.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models import evaluation
from models.classifier import HierarchicalClassifier
from models.detector import STRIDE, CenterNetDetector, build_targets
from models.embedder import Embedder
from models.losses import heatmap_focal_loss, masked_attribute_loss, masked_l1, nt_xent
from models.postprocess import decode_detections, hierarchical_decode
from models.preprocess import MEAN, STD
from models.tagger import AttributeTagger

Log = Callable[[str], None]


@dataclass
class TrainConfig:
    """Training knobs. Defaults are the "small" budget for ~1,500 crops of 64x64 on 2 CPU cores;
    use ``detector_config()`` for the detector's defaults."""

    epochs: int = 40
    batch_size: int = 64
    lr: float = 4e-3
    weight_decay: float = 5e-4
    max_seconds: float = 75.0  # wall-clock cap for the whole call (training + per-epoch evaluation)
    seed: int = 0
    patience: int = 6  # epochs without held-out improvement before stopping
    width: int = 16  # backbone base width (channels: w, 2w, 3w, 5w; pooled 8w)
    depths: tuple[int, int, int, int] = (1, 2, 2, 2)
    warmup_epochs: float = 1.0
    # 1 by default: with 2+ intra-op threads, torch on a shared 2-core machine collapses (~18x slower
    # per step measured) as soon as another process competes; 1 thread is only ~1.5x slower when idle.
    num_threads: int = 1
    augment: bool = True
    label_smoothing: float = 0.05
    embed_dim: int = 128
    temperature: float = 0.1  # NT-Xent
    eval_batch_size: int = 256
    channels_last: bool = True  # ~25% faster convolutions on CPU while training

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 2 or self.lr <= 0 or self.max_seconds <= 0:
            raise ValueError(f"TrainConfig: need epochs >= 1, batch_size >= 2, lr > 0, max_seconds > 0: {self}")
        if self.width < 4 or len(self.depths) != 4:
            raise ValueError(f"TrainConfig: need width >= 4 and 4 stage depths, got {self.width}, {self.depths}")
        self.depths = tuple(int(d) for d in self.depths)


def detector_config(**overrides) -> TrainConfig:
    """Small-budget defaults for ``train_detector`` (~300 images at DETECTOR_SIZE in <= ~120 s)."""
    base = dict(epochs=60, batch_size=16, lr=3e-3, weight_decay=1e-4, max_seconds=110.0, patience=12,
                width=16, depths=(1, 2, 2, 2))
    base.update(overrides)
    return TrainConfig(**base)


# ----------------------------------------------------------------------------- validation helpers

def _check_images(x, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise ValueError(f"{name}: expected a numpy array (N, 3, H, W), got {type(x).__name__}")
    if x.ndim != 4 or x.shape[1] != 3 or x.shape[2] < 16 or x.shape[3] < 16:
        raise ValueError(f"{name}: expected shape (N, 3, H, W) with H, W >= 16, got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{name}: empty (0 images)")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name}: expected float32 preprocessed images (models.preprocess), got dtype {x.dtype}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: contains NaN or inf")
    return np.ascontiguousarray(x, dtype=np.float32)


def _check_labels(y, n: int, name: str, n_classes: int | None = None, allow_missing: bool = False) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"{name}: expected shape ({n},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"{name}: expected integer class indices, got dtype {y.dtype}")
    lo = -1 if allow_missing else 0
    if n and (y.min() < lo or (n_classes is not None and y.max() >= n_classes)):
        raise ValueError(f"{name}: class indices must be in [{lo}, {n_classes}), got [{y.min()}, {y.max()}]")
    return y.astype(np.int64)


def _none_if_nan(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _taxonomy():
    from itoo.taxonomy import load_taxonomy

    return load_taxonomy()


# ----------------------------------------------------------------------------- shared loop

def fit(
    model: nn.Module,
    n_train: int,
    make_batch: Callable[[np.ndarray], Any],
    loss_fn: Callable[[nn.Module, Any], torch.Tensor],
    cfg: TrainConfig,
    log: Log = print,
    evaluate: Callable[[nn.Module], dict] | None = None,
    monitor: str = "score",
    name: str = "model",
) -> dict:
    """Train ``model`` in place; returns the training history.

    make_batch(indices) -> batch; loss_fn(model, batch) -> scalar loss (model in train mode);
    evaluate(model) -> metrics dict with key ``monitor`` (higher is better; model in eval mode, no grad).
    Without ``evaluate`` there is no early stopping and the final weights are kept.
    The seed must be set by the caller before building the model (see ``_seed``) for determinism.
    """
    if n_train < 2:
        raise ValueError(f"{name}: need at least 2 training examples, got {n_train}")
    t0 = time.perf_counter()
    rng = np.random.default_rng(cfg.seed)
    if cfg.channels_last:
        model.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    bs = min(cfg.batch_size, n_train)
    steps_per_epoch = max(1, n_train // bs)  # drop the last partial batch (BatchNorm needs > 1 sample)
    total_steps = cfg.epochs * steps_per_epoch
    warmup = max(1, int(cfg.warmup_epochs * steps_per_epoch))
    hist: dict[str, Any] = {"loss_history": [], "val_history": [], "epochs": 0, "steps": 0,
                            "best_epoch": None, "stopped": "epochs"}
    best_score, best_state, bad_epochs, step = -math.inf, None, 0, 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        perm = rng.permutation(n_train)
        losses = []
        out_of_time = False
        for b in range(steps_per_epoch):
            elapsed = time.perf_counter() - t0
            if elapsed > cfg.max_seconds:
                out_of_time = True
                break
            progress = min(1.0, max(step / total_steps, elapsed / cfg.max_seconds))
            factor = (step + 1) / warmup if step < warmup else 0.5 * (1 + math.cos(math.pi * progress))
            for g in opt.param_groups:
                g["lr"] = cfg.lr * max(factor, 0.01)
            batch = make_batch(perm[b * bs : (b + 1) * bs])
            loss = loss_fn(model, batch)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"{name}: non-finite loss {float(loss)} at epoch {epoch} step {b}; "
                                         f"lower lr (now {cfg.lr}) or check the inputs")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            losses.append(float(loss.detach()))
            step += 1
        if not losses:
            hist["stopped"] = "time"
            break
        hist["epochs"], hist["steps"] = epoch, step
        hist["loss_history"].append(float(np.mean(losses)))
        msg = f"[{name}] epoch {epoch}/{cfg.epochs} loss {np.mean(losses):.4f}"
        if evaluate is not None:
            model.eval()
            with torch.no_grad():
                metrics = evaluate(model)
            score = float(metrics[monitor])
            hist["val_history"].append({k: v for k, v in metrics.items() if isinstance(v, (int, float))})
            msg += " | val " + " ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, float))
            if score > best_score + 1e-6:
                best_score, bad_epochs, hist["best_epoch"] = score, 0, epoch
                best_state = copy.deepcopy(model.state_dict())
            else:
                bad_epochs += 1
        msg += f" | {time.perf_counter() - t0:.1f}s"
        log(msg)
        if out_of_time or time.perf_counter() - t0 > cfg.max_seconds:
            hist["stopped"] = "time"
            break
        if evaluate is not None and bad_epochs >= cfg.patience:
            hist["stopped"] = "early_stopping"
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.to(memory_format=torch.contiguous_format)
    model.eval()
    hist["seconds"] = round(time.perf_counter() - t0, 3)
    return hist


class _Threads:
    """Context manager: torch.set_num_threads(n) and restore afterwards."""

    def __init__(self, n: int):
        self.n = max(1, int(n))

    def __enter__(self):
        self.prev = torch.get_num_threads()
        torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        torch.set_num_threads(self.prev)


def _seed(cfg: TrainConfig) -> torch.Generator:
    torch.manual_seed(cfg.seed)
    return torch.Generator().manual_seed(cfg.seed)


def _batched(model: nn.Module, x: np.ndarray, bs: int = 256):
    """Run ``model`` in eval mode over x in batches; returns the list of per-batch outputs."""
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(x), bs):
            outs.append(model(torch.from_numpy(np.ascontiguousarray(x[i : i + bs], dtype=np.float32))))
    return outs


def _cat(outs) -> Any:
    first = outs[0]
    if isinstance(first, (tuple, list)):
        return tuple(torch.cat([o[i] for o in outs]).numpy() for i in range(len(first)))
    return torch.cat(outs).numpy()


# ----------------------------------------------------------------------------- augmentation

_MEAN_T = torch.tensor(MEAN).view(1, 3, 1, 1)
_STD_T = torch.tensor(STD).view(1, 3, 1, 1)


def augment_crops(x: torch.Tensor, gen: torch.Generator, scale=(0.85, 1.0), shift: float = 0.08,
                  flip: bool = True, jitter: float = 0.0) -> torch.Tensor:
    """Batched random zoom (``scale`` = sampled side fraction: < 1 zooms in, > 1 zooms out with edge
    padding), translation, horizontal flip and optional brightness/contrast/saturation jitter
    (+-``jitter``; hue untouched: colour identifies products)."""
    n = x.shape[0]
    s = torch.empty(n).uniform_(scale[0], scale[1], generator=gen)
    tx = torch.empty(n).uniform_(-1, 1, generator=gen) * ((1 - s).abs() + shift)
    ty = torch.empty(n).uniform_(-1, 1, generator=gen) * ((1 - s).abs() + shift)
    sx = s * (torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0) if flip else 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 1, 1], theta[:, 0, 2], theta[:, 1, 2] = sx, s, tx, ty
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    if jitter > 0:
        img = out * _STD_T + _MEAN_T
        b = 1 + torch.empty(n, 1, 1, 1).uniform_(-jitter, jitter, generator=gen)
        c = 1 + torch.empty(n, 1, 1, 1).uniform_(-jitter, jitter, generator=gen)
        sat = 1 + torch.empty(n, 1, 1, 1).uniform_(-jitter, jitter, generator=gen)
        img = img * b
        m = img.mean(dim=(1, 2, 3), keepdim=True)
        img = (img - m) * c + m
        grey = img.mean(dim=1, keepdim=True)
        img = ((img - grey) * sat + grey).clamp(0, 1)
        out = (img - _MEAN_T) / _STD_T
    return out


# ----------------------------------------------------------------------------- classifier

def train_category_classifier(
    x_train, y_super_train, y_sub_train, x_val, y_super_val, y_sub_val,
    cfg: TrainConfig | None = None, log: Log = print, *, sub_to_super: Sequence[int] | None = None,
) -> tuple[HierarchicalClassifier, dict]:
    """Hierarchical classifier. Loss = CE(super) + CE(sub restricted to the TRUE super's children);
    held-out sub predictions are restricted to the PREDICTED super's children.
    ``sub_to_super`` defaults to the taxonomy (6 supers, 32 subs).
    Report: super_accuracy, sub_accuracy (held-out), their majority baselines, epochs, seconds, history.
    """
    cfg = cfg or TrainConfig()
    if sub_to_super is None:
        tax = _taxonomy()
        s2s, n_super = tax.sub_to_super_index(), len(tax.super_categories)
    else:
        s2s = [int(v) for v in sub_to_super]
        n_super = max(s2s) + 1
    s2s_np = np.asarray(s2s, dtype=np.int64)
    xt, xv = _check_images(x_train, "x_train"), _check_images(x_val, "x_val")
    yst = _check_labels(y_super_train, len(xt), "y_super_train", n_super)
    ybt = _check_labels(y_sub_train, len(xt), "y_sub_train", len(s2s))
    ysv = _check_labels(y_super_val, len(xv), "y_super_val", n_super)
    ybv = _check_labels(y_sub_val, len(xv), "y_sub_val", len(s2s))
    for ys, yb, nm in ((yst, ybt, "train"), (ysv, ybv, "val")):
        bad = np.flatnonzero(s2s_np[yb] != ys)
        if len(bad):
            raise ValueError(f"{nm}: {len(bad)} sub labels are not children of their super label (first at {bad[0]})")

    with _Threads(cfg.num_threads):
        gen = _seed(cfg)
        model = HierarchicalClassifier(s2s, n_super, width=cfg.width, depths=cfg.depths)
        X, YS, YB = torch.from_numpy(xt), torch.from_numpy(yst), torch.from_numpy(ybt)

        def make_batch(idx):
            x = X[idx]
            if cfg.augment:
                x = augment_crops(x, gen, scale=(0.85, 1.2))
            return x, YS[idx], YB[idx]

        def loss_fn(m, batch):
            x, ys, yb = batch
            sl, bl = m(x)
            bl = bl.masked_fill(~m.children_mask(ys), -1e4)
            ls = cfg.label_smoothing
            return F.cross_entropy(sl, ys, label_smoothing=ls) + F.cross_entropy(bl, yb)

        def predict(m):
            sl, bl = _cat(_batched(m, xv, cfg.eval_batch_size))
            return hierarchical_decode(sl, bl, s2s)

        def evaluate(m):
            d = predict(m)
            sa, ba = evaluation.accuracy(d["super_index"], ysv), evaluation.accuracy(d["sub_index"], ybv)
            return {"super_accuracy": sa, "sub_accuracy": ba, "score": (sa + ba) / 2}

        hist = fit(model, len(xt), make_batch, loss_fn, cfg, log, evaluate, "score", "classifier")
        final = evaluate(model)
    report = {
        "super_accuracy": final["super_accuracy"],
        "sub_accuracy": final["sub_accuracy"],
        "super_majority_baseline": evaluation.accuracy(np.full(len(ysv), np.bincount(yst).argmax()), ysv),
        "sub_majority_baseline": evaluation.accuracy(np.full(len(ybv), np.bincount(ybt).argmax()), ybv),
        "n_train": len(xt), "n_val": len(xv), "config": dataclasses.asdict(cfg), **hist,
    }
    return model, report


def predict_categories(model: HierarchicalClassifier, x: np.ndarray, batch_size: int = 256) -> dict[str, np.ndarray]:
    """Preprocessed crops -> hierarchical_decode dict (super_index/prob, sub_index/prob)."""
    x = _check_images(x, "x")
    sl, bl = _cat(_batched(model, x, batch_size))
    return hierarchical_decode(sl, bl, model.sub_to_super.tolist())


# ----------------------------------------------------------------------------- tagger

def _group_specs(groups: Sequence[str] | None) -> list[tuple[str, str, int]]:
    tax = _taxonomy()
    names = [g.name for g in tax.attribute_groups] if groups is None else list(groups)
    return [(n, tax.group(n).kind, len(tax.group(n).values)) for n in names]


def _check_attr_targets(targets: Mapping[str, np.ndarray], specs, n: int, name: str) -> dict[str, np.ndarray]:
    if not isinstance(targets, Mapping):
        raise ValueError(f"{name}: expected a dict group -> array, got {type(targets).__name__}")
    missing = [g for g, k, _ in specs if g not in targets or (k == "multi_label" and f"{g}__mask" not in targets)]
    if missing:
        raise ValueError(f"{name}: missing targets for groups {missing} (multi-label groups also need '<group>__mask')")
    out: dict[str, np.ndarray] = {}
    for g, kind, v in specs:
        if kind == "categorical":
            out[g] = _check_labels(targets[g], n, f"{name}[{g!r}]", v, allow_missing=True)
        else:
            y = np.asarray(targets[g])
            m = np.asarray(targets[f"{g}__mask"])
            if y.shape != (n, v):
                raise ValueError(f"{name}[{g!r}]: expected shape ({n}, {v}), got {y.shape}")
            if m.shape != (n,) or m.dtype != np.bool_:
                raise ValueError(f"{name}[{g + '__mask'!r}]: expected a bool array of shape ({n},), got {m.dtype} {m.shape}")
            if not np.issubdtype(y.dtype, np.number) and y.dtype != np.bool_:
                raise ValueError(f"{name}[{g!r}]: expected 0/1 numbers, got dtype {y.dtype}")
            y = y.astype(np.float32)
            if not np.all(np.isfinite(y)) or y.min(initial=0) < 0 or y.max(initial=0) > 1:
                raise ValueError(f"{name}[{g!r}]: multi-label targets must be finite and in [0, 1]")
            out[g], out[f"{g}__mask"] = y, m
    return out


def _attr_metrics(logits, tv: dict, tt: dict, specs) -> dict:
    per: dict[str, dict] = {}
    cats, mls, cat_base, ml_base = [], [], [], []
    for out, (g, kind, v) in zip(logits, specs):
        if kind == "categorical":
            y, valid = tv[g], tv[g] >= 0
            n_val = int(valid.sum())
            acc = evaluation.accuracy(out[valid].argmax(1), y[valid]) if n_val else float("nan")
            ytr = tt[g][tt[g] >= 0]
            maj = int(np.bincount(ytr, minlength=v).argmax()) if len(ytr) else 0
            base = evaluation.accuracy(np.full(n_val, maj), y[valid]) if n_val else float("nan")
            per[g] = {"kind": kind, "metric": "accuracy", "value": acc, "majority_baseline": base, "n_val": n_val}
            if n_val:
                cats.append(acc)
                cat_base.append(base)
        else:
            m = tv[f"{g}__mask"]
            n_val = int(m.sum())
            y = tv[g][m] > 0.5
            f1 = evaluation.micro_f1(out[m] > 0, y) if n_val else float("nan")
            # Baseline: always predict the k most frequent training values (k = mean labels per item).
            ytr = tt[g][tt[f"{g}__mask"]]
            k = int(round(float(ytr.sum(1).mean()))) if len(ytr) else 0
            const = np.zeros(v, bool)
            if k:
                const[np.argsort(-ytr.mean(0), kind="stable")[:k]] = True
            base = evaluation.micro_f1(np.broadcast_to(const, y.shape), y) if n_val else float("nan")
            per[g] = {"kind": kind, "metric": "micro_f1", "value": f1, "majority_baseline": base, "n_val": n_val}
            if n_val:
                mls.append(f1)
                ml_base.append(base)
    mean = lambda xs: float(np.mean(xs)) if xs else float("nan")  # noqa: E731
    return {
        "per_group": per,
        "mean_categorical_accuracy": mean(cats), "mean_categorical_baseline": mean(cat_base),
        "mean_multilabel_f1": mean(mls), "mean_multilabel_baseline": mean(ml_base),
    }


def train_attribute_tagger(
    x_train, targets_train: Mapping[str, np.ndarray], x_val, targets_val: Mapping[str, np.ndarray],
    cfg: TrainConfig | None = None, log: Log = print, *, groups: Sequence[str] | None = None,
) -> tuple[AttributeTagger, dict]:
    """One head per attribute group (default: all 18 taxonomy groups, in taxonomy order).

    targets[group]: categorical -> int (N,) with -1 where the group does not apply;
    multi-label -> float (N, V) 0/1 plus targets[group + "__mask"] bool (N,) applicability.
    Report: per_group {kind, metric, value, majority_baseline, n_val}, mean_categorical_accuracy,
    mean_multilabel_f1 (+ their baselines), and flat ``<group>_accuracy`` / ``<group>_f1`` keys.
    """
    cfg = cfg or TrainConfig()
    specs = _group_specs(groups)
    xt, xv = _check_images(x_train, "x_train"), _check_images(x_val, "x_val")
    tt = _check_attr_targets(targets_train, specs, len(xt), "targets_train")
    tv = _check_attr_targets(targets_val, specs, len(xv), "targets_val")
    names, kinds = [s[0] for s in specs], [s[1] for s in specs]

    with _Threads(cfg.num_threads):
        gen = _seed(cfg)
        model = AttributeTagger(specs, width=cfg.width, depths=cfg.depths)
        X = torch.from_numpy(xt)
        T = {k: torch.from_numpy(v) for k, v in tt.items()}

        def make_batch(idx):
            x = X[idx]
            if cfg.augment:  # mild: no scale change, lengths/sleeves must stay visible
                x = augment_crops(x, gen, scale=(1.0, 1.0), shift=0.06)
            return x, {k: v[idx] for k, v in T.items()}

        def loss_fn(m, batch):
            x, t = batch
            return masked_attribute_loss(m(x), t, names, kinds)[0]

        def evaluate(m):
            r = _attr_metrics(_cat(_batched(m, xv, cfg.eval_batch_size)), tv, tt, specs)
            vals = [v for v in (r["mean_categorical_accuracy"], r["mean_multilabel_f1"]) if not np.isnan(v)]
            out = {k: v for k, v in r.items() if k != "per_group"}
            out["score"] = float(np.mean(vals)) if vals else 0.0
            return out

        hist = fit(model, len(xt), make_batch, loss_fn, cfg, log, evaluate, "score", "tagger")
        final = _attr_metrics(_cat(_batched(model, xv, cfg.eval_batch_size)), tv, tt, specs)
    for d in final["per_group"].values():  # JSON-friendly: None instead of NaN for unscored groups
        d["value"], d["majority_baseline"] = _none_if_nan(d["value"]), _none_if_nan(d["majority_baseline"])
    report = dict(final)
    for g, d in final["per_group"].items():
        report[f"{g}_{'accuracy' if d['metric'] == 'accuracy' else 'f1'}"] = d["value"]
    report.update({"groups": names, "n_train": len(xt), "n_val": len(xv), "config": dataclasses.asdict(cfg), **hist})
    return model, report


def predict_attributes(model: AttributeTagger, x: np.ndarray, batch_size: int = 256) -> dict[str, np.ndarray]:
    """Preprocessed crops -> {group: probabilities (N, V)} (softmax for categorical, sigmoid for multi-label).
    Callers mask out groups that do not apply to the item's super-category."""
    x = _check_images(x, "x")
    outs = _cat(_batched(model, x, batch_size))
    t = {}
    for o, g, k in zip(outs, model.group_names, model.group_kinds):
        o = torch.from_numpy(o)
        t[g] = (torch.softmax(o, 1) if k == "categorical" else torch.sigmoid(o)).numpy()
    return t


# ----------------------------------------------------------------------------- embedder

def embed(model: Embedder, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Preprocessed crops (N,3,H,W) -> float32 (N, dim) unit-norm embeddings."""
    x = _check_images(x, "x")
    return _cat(_batched(model, x, batch_size)).astype(np.float32)


def evaluate_retrieval(embed_fn: Callable[[np.ndarray], np.ndarray], x_queries, q_labels, x_gallery, g_labels,
                       ks: Sequence[int] = (1, 10)) -> dict:
    """Top-k accuracy: query = consumer photo, gallery = shop photos; a hit = same label among the k nearest."""
    xq, xg = _check_images(x_queries, "x_queries"), _check_images(x_gallery, "x_gallery")
    return evaluation.retrieval_topk(embed_fn(xq), q_labels, embed_fn(xg), g_labels, ks)


def train_embedder(
    x_train, labels_train, cfg: TrainConfig | None = None, log: Log = print, *,
    val: tuple | None = None,
) -> tuple[Embedder, dict]:
    """NT-Xent (SimCLR) with label supervision. An epoch visits every training photo once as an anchor;
    its positive is a different photo with the same label (the same photo when it is the only one),
    both independently augmented (random resized crop, flip, mild brightness/contrast/saturation; no
    hue change since colour variants are different products). Other photos of the same label in the
    batch are not used as negatives.

    ``val`` = (x_queries, q_labels, x_gallery, g_labels) enables per-epoch retrieval evaluation,
    early stopping on held-out top-1 and ``retrieval`` (top1/top10) in the report; without it there
    is no early stopping and the report holds the training loss only.
    """
    cfg = cfg or TrainConfig()
    xt = _check_images(x_train, "x_train")
    labels = np.asarray(labels_train)
    if labels.shape != (len(xt),):
        raise ValueError(f"labels_train: expected shape ({len(xt)},), got {labels.shape}")
    uniq, inv = np.unique(labels, return_inverse=True)
    if len(uniq) < 2:
        raise ValueError("labels_train: need at least 2 distinct labels for contrastive training")
    members = [np.flatnonzero(inv == i) for i in range(len(uniq))]
    if val is not None:
        if len(val) != 4:
            raise ValueError("val must be (x_queries, q_labels, x_gallery, g_labels)")
        xq, xg = _check_images(val[0], "val x_queries"), _check_images(val[2], "val x_gallery")
        ql, gl = np.asarray(val[1]), np.asarray(val[3])

    with _Threads(cfg.num_threads):
        gen = _seed(cfg)
        rng = np.random.default_rng(cfg.seed + 1)
        model = Embedder(cfg.embed_dim, width=cfg.width, depths=cfg.depths)
        X, L = torch.from_numpy(xt), torch.from_numpy(inv.astype(np.int64))
        aug = dict(scale=(0.9, 1.5), shift=0.05, jitter=0.15) if cfg.augment else dict(scale=(1, 1), shift=0, flip=False)

        def make_batch(idx):
            pos = []
            for i in idx:
                mem = members[inv[i]]
                pos.append(i if len(mem) == 1 else rng.choice(mem[mem != i]))
            return augment_crops(X[idx], gen, **aug), augment_crops(X[pos], gen, **aug), L[idx]

        def loss_fn(m, batch):
            return nt_xent(m(batch[0]), m(batch[1]), cfg.temperature, labels=batch[2])

        evaluate = None
        if val is not None:
            def evaluate(m):
                e = lambda x: _cat(_batched(m, x, cfg.eval_batch_size))  # noqa: E731
                r = evaluation.retrieval_topk(e(xq), ql, e(xg), gl, (1, 10))
                return {"top1": r["top1"], "top10": r["top10"], "score": r["top1"] + 1e-3 * r["top10"]}

        hist = fit(model, len(xt), make_batch, loss_fn, cfg, log, evaluate, "score", "embedder")
        report: dict[str, Any] = {"train_loss": hist["loss_history"][-1] if hist["loss_history"] else float("nan"),
                                  "n_train": len(xt), "n_labels": len(uniq), "config": dataclasses.asdict(cfg), **hist}
        if val is not None:
            report["retrieval"] = evaluate_retrieval(lambda x: embed(model, x, cfg.eval_batch_size), xq, ql, xg, gl)
    return model, report


# ----------------------------------------------------------------------------- detector

def predict_detections(model: CenterNetDetector, images: np.ndarray, score_threshold: float = 0.3, top_k: int = 20,
                       batch_size: int = 32, min_keep: int = 1) -> list[list[dict]]:
    """Preprocessed images -> per image ``decode_detections`` output, boxes in input-pixel coordinates."""
    images = _check_images(images, "images")
    res = []
    for hm, wh, off in _batched(model, images, batch_size):
        hm = torch.sigmoid(hm).numpy()
        wh, off = wh.numpy(), off.numpy()
        for i in range(len(hm)):
            res.append(decode_detections(hm[i], wh[i], off[i], 1.0, 1.0, score_threshold, top_k,
                                         stride=model.stride, min_keep=min_keep))
    return res


def _check_boxes(images: np.ndarray, boxes_list, classes_list, n_classes: int, name: str):
    if len(boxes_list) != len(images) or len(classes_list) != len(images):
        raise ValueError(f"{name}: {len(images)} images but {len(boxes_list)} box lists / {len(classes_list)} class lists")
    H, W = images.shape[2:]
    bs, cs = [], []
    for i, (b, c) in enumerate(zip(boxes_list, classes_list)):
        b = np.asarray(b, dtype=np.float32).reshape(-1, 4) if len(b) else np.zeros((0, 4), np.float32)
        c = _check_labels(np.asarray(c).reshape(-1) if len(c) else np.zeros(0, np.int64), len(b), f"{name} classes[{i}]", n_classes)
        if not np.all(np.isfinite(b)):
            raise ValueError(f"{name} boxes[{i}]: NaN or inf")
        if len(b) and (np.any(b[:, 2] <= b[:, 0]) or np.any(b[:, 3] <= b[:, 1])):
            raise ValueError(f"{name} boxes[{i}]: need x1 > x0 and y1 > y0 ([x0, y0, x1, y1] in input pixels)")
        if len(b) and (b[:, :2].min() < -0.05 * max(H, W) or b[:, 2].max() > 1.05 * W or b[:, 3].max() > 1.05 * H):
            raise ValueError(f"{name} boxes[{i}]: boxes fall outside the {W}x{H} input; scale them with "
                             f"preprocess.boxes_to_input(boxes, scale_x, scale_y)")
        bs.append(b)
        cs.append(c)
    return bs, cs


def train_detector(
    images, boxes_list, classes_list, val_images, val_boxes, val_classes,
    cfg: TrainConfig | None = None, log: Log = print, *, n_classes: int | None = None,
    class_names: Sequence[str] | None = None,
) -> tuple[CenterNetDetector, dict]:
    """CenterNet detector. images: float32 (N,3,H,W) from ``preprocess.detector_input`` (H, W multiples of 16);
    boxes: per image (K,4) [x0,y0,x1,y1] in input pixels; classes: per image (K,) super indices.
    Loss = focal(heatmap) + 0.1 L1(wh) + L1(offset); horizontal-flip augmentation.
    Report: map50 and per_class_ap (held-out, IoU 0.5, classes without ground truth -> nan, left out),
    epochs, seconds, history. ``n_classes`` / ``class_names`` default to the taxonomy super-categories.
    """
    cfg = cfg or detector_config()
    if class_names is None and n_classes is None:
        class_names = list(_taxonomy().super_categories)
    n_classes = int(n_classes if n_classes is not None else len(class_names))
    class_names = list(class_names) if class_names is not None else [str(i) for i in range(n_classes)]
    xt, xv = _check_images(images, "images"), _check_images(val_images, "val_images")
    H, W = xt.shape[2:]
    if H % 16 or W % 16 or xv.shape[2:] != (H, W):
        raise ValueError(f"train_detector: image sizes must match and be multiples of 16, got {xt.shape} / {xv.shape}")
    bt, ct = _check_boxes(xt, boxes_list, classes_list, n_classes, "train")
    bv, cv = _check_boxes(xv, val_boxes, val_classes, n_classes, "val")
    out_hw = (H // STRIDE, W // STRIDE)

    def targets(boxes, classes):
        t = [build_targets(b, c, out_hw, STRIDE, n_classes) for b, c in zip(boxes, classes)]
        return {k: torch.from_numpy(np.stack([d[k] for d in t])) for k in t[0]}

    flip_boxes = [np.stack([W - b[:, 2], b[:, 1], W - b[:, 0], b[:, 3]], 1) if len(b) else b for b in bt]
    T = [targets(bt, ct), targets(flip_boxes, ct)]

    with _Threads(cfg.num_threads):
        gen = _seed(cfg)
        model = CenterNetDetector(n_classes, width=cfg.width, depths=cfg.depths)
        X = torch.from_numpy(xt)

        def make_batch(idx):
            idx = torch.from_numpy(np.asarray(idx))
            flip = (torch.rand(len(idx), generator=gen) < 0.5) if cfg.augment else torch.zeros(len(idx), dtype=torch.bool)
            x = torch.where(flip.view(-1, 1, 1, 1), X[idx].flip(-1), X[idx])
            t = {k: torch.where(flip.view((-1,) + (1,) * (T[0][k].dim() - 1)), T[1][k][idx], T[0][k][idx]) for k in T[0]}
            return x, t

        def loss_fn(m, batch):
            x, t = batch
            hm, wh, off = m(x)
            return (heatmap_focal_loss(hm, t["heatmap"]) + 0.1 * masked_l1(wh, t["wh"], t["mask"])
                    + masked_l1(off, t["offset"], t["mask"]))

        def evaluate(m):
            preds = predict_detections(m, xv, score_threshold=0.05, top_k=20, min_keep=0)
            r = evaluation.detection_map50(preds, list(zip(bv, cv)), n_classes)
            return {"map50": r["map50"], "score": r["map50"] if not np.isnan(r["map50"]) else 0.0}

        hist = fit(model, len(xt), make_batch, loss_fn, cfg, log, evaluate, "score", "detector")
        preds = predict_detections(model, xv, score_threshold=0.05, top_k=20, min_keep=0)
        final = evaluation.detection_map50(preds, list(zip(bv, cv)), n_classes)
    report = {
        "map50": final["map50"],
        "per_class_ap": {class_names[c]: _none_if_nan(final["per_class_ap"][c]) for c in range(n_classes)},
        "n_gt_val": {class_names[c]: final["n_gt"][c] for c in range(n_classes)},
        "input_hw": [int(H), int(W)], "n_train": len(xt), "n_val": len(xv),
        "config": dataclasses.asdict(cfg), **hist,
    }
    return model, report

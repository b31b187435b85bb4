"""Hierarchical category classifier: learns shapes in seconds, exports to ONNX, rejects bad input."""

import time

import numpy as np
import pytest
import torch

from itoo.taxonomy import load_taxonomy
from models import synthetic
from models.backbone import CompactEfficientNet
from models.export import export_onnx, onnx_parity
from models.postprocess import hierarchical_decode
from models.preprocess import crops_to_batch
from models.training import TrainConfig, predict_categories, train_category_classifier

torch.set_num_threads(1)  # robust on a shared 2-core machine (see TrainConfig.num_threads)
S2S = np.array(load_taxonomy().sub_to_super_index())
# Fixed epoch count (the time cap is only a safety net) so results do not depend on machine load;
# ~10 s on 2 idle cores.
CFG = TrainConfig(epochs=8, batch_size=32, max_seconds=120, width=12, patience=4, seed=0)


@pytest.fixture(scope="module")
def data():
    d = synthetic.crop_dataset(640, seed=3)
    x = crops_to_batch(d["images"])
    # shape -> super 0/1/2 (top/bottom/outer); band variant -> 1st or 2nd child of that super
    sub = np.array([np.flatnonzero(S2S == s)[v] for s, v in zip(d["super"], d["variant"])])
    return x, d["super"], sub


@pytest.fixture(scope="module")
def trained(data):
    x, ys, yb = data
    logs = []
    t = time.perf_counter()
    model, report = train_category_classifier(x[:480], ys[:480], yb[:480], x[480:], ys[480:], yb[480:], CFG, logs.append)
    report["wall"] = time.perf_counter() - t
    return model, report, logs


def test_classifier_learns_held_out(trained, data):
    model, report, logs = trained
    print({k: report[k] for k in ("super_accuracy", "sub_accuracy", "epochs", "seconds", "stopped")})
    assert report["super_accuracy"] > 0.8  # chance 1/3
    assert report["sub_accuracy"] > 0.6  # chance 1/6 among the 6 used subs
    assert report["super_accuracy"] > report["super_majority_baseline"] + 0.3
    assert report["wall"] < CFG.max_seconds + 6
    assert report["n_val"] == 160 and len(report["loss_history"]) == report["epochs"] == len(logs)
    assert report["loss_history"][-1] < report["loss_history"][0]
    # predictions respect the hierarchy
    x = data[0][480:]
    d = predict_categories(model, x)
    assert np.all(S2S[d["sub_index"]] == d["super_index"])


def test_classifier_deterministic(data):
    x, ys, yb = data
    cfg = TrainConfig(epochs=1, batch_size=32, max_seconds=20, width=8, seed=5)
    r1 = train_category_classifier(x[:96], ys[:96], yb[:96], x[96:128], ys[96:128], yb[96:128], cfg, lambda s: None)[1]
    r2 = train_category_classifier(x[:96], ys[:96], yb[:96], x[96:128], ys[96:128], yb[96:128], cfg, lambda s: None)[1]
    assert r1["loss_history"] == r2["loss_history"]


def test_classifier_onnx_export_parity(trained, data, tmp_path):
    model = trained[0]
    x = torch.from_numpy(data[0][:5])
    info = export_onnx(model, x[:1], str(tmp_path / "cls.onnx"), ["image"], ["super_logits", "sub_logits"])
    assert info["bytes"] > 1000 and len(info["sha256"]) == 64 and info["opset"] >= 13
    assert not (tmp_path / "cls.onnx.tmp").exists()
    assert onnx_parity(model, info["path"], x) < 1e-4  # batch of 5 through a graph exported with batch 1

    import onnxruntime as ort

    sess = ort.InferenceSession(info["path"], providers=["CPUExecutionProvider"])
    sl, bl = sess.run(None, {"image": data[0][:5]})
    d = hierarchical_decode(sl, bl, S2S)
    assert d["super_index"].shape == (5,)


def test_backbone_features_and_init_from(tmp_path):
    bb = CompactEfficientNet(width=8, depths=(1, 1, 1, 1)).eval()
    feats, pooled = bb(torch.randn(2, 3, 64, 64))
    assert [tuple(f.shape[-2:]) for f in feats] == [(16, 16), (8, 8), (4, 4)]
    assert [f.shape[1] for f in feats] == list(bb.out_channels) and pooled.shape == (2, bb.feature_dim)
    torch.save(bb.state_dict(), tmp_path / "bb.pt")
    other = CompactEfficientNet(width=8, depths=(1, 1, 1, 1))
    info = other.init_weights_from(tmp_path / "bb.pt")
    assert info["loaded"] == len(bb.state_dict()) and not info["missing"]
    other.eval()
    torch.testing.assert_close(other(torch.ones(1, 3, 64, 64))[1], bb(torch.ones(1, 3, 64, 64))[1])
    with pytest.raises(FileNotFoundError):
        other.init_weights_from(tmp_path / "missing.pt")


def test_classifier_rejects_bad_input(data):
    x, ys, yb = data
    xt, xv = x[:64], x[64:96]
    args = (ys[:64], yb[:64], xv, ys[64:96], yb[64:96])
    cfg = TrainConfig(epochs=1, max_seconds=5, width=8)
    with pytest.raises(ValueError, match="dtype"):
        train_category_classifier((xt * 50).astype(np.uint8), *args, cfg=cfg)
    with pytest.raises(ValueError, match="shape"):
        train_category_classifier(xt[:, :1], *args, cfg=cfg)
    bad = xt.copy()
    bad[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train_category_classifier(bad, *args, cfg=cfg)
    with pytest.raises(ValueError, match="shape"):
        train_category_classifier(xt, ys[:10], yb[:64], xv, ys[64:96], yb[64:96], cfg=cfg)
    with pytest.raises(ValueError, match="children"):
        wrong = yb[:64].copy()
        wrong[ys[:64] == 0] = np.flatnonzero(S2S == 1)[0]
        train_category_classifier(xt, ys[:64], wrong, xv, ys[64:96], yb[64:96], cfg=cfg)
    with pytest.raises(ValueError, match="class indices"):
        train_category_classifier(xt, ys[:64] + 10, yb[:64], xv, ys[64:96], yb[64:96], cfg=cfg)
    with pytest.raises(ValueError):
        TrainConfig(epochs=0)


def test_fit_respects_time_cap_and_logs(data):
    x, ys, yb = data
    logs = []
    cfg = TrainConfig(epochs=500, batch_size=16, max_seconds=1.5, width=8, patience=500)
    _, r = train_category_classifier(x[:64], ys[:64], yb[:64], x[64:96], ys[64:96], yb[64:96], cfg, logs.append)
    assert r["stopped"] == "time" and r["epochs"] < 500 and r["seconds"] < 1.5 + 3
    assert len(logs) == r["epochs"] and all("[classifier] epoch" in s for s in logs)

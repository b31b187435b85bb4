"""CenterNet detector: targets, learning shapes at random positions, ONNX export + numpy decoding."""

import numpy as np
import pytest
import torch

from models import synthetic
from models.detector import CenterNetDetector, DetectorForExport, build_targets
from models.evaluation import detection_map50
from models.export import export_onnx, onnx_parity
from models.postprocess import box_iou, decode_detections, postprocess_outfit
from models.preprocess import DETECTOR_SIZE, boxes_to_input, detector_input
from models.training import detector_config, predict_detections, train_detector

torch.set_num_threads(1)  # robust on a shared 2-core machine (see TrainConfig.num_threads)
NAMES = ["circle", "square", "triangle"]
CFG = detector_config(epochs=7, batch_size=16, max_seconds=120, width=12, patience=9, seed=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    photos, X, B, C, orig = [], [], [], [], []
    for _ in range(260):
        img, boxes, classes = synthetic.render_scene(rng)  # 192x256 "outfit photo", boxes in photo pixels
        x, sx, sy = detector_input(img)
        photos.append(img)
        X.append(x)
        B.append(boxes_to_input(boxes, sx, sy))
        C.append(classes)
        orig.append(boxes)
    return np.stack(X), B, C, orig, photos


@pytest.fixture(scope="module")
def trained(data):
    X, B, C = data[:3]
    logs = []
    model, report = train_detector(X[:200], B[:200], C[:200], X[200:], B[200:], C[200:], CFG, logs.append,
                                   class_names=NAMES)
    return model, report, logs


def test_build_targets():
    t = build_targets(np.array([[8, 16, 40, 48], [60, 60, 80, 100]]), np.array([2, 0]), (32, 24), 4, n_classes=3)
    assert t["heatmap"].shape == (3, 32, 24) and t["wh"].shape == (2, 32, 24) and t["mask"].sum() == 2
    # box 0: centre (24, 32) px -> cell (x=6, y=8), size 8x8 cells, offset 0
    assert t["heatmap"][2, 8, 6] == 1.0 and t["mask"][8, 6] == 1
    np.testing.assert_allclose(t["wh"][:, 8, 6], [8, 8])
    np.testing.assert_allclose(t["offset"][:, 8, 6], [0, 0])
    assert 0 < t["heatmap"][2, 8, 7] < 1 and t["heatmap"][2, 8, 7] > t["heatmap"][2, 8, 9]  # Gaussian decay
    # box 1: centre (70, 80) px -> (17.5, 20) cells -> cell (17, 20), offset (0.5, 0)
    np.testing.assert_allclose(t["offset"][:, 20, 17], [0.5, 0])
    assert t["heatmap"][1].max() == 0  # no object of class 1
    with pytest.raises(ValueError):
        build_targets(np.array([[0, 0, 1, 1]]), np.array([5]), (8, 8), 4, n_classes=3)


def test_detector_learns_shapes(trained):
    model, r, logs = trained
    print({k: r[k] for k in ("map50", "per_class_ap", "epochs", "seconds", "stopped")})
    assert r["map50"] > 0.5
    assert set(r["per_class_ap"]) == set(NAMES) and min(r["per_class_ap"].values()) > 0.3
    assert r["input_hw"] == list(DETECTOR_SIZE) and r["n_val"] == 60
    assert len(logs) == r["epochs"] and r["seconds"] < CFG.max_seconds + 5


def test_detector_onnx_and_numpy_decoding(trained, data, tmp_path):
    model = trained[0]
    X, _, _, orig, photos = data
    wrapper = DetectorForExport(model)
    info = export_onnx(wrapper, torch.from_numpy(X[:1]), str(tmp_path / "det.onnx"), ["image"],
                       ["heatmap", "wh", "offset"])
    assert onnx_parity(wrapper, info["path"], X[200:204]) < 1e-4

    import onnxruntime as ort

    sess = ort.InferenceSession(info["path"], providers=["CPUExecutionProvider"])
    hits, total = 0, 0
    preds, gts = [], []
    for i in range(200, 230):  # serving path: photo -> detector_input -> onnxruntime -> decode -> original pixels
        x, sx, sy = detector_input(photos[i])
        hm, wh, off = sess.run(None, {"image": x[None]})
        dets = decode_detections(hm[0], wh[0], off[0], sx, sy, score_threshold=0.3, top_k=20)
        kept = postprocess_outfit(dets, NAMES, 0.3)
        assert len(kept) >= 1
        preds.append(dets)
        gts.append((orig[i], data[2][i]))
        iou = box_iou(np.array([d["box"] for d in kept]), orig[i])
        hits += int((iou.max(0) >= 0.5).sum())
        total += len(orig[i])
    assert hits / total > 0.6
    assert detection_map50(preds, gts, 3)["map50"] > 0.5


def test_detector_forward_shapes_and_bad_input(data):
    X, B, C = data[:3]
    m = CenterNetDetector(n_classes=6, width=8).eval()
    hm, wh, off = m(torch.from_numpy(X[:2]))
    h, w = DETECTOR_SIZE[0] // 4, DETECTOR_SIZE[1] // 4
    assert hm.shape == (2, 6, h, w) and wh.shape == (2, 2, h, w) and off.shape == (2, 2, h, w)
    assert len(predict_detections(m, X[:2], min_keep=1)[0]) >= 1
    cfg = detector_config(epochs=1, max_seconds=5, width=8)
    with pytest.raises(ValueError, match="box lists"):
        train_detector(X[:4], B[:3], C[:4], X[4:6], B[4:6], C[4:6], cfg)
    flipped = [b[:, [2, 1, 0, 3]] for b in B[:4]]
    with pytest.raises(ValueError, match="x1 > x0"):
        train_detector(X[:4], flipped, C[:4], X[4:6], B[4:6], C[4:6], cfg)
    with pytest.raises(ValueError, match="outside"):
        train_detector(X[:4], [b * 3 for b in B[:4]], C[:4], X[4:6], B[4:6], C[4:6], cfg)
    with pytest.raises(ValueError, match="multiples of 16"):
        train_detector(X[:4, :, :100], B[:4], C[:4], X[4:6, :, :100], B[4:6], C[4:6], cfg)
    with pytest.raises(ValueError, match="NaN"):
        train_detector(X[:4] * np.nan, B[:4], C[:4], X[4:6], B[4:6], C[4:6], cfg)

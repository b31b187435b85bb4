"""models.preprocess / postprocess / evaluation: numpy-only pieces shared by training and serving."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from itoo.taxonomy import load_taxonomy
from models import evaluation
from models.postprocess import (
    decode_detections,
    hierarchical_decode,
    postprocess_outfit,
    sigmoid,
    softmax,
)
from models.preprocess import (
    CROP_SIZE,
    DETECTOR_SIZE,
    MEAN,
    STD,
    boxes_to_input,
    crop_to_array,
    crops_to_batch,
    detector_input,
)

ROOT = Path(__file__).resolve().parents[1]
SUPERS = list(load_taxonomy().super_categories)


def test_serving_modules_do_not_import_torch():
    code = ("import sys, models, models.preprocess, models.postprocess, models.evaluation;"
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_crop_to_array_pads_with_edge_colour_and_normalises():
    img = Image.new("RGB", (40, 100), (10, 200, 30))  # tall crop, uniform colour
    a = crop_to_array(img)
    assert a.shape == (3, CROP_SIZE, CROP_SIZE) and a.dtype == np.float32
    expected = (np.array([10, 200, 30], np.float32) / 255 - MEAN) / STD
    np.testing.assert_allclose(a[:, 0, 0], expected, atol=1e-5)  # padded corner = edge colour
    np.testing.assert_allclose(a[:, 32, 32], expected, atol=1e-5)
    b = crops_to_batch([img, img.convert("L"), np.zeros((7, 9, 3), np.uint8)])
    assert b.shape == (3, 3, CROP_SIZE, CROP_SIZE) and b.dtype == np.float32
    assert crops_to_batch([]).shape == (0, 3, CROP_SIZE, CROP_SIZE)


def test_detector_input_scales():
    img = Image.new("RGB", (192, 256), (100, 100, 100))
    x, sx, sy = detector_input(img)
    assert x.shape == (3, *DETECTOR_SIZE) and x.dtype == np.float32
    assert sx == pytest.approx(DETECTOR_SIZE[1] / 192) and sy == pytest.approx(DETECTOR_SIZE[0] / 256)
    np.testing.assert_allclose(boxes_to_input([[0, 0, 192, 256]], sx, sy), [[0, 0, DETECTOR_SIZE[1], DETECTOR_SIZE[0]]])


@pytest.mark.parametrize("bad", [None, "img.jpg", np.zeros((8, 8), np.uint8), np.zeros((8, 8, 3), np.float32),
                                 np.zeros((8, 8, 4), np.uint8), Image.new("RGB", (0, 5))])
def test_preprocess_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        crop_to_array(bad)
    with pytest.raises(ValueError):
        detector_input(bad)


def test_softmax_sigmoid_stable():
    p = softmax(np.array([[1000.0, 0.0], [0.0, 0.0]]))
    np.testing.assert_allclose(p, [[1, 0], [0.5, 0.5]], atol=1e-6)
    np.testing.assert_allclose(sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0, 0.5, 1], atol=1e-6)


def test_hierarchical_decode_restricts_sub_to_predicted_super():
    s2s = load_taxonomy().sub_to_super_index()
    sup = np.zeros((1, 6), np.float32)
    sup[0, 1] = 5.0  # bottom
    sub = np.zeros((1, 32), np.float32)
    sub[0, 0] = 9.0  # t_shirt (a top) is the flat argmax ...
    jeans = load_taxonomy().sub_index("shorts")
    sub[0, jeans] = 3.0  # ... but shorts is the best child of "bottom"
    d = hierarchical_decode(sup, sub, s2s)
    assert d["super_index"].tolist() == [1] and d["sub_index"].tolist() == [jeans]
    assert 0 < d["sub_prob"][0] <= 1 and 0 < d["super_prob"][0] <= 1
    with pytest.raises(ValueError):
        hierarchical_decode(sup, sub[:, :10], s2s)
    with pytest.raises(ValueError):
        hierarchical_decode(np.full((1, 6), np.nan), sub, s2s)


def _heatmap_with_peaks():
    C, h, w = 6, 32, 24
    hm = np.zeros((C, h, w), np.float32)
    wh = np.zeros((2, h, w), np.float32)
    off = np.zeros((2, h, w), np.float32)
    # class 0 (top) at cell (y=8, x=12), 10x6 cells, offset (0.5, 0.25); a weaker neighbour gets pooled away
    hm[0, 8, 12], hm[0, 8, 13] = 0.9, 0.6
    wh[:, 8, 12], off[:, 8, 12] = (10, 6), (0.5, 0.25)
    # class 4 (shoes) at (y=28, x=5), 4x2 cells
    hm[4, 28, 5] = 0.5
    wh[:, 28, 5] = (4, 2)
    # a weak class-5 peak below the threshold
    hm[5, 2, 2] = 0.1
    wh[:, 2, 2] = (2, 2)
    return hm, wh, off


def test_decode_hand_made_heatmap():
    hm, wh, off = _heatmap_with_peaks()
    dets = decode_detections(hm, wh, off, scale_x=0.5, scale_y=0.5, score_threshold=0.3, top_k=20)
    assert [d["super_index"] for d in dets] == [0, 4]
    top = dets[0]
    assert top["score"] == pytest.approx(0.9)
    # centre = ((12 + 0.5) * 4, (8 + 0.25) * 4) = (50, 33) input px; size (40, 24) -> original px = / 0.5
    np.testing.assert_allclose(top["box"], [60, 42, 140, 90], atol=1e-4)
    np.testing.assert_allclose(dets[1]["box"], [(5 * 4 - 8) * 2, (28 * 4 - 4) * 2, (5 * 4 + 8) * 2, (28 * 4 + 4) * 2])
    # nothing above threshold -> the best peak is still returned (flagged), unless min_keep=0
    low = decode_detections(hm * 0.1, wh, off, 1.0, 1.0, score_threshold=0.3)
    assert len(low) == 1 and low[0]["below_threshold"] and low[0]["super_index"] == 0
    assert decode_detections(hm * 0.1, wh, off, 1.0, 1.0, 0.3, min_keep=0) == []
    # batch axis of 1 accepted; logits rejected; NaN rejected
    assert len(decode_detections(hm[None], wh[None], off[None], 1.0, 1.0)) == 2
    with pytest.raises(ValueError, match="sigmoid"):
        decode_detections(hm * 10 - 5, wh, off, 1.0, 1.0)
    bad = hm.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError):
        decode_detections(bad, wh, off, 1.0, 1.0)
    with pytest.raises(ValueError):
        decode_detections(hm, wh[:, :5], off, 1.0, 1.0)


def test_decode_classwise_box_nms():
    hm = np.zeros((6, 20, 20), np.float32)
    wh = np.zeros((2, 20, 20), np.float32)
    off = np.zeros((2, 20, 20), np.float32)
    hm[1, 10, 10], hm[1, 10, 12] = 0.9, 0.8  # two peaks (not 3x3 neighbours), same big box -> one kept
    wh[:, 10, 10] = wh[:, 10, 12] = (12, 12)
    hm[2, 10, 12] = 0.7  # other class at the same place survives class-wise NMS
    wh[:, 10, 12] = (12, 12)
    dets = decode_detections(hm, wh, off, 1.0, 1.0, 0.3)
    assert sorted((d["super_index"], round(d["score"], 2)) for d in dets) == [(1, 0.9), (2, 0.7)]


def _det(name, box, score):
    return {"box": list(box), "super_index": SUPERS.index(name), "score": score}


def test_postprocess_keeps_at_least_one_item():
    dets = [_det("bag", (0, 0, 10, 10), 0.1), _det("shoes", (20, 20, 30, 30), 0.2)]
    out = postprocess_outfit(dets, SUPERS, score_threshold=0.3)
    assert len(out) == 1 and out[0]["super_category"] == "shoes"
    assert postprocess_outfit([], SUPERS) == []
    out = postprocess_outfit(dets + [_det("top", (0, 0, 50, 50), 0.8)], SUPERS, 0.3)
    assert [d["super_category"] for d in out] == ["top"]


def test_postprocess_dress_vs_top_bottom():
    dress_box, top_box, bottom_box = (40, 40, 150, 230), (42, 42, 148, 130), (45, 125, 145, 228)
    shoes = _det("shoes", (60, 232, 120, 255), 0.7)
    # confident dress beats a weak pair
    out = postprocess_outfit([_det("dress", dress_box, 0.9), _det("top", top_box, 0.5),
                              _det("bottom", bottom_box, 0.6), shoes], SUPERS)
    assert sorted(d["super_category"] for d in out) == ["dress", "shoes"]
    # a strong pair beats a dress with lower score than the pair's mean
    out = postprocess_outfit([_det("dress", dress_box, 0.6), _det("top", top_box, 0.9),
                              _det("bottom", bottom_box, 0.8), shoes], SUPERS)
    assert sorted(d["super_category"] for d in out) == ["bottom", "shoes", "top"]
    # dress + top only (no bottom): no conflict rule, both kept
    out = postprocess_outfit([_det("dress", dress_box, 0.6), _det("top", top_box, 0.9)], SUPERS)
    assert len(out) == 2
    # a pair elsewhere in the photo does not conflict with the dress
    out = postprocess_outfit([_det("dress", (0, 0, 50, 100), 0.9), _det("top", top_box, 0.5),
                              _det("bottom", bottom_box, 0.6)], SUPERS)
    assert len(out) == 3
    with pytest.raises(ValueError):
        postprocess_outfit([{"box": [0, 0, 1, 1], "super_index": 9, "score": 0.5}], SUPERS)


def test_average_precision_and_map():
    assert evaluation.average_precision([0.9, 0.8, 0.7], [1, 0, 1], 2) == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert evaluation.average_precision([], [], 3) == 0.0
    assert np.isnan(evaluation.average_precision([0.5], [0], 0))
    gts = [(np.array([[0, 0, 10, 10], [20, 20, 40, 40]]), np.array([0, 1]))]
    preds = [[{"box": [0, 0, 10, 11], "super_index": 0, "score": 0.9},
              {"box": [50, 50, 60, 60], "super_index": 1, "score": 0.95},
              {"box": [21, 20, 40, 40], "super_index": 1, "score": 0.5}]]
    r = evaluation.detection_map50(preds, gts, 3)
    assert r["per_class_ap"][0] == 1.0 and r["per_class_ap"][1] == pytest.approx(0.5) and np.isnan(r["per_class_ap"][2])
    assert r["map50"] == pytest.approx(0.75)


def test_retrieval_topk():
    g = np.eye(4, dtype=np.float32)
    q = np.array([[1, 0.1, 0, 0], [0, 0, 0.2, 1], [0.9, 1, 0, 0]], np.float32)
    r = evaluation.retrieval_topk(q, ["a", "d", "a"], g, ["a", "b", "c", "d"], ks=(1, 2))
    assert r["top1"] == pytest.approx(2 / 3) and r["top2"] == 1.0 and r["n_queries"] == 3
    assert evaluation.accuracy([1, 2, 3], [1, 2, 0]) == pytest.approx(2 / 3)

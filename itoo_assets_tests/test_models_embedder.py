"""Visual-search embedder: NT-Xent on photos of the same product, consumer-to-shop retrieval."""

import numpy as np
import pytest
import torch

from models import synthetic
from models.embedder import Embedder
from models.export import export_onnx, onnx_parity
from models.losses import nt_xent
from models.preprocess import crops_to_batch
from models.training import TrainConfig, embed, evaluate_retrieval, train_embedder

torch.set_num_threads(1)  # robust on a shared 2-core machine (see TrainConfig.num_threads)
PRODUCTS = list(range(len(synthetic.product_catalog())))  # 60 products
CFG = TrainConfig(epochs=12, batch_size=32, lr=3e-3, max_seconds=120, width=12, patience=12, seed=0, temperature=0.1)


@pytest.fixture(scope="module")
def data():
    imgs, labels, _ = synthetic.product_photos(PRODUCTS, n_review=3, seed=1)  # shop + 3 review photos each
    q_imgs, q_labels, _ = synthetic.product_photos(PRODUCTS, n_review=1, seed=99, shop=False)  # new consumer photos
    g_imgs, g_labels, _ = synthetic.product_photos(PRODUCTS, n_review=0, seed=7)  # shop photos
    return crops_to_batch(imgs), labels, crops_to_batch(q_imgs), q_labels, crops_to_batch(g_imgs), g_labels


@pytest.fixture(scope="module")
def trained(data):
    x, y, xq, ql, xg, gl = data
    return train_embedder(x, y, CFG, lambda s: None, val=(xq, ql, xg, gl))


def test_embedder_retrieval_held_out(trained, data):
    model, r = trained
    x, y, xq, ql, xg, gl = data
    untrained = Embedder(128, width=12).eval()
    base = evaluate_retrieval(lambda a: embed(untrained, a), xq, ql, xg, gl)
    res = evaluate_retrieval(lambda a: embed(model, a), xq, ql, xg, gl, ks=(1, 10))
    print(res, "untrained:", base, "loss", r["loss_history"][0], "->", r["train_loss"], r["seconds"], r["epochs"])
    assert res == r["retrieval"]
    assert res["n_queries"] == 60 and res["top1"] > 0.2 and res["top10"] > 0.8  # chance 1/60 and 10/60
    assert res["top1"] > base["top1"] + 0.1
    assert r["train_loss"] < r["loss_history"][0]
    e = embed(model, xq[:7])
    assert e.shape == (7, 128) and e.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1, atol=1e-5)


def test_embedder_onnx_parity(trained, data, tmp_path):
    model = trained[0]
    info = export_onnx(model, torch.from_numpy(data[0][:1]), str(tmp_path / "emb.onnx"), ["image"], ["embedding"])
    assert onnx_parity(model, info["path"], data[0][:6]) < 1e-4


def test_nt_xent_properties():
    torch.manual_seed(0)
    z = torch.nn.functional.normalize(torch.randn(8, 16), dim=1)
    perfect = nt_xent(z, z, 0.1)
    shuffled = nt_xent(z, z[torch.randperm(8)], 0.1)
    assert float(perfect) < float(shuffled)
    # with orthogonal, identical views the loss is close to its minimum log(1 + (2N-2) e^{-1/t})
    e = torch.eye(8)
    assert float(nt_xent(e, e, 0.1)) == pytest.approx(np.log(1 + 14 * np.exp(-10)), abs=1e-4)
    with pytest.raises(ValueError):
        nt_xent(z[:1], z[:1], 0.1)


def test_embedder_rejects_bad_input(data):
    x, y = data[0], data[1]
    cfg = TrainConfig(epochs=1, max_seconds=5, width=8)
    with pytest.raises(ValueError, match="labels"):
        train_embedder(x, y[:5], cfg)
    with pytest.raises(ValueError, match="distinct"):
        train_embedder(x[:4], np.zeros(4), cfg)
    with pytest.raises(ValueError, match="float32"):
        train_embedder(x.astype(np.int32), y, cfg)
    with pytest.raises(ValueError, match="NaN"):
        evaluate_retrieval(lambda a: a.reshape(len(a), -1), x[:2], y[:2], x[:2] * np.nan, y[:2])

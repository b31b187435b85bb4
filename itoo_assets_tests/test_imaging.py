"""Image helpers, including hostile input into load_image_safe."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from itoo.imaging import contact_sheet, draw_boxes, load_image_safe, to_png_bytes


def _img(color=(200, 30, 30), size=(40, 30), mode="RGB"):
    return Image.new(mode, size, color)


def _png_with_header(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height (with a valid CRC) but carries a tiny IDAT."""
    data = to_png_bytes(Image.new("RGB", (2, 2)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    new = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return data[:8] + new + data[8 + 25:]


def test_contact_sheet_grid_and_labels():
    ims = [_img((i * 20, 100, 200), (30 + i, 50)) for i in range(10)]
    sheet = contact_sheet(ims, [f"im{i}" for i in range(10)], cols=4, cell=64)
    assert sheet.mode == "RGB"
    assert sheet.width == 4 * 66 + 2 and sheet.height == 3 * (64 + 14 + 2) + 2
    nolab = contact_sheet(ims[:3], cols=8, cell=32)
    assert nolab.size == (3 * 34 + 2, 34 + 2)
    assert contact_sheet([]).size[0] > 0  # placeholder
    with pytest.raises(ValueError, match="labels"):
        contact_sheet(ims, ["a"])
    with pytest.raises(ValueError):
        contact_sheet(ims, cols=0)
    with pytest.raises(ValueError, match="not a PIL image"):
        contact_sheet([np.zeros((4, 4))])


def test_draw_boxes_draws_on_a_copy():
    img = _img((255, 255, 255), (100, 80))
    out = draw_boxes(img, [[10, 20, 60, 70], [0, 0, 99, 79]], ["shirt", "all"], colors=[(255, 0, 0)])
    assert out is not img and out.size == img.size
    assert np.asarray(img).min() == 255  # original untouched
    a = np.asarray(out)
    assert tuple(a[45, 10]) == (255, 0, 0)  # left edge of the first box
    assert tuple(a[45, 35]) == (255, 255, 255)  # inside stays
    with pytest.raises(ValueError):
        draw_boxes(img, [[1, 2, 3]])
    with pytest.raises(ValueError):
        draw_boxes(img, [[1, 2, 3, 4]], ["a", "b"])


def test_png_roundtrip_and_safe_loading(tmp_path):
    img = _img((10, 200, 30))
    data = to_png_bytes(img)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    back = load_image_safe(data)
    assert back.mode == "RGB" and back.size == img.size and back.getpixel((3, 3)) == (10, 200, 30)
    p = tmp_path / "x.jpg"
    img.save(p, quality=95)
    assert load_image_safe(p).size == (40, 30)
    assert load_image_safe(str(p)).mode == "RGB"
    rgba = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    assert load_image_safe(to_png_bytes(rgba)).getpixel((0, 0)) == (255, 255, 255)  # flattened on white
    assert load_image_safe(to_png_bytes(Image.new("L", (5, 5), 7))).getpixel((0, 0)) == (7, 7, 7)


@pytest.mark.parametrize("payload, match", [
    (b"", "empty"),
    (b"definitely not an image" * 10, "not a recognised image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "truncated or corrupt|not a recognised"),
])
def test_load_image_safe_rejects_garbage(payload, match):
    with pytest.raises(ValueError, match=match):
        load_image_safe(payload)


def test_load_image_safe_rejects_truncated_jpeg():
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buf, "JPEG")
    data = buf.getvalue()
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_image_safe(data[: len(data) // 2])


def test_load_image_safe_rejects_bombs_and_zero_size(tmp_path):
    with pytest.raises(ValueError, match="decompression bomb"):
        load_image_safe(_png_with_header(60000, 60000))
    with pytest.raises(ValueError, match="over the limit"):
        load_image_safe(to_png_bytes(_img(size=(100, 100))), max_pixels=5000)
    with pytest.raises(ValueError):
        load_image_safe(_png_with_header(0, 10))
    with pytest.raises(ValueError, match="does not exist"):
        load_image_safe(tmp_path / "nope.png")
    with pytest.raises(ValueError, match="path or bytes"):
        load_image_safe(12345)
    with pytest.raises(ValueError, match="max_pixels"):
        load_image_safe(b"x", max_pixels=0)

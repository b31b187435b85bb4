"""Small shared image helpers: contact sheets and boxes for Dagster metadata, safe image loading."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFile, ImageFont, ImageOps, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 40_000_000
_PALETTE = [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
            (240, 50, 230), (210, 245, 60), (0, 128, 128), (170, 110, 40), (128, 0, 0), (0, 0, 128)]


def _font():
    return ImageFont.load_default()


def _fit(img: Image.Image, w: int, h: int) -> Image.Image:
    img = img.convert("RGB")
    scale = min(w / max(1, img.width), h / max(1, img.height))
    nw, nh = max(1, round(img.width * scale)), max(1, round(img.height * scale))
    return img.resize((nw, nh), Image.BILINEAR)


def contact_sheet(images: Sequence[Image.Image], labels: Sequence[str] | None = None, cols: int = 8,
                  cell: int = 96) -> Image.Image:
    """A grid of thumbnails (each fitted into ``cell`` x ``cell``) with optional labels under them.

    An empty list gives a small grey placeholder saying so (handy for metadata of empty batches).
    """
    if cols < 1 or cell < 8:
        raise ValueError(f"contact_sheet: cols must be >= 1 and cell >= 8 (got cols={cols}, cell={cell})")
    images = list(images)
    if labels is not None:
        labels = [str(s) for s in labels]
        if len(labels) != len(images):
            raise ValueError(f"contact_sheet: {len(labels)} labels for {len(images)} images")
    if not images:
        out = Image.new("RGB", (cell * 2, cell // 2), (200, 200, 200))
        ImageDraw.Draw(out).text((6, 6), "no images", fill=(40, 40, 40), font=_font())
        return out
    cols = min(cols, len(images))
    rows = (len(images) + cols - 1) // cols
    lab_h = 14 if labels is not None else 0
    pad = 2
    W = cols * (cell + pad) + pad
    H = rows * (cell + lab_h + pad) + pad
    sheet = Image.new("RGB", (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = _font()
    for i, im in enumerate(images):
        if not isinstance(im, Image.Image):
            raise ValueError(f"contact_sheet: item {i} is {type(im).__name__}, not a PIL image")
        r, c = divmod(i, cols)
        x = pad + c * (cell + pad)
        y = pad + r * (cell + lab_h + pad)
        th = _fit(im, cell, cell)
        sheet.paste(th, (x + (cell - th.width) // 2, y + (cell - th.height) // 2))
        if labels is not None:
            text = labels[i]
            while text and draw.textlength(text, font=font) > cell:
                text = text[:-1]
            draw.text((x + 1, y + cell + 1), text, fill=(20, 20, 20), font=font)
    return sheet


def draw_boxes(img: Image.Image, boxes: Sequence[Sequence[float]], labels: Sequence[str] | None = None,
               colors: Sequence[tuple[int, int, int]] | None = None, width: int = 2) -> Image.Image:
    """A copy of ``img`` (RGB) with ``[x0, y0, x1, y1]`` boxes and their labels drawn on it."""
    out = img.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    font = _font()
    if labels is not None and len(labels) != len(boxes):
        raise ValueError(f"draw_boxes: {len(labels)} labels for {len(boxes)} boxes")
    for i, b in enumerate(boxes):
        if len(b) != 4:
            raise ValueError(f"draw_boxes: box {i} must be [x0, y0, x1, y1], got {b!r}")
        x0, y0, x1, y1 = (float(v) for v in b)
        col = tuple(colors[i % len(colors)]) if colors else _PALETTE[i % len(_PALETTE)]
        draw.rectangle([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], outline=col, width=width)
        if labels is not None and labels[i]:
            text = str(labels[i])
            tw = draw.textlength(text, font=font)
            ty = max(0.0, min(y0, y1) - 11)
            draw.rectangle([x0, ty, x0 + tw + 2, ty + 11], fill=col)
            draw.text((x0 + 1, ty), text, fill=(255, 255, 255), font=font)
    return out


def to_png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def load_image_safe(path_or_bytes: str | Path | bytes | bytearray | memoryview,
                    max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Decode an untrusted image into an RGB ``PIL.Image`` (fully loaded, file closed).

    Raises ``ValueError`` with a clear message for: missing files, empty input, data that is not an
    image, truncated/corrupt files, zero-size images and images over ``max_pixels`` (decompression
    bombs are refused from the header, before any pixel is decoded). EXIF orientation is applied;
    transparency is flattened onto white; multi-frame images give their first frame.
    """
    if max_pixels is None or max_pixels <= 0:
        raise ValueError(f"load_image_safe: max_pixels must be positive, got {max_pixels!r}")
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
        what = f"<{len(data)} bytes>"
    elif isinstance(path_or_bytes, (str, Path)):
        p = Path(path_or_bytes)
        what = str(p)
        if not p.is_file():
            raise ValueError(f"load_image_safe: {what} does not exist or is not a file")
        data = p.read_bytes()
    else:
        raise ValueError(f"load_image_safe: expected a path or bytes, got {type(path_or_bytes).__name__}")
    if not data:
        raise ValueError(f"load_image_safe: {what} is empty")
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # a global someone may have flipped; we never accept truncation
        raise ValueError("load_image_safe: PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; refusing to decode")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                if w <= 0 or h <= 0:
                    raise ValueError(f"load_image_safe: {what} has zero size ({w}x{h})")
                if w * h > max_pixels:
                    raise ValueError(f"load_image_safe: {what} is {w}x{h} = {w * h} pixels, over the limit of "
                                     f"{max_pixels} (possible decompression bomb)")
                im.seek(0)
                im.load()
                im = ImageOps.exif_transpose(im)
                if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                    rgba = im.convert("RGBA")
                    bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                    out = Image.alpha_composite(bg, rgba).convert("RGB")
                elif im.mode in ("I;16", "I;16B", "I;16L", "I"):
                    out = im.point(lambda v: v / 256).convert("L").convert("RGB")
                else:
                    out = im.convert("RGB")
    except ValueError:
        raise
    except UnidentifiedImageError:
        raise ValueError(f"load_image_safe: {what} is not a recognised image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ValueError(f"load_image_safe: {what} refused as a decompression bomb: {e}") from None
    except (OSError, SyntaxError, EOFError) as e:
        raise ValueError(f"load_image_safe: {what} is truncated or corrupt: {e}") from None
    except Exception as e:  # any other decoder failure on hostile input
        raise ValueError(f"load_image_safe: {what} could not be decoded: {type(e).__name__}: {e}") from None
    if out.width == 0 or out.height == 0:
        raise ValueError(f"load_image_safe: {what} has zero size")
    return out

"""Helpers that turn results into Dagster UI metadata: markdown tables and image grids."""


import base64
import io

import dagster as dg


def md_table(rows: list[dict], columns: list[str] | None = None, floatfmt: str = "{:.3f}") -> dg.MetadataValue:
    if not rows:
        return dg.MetadataValue.md("_(empty)_")
    columns = columns or list(rows[0].keys())
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in (r.get(c, "") for c in columns)]
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def md_image(img, title: str = "", max_width: int = 1024) -> dg.MetadataValue:
    """An image embedded in markdown (JPEG, base64) so it shows in the asset's metadata panel."""
    if img.width > max_width:
        img = img.resize((max_width, round(img.height * max_width / img.width)))
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=80)
    b64 = base64.b64encode(buf.getvalue()).decode()
    return dg.MetadataValue.md(f"{('**' + title + '**') if title else ''}\n\n![{title}](data:image/jpeg;base64,{b64})")



def numbers(values: dict) -> dict:
    """The numeric entries of `values` as plain Python numbers (numpy scalars do not serialize)."""
    import numbers as _n

    out = {}
    for k, v in values.items():
        if isinstance(v, bool):
            out[k] = bool(v)
        elif isinstance(v, _n.Integral):
            out[k] = int(v)
        elif isinstance(v, _n.Real) and v == v:  # NaN has no place in a metadata value
            out[k] = float(v)
    return out

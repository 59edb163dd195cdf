"""Images with known text, drawn at test time (fonts come from scripts/system_deps.sh)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr_app.bench.metrics import cer

__all__ = ["cer", "font", "render_lines", "save", "to_bgr", "to_bytes"]

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def font(cjk: bool = False, size: int = 32) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(CJK_FONT if cjk else LATIN_FONT, size)


def render_lines(lines: list[str], size: int = 32, cjk: bool | None = None, margin: int = 40,
                 line_gap: float = 1.8, width: int | None = None, bg: int = 255, fg: int = 20) -> Image.Image:
    """Black text lines on a white page, one line per entry."""
    use_cjk = any(ord(ch) > 0x2E80 for ch in "".join(lines)) if cjk is None else cjk
    fnt = font(use_cjk, size)
    text_w = max(int(fnt.getlength(t)) for t in lines) if lines else 100
    w = width or text_w + 2 * margin
    h = int(len(lines) * size * line_gap) + 2 * margin
    img = Image.new("RGB", (w, max(h, 2 * margin)), (bg, bg, bg))
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((margin, margin + i * size * line_gap), text, font=fnt, fill=(fg, fg, fg))
    return img


def to_bytes(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def save(img: Image.Image, path: Path, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, **kwargs)
    return path


def to_bgr(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))[:, :, ::-1].copy()

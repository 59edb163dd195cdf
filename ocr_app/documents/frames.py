"""Multi-page TIFF and animated GIF/WebP: every page or frame is a page (Pillow).

Frames are decoded one at a time while the file stays open, so memory holds one page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .model import DocumentError, Page


def _open(path: Path) -> Image.Image:
    try:
        return Image.open(path)
    except FileNotFoundError as exc:
        raise DocumentError(f"{path.name}: file not found") from exc
    except Image.DecompressionBombError as exc:
        raise DocumentError(f"{path.name}: image too large to open safely") from exc
    except (UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise DocumentError(f"{path.name}: not an image, or a damaged file") from exc
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot open file: {exc.strerror or exc}") from exc


MAX_FRAME_PIXELS = 250_000_000  # refuse: decoding alone could exhaust memory
WORK_PIXELS = 30_000_000  # downscale larger pages (the engine works at ≤16 MP anyway)


def _fit(frame: Image.Image) -> Image.Image:
    w, h = frame.size
    if w * h > MAX_FRAME_PIXELS:
        raise DocumentError(f"page too large to open safely ({w}×{h} pixels)")
    if w * h <= WORK_PIXELS:
        return frame
    scale = (WORK_PIXELS / (w * h)) ** 0.5
    if frame.mode not in ("L", "RGB", "RGBA", "LA"):
        frame = frame.convert("RGBA" if "transparency" in frame.info or "A" in frame.mode else "RGB")
    return frame.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.Resampling.BOX)


def frame_to_bgr(frame: Image.Image) -> np.ndarray:
    """Any Pillow mode → HxWx3 uint8 BGR (large pages downscaled); transparency onto white."""
    frame = _fit(ImageOps.exif_transpose(frame))
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = np.asarray(frame.convert("RGBA"), dtype=np.float32)
        alpha = rgba[:, :, 3:4] / 255.0
        rgb = (rgba[:, :, :3] * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    elif frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.nan_to_num(np.asarray(frame, dtype=np.float64))
        lo, hi = float(arr.min(initial=0)), float(arr.max(initial=0))
        gray = ((arr - lo) * (255.0 / max(hi - lo, 1e-9))).astype(np.uint8)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
    else:
        rgb = np.asarray(frame.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def frame_count(path: Path) -> int:
    with _open(path) as im:
        return max(1, getattr(im, "n_frames", 1))


def iter_frames(path: Path) -> Iterator[Page]:
    im = _open(path)
    try:
        count = max(1, getattr(im, "n_frames", 1))
        for index in range(count):
            t = time.perf_counter()
            try:
                im.seek(index)
                image = frame_to_bgr(im)
            except MemoryError:
                yield Page(index + 1, np.zeros((0, 0, 3), np.uint8), error="not enough memory for this page")
                continue
            except DocumentError as exc:
                yield Page(index + 1, np.zeros((0, 0, 3), np.uint8), error=str(exc))
                continue
            except Exception as exc:  # a damaged frame must not stop the others
                yield Page(index + 1, np.zeros((0, 0, 3), np.uint8), error=f"damaged page ({exc})")
                continue
            yield Page(index + 1, image, render_ms=(time.perf_counter() - t) * 1000)
    finally:
        im.close()


def render_frame(path: Path, number: int) -> np.ndarray:
    with _open(path) as im:
        count = max(1, getattr(im, "n_frames", 1))
        if not 1 <= number <= count:
            raise DocumentError(f"{path.name} has no page {number}")
        im.seek(number - 1)
        return frame_to_bgr(im)


def scan_dpi(im: Image.Image) -> float | None:
    """The resolution a scanner recorded, if plausible (72/96 usually means "unknown")."""
    dpi = im.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi)
    except (TypeError, ValueError, IndexError):
        return None
    return value if 100 <= value <= 1200 else None


def page_size_pt(path: Path, number: int) -> tuple[float, float] | None:
    """Physical page size in points from the recorded DPI, or None when unknown."""
    with _open(path) as im:
        if number > 1:
            im.seek(number - 1)
        dpi = scan_dpi(im)
        if dpi is None:
            return None
        orientation = im.getexif().get(0x0112, 1)
        w, h = im.size if orientation < 5 else im.size[::-1]  # EXIF 5-8 turn the page by 90°
        return w * 72.0 / dpi, h * 72.0 / dpi

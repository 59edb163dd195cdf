"""Searchable PDF: each page image with the recognised text invisibly on top of its boxes.

Page size: a PDF page keeps its own size; a scan with a plausible recorded DPI gets its
physical size; otherwise (screenshots, photos, pasted pixels) the image fills the page at
the DPI that makes its long side A4's long side (never below 72 DPI).
Turned pages (`OcrResult.orientation` not 0): the page shows the image turned upright and
its text layer sits on the upright lines, so selecting text works as the user reads it.
Vertical lines (an upright box taller than wide, more than one character) carry their text
top to bottom, glyphs turned a quarter clockwise, so it fills the column's box.
Edited pages: every edited line keeps its box (edits.py), so its text is fitted into that box;
a line the user added has no box and is left out of the text layer.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np

from .export_doc import ExportDoc, ExportError
from .pdfwriter import PdfWriter

A4_LONG_IN = 11.69
JPEG_QUALITY = 85
_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
VERTICAL = 1.2  # an upright box this many times taller than wide holds a vertical line


def page_dpi(width_px: int, height_px: int) -> float:
    return max(72.0, max(width_px, height_px) / A4_LONG_IN)


def load_image(source: np.ndarray | str | Path, page: int | None) -> tuple[np.ndarray, tuple[float, float] | None]:
    """BGR pixels of one page (an array as given, or decoded from an image/document path)
    and the page's physical size in points when the file records it."""
    if isinstance(source, np.ndarray):
        return source, None
    from ..jobs import Source, page_image

    path = Path(source)
    try:
        pixels = page_image(Source.from_path(path), page)
    except Exception as exc:  # ImageLoadError or DocumentError, both with a kind and a clear message
        raise ExportError(f"cannot read page image {path.name}: {exc}") from exc
    from ..documents import page_size_points

    return pixels, page_size_points(path, page or 1)


def _encode(img: np.ndarray) -> tuple[bytes, bool]:
    """JPEG bytes, and whether they are grayscale (a third of the size for b/w scans)."""
    if img.dtype != np.uint8 or img.size == 0:
        raise ExportError(f"unsupported page image ({img.dtype}, shape {img.shape})")
    if img.ndim == 2:
        gray = img
    elif img.ndim == 3 and img.shape[2] >= 3:
        img = img[:, :, :3]
        b, g, r = img[:, :, 0], img[:, :, 1], img[:, :, 2]
        gray = b if np.array_equal(b, g) and np.array_equal(b, r) else None
    else:
        raise ExportError(f"unsupported page image shape {img.shape}")
    target = gray if gray is not None else img
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(target), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ExportError("could not encode a page image as JPEG")
    return buf.tobytes(), gray is not None


def _texts(doc: ExportDoc, i: int) -> list[tuple[list, str]]:
    """(box, text) of each line as the user left it: edited text goes into its own box."""
    return [(ln.box, ln.text) for ln, _edited in doc.lines(i)]


def _add_page(writer: PdfWriter, doc: ExportDoc, i: int, img: np.ndarray,
              size_pt: tuple[float, float] | None) -> None:
    res = doc.pages[i]
    turn = (360 - res.orientation) % 360  # what makes the page upright
    h, w = img.shape[:2]
    ow, oh = res.image_size if res.image_size[0] > 0 and res.image_size[1] > 0 else (w, h)
    if turn:
        img = cv2.rotate(img, _ROTATE[turn])
        h, w = img.shape[:2]
        if size_pt is not None and turn != 180:
            size_pt = (size_pt[1], size_pt[0])
    if size_pt is None or min(size_pt) <= 0:
        pt = 72.0 / page_dpi(w, h)
        size_pt = (w * pt, h * pt)
    width_pt, height_pt = size_pt
    ops = []
    for box, text in _texts(doc, i):
        if len(box) != 4 or not text.strip():
            continue
        quad = text_quad(box, text, turn, (ow, oh), (width_pt, height_pt))
        ops.append(writer.text_ops(text, quad))
    jpeg, gray = _encode(img)
    writer.add_page(width_pt, height_pt, jpeg, (w, h), gray, "".join(ops))


def _turn_point(x: float, y: float, turn: int, size: tuple[float, float]) -> tuple[float, float]:
    """A point of an image of `size` (w, h) where it lies once the image is turned `turn`
    degrees clockwise (pixel-corner coordinates, as the engine's boxes)."""
    w, h = size
    if turn == 90:
        return h - y, x
    if turn == 180:
        return w - x, h - y
    if turn == 270:
        return y, w - x
    return x, y


def text_quad(box: list, text: str, turn: int, size: tuple[float, float],
              page_pt: tuple[float, float]) -> list[tuple[float, float]]:
    """A line's box (the file's pixels, image of `size`) → the quad its text is stretched
    over on the upright PDF page (points, y up; TL, TR, BR, BL along the text)."""
    upright = size if turn in (0, 180) else (size[1], size[0])
    pts = [_turn_point(float(p[0]), float(p[1]), turn, size) for p in box]
    # Corners as the upright page shows them: the top edge is the one pointing most to the
    # right (an upside-down page's boxes begin at their bottom-right corner).
    k = max(range(4), key=lambda j: _rightward(pts[j], pts[(j + 1) % 4]))
    pts = pts[k:] + pts[:k]
    sx, sy = page_pt[0] / upright[0], page_pt[1] / upright[1]
    tl, tr, br, bl = [(x * sx, page_pt[1] - y * sy) for x, y in pts]
    if len(text.strip()) > 1 and math.dist(tl, bl) > VERTICAL * math.dist(tl, tr):
        return [tr, br, bl, tl]  # a vertical line: its text runs down the column
    return [tl, tr, br, bl]


def _rightward(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (b[0] - a[0]) / max(1e-9, math.dist(a, b))


def _blank_page(writer: PdfWriter) -> None:
    writer.add_page(595.0, 842.0, None, (0, 0), False, "")


def write_pdf(docs: list[ExportDoc], fh: BinaryIO) -> None:
    """All pages of all docs, in order, one page image decoded at a time."""
    title = docs[0].name if len(docs) == 1 else "OCR Desk export"
    writer = PdfWriter(fh, title)
    for doc in docs:
        if doc.images is None or len(doc.images) < len(doc.pages):
            raise ExportError(f"searchable PDF needs the page images of {doc.name}")
        if len(docs) > 1:
            writer.bookmark(doc.name)
        for i in range(len(doc.pages)):
            source = doc.images[i]
            failed = doc.pages[i].error is not None
            if source is None and not failed:
                raise ExportError(f"searchable PDF needs the image of page {i + 1} of {doc.name}")
            try:
                img, size_pt = load_image(source, doc.pages[i].page) if source is not None else (None, None)
            except ExportError:
                if not failed:
                    raise
                img = None
            if img is None:
                _blank_page(writer)  # a page that failed to load keeps its place in the PDF
                continue
            _add_page(writer, doc, i, img, size_pt)
    writer.close()

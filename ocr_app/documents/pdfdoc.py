"""PDF pages via pypdfium2: rendered one at a time, with the born-digital text layer.

Render resolution: RENDER_DPI, lowered per page so no page exceeds MAX_PIXELS/MAX_SIDE
(a poster-sized page must not allocate gigabytes). Text layer: pdfium's textpage chars
are grouped into lines at pdfium's own line breaks and at large horizontal gaps, and
their boxes are mapped into rendered-image pixels with FPDF_PageToDevice, which also
handles /Rotate and crop-box offsets.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..engine import ErrorKind, Line
from ..safe_open import NotRegularFileError, open_regular
from ..safe_open import reason as open_reason
from .model import DocumentError, Page

# PDFium is not thread-safe and the GUI/server run documents from several threads:
# every pdfium call in the app goes through this lock (OCR itself runs outside it).
PDFIUM_LOCK = threading.RLock()
_EMPTY = np.zeros((0, 0, 3), np.uint8)

RENDER_DPI = 200
MAX_PIXELS = 12_000_000
MAX_SIDE = 6000
MIN_TEXT_CHARS = 1  # a page with at least this many non-space chars has a text layer...
SCAN_TEXT_CHARS = 20  # ...unless an image covers most of it and it has fewer chars than this
MAX_UNMAPPED = 0.3  # ...and unless this share of its chars has no Unicode meaning


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """The open document, or DocumentError naming why it cannot be opened.

    pdfium reads from one safely opened descriptor (`safe_open`), never from the path:
    a FIFO or device named *.pdf is refused instead of blocking the batch."""
    try:
        fh = open_regular(path)
    except (OSError, ValueError) as exc:
        kind = ErrorKind.NOT_REGULAR if isinstance(exc, NotRegularFileError) else ErrorKind.NOT_FOUND
        raise DocumentError(f"{path.name}: {open_reason(exc)}", kind) from exc
    try:
        with PDFIUM_LOCK:
            return _open_pdf(path, fh)
    except BaseException:
        fh.close()
        raise


def _open_pdf(path: Path, fh: BinaryIO) -> pdfium.PdfDocument:
    """`fh` is closed with the document (autoclose)."""
    try:
        doc = pdfium.PdfDocument(fh, autoclose=True)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentError(f"{path.name} is password-protected; remove the password and try again",
                                ErrorKind.PASSWORD) from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise DocumentError(f"{path.name} uses an unsupported security handler", ErrorKind.PASSWORD) from exc
        if code == pdfium_c.FPDF_ERR_FILE:
            raise DocumentError(f"{path.name}: cannot open file") from exc
        raise DocumentError(f"{path.name} is damaged or not a PDF") from exc
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot open file: {exc.strerror or exc}") from exc
    if len(doc) == 0:
        doc.close()
        raise DocumentError(f"{path.name} has no pages")
    return doc


def render_scale(width_pt: float, height_pt: float, dpi: float = RENDER_DPI) -> float:
    scale = dpi / 72.0
    w, h = max(width_pt, 1.0) * scale, max(height_pt, 1.0) * scale
    cap = min(1.0, (MAX_PIXELS / (w * h)) ** 0.5, MAX_SIDE / max(w, h))
    if cap < 1.0:
        cap *= 0.998  # pdfium rounds the bitmap size up
    return scale * cap


def render(page: pdfium.PdfPage) -> np.ndarray:
    w, h = page.get_size()
    bitmap = page.render(scale=render_scale(w, h), may_draw_forms=True)
    try:
        arr = bitmap.to_numpy()
        mode = bitmap.mode
        if arr.ndim == 2:
            arr = np.repeat(arr[:, :, None], 3, axis=2)
        elif mode in ("RGB", "RGBA", "RGBX"):
            arr = arr[:, :, 2::-1]
        else:  # BGR / BGRA / BGRX, pdfium's native order
            arr = arr[:, :, :3]
        return np.ascontiguousarray(arr)
    finally:
        bitmap.close()


class _Mapper:
    """PDF page coordinates → pixels of the rendered bitmap (handles rotation/crop box)."""

    def __init__(self, page: pdfium.PdfPage, size: tuple[int, int]):
        self.raw = page.raw
        self.w, self.h = size
        self._x, self._y = ctypes.c_int(), ctypes.c_int()

    def __call__(self, x: float, y: float) -> tuple[int, int]:
        pdfium_c.FPDF_PageToDevice(self.raw, 0, 0, self.w, self.h, 0, x, y,
                                   ctypes.byref(self._x), ctypes.byref(self._y))
        return self._x.value, self._y.value

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[int, int, int, int]:
        xa, ya = self(left, bottom)
        xb, yb = self(right, top)
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)


def _image_coverage(page: pdfium.PdfPage) -> float:
    """Fraction of the page covered by its largest image (a scan is ~1.0)."""
    pw, ph = page.get_size()
    best = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            left, bottom, right, top = obj.get_bounds()
        except pdfium.PdfiumError:
            continue
        best = max(best, (right - left) * (top - bottom) / max(pw * ph, 1.0))
    return min(best, 1.0)


def _has_invisible_text(page: pdfium.PdfPage) -> bool:
    """Render mode 3 text is what OCR tools (and our export) put over a scan."""
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_TEXT,), max_depth=2):
        if pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
            return True
    return False


def _is_real_text(page: pdfium.PdfPage, solid_chars: int) -> bool:
    """Text worth trusting instead of OCR: born-digital text or an OCR layer over a scan,
    but not a few visible characters (a page stamp) on top of a scanned image."""
    if solid_chars < MIN_TEXT_CHARS:
        return False
    if solid_chars >= SCAN_TEXT_CHARS or _image_coverage(page) <= 0.5:
        return True
    return _has_invisible_text(page)


def _unmapped_share(codes: list[int]) -> float:
    """Share of chars a font maps to nothing readable (no ToUnicode): replacement chars,
    private-use codes or C1 controls. Such a "text layer" is garbage, so OCR instead."""
    if not codes:
        return 0.0
    bad = sum(1 for c in codes if c == 0xFFFD or 0xE000 <= c <= 0xF8FF or 0x7F <= c <= 0x9F)
    return bad / len(codes)


def _flush(lines: list[Line], chars: list[str], boxes: list[tuple[float, float, float, float]],
           mapper: _Mapper) -> None:
    """Close the current line: union of its char boxes (PDF space) mapped to pixels."""
    text = "".join(chars).strip()
    if text and boxes:
        x0, y0, x1, y1 = mapper.box(min(b[0] for b in boxes), min(b[1] for b in boxes),
                                    max(b[2] for b in boxes), max(b[3] for b in boxes))
        box = [[float(x0), float(y0)], [float(x1), float(y0)], [float(x1), float(y1)], [float(x0), float(y1)]]
        lines.append(Line(box=box, text=text, confidence=1.0, char_confidences=[1.0] * len(text)))
    chars.clear()
    boxes.clear()


def text_layer(page: pdfium.PdfPage, size: tuple[int, int]) -> list[Line] | None:
    """Lines of the page's own text in rendered pixels, or None when it has no real text."""
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        if n <= 0:
            return None
        raw = textpage.raw
        codes = [pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(n)]
        solid = [c for c in codes if c > 0x20 and not 0xD800 <= c <= 0xDFFF and c not in (0xFFFE, 0xFFFF)]
        if not _is_real_text(page, len(solid)) or _unmapped_share(solid) > MAX_UNMAPPED:
            return None
        mapper = _Mapper(page, size)
        lines: list[Line] = []
        chars: list[str] = []
        boxes: list[tuple[float, float, float, float]] = []  # left, bottom, right, top (PDF space)
        pending_high = 0
        for i, code in enumerate(codes):
            if code in (0x0A, 0x0D):
                _flush(lines, chars, boxes, mapper)
                continue
            if 0xD800 <= code <= 0xDBFF:
                pending_high = code
                continue
            if 0xDC00 <= code <= 0xDFFF and pending_high:
                code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
                pending_high = 0
            if code < 0x20 or code in (0xFFFE, 0xFFFF):
                continue
            ch = chr(code)
            if ch.isspace():
                if chars and chars[-1] != " ":
                    chars.append(" ")
                continue
            box = textpage.get_charbox(i)  # unrotated page space, where text runs left to right
            if boxes:
                last = boxes[-1]
                height = max(last[3] - last[1], box[3] - box[1], 0.5)
                gap = box[0] - last[2]
                if gap > 3 * height or box[0] < last[0] - height or abs(box[1] - last[1]) > height:
                    _flush(lines, chars, boxes, mapper)  # a column jump or a new visual line
            chars.append(ch)
            boxes.append(box)
        _flush(lines, chars, boxes, mapper)
        return lines or None
    finally:
        textpage.close()


def _load_page(doc: pdfium.PdfDocument, index: int, with_text: bool) -> Page:
    with PDFIUM_LOCK:
        t = time.perf_counter()
        page = None
        try:
            page = doc[index]
            image = render(page)
            render_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            lines = text_layer(page, (image.shape[1], image.shape[0])) if with_text else None
            return Page(index + 1, image, lines, render_ms=render_ms, text_ms=(time.perf_counter() - t) * 1000)
        except MemoryError:
            return Page(index + 1, _EMPTY, error="not enough memory to render this page")
        except Exception as exc:  # one damaged page must not stop the others
            return Page(index + 1, _EMPTY, error=f"damaged page, cannot render it ({exc})")
        finally:
            if page is not None:
                page.close()


def iter_pdf_pages(doc: pdfium.PdfDocument, with_text: bool = True) -> Iterator[Page]:
    """Pages of an open document, one rendered at a time (closed when the iterator ends)."""
    try:
        with PDFIUM_LOCK:
            count = len(doc)
        for index in range(count):
            yield _load_page(doc, index, with_text)
    finally:
        close_pdf(doc)


def close_pdf(doc: pdfium.PdfDocument) -> None:
    """Idempotent: pypdfium2 ignores a second close."""
    with PDFIUM_LOCK:
        doc.close()


@contextmanager
def _one_page(path: Path, number: int) -> Iterator[pdfium.PdfPage]:
    """One page of a PDF, opened and closed under the pdfium lock."""
    with PDFIUM_LOCK:
        doc = open_pdf(path)
        try:
            if not 1 <= number <= len(doc):
                raise DocumentError(f"{path.name} has no page {number}")
            page = doc[number - 1]
            try:
                yield page
            finally:
                page.close()
        finally:
            doc.close()


def render_pdf_page(path: Path, number: int) -> np.ndarray:
    with _one_page(path, number) as page:
        return render(page)


def page_size_pt(path: Path, number: int) -> tuple[float, float]:
    """(width, height) in points as displayed (rotation applied), like the rendered image."""
    with _one_page(path, number) as page:
        return page.get_size()

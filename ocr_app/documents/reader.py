"""`open_pages`: page count plus a lazy page iterator for any supported file."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import numpy as np

from ..engine import ErrorKind
from . import frames, pdfdoc
from .formats import is_pdf, is_supported
from .model import DocumentError, Page

_EMPTY = np.zeros((0, 0, 3), np.uint8)


class PageIterator(Iterator[Page]):
    """Lazy pages; `close()` releases the file at once, even if iteration never started
    (a plain generator would keep the PDF open until garbage collection, which on
    Windows also blocks deleting the file)."""

    def __init__(self, pages: Generator[Page, None, None], on_close: Callable[[], None] | None = None):
        self._pages = pages
        self._on_close = on_close

    def __next__(self) -> Page:
        return next(self._pages)

    def close(self) -> None:
        self._pages.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __del__(self) -> None:
        self.close()


def open_pages(path: str | Path, *, text_layer: bool = True) -> tuple[int, PageIterator]:
    """(page_count, iterator of Page rendered one at a time).

    Raises DocumentError now (not during iteration) for password-protected, damaged or
    unsupported files. `text_layer=False` skips reading a PDF's own text.
    """
    path = Path(path)
    if not is_supported(path):
        raise DocumentError(f"{path.name}: unsupported file type", ErrorKind.UNSUPPORTED)
    if is_pdf(path):
        with pdfdoc.PDFIUM_LOCK:
            doc = pdfdoc.open_pdf(path)
            count = len(doc)
        return count, PageIterator(pdfdoc.iter_pdf_pages(doc, with_text=text_layer), lambda: pdfdoc.close_pdf(doc))
    scan = frames.scan_frames(path)  # DocumentError here, not mid-iteration
    return scan.count, PageIterator(frames.iter_frames(path, scan))


def render_page(path: str | Path, number: int) -> np.ndarray:
    """BGR image of one page (1-based), as `open_pages` would render it."""
    path = Path(path)
    if is_pdf(path):
        return pdfdoc.render_pdf_page(path, number)
    return frames.render_frame(path, number)


def read_page(path: str | Path, number: int, *, text_layer: bool = True) -> Page:
    """Page `number` (1-based) on its own, as `open_pages` would yield it: random access,
    so page-level tasks (bulk) never render the pages before it. DocumentError when the
    file cannot be opened or has no such page; a page that fails to render is a Page
    with `error`, as in iteration."""
    path = Path(path)
    if not is_supported(path):
        raise DocumentError(f"{path.name}: unsupported file type", ErrorKind.UNSUPPORTED)
    if is_pdf(path):
        doc = pdfdoc.open_pdf(path)
        try:
            with pdfdoc.PDFIUM_LOCK:
                count = len(doc)
            if not 1 <= number <= count:
                raise DocumentError(f"{path.name} has no page {number}")
            return pdfdoc._load_page(doc, number - 1, text_layer)
        finally:
            pdfdoc.close_pdf(doc)
    scan = frames.scan_frames(path)
    if scan.damaged and number == scan.count:
        return Page(number, _EMPTY, error=f"the file is damaged or truncated after page {scan.readable}; "
                                          "the rest of it cannot be read")
    if not 1 <= number <= scan.readable:
        raise DocumentError(f"{path.name} has no page {number}")
    t = time.perf_counter()
    try:
        image = frames.render_frame(path, number)
    except MemoryError:
        return Page(number, _EMPTY, error="not enough memory for this page")
    except DocumentError as exc:
        return Page(number, _EMPTY, error=str(exc))
    return Page(number, image, render_ms=(time.perf_counter() - t) * 1000)


def page_size_points(path: str | Path, number: int = 1) -> tuple[float, float] | None:
    """Physical size of a page in points (PDF page box, or a scan's recorded DPI); None if unknown."""
    path = Path(path)
    try:
        if is_pdf(path):
            return pdfdoc.page_size_pt(path, number)
        return frames.page_size_pt(path, number)
    except Exception:  # damaged files raise all sorts (TypeError, SyntaxError…): size unknown
        return None


__all__ = ["DocumentError", "PageIterator", "open_pages", "page_size_points", "read_page", "render_page"]

"""`open_pages`: page count plus a lazy page iterator for any supported file."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import numpy as np

from . import frames, pdfdoc
from .formats import is_pdf, is_supported
from .model import DocumentError, Page


def open_pages(path: str | Path, *, text_layer: bool = True) -> tuple[int, Generator[Page, None, None]]:
    """(page_count, iterator of Page rendered one at a time).

    Raises DocumentError now (not during iteration) for password-protected, damaged or
    unsupported files. `text_layer=False` skips reading a PDF's own text.
    """
    path = Path(path)
    if not is_supported(path):
        raise DocumentError(f"{path.name}: unsupported file type")
    if is_pdf(path):
        with pdfdoc.PDFIUM_LOCK:
            doc = pdfdoc.open_pdf(path)
            count = len(doc)
        return count, pdfdoc.iter_pdf_pages(doc, with_text=text_layer)
    return frames.frame_count(path), frames.iter_frames(path)


def render_page(path: str | Path, number: int) -> np.ndarray:
    """BGR image of one page (1-based), as `open_pages` would render it."""
    path = Path(path)
    if is_pdf(path):
        return pdfdoc.render_pdf_page(path, number)
    return frames.render_frame(path, number)


__all__ = ["DocumentError", "open_pages", "render_page"]

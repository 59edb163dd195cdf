"""Documents (Qt-free): PDF, multi-page TIFF and animated GIF/WebP as sequences of pages.

    total, pages = open_pages(path)          # DocumentError (with a kind) for password/damaged files

OCR of whole documents is the job runner's (`ocr_app.jobs.run_source`).

PDF pages are rendered with pypdfium2 at ~200 DPI (capped at 12 MP / 6000 px a side),
one page at a time. A page that carries a real text layer (born-digital) is not OCR'd
when `use_text_layer` is on (the default): its text and boxes come from the PDF.

Such a page's result has `origin` Origin.TEXT_LAYER (timings["text_layer"] is the
extraction time in ms); its lines keep kind "text" with confidence 1.0 and
char_confidences of 1.0. Every page result also has timings["render"].
A page whose only text is a handful of characters on top of a full-page image (a scan
with a page stamp) is OCR'd instead.
"""

from .formats import SUPPORTED_EXTS, is_document, is_supported
from .model import DocumentError, Page
from .reader import PageIterator, open_pages, page_size_points, read_page, render_page

__all__ = ["SUPPORTED_EXTS", "DocumentError", "Page", "PageIterator", "is_document", "is_supported",
           "open_pages", "page_size_points", "read_page", "render_page"]

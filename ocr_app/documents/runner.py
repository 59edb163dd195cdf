"""OCR a whole document page by page: progress, cancel, one page in memory at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..engine import Engine, OcrResult
from .formats import is_document
from .model import Page
from .reader import open_pages


def _from_text_layer(page: Page, name: str) -> OcrResult:
    h, w = page.image.shape[:2]
    timings = {"render": page.render_ms, "text_layer": page.text_ms, "total": page.render_ms + page.text_ms}
    return OcrResult(source=name, lines=list(page.text_lines or []), timings=timings, image_size=(w, h),
                     page=page.number)


def ocr_page(engine: Engine, page: Page, name: str, use_text_layer: bool = True) -> OcrResult:
    if page.error is not None:
        return OcrResult(source=name, error=page.error, page=page.number, timings={"total": page.render_ms})
    if use_text_layer and page.text_lines:
        return _from_text_layer(page, name)
    res = engine.run(page.image, name=name)
    res.page = page.number
    res.timings = {"render": round(page.render_ms, 1), **res.timings}
    return res


def ocr_document(engine: Engine, path: str | Path, *, use_text_layer: bool = True,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> list[OcrResult]:
    """One OcrResult per page, in order (fewer if cancelled between pages).

    Raises DocumentError when the file as a whole cannot be opened; a page that fails
    gives a result with `error` set and the rest continue. A plain image (not a
    document) gives one result with page None, exactly as `engine.run(path)` would.
    """
    path = Path(path)
    if not is_document(path):
        if progress:
            progress(0, 1)
        res = engine.run(path, name=path.name)
        if progress:
            progress(1, 1)
        return [res]
    total, pages = open_pages(path, text_layer=use_text_layer)
    results: list[OcrResult] = []
    if progress:
        progress(0, total)
    try:
        while True:
            if cancelled is not None and cancelled():
                break
            page = next(pages, None)
            if page is None:
                break
            results.append(ocr_page(engine, page, path.name, use_text_layer))
            del page  # drop the rendered image before the next one is made
            if progress:
                progress(len(results), total)
    finally:
        pages.close()
    return results

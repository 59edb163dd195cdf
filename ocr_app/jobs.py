"""The one job runner: what the user gave (a path, uploaded or pasted bytes, captured
pixels) → pages → results. Every consumer (CLI, window, server, capture, bulk, bench)
goes through `run_source`, so a file is opened, paged and decoded one way everywhere.

    for result in run_source(engine, Source.from_path(p), progress=cb, cancelled=stop):
        ...

Plain images give one result (page None); PDFs, multi-page TIFFs and animated GIF/WebP
give one result per page, rendered one at a time, with `result.page` set. A born-digital
PDF page's own text is used instead of OCR (`result.origin is Origin.TEXT_LAYER`) unless
`use_text_layer=False`. Bad input never raises here: it becomes a result with an error.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .engine import Engine, ErrorKind, OcrResult, Origin, lay_out, load
from .engine import preview as engine_preview

PDF_MAGIC = b"%PDF-"
MULTI_FRAME_MAGIC = {b"II*\x00": ".tif", b"MM\x00*": ".tif", b"GIF8": ".gif", b"RIFF": ".webp"}
UPLOAD_LABELS = {".pdf": "PDF", ".tif": "TIFF", ".gif": "GIF", ".webp": "WebP"}

Progress = Callable[[int, int], None]  # (pages done, pages in all)


@dataclass(frozen=True)
class Source:
    """One thing to read. Exactly one of `path`, `data`, `image` is set."""

    name: str  # what people call it: the file name, or a label for bytes and pixels
    path: Path | None = None
    data: bytes | None = None
    image: np.ndarray | None = None  # BGR or gray pixels (a screen capture)

    @classmethod
    def from_path(cls, path: str | Path) -> Source:
        path = Path(path)
        return cls(name=path.name, path=path)

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "image") -> Source:
        return cls(name=name, data=bytes(data))

    @classmethod
    def from_image(cls, image: np.ndarray, name: str = "capture") -> Source:
        return cls(name=name, image=image)

    @property
    def raw(self) -> str | Path | bytes | np.ndarray:
        """What `Engine.run` takes for this source as one image."""
        if self.image is not None:
            return self.image
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path


def _documents():
    """The documents package (PDF, TIFF, GIF pages); None in a build without it."""
    try:
        from . import documents
    except ImportError:
        return None
    return documents


def document_suffix(source: Source) -> str | None:
    """The suffix that names the source's multi-page format (".pdf", ".tif", ...), or None
    when it is one image. Paths go by extension (as the file dialogs do), bytes by magic."""
    if source.image is not None:
        return None
    docs = _documents()
    if source.path is not None:
        if docs is None or not docs.is_document(source.path):
            return None
        return source.path.suffix.lower()
    data = source.data or b""
    if data.startswith(PDF_MAGIC):
        return ".pdf"
    suffix = MULTI_FRAME_MAGIC.get(data[:4])
    if suffix == ".webp" and data[8:12] != b"WEBP":
        return None
    return suffix


def is_multipage(source: Source) -> bool:
    return document_suffix(source) is not None


@contextmanager
def _document_path(source: Source, suffix: str) -> Iterator[Path]:
    """The documents reader works on files (pdfium renders lazily from one): uploaded
    bytes go to a private temporary file for as long as the pages are read."""
    if source.path is not None:
        yield source.path
        return
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="ocrdesk-")
    path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(source.data or b"")
        yield path
    finally:
        path.unlink(missing_ok=True)


def _scrub(message: str, path: Path, source: Source) -> str:
    """Messages about a temporary copy name the source instead (the temp file's name and
    folder are nobody's business)."""
    if source.path is not None:
        return message
    label = f"uploaded {UPLOAD_LABELS.get(path.suffix, 'file')}" if source.name in ("", "image") else source.name
    return message.replace(str(path), label).replace(path.name, label)


def run_source(engine: Engine, source: Source, *, use_text_layer: bool = True, max_pages: int | None = None,
               progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
               use_cache: bool = True) -> Iterator[OcrResult]:
    """Results in page order: one for an image, one per page for a document (fewer when
    cancelled between pages or past `max_pages`). Never raises for bad input."""
    suffix = document_suffix(source)
    docs = _documents() if suffix is not None else None
    if suffix is None or docs is None:
        if progress:
            progress(0, 1)
        yield engine.run(source.raw, name=source.name, use_cache=use_cache)
        if progress:
            progress(1, 1)
        return
    with _document_path(source, suffix) as path:
        try:
            total, pages = docs.open_pages(path, text_layer=use_text_layer)
        except docs.DocumentError as exc:
            if source.path is None and suffix != ".pdf":  # bytes that only looked like a multi-page file
                yield engine.run(source.raw, name=source.name, use_cache=use_cache)
                return
            yield OcrResult.failed(source.name, exc.kind, _scrub(str(exc), path, source))
            return
        except Exception as exc:  # a damaged file the readers did not anticipate
            message = _scrub(f"cannot read document ({type(exc).__name__}: {exc})", path, source)
            yield OcrResult.failed(source.name, ErrorKind.DAMAGED, message)
            return
        if source.path is None and suffix != ".pdf" and total <= 1:
            # Uploaded bytes of a one-frame TIFF/GIF/WebP are an image: read (and cached) as one.
            pages.close()
            yield engine.run(source.raw, name=source.name, use_cache=use_cache)
            return
        if progress:
            progress(0, total)
        done = 0
        try:
            while not (cancelled is not None and cancelled()) and (max_pages is None or done < max_pages):
                page = next(pages, None)
                if page is None:
                    break
                result = _page_result(engine, page, source.name, use_text_layer, use_cache)
                if result.error:
                    result.error = _scrub(result.error, path, source)
                del page  # one rendered page in memory at a time
                done += 1
                yield result
                if progress:
                    progress(done, total)
        finally:
            pages.close()


def run_page(engine: Engine, source: Source, number: int | None, *, use_text_layer: bool = True,
             use_cache: bool = True) -> OcrResult:
    """Page `number` (1-based) of a document read on its own, the same result `run_source`
    gives for it: page-level tasks (bulk) spread one big PDF over many workers. A plain
    image (or `number` None) is one `run_source` result. Never raises for bad input."""
    suffix = document_suffix(source)
    docs = _documents() if suffix is not None else None
    if suffix is None or docs is None or number is None:
        return next(run_source(engine, source, use_text_layer=use_text_layer, max_pages=1, use_cache=use_cache))
    with _document_path(source, suffix) as path:
        try:
            page = docs.read_page(path, number, text_layer=use_text_layer)
        except docs.DocumentError as exc:
            return OcrResult.failed(source.name, exc.kind, _scrub(str(exc), path, source), page=number)
        except Exception as exc:  # a damaged file the readers did not anticipate
            message = _scrub(f"cannot read document ({type(exc).__name__}: {exc})", path, source)
            return OcrResult.failed(source.name, ErrorKind.DAMAGED, message, page=number)
        result = _page_result(engine, page, source.name, use_text_layer, use_cache)
        if result.error:
            result.error = _scrub(result.error, path, source)
        return result


def _page_result(engine: Engine, page, name: str, use_text_layer: bool, use_cache: bool) -> OcrResult:
    if page.error is not None:
        return OcrResult.failed(name, page.error_kind, page.error, page=page.number,
                                timings={"total": page.render_ms})
    if use_text_layer and page.text_lines:
        h, w = page.image.shape[:2]
        timings = {"render": page.render_ms, "text_layer": page.text_ms, "total": page.render_ms + page.text_ms}
        return OcrResult(source=name, lines=lay_out(list(page.text_lines)), timings=timings, image_size=(w, h),
                         page=page.number, origin=Origin.TEXT_LAYER)
    res = engine.run(page.image, name=name, use_cache=use_cache)
    res.page = page.number
    res.timings = {"render": round(page.render_ms, 1), **res.timings}
    return res


def run_all(engine: Engine, source: Source, **options) -> list[OcrResult]:
    """`run_source` as a list."""
    return list(run_source(engine, source, **options))


def page_image(source: Source, page: int | None = None) -> np.ndarray:
    """The pixels OCR reads for one page (1-based; None for a plain image): the engine's
    loader for images (EXIF rotation, size cap), the document renderer for pages.
    Raises ImageLoadError or DocumentError with a kind."""
    suffix = document_suffix(source)
    docs = _documents() if suffix is not None else None
    if suffix is None or docs is None:
        return load(source.raw).image
    with _document_path(source, suffix) as path:
        return docs.render_page(path, page or 1)


def preview(source: Source, page: int | None = None,
            unbend: Callable[[np.ndarray], np.ndarray | None] | None = None) -> dict[str, np.ndarray]:
    """{"original": ..., stage: image} for the compare view: no OCR, and no models unless
    `unbend` (an engine's `unbent`, when it dewarps pages) makes the flattened stage the
    unbent page that is read."""
    image = page_image(source, page)
    views = engine_preview(image)
    unbent = unbend(image) if unbend is not None else None
    if unbent is not None:
        views["flattened"] = unbent
    return views


def page_count(source: Source) -> int:
    suffix = document_suffix(source)
    docs = _documents() if suffix is not None else None
    if suffix is None or docs is None:
        return 1
    with _document_path(source, suffix) as path:
        total, pages = docs.open_pages(path, text_layer=False)
        pages.close()
        return total


__all__ = ["Progress", "Source", "document_suffix", "is_multipage", "page_count", "page_image", "preview",
           "run_all", "run_page", "run_source"]

"""What the endpoints do, apart from HTTP: run OCR on an upload, report health.

Uploads go through the one job runner (`ocr_app.jobs.run_source`), which pages PDFs and
multi-frame TIFF/GIF/WebP and keeps their bytes in a private temp file; this module only
caps the pages, holds an OCR slot and shapes the reply.

Concurrent OCR is capped by a semaphore: every request thread shares one Engine whose
ONNX Runtime sessions already use all cores, so running more images at once only adds
memory and contention. Requests wait their turn (bounded) instead of piling up.
Bytes already recognised recently skip the queue: they are (almost always) answered from
the engine's cache in microseconds, and must not wait seconds behind real OCR work.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from ocr_app.engine import DEFAULT_LAYOUT, LAYOUT_MODES, Engine, ErrorKind, OcrResult
from ocr_app.jobs import Source, document_suffix, run_source

from .replies import document_json, result_json, status_for
from .uploads import HttpError, Upload

QUEUE_TIMEOUT_S = 120.0
MAX_PAGES = 100  # one request must not hold an OCR slot for a whole book


@dataclass
class Reading:
    """What one upload gave: its page results, the document's page count and the wall time.
    Both APIs (/ocr and the Umi-compatible /api/ocr) shape their replies from it."""

    results: list[OcrResult]
    page_count: int
    ms: float
    paged: bool  # a document read page by page (PDF, multi-frame TIFF/GIF), not one image
    started: float  # wall-clock time (s) the work began, for Umi's `timestamp`


def check_layout(layout: str | None, default: str = DEFAULT_LAYOUT) -> str:
    """The layout mode asked for (or `default`); 400 for a mode that does not exist."""
    if layout is None or layout == "":
        return default
    if layout not in LAYOUT_MODES:
        raise HttpError(400, f"unknown layout {layout[:40]!r}: choose one of {', '.join(LAYOUT_MODES)}")
    return layout


def documents_available() -> bool:
    """Whether this build reads PDFs and multi-page files (the documents package is optional)."""
    try:
        return importlib.util.find_spec("ocr_app.documents") is not None
    except (ImportError, ValueError):
        return False


class OcrService:
    def __init__(self, engine: Engine, max_concurrent: int = 2, queue_timeout: float = QUEUE_TIMEOUT_S,
                 use_text_layer: bool = True, layout: str = DEFAULT_LAYOUT):
        self.engine = engine
        self.layout = check_layout(layout)  # `full_text`'s mode when a request names none
        self.queue_timeout = queue_timeout  # how long a request waits for a free OCR slot before 503
        self.use_text_layer = use_text_layer
        self.started = time.monotonic()
        self._slots = threading.BoundedSemaphore(max(1, max_concurrent))
        self._lock = threading.Lock()
        self.counts = {"requests": 0, "ok": 0, "errors": 0}
        self.pdf = documents_available()
        # Digests of uploads the engine has cached; never larger than the engine's cache, so an
        # entry here means "probably a hit" (if the engine evicted it, one request skips the queue).
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._seen_max = max(0, getattr(engine.cache, "max_items", 256))

    def count(self, ok: bool) -> None:
        with self._lock:
            self.counts["requests"] += 1
            self.counts["ok" if ok else "errors"] += 1

    def ocr(self, upload: Upload, layout: str | None = None) -> dict:
        """Upload → reply dict (`full_text` in `layout`, else the upload's own `layout`, else
        the server's); raises HttpError (status from the result's error kind) for input the
        engine refuses."""
        mode = check_layout(upload.layout if upload.layout is not None else layout, self.layout)
        got = self.read(upload)
        if not got.paged:  # one image (or a document that could not be opened)
            return result_json(got.results[0], mode)
        reply = document_json(got.results, got.ms, mode)
        reply["page_count"] = got.page_count
        reply["truncated"] = len(got.results) < got.page_count
        return reply

    def read(self, upload: Upload) -> Reading:
        """Upload → its pages' results under the OCR slots; raises HttpError when the engine
        refuses the input (no page readable) or the server is busy."""
        source = Source.from_bytes(upload.data, upload.name or "image")
        suffix = document_suffix(source)
        if suffix == ".pdf" and not self.pdf:
            raise HttpError(415, "PDF input is not supported by this build (no ocr_app.documents)",
                            ErrorKind.UNSUPPORTED)
        digest = None if suffix == ".pdf" else hashlib.blake2b(upload.data, digest_size=16).digest()
        if digest is not None and self._recently_seen(digest):
            return self._run(source, digest)
        if not self._slots.acquire(timeout=self.queue_timeout):
            raise HttpError(503, "server busy, try again later")
        try:
            return self._run(source, digest)
        finally:
            self._slots.release()

    def _recently_seen(self, digest: bytes) -> bool:
        with self._lock:
            if digest in self._seen:
                self._seen.move_to_end(digest)
                return True
        return False

    def _remember(self, digest: bytes) -> None:
        with self._lock:
            self._seen[digest] = None
            self._seen.move_to_end(digest)
            while len(self._seen) > self._seen_max:
                self._seen.popitem(last=False)

    def _run(self, source: Source, digest: bytes | None) -> Reading:
        wall = time.time()
        started = time.perf_counter()
        count = {"done": 0, "total": 0}

        def progress(done: int, total: int) -> None:
            count.update(done=done, total=total)

        results = list(run_source(self.engine, source, use_text_layer=self.use_text_layer, max_pages=MAX_PAGES,
                                  progress=progress, use_cache=True))
        if not results:
            raise HttpError(400, "the document has no pages", ErrorKind.EMPTY)
        ms = (time.perf_counter() - started) * 1000
        if len(results) == 1 and results[0].page is None:  # one image (or a document that could not be opened)
            res = results[0]
            if not res.ok:
                raise HttpError(status_for(res.error_kind), res.error or "OCR failed", res.error_kind)
            if digest is not None:
                self._remember(digest)
            return Reading(results, 1, ms, paged=False, started=wall)
        if not any(res.ok for res in results):  # nothing to return: an error, not a 200 with no text
            first = results[0]
            raise HttpError(status_for(first.error_kind), f"no page could be read: {first.error or 'OCR failed'}",
                            first.error_kind)
        return Reading(results, count["total"], ms, paged=True, started=wall)

    def health(self) -> dict:
        info = self.engine.info()
        with self._lock:
            counts = dict(self.counts)
        return {
            "success": True,
            "status": "ok",
            "models": {k: info.get(k) for k in ("set", "det", "rec", "cls")},
            "precision": info.get("precision"),
            "threads": info.get("threads"),
            "classifier": info.get("classifier"),
            "uptime_s": round(time.monotonic() - self.started, 1),
            "cache": self.engine.cache.stats(),
            "requests": counts,
            "pdf": self.pdf,
        }

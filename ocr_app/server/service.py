"""What the endpoints do, apart from HTTP: run OCR on an upload, report health.

Concurrent OCR is capped by a semaphore: every request thread shares one Engine whose
ONNX Runtime sessions already use all cores, so running more images at once only adds
memory and contention. Requests wait their turn (bounded) instead of piling up.
Bytes already recognised recently skip the queue: they are (almost always) answered from
the engine's cache in microseconds, and must not wait seconds behind real OCR work.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

from ocr_app.engine import Engine

from .inputs import HttpError, Upload
from .replies import document_json, result_json, status_for_error

PDF_MAGIC = b"%PDF-"
QUEUE_TIMEOUT_S = 120.0


def _documents():
    """The optional documents package (PDF rendering); None when this build lacks it."""
    try:
        from ocr_app import documents
        from ocr_app.documents import DocumentError, ocr_document  # noqa: F401 - must exist, not a stub
    except ImportError:
        return None
    return documents


class OcrService:
    def __init__(self, engine: Engine, max_concurrent: int = 2, queue_timeout: float = QUEUE_TIMEOUT_S):
        self.engine = engine
        self.queue_timeout = queue_timeout  # how long a request waits for a free OCR slot before 503
        self.started = time.monotonic()
        self._slots = threading.BoundedSemaphore(max(1, max_concurrent))
        self._lock = threading.Lock()
        self.counts = {"requests": 0, "ok": 0, "errors": 0}
        # Digests of uploads the engine has cached; never larger than the engine's cache, so an
        # entry here means "probably a hit" (if the engine evicted it, one request skips the queue).
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._seen_max = max(0, getattr(engine.cache, "max_items", 256))

    def count(self, ok: bool) -> None:
        with self._lock:
            self.counts["requests"] += 1
            self.counts["ok" if ok else "errors"] += 1

    def ocr(self, upload: Upload) -> dict:
        """Upload → reply dict; raises HttpError for input the engine refuses."""
        is_pdf = upload.data[:5] == PDF_MAGIC or upload.content_type == "application/pdf"
        digest = None if is_pdf else hashlib.blake2b(upload.data, digest_size=16).digest()
        if digest is not None and self._recently_seen(digest):
            return self._image(upload, digest)
        if not self._slots.acquire(timeout=self.queue_timeout):
            raise HttpError(503, "server busy, try again later")
        try:
            return self._pdf(upload) if is_pdf else self._image(upload, digest)
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

    def _image(self, upload: Upload, digest: bytes | None) -> dict:
        res = self.engine.run(upload.data, name=upload.name, use_cache=True)
        if not res.ok:
            raise HttpError(status_for_error(res.error or ""), res.error or "OCR failed")
        if digest is not None:
            self._remember(digest)
        return result_json(res)

    def _pdf(self, upload: Upload) -> dict:
        documents = _documents()
        if documents is None:
            raise HttpError(415, "PDF input is not supported by this build (no ocr_app.documents)")
        started = time.perf_counter()
        # The documents API reads from a path (pdfium renders lazily from the file).
        fd, tmp = tempfile.mkstemp(suffix=".pdf", prefix="ocrdesk-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(upload.data)
            try:
                pages = documents.ocr_document(self.engine, Path(tmp))
            except documents.DocumentError as exc:
                raise HttpError(400, str(exc)) from exc
        finally:
            Path(tmp).unlink(missing_ok=True)
        for res in pages:
            res.source = upload.name
        return document_json(pages, (time.perf_counter() - started) * 1000)

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
            "pdf": _documents() is not None,
        }

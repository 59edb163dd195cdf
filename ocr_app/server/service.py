"""What the endpoints do, apart from HTTP: run OCR on an upload, report health.

Concurrent OCR is capped by a semaphore: every request thread shares one Engine whose
ONNX Runtime sessions already use all cores, so running more images at once only adds
memory and contention. Requests wait their turn (bounded) instead of piling up.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
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
    def __init__(self, engine: Engine, max_concurrent: int = 2):
        self.engine = engine
        self.started = time.monotonic()
        self._slots = threading.BoundedSemaphore(max(1, max_concurrent))
        self._lock = threading.Lock()
        self.counts = {"requests": 0, "ok": 0, "errors": 0}

    def count(self, ok: bool) -> None:
        with self._lock:
            self.counts["requests"] += 1
            self.counts["ok" if ok else "errors"] += 1

    def ocr(self, upload: Upload) -> dict:
        """Upload → reply dict; raises HttpError for input the engine refuses."""
        is_pdf = upload.data[:5] == PDF_MAGIC or upload.content_type == "application/pdf"
        if not self._slots.acquire(timeout=QUEUE_TIMEOUT_S):
            raise HttpError(503, "server busy, try again later")
        try:
            return self._pdf(upload) if is_pdf else self._image(upload)
        finally:
            self._slots.release()

    def _image(self, upload: Upload) -> dict:
        res = self.engine.run(upload.data, name=upload.name, use_cache=True)
        if not res.ok:
            raise HttpError(status_for_error(res.error or ""), res.error or "OCR failed")
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

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
MULTI_FRAME_MAGIC = {b"II*\x00": ".tif", b"MM\x00*": ".tif", b"GIF8": ".gif"}  # may hold several pages
QUEUE_TIMEOUT_S = 120.0
MAX_PAGES = 100  # one request must not hold an OCR slot for a whole book


def _documents():
    """The optional documents package (PDF rendering); None when this build lacks it."""
    try:
        from ocr_app import documents
        from ocr_app.documents import DocumentError, ocr_document  # noqa: F401 - must exist, not a stub
    except ImportError:
        return None
    return documents


UPLOAD_LABELS = {".pdf": "uploaded PDF", ".tif": "uploaded TIFF", ".gif": "uploaded GIF"}


def _scrub(message: str, path: Path, suffix: str) -> str:
    """Document messages name the file they read; here that is our temp file, whose name
    (and directory) is none of the client's business: say "uploaded PDF" instead."""
    label = UPLOAD_LABELS.get(suffix, "upload")
    return message.replace(str(path), label).replace(path.name, label)


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
        suffix = self._document_suffix(upload)
        digest = None if suffix == ".pdf" else hashlib.blake2b(upload.data, digest_size=16).digest()
        if digest is not None and self._recently_seen(digest):
            return self._image(upload, digest)
        if not self._slots.acquire(timeout=self.queue_timeout):
            raise HttpError(503, "server busy, try again later")
        try:
            if suffix is not None:
                reply = self._document(upload, suffix)
                if reply is not None:
                    return reply
            return self._image(upload, digest)
        finally:
            self._slots.release()

    @staticmethod
    def _document_suffix(upload: Upload) -> str | None:
        """".pdf" / ".tif" / ".gif" when the bytes may be a multi-page document, else None."""
        if upload.data[:5] == PDF_MAGIC or upload.content_type == "application/pdf":
            return ".pdf"
        return MULTI_FRAME_MAGIC.get(upload.data[:4])

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

    def _document(self, upload: Upload, suffix: str) -> dict | None:
        """Per-page reply for a PDF or a multi-frame TIFF/GIF; None = treat it as one image."""
        documents = _documents()
        if documents is None:
            if suffix == ".pdf":
                raise HttpError(415, "PDF input is not supported by this build (no ocr_app.documents)")
            return None
        started = time.perf_counter()
        # The documents API reads from a path (pdfium renders lazily from the file).
        fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="ocrdesk-")
        path = Path(tmp)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(upload.data)
            try:
                if suffix != ".pdf":
                    total, pages_iter = documents.open_pages(path)
                    pages_iter.close()
                    if total <= 1:
                        return None  # a plain single-frame image: the cached image path answers it
                count = {"done": 0, "total": 0}
                pages = documents.ocr_document(self.engine, path,
                                               progress=lambda n, total: count.update(done=n, total=total),
                                               cancelled=lambda: count["done"] >= MAX_PAGES)
            except documents.DocumentError as exc:
                if suffix != ".pdf":
                    return None  # let the image loader give its own reason
                raise HttpError(400, _scrub(str(exc), path, suffix)) from exc
        finally:
            path.unlink(missing_ok=True)
        if not pages:
            raise HttpError(400, "the document has no pages")
        for res in pages:
            res.source = upload.name
            if res.error:
                res.error = _scrub(res.error, path, suffix)
        if not any(res.ok for res in pages):  # nothing to return: an error, not a 200 with no text
            first = pages[0].error or "OCR failed"
            raise HttpError(status_for_error(first), f"no page could be read: {first}")
        reply = document_json(pages, (time.perf_counter() - started) * 1000)
        reply["page_count"] = count["total"]
        reply["truncated"] = count["done"] < count["total"]
        return reply

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

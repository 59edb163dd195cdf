"""Background work: QRunnables that call the one shared Engine and report back by signal.

Signals are emitted from pool threads and delivered (queued) on the GUI thread, so the
window only ever touches widgets from its own thread.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal
from PySide6.QtGui import QImage

from . import imaging, optional

if TYPE_CHECKING:  # heavy (onnxruntime, OpenCV): first imported on a pool thread, by EngineLoader
    import numpy as np

    from ocr_app.engine import Engine, EngineConfig, OcrResult
from .qtfix import emit


@dataclass
class Job:
    """What a worker needs to know about an item (a copy: workers never touch the model)."""

    item_id: int
    name: str
    path: Path | None
    data: bytes | None
    document: bool


class TaskSignals(QObject):
    started = Signal(int)  # item id
    progress = Signal(int, int, int)  # item id, pages done, pages total
    page_done = Signal(int, object, int)  # item id, OcrResult of the next page, pages total
    finished = Signal(int, object, object, object)  # item id, list[OcrResult], thumbnail QImage, stages dict


class OcrTask(QRunnable):
    """OCR one batch item: an image (one engine call) or a document (page by page)."""

    def __init__(self, engine: Engine, job: Job, signals: TaskSignals, cancelled: threading.Event):
        super().__init__()
        self.setAutoDelete(True)
        self.engine, self.job, self.signals, self.cancelled = engine, job, signals, cancelled

    def run(self) -> None:
        from ocr_app.engine import OcrResult

        job = self.job
        emit(self.signals.started, job.item_id)
        stages: dict[str, np.ndarray] = {}
        thumb = QImage()
        try:
            if job.document:
                pages, thumb = self._document()
            else:
                source = job.data if job.data is not None else job.path
                res = self.engine.run(source, name=job.name, want_stages=True)
                stages, res.stages = res.stages, {}
                pages = [res]
                if res.ok:
                    thumb = imaging.read_thumbnail(job.path, job.data)
        except Exception as exc:  # a bug must not take the batch (or the window) down
            traceback.print_exc()
            pages = [OcrResult(source=job.name, error=f"internal error: {exc}")]
        emit(self.signals.finished, job.item_id, pages, thumb, stages)

    def _document(self) -> tuple[list[OcrResult], QImage]:
        """Page by page (the same steps as documents.ocr_document), each page reported as it
        is done so the user can read page 1 while page 40 renders; cancel stops between pages."""
        from ocr_app.engine import OcrResult

        docs = optional.documents()
        assert docs is not None and self.job.path is not None
        path, name, item_id = self.job.path, self.job.name, self.job.item_id
        try:
            total, pages = docs.open_pages(path)
        except docs.DocumentError as exc:  # password-protected, damaged: the whole file fails
            return [OcrResult(source=name, error=str(exc) or "cannot open document")], QImage()
        emit(self.signals.progress, item_id, 0, total)
        results: list[OcrResult] = []
        thumb = QImage()
        try:
            while not self.cancelled.is_set():
                page = next(pages, None)
                if page is None:
                    break
                if thumb.isNull() and page.error is None:
                    thumb = imaging.thumbnail(imaging.to_qimage(page.image))
                res = docs.ocr_page(self.engine, page, name)
                res.source = name
                del page  # one rendered page in memory at a time
                results.append(res)
                emit(self.signals.page_done, item_id, res, total)
        finally:
            pages.close()
        return results, thumb


class ViewSignals(QObject):
    ready = Signal(object, object, object)  # key (item id, page), original QImage, {stage: QImage}


class ViewTask(QRunnable):
    """Images for the side-by-side view: the original and the engine's preprocessing stages."""

    def __init__(self, engine: Engine | None, key: tuple[int, int], job: Job, page: int | None,
                 stages: dict[str, np.ndarray] | None, signals: ViewSignals):
        super().__init__()
        self.engine, self.key, self.job, self.page, self.stages, self.signals = engine, key, job, page, stages, signals

    def run(self) -> None:
        try:
            original_arr = None
            if self.page is not None:
                original_arr = self._render_page()
                original = imaging.to_qimage(original_arr) if original_arr is not None else QImage()
            else:
                original = imaging.read_image(self.job.path, self.job.data)
            stages = self.stages
            if not stages and self.engine is not None:
                source = original_arr if original_arr is not None else (
                    self.job.data if self.job.data is not None else self.job.path)
                stages = self.engine.run(source, name=self.job.name, want_stages=True).stages
            qstages = {name: imaging.to_qimage(arr) for name, arr in (stages or {}).items()}
        except Exception:
            traceback.print_exc()
            original, qstages = QImage(), {}
        emit(self.signals.ready, self.key, original, qstages)

    def _render_page(self) -> np.ndarray | None:
        docs = optional.documents()
        if docs is None or self.job.path is None or self.page is None:
            return None
        return docs.render_page(self.job.path, self.page)


class LoaderSignals(QObject):
    loaded = Signal(object)  # Engine
    failed = Signal(str)  # user-facing message


class EngineLoader(QRunnable):
    """Imports and builds the Engine off the GUI thread so the window shows at once."""

    def __init__(self, config: Callable[[], EngineConfig], signals: LoaderSignals):
        super().__init__()
        self.config, self.signals = config, signals

    def run(self) -> None:
        from ocr_app.engine import Engine, ModelError

        try:
            engine = Engine(self.config())
        except ModelError as exc:
            emit(self.signals.failed, str(exc))
            return
        except Exception as exc:
            emit(self.signals.failed, f"{type(exc).__name__}: {exc}")
            return
        emit(self.signals.loaded, engine)

"""Background work: QRunnables that call the one shared Engine and report back by signal.

Signals are emitted from pool threads and delivered (queued) on the GUI thread, so the
window only ever touches widgets from its own thread. OCR goes through the one job runner
(`ocr_app.jobs.run_source`) like every other consumer; what the compare view shows comes
from `jobs.preview`, which needs no models and never runs OCR.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QSize, Signal
from PySide6.QtGui import QImage

from . import imaging
from .qtfix import emit

if TYPE_CHECKING:  # heavy (onnxruntime, OpenCV): first imported on a pool thread, by EngineLoader
    from ocr_app.engine import Engine, EngineConfig, OcrResult
    from ocr_app.jobs import Source


@dataclass
class Job:
    """What a worker needs to know about an item (a copy: workers never touch the model)."""

    item_id: int
    name: str
    path: Path | None
    data: bytes | None
    document: bool
    store_id: str | None = None  # the item's row in the history store

    def source(self) -> Source:
        from ocr_app.jobs import Source

        if self.data is not None:
            return Source.from_bytes(self.data, self.name)
        assert self.path is not None
        return Source.from_path(self.path)


class TaskSignals(QObject):
    started = Signal(int)  # item id
    progress = Signal(int, int, int)  # item id, pages done, pages total
    page_done = Signal(int, object, int)  # item id, OcrResult of the next page, pages total
    finished = Signal(int, object, object)  # item id, list[OcrResult], thumbnail QImage


class OcrTask(QRunnable):
    """OCR one batch item through `jobs.run_source`: an image gives one result, a document
    one per page, each page reported as it is done (the user reads page 1 while page 40
    renders); cancel stops between pages. Results come from the engine's cache when the
    same bytes were read with the same settings before."""

    def __init__(self, engine: Engine, job: Job, signals: TaskSignals, cancelled: threading.Event,
                 use_text_layer: bool = True, persist=None):
        super().__init__()
        self.setAutoDelete(True)
        self.engine, self.job, self.signals, self.cancelled = engine, job, signals, cancelled
        self.use_text_layer = use_text_layer
        self.persist = persist  # gui.history.History: pages are committed here, before the window shows them

    def run(self) -> None:
        from ocr_app import jobs
        from ocr_app.engine import ErrorKind, OcrResult

        job = self.job
        emit(self.signals.started, job.item_id)
        results: list[OcrResult] = []
        total = [0]

        def progress(done: int, pages: int) -> None:
            total[0] = pages
            if job.document:
                emit(self.signals.progress, job.item_id, done, pages)

        source = job.source()
        fingerprint = self.engine.config.fingerprint()
        if self.persist is not None:
            self.persist.run_started(job)
        try:
            for res in jobs.run_source(self.engine, source, use_text_layer=self.use_text_layer, progress=progress,
                                       cancelled=self.cancelled.is_set, use_cache=True):
                res.source = job.name
                results.append(res)
                if job.document and res.page is not None:  # not a whole-file failure (password, damaged)
                    if self.persist is not None:
                        self.persist.run_pages(job, results, fingerprint, final=False)
                    emit(self.signals.page_done, job.item_id, res, max(total[0], len(results)))
        except Exception as exc:  # a bug must not take the batch (or the window) down
            traceback.print_exc()
            results.append(OcrResult.failed(job.name, ErrorKind.INTERNAL, f"internal error: {exc}"))
        if self.persist is not None:  # committed before the window calls the item done: a kill loses nothing shown
            self.persist.run_pages(job, results, fingerprint, final=True)
        first_ok = next((r for r in results if r.ok), None)
        thumb = page_thumbnail(source, first_ok.page) if first_ok is not None else QImage()
        emit(self.signals.finished, job.item_id, results, thumb)


def page_thumbnail(source: Source, page: int | None, size: QSize = QSize(40, 40)) -> QImage:  # noqa: B008
    """The list's tile, from the pixels OCR read (`jobs.page_image`: EXIF applied, size
    capped); a page that cannot be shown leaves the row without a tile."""
    from ocr_app import jobs

    try:
        pixels = jobs.page_image(source, page)
    except Exception:
        return QImage()
    return imaging.thumbnail(imaging.to_qimage(imaging.subsample(pixels, size.width() * 4)), size)


class ViewSignals(QObject):
    ready = Signal(object, object, object)  # key (item id, page, generation), original QImage, {stage: QImage}


class ViewTask(QRunnable):
    """Images for the side-by-side view: the page as OCR sees it and its preprocessing
    stages, from `jobs.preview` (no models, no OCR, nothing cached in a result)."""

    def __init__(self, key: tuple, job: Job, page: int | None, full_size: tuple[int, int],
                 signals: ViewSignals, unbend=None):
        super().__init__()
        self.key, self.job, self.page, self.full_size, self.signals = key, job, page, full_size, signals
        self.unbend = unbend  # the engine's `unbent` while it dewarps pages (jobs.preview)

    def run(self) -> None:
        from ocr_app import jobs

        try:
            views = jobs.preview(self.job.source(), self.page, self.unbend)
            original = imaging.to_qimage(views.pop("original"))
            imaging.mark_source_size(original, self.full_size)
            qstages = {name: imaging.to_qimage(arr) for name, arr in views.items()}
        except Exception as exc:  # ImageLoadError / DocumentError carry a kind and a message
            kind = getattr(exc, "kind", None)
            if kind is None:
                traceback.print_exc()
            original, qstages = imaging.RefusedImage(str(exc), kind), {}
        emit(self.signals.ready, self.key, original, qstages)


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

"""Schedules batch items onto a QThreadPool, at most `pool size` at a time.

The queue lives here on the GUI thread, so cancelling is just emptying it: running items
finish cleanly and nothing new starts. Shutdown waits for the running ones.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal

from .batch_model import BatchModel
from .items import BatchItem, Status
from .qtfix import emit
from .workers import Job, OcrTask, TaskSignals

if TYPE_CHECKING:
    from ocr_app.engine import Engine, OcrResult


class BatchScheduler(QObject):
    item_started = Signal(int)
    item_finished = Signal(int)  # item id
    page_added = Signal(int)  # item id: a document page finished while the rest still run
    progress_changed = Signal()  # counts / ETA changed
    idle = Signal()  # queue empty and nothing running

    def __init__(self, model: BatchModel, pool_size: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self.model = model
        self.engine: Engine | None = None
        self.use_text_layer = True  # a born-digital PDF page's own text instead of OCR
        self.persist = None  # gui.history.History, set by the window: workers commit pages to the store
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(1, pool_size))
        self.queue: deque[int] = deque()
        self.running: set[int] = set()
        self._cancel = threading.Event()
        self._signals = TaskSignals(self)
        self._signals.started.connect(self._on_started)
        self._signals.progress.connect(self._on_progress)
        self._signals.page_done.connect(self._on_page)
        self._signals.finished.connect(self._on_finished)
        self._durations: list[float] = []
        self._began: dict[int, float] = {}
        self._closing = False
        self._stopped: set[int] = set()  # running items asked to stop

    # ---- control ---------------------------------------------------------------------

    def set_engine(self, engine: Engine) -> None:
        self.engine = engine
        self._pump()

    def set_pool_size(self, size: int) -> None:
        self.pool.setMaxThreadCount(max(1, size))
        self._pump()

    def enqueue(self, items: list[BatchItem]) -> None:
        for item in items:
            if item.status is not Status.QUEUED or item.error:  # new items are queued already
                item.status, item.error, item.error_kind = Status.QUEUED, None, None
                self.model.changed(item.id)
            self.queue.append(item.id)
        self._pump()
        emit(self.progress_changed)

    def cancel(self) -> None:
        """Queued items become cancelled; running ones finish (documents stop at the next page)."""
        self._cancel.set()
        self._cancel = threading.Event()  # for whatever is queued next
        self._stopped |= self.running
        while self.queue:
            item = self.model.get(self.queue.popleft())
            if item is not None and item.status is Status.QUEUED:
                item.status = Status.CANCELLED
                self.model.changed(item.id)
        emit(self.progress_changed)
        if not self.running:
            emit(self.idle)

    def forget(self, item_ids: set[int]) -> None:
        """Items removed from the list: drop them from the queue (running ones are ignored on return)."""
        self.queue = deque(i for i in self.queue if i not in item_ids)
        emit(self.progress_changed)

    def shutdown(self) -> None:
        """Stop for window close: empty the queue, then wait for the running workers.

        An engine call cannot be interrupted, so this waits for it (one image at most per
        worker, typically well under 2 s) rather than leaving threads running at exit.
        """
        self._closing = True
        self.queue.clear()
        self._cancel.set()
        self.pool.waitForDone()
        self.running.clear()  # their (queued) finished signals may still arrive; they are harmless

    @property
    def busy(self) -> bool:
        return bool(self.queue or self.running)

    def eta_seconds(self) -> float | None:
        """Remaining time from the mean wall time per finished item in this session."""
        if not self._durations:
            return None
        recent = self._durations[-20:]
        per_item = sum(recent) / len(recent)
        remaining = len(self.queue) + len(self.running)
        return per_item * remaining / max(1, self.pool.maxThreadCount())

    # ---- internals -------------------------------------------------------------------

    def _pump(self) -> None:
        if self.engine is None or self._closing:
            return
        while self.queue and len(self.running) < self.pool.maxThreadCount():
            item = self.model.get(self.queue.popleft())
            if item is None or item.status is not Status.QUEUED:
                continue
            job = Job(item.id, item.name, item.path, item.data, item.document, item.store_id)
            self.running.add(item.id)
            self._began[item.id] = time.perf_counter()
            persist = self.persist if self.persist is not None and self.persist.enabled else None
            self.pool.start(OcrTask(self.engine, job, self._signals, self._cancel, self.use_text_layer, persist))

    def _on_started(self, item_id: int) -> None:
        item = self.model.get(item_id)
        if item is not None:
            item.status = Status.RUNNING
            if item.pages:  # a retry starts from scratch (pages stream in again)
                item.page_total = 0
                item.edited.clear()
                self.model.set_pages(item, [])
            self.model.changed(item_id)
        emit(self.item_started, item_id)
        emit(self.progress_changed)

    def _on_progress(self, item_id: int, done: int, total: int) -> None:
        item = self.model.get(item_id)
        if item is not None:
            item.page_total = total
            self.model.changed(item_id)

    def _on_page(self, item_id: int, result: OcrResult, total: int) -> None:
        item = self.model.get(item_id)
        if item is not None:
            item.page_total = total
            self.model.append_page(item, result)
            emit(self.page_added, item_id)

    def _on_finished(self, item_id: int, pages: list[OcrResult], thumb) -> None:
        self.running.discard(item_id)
        was_stopped = item_id in self._stopped
        self._stopped.discard(item_id)
        began = self._began.pop(item_id, None)
        if began is not None:
            self._durations.append(time.perf_counter() - began)
        item = self.model.get(item_id)
        if item is not None:
            item.thumb = thumb if thumb is not None and not thumb.isNull() else item.thumb
            if [id(p) for p in item.pages] != [id(p) for p in pages]:  # streamed pages are kept as they are
                item.edited.clear()
                self.model.set_pages(item, pages)
            failed = [p for p in pages if p.error]
            item.error_kind = None
            if not pages or (failed and len(failed) == len(pages)):
                item.status, item.error = Status.FAILED, failed[0].error if failed else "no pages"
                item.error_kind = failed[0].error_kind if failed else None
            elif was_stopped and item.document and item.page_total and len(pages) < item.page_total:
                item.status, item.error = Status.CANCELLED, None
            else:
                item.status, item.error = Status.DONE, None
            self.model.changed(item_id)
            emit(self.item_finished, item_id)
        self._pump()
        emit(self.progress_changed)
        if not self.busy:
            emit(self.idle)

"""Right side of the window for the selected item/page: images side by side and its text.

The page as OCR saw it and its preprocessing stages are made off the GUI thread by
ViewTask from `jobs.preview` (no models, no OCR: results and pictures are apart), and the
converted QImages of the last few selections are kept, so flipping between pages is instant.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool
from PySide6.QtGui import QImage

from .batch_model import BatchModel
from .compare_view import CompareView
from .error_text import failure
from .items import BatchItem, Status
from .text_panel import TextPanel
from .workers import Job, ViewSignals, ViewTask

VIEW_CACHE = 6  # selections whose preview images (original + 4 stages) are kept


def tr(text: str) -> str:
    return QCoreApplication.translate("DetailPane", text)


class DetailPane(QObject):
    def __init__(self, model: BatchModel, compare: CompareView, text_panel: TextPanel, pool: QThreadPool,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.compare, self.text_panel, self.pool = model, compare, text_panel, pool
        self.item: BatchItem | None = None
        self.page = 0
        self.shown: tuple[int, int] | None = None  # (item id, page) whose images are on screen
        self._views: OrderedDict[tuple[int, int], tuple[QImage, dict]] = OrderedDict()
        self._pending: set[tuple[int, int]] = set()  # previews being made (one task per key)
        self._signals = ViewSignals(self)
        self._signals.ready.connect(self._on_view_ready)
        compare.box_clicked.connect(self._on_box_clicked)
        text_panel.line_clicked.connect(compare.select_box)
        text_panel.edits_changed.connect(self._on_edits)
        self.on_edit = None  # callable(item, page): the window saves the edit to the store
        self._unbend = None  # the engine's `unbent` while it dewarps pages: the flattened stage shows it
        self._generation = 0  # previews made for another unbend are dropped

    # ---- what the batch tells us -----------------------------------------------------

    def item_finished(self, item_id: int) -> None:
        """A (re-)run ended: its pictures may differ (the file changed), so drop them."""
        for key in [k for k in self._views if k[0] == item_id]:
            del self._views[key]
        if self.item is not None and self.item.id == item_id:
            self.refresh()

    def page_added(self, item_id: int) -> None:
        """A running document produced a page: show it if the user is waiting on that item."""
        if self.item is not None and self.item.id == item_id and self.shown is None:
            self.refresh()

    def set_unbend(self, unbend) -> None:
        """The loaded engine's `unbent` when it dewarps pages, else None; previews are made again."""
        if unbend is None and self._unbend is None:
            return
        self._unbend = unbend
        self._generation += 1
        self._views.clear()
        self._pending.clear()
        if self.shown is not None:
            self.refresh()

    def forget(self, item_ids: set[int] | None = None) -> None:
        """Items left the list (None: all of them)."""
        if item_ids is None:
            self._views.clear()
        else:
            for key in [k for k in self._views if k[0] in item_ids]:
                del self._views[key]

    # ---- display ---------------------------------------------------------------------

    def show(self, item: BatchItem | None, page: int) -> None:
        self.item, self.page = item, max(page, 0)
        self.refresh()

    def result(self):
        item, page = self.item, self.page
        if item is None or not item.pages or page >= len(item.pages):
            return None
        return item.pages[page]

    def refresh(self) -> None:
        item, page, result = self.item, self.page, self.result()
        self.text_panel.show_result(result, item.edited.get(page) if result is not None else None)
        missing = item is not None and item.missing
        if result is None or not (item.finished or item.document):  # a document's done pages show at once
            self.shown = None
            waiting = item is not None and item.status in (Status.QUEUED, Status.RUNNING)
            self.compare.clear(tr("Waiting for recognition…") if waiting else None)
            return
        if missing and item.data is None:
            self.shown = None
            self.compare.clear(tr("Source missing: the file was moved or deleted. Its text is kept."))
            return
        if result.error and not item.document:
            self.shown = None
            self.compare.clear(tr("Failed: %1").replace("%1", failure(result.error_kind, result.error)))
            return
        key = (item.id, page)
        self.shown = key
        cached = self._views.get(key)
        if cached is not None:
            self._views.move_to_end(key)
            self.compare.show_images(cached[0], cached[1], result.lines)
            return
        self.compare.clear(tr("Loading image…"))
        if key in self._pending:
            return
        self._pending.add(key)
        job = Job(item.id, item.name, item.path, item.data, item.document)
        page_number = (result.page or page + 1) if item.document else None
        self.pool.start(ViewTask((*key, self._generation), job, page_number, result.image_size, self._signals,
                                 self._unbend))

    def _on_view_ready(self, task: tuple[int, int, int], original: QImage, stages: dict) -> None:
        key, generation = (task[0], task[1]), task[2]
        if generation != self._generation:
            return  # made for the engine before
        self._pending.discard(key)
        if self.model.get(key[0]) is None:
            return  # removed meanwhile
        self._views[key] = (original, stages)
        while len(self._views) > VIEW_CACHE:
            self._views.popitem(last=False)
        if key == self.shown and (result := self.result()) is not None:
            self.compare.show_images(original, stages, result.lines)

    def _on_box_clicked(self, index: int) -> None:
        self.compare.select_box(index)
        self.text_panel.select_line(index)

    def _on_edits(self, edits) -> None:
        if self.result() is None:
            return
        if edits is None:
            self.item.edited.pop(self.page, None)
        else:
            self.item.edited[self.page] = edits
            self.item.edits_exported = False
        if self.on_edit is not None:
            self.on_edit(self.item, self.page)

    def retint(self) -> None:
        """Re-draw the text highlights after a palette change (keeps the user's edits)."""
        self.text_panel.show_result(self.result(), self.item.edited.get(self.page) if self.item else None)

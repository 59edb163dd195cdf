"""The window's side of the history store: what happens to the batch is written as it
happens (on the store's writer thread), and the next start gets the batch back from it.

Every item gets a store id (`BatchItem.store_id`) when it joins the list. Finished pages,
edits, removals and the selection are queued to `StoreWriter`, which commits within
milliseconds, off the GUI thread. With history switched off nothing is written and the
next start is empty, as before.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from .items import BatchItem, Status


class History:
    def __init__(self, enabled: bool, days: int = 0, path: Path | None = None):
        self.enabled = enabled
        self.path = path
        self.writer = None
        self.error: str | None = None
        self._written: dict[str, int] = {}  # store id → pages already written (documents stream them)
        if enabled:
            from ocr_app.store import HistoryStore, StoreWriter

            try:
                reader = HistoryStore(path)
                reader.prune(days)
                reader.close()
            except Exception as exc:  # a broken store must not keep the window from opening
                self.error, self.enabled = str(exc), False
                return
            self.writer = StoreWriter(path)
            if self.writer.error:
                self.error, self.enabled = self.writer.error, False

    def _put(self, op: str, *args, **kwargs) -> None:
        if self.enabled and self.writer is not None:
            self.writer.submit(op, *args, **kwargs)

    # ---- what the batch does ---------------------------------------------------------

    def added(self, items: list[BatchItem]) -> None:
        for item in items:
            if item.store_id is None:
                item.store_id = uuid.uuid4().hex
            self._put("add_item", item.store_id, item.name, str(item.path) if item.path else None, item.data,
                      item.document, True, None, item.status.value)
            for index in range(len(item.pages)):  # a capture arrives already read
                self.write_page(item, index)
            if item.pages:
                self.finished(item)

    # ---- called by OcrTask on its pool thread ---------------------------------------

    def run_started(self, job) -> None:
        if job.store_id:
            self._put("clear_pages", job.store_id)
            self._put("set_status", job.store_id, Status.RUNNING.value)

    def run_pages(self, job, results: list, fingerprint: str | None, final: bool) -> None:
        """Commit the pages read so far (and, when `final`, the item's status) and wait for the
        commit: the worker waits a few ms, the window never does, and a page is on disk before
        the window shows it, so a killed process loses only pages still being read."""
        if not job.store_id or not self.enabled:
            return
        uid = job.store_id
        start = self._written.get(uid, 0)
        for index in range(start, len(results)):
            res = results[index]
            self._put("put_page", uid, index, res.to_dict(), res.text, fingerprint)
        self._written[uid] = len(results)
        if final:
            self._written.pop(uid, None)
            failed = [r for r in results if r.error]
            if not results or len(failed) == len(results):
                kind = getattr(failed[0].error_kind, "value", None) if failed else None
                self._put("set_status", uid, Status.FAILED.value, failed[0].error if failed else "no pages", kind)
            else:
                self._put("set_status", uid, Status.DONE.value)
        if self.writer is not None:
            self.writer.flush()

    # ---- called on the GUI thread ----------------------------------------------------

    def started(self, item: BatchItem) -> None:
        """Nothing to do: the worker clears the item's old pages before it reads (run_started)."""

    def page_done(self, item: BatchItem, index: int, fingerprint: str | None = None) -> None:
        """Pages read by the batch are committed by their worker (run_pages); this writes
        the pages of an item that arrives already read (a capture)."""

    def write_page(self, item: BatchItem, index: int, fingerprint: str | None = None) -> None:
        if not item.store_id or not 0 <= index < len(item.pages):
            return
        from ocr_app.export.edits import to_json

        result = item.pages[index]
        edits = item.edited.get(index)
        self._put("put_page", item.store_id, index, result.to_dict(), item.page_text(index), fingerprint,
                  to_json(edits) if edits is not None else None)

    def finished(self, item: BatchItem, fingerprint: str | None = None) -> None:
        """The item's final status as the window decided it (cancelled documents included)."""
        if not item.store_id:
            return
        kind = getattr(item.error_kind, "value", item.error_kind)
        self._put("set_status", item.store_id, item.status.value, item.error, kind)

    def edited(self, item: BatchItem, index: int) -> None:
        if not item.store_id:
            return
        from ocr_app.export.edits import to_json

        edits = item.edited.get(index)
        self._put("put_edits", item.store_id, index, to_json(edits) if edits is not None else None,
                  item.page_text(index))

    def removed(self, items: list[BatchItem]) -> None:
        self._put("set_in_batch", [it.store_id for it in items if it.store_id], False)

    def returned(self, items: list[BatchItem]) -> None:
        self._put("set_in_batch", [it.store_id for it in items if it.store_id], True)

    def order(self, items: list[BatchItem]) -> None:
        self._put("set_positions", [it.store_id for it in items if it.store_id])

    def selected(self, item: BatchItem | None, page: int) -> None:
        self._put("set_state", "selection", [item.store_id, page] if item is not None else None)

    def forget_all(self) -> None:
        self._put("forget_all")

    def forget(self, uids: list[str]) -> None:
        self._put("forget", uids)

    def flush(self) -> None:
        if self.writer is not None:
            self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.flush()
            self.writer.close()
            self.writer = None

    # ---- reading back ----------------------------------------------------------------

    def reader(self):
        from ocr_app.store import HistoryStore

        return HistoryStore(self.path)

    def restore(self) -> tuple[list[BatchItem], list[BatchItem], tuple[str, int] | None]:
        """(every item of the last batch, the unfinished ones to read again, the selection)."""
        if not self.enabled:
            return [], [], None
        store = self.reader()
        try:
            stored = store.batch()
            selection = store.state("selection")
        finally:
            store.close()
        items, again = [], []
        for s in stored:
            item = to_item(s)
            items.append(item)
            if item.status in (Status.QUEUED, Status.RUNNING) and not item.missing:
                item.status, item.pages, item.edited = Status.QUEUED, [], {}
                again.append(item)
        sel = (selection[0], int(selection[1])) if isinstance(selection, list) and len(selection) == 2 else None
        return items, again, sel


def to_item(stored) -> BatchItem:
    """A BatchItem from a stored one, with its results and edits: no OCR is run."""
    from ocr_app.engine import OcrResult
    from ocr_app.export.edits import from_json

    path = Path(stored.path) if stored.path else None
    try:
        status = Status(stored.status)
    except ValueError:
        status = Status.DONE
    pages = [OcrResult.from_dict(p.result) for p in stored.pages]
    edited = {p.index: e for p in stored.pages if (e := from_json(p.edits)) is not None}
    missing = path is not None and not path.exists()
    if status in (Status.QUEUED, Status.RUNNING) and pages and missing:
        status = Status.DONE
    item = BatchItem(name=stored.name, path=path, data=stored.data, document=stored.document, status=status,
                     error=stored.error, error_kind=stored.error_kind, pages=pages, edited=edited,
                     missing=missing, store_id=stored.uid)
    item.page_total = len(pages)
    return item


def when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))

"""One entry of the batch: a file (or pasted image) and what OCR made of it, per page."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QImage

if TYPE_CHECKING:  # the engine (onnxruntime, OpenCV) loads off the GUI thread
    from ocr_app.engine import OcrResult
    from ocr_app.export.edits import EditLine


_ids = itertools.count(1)


class Status(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class BatchItem:
    name: str
    path: Path | None = None
    data: bytes | None = None  # pasted image, kept so it can be shown, re-run and exported
    document: bool = False  # may hold several pages (shown as children in the list)
    status: Status = Status.QUEUED
    error: str | None = None  # the engine's message (the detail)
    error_kind: object = None  # its ErrorKind: what the window says, translated (see error_text)
    pages: list[OcrResult] = field(default_factory=list)
    page_total: int = 0  # known page count while a document is running
    edited: dict[int, list[EditLine]] = field(default_factory=dict)  # page index → the user's lines
    edits_exported: bool = True  # False while an edit has been neither exported nor copied
    missing: bool = False  # restored from the store and its file is gone (the text is kept)
    store_id: int | None = None  # row in the history store
    thumb: QImage | None = None
    key: object = None  # file identity used to ignore duplicates (see intake.real_key)
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED, Status.CANCELLED)

    @property
    def lines(self) -> int:
        return sum(len(p.lines) for p in self.pages)

    @property
    def mean_confidence(self) -> float | None:
        confs = [ln.confidence for p in self.pages for ln in p.lines]
        return sum(confs) / len(confs) if confs else None

    @property
    def ms(self) -> float:
        return sum(p.timings.get("total", 0.0) for p in self.pages)

    def page_text(self, index: int, mode: str = "lines") -> str:
        """Text of one page as the user sees it (edits applied) in a layout mode."""
        if not 0 <= index < len(self.pages):
            return ""
        from ocr_app.export.edits import page_text

        return page_text(self.pages[index], self.edited.get(index), mode)

    def text(self, mode: str = "lines") -> str:
        """All pages, edits applied, exactly as Copy and Export → TXT give them ("" until done)."""
        from .texts import items_text

        return items_text([self], mode)

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
    edited: dict[int, str] = field(default_factory=dict)  # page index → user-edited text
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

    def page_text(self, index: int) -> str:
        """Text of one page as the user sees it: their edit if any, else the recognised text."""
        if index in self.edited:
            return self.edited[index]
        return self.pages[index].text if 0 <= index < len(self.pages) else ""

    def text(self) -> str:
        """All pages, edits applied, exactly as Copy and Export → TXT give them ("" until done)."""
        from .texts import items_text

        return items_text([self])

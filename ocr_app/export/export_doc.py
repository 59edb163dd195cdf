"""What is exported: a document (one or more recognised pages) plus the user's line-level edits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine import OcrResult
from . import edits as line_edits
from .edits import EditLine, ShownLine


class ExportError(RuntimeError):
    """Export failed; the message is shown to the user as-is."""


@dataclass
class ExportDoc:
    name: str  # display/file name of the source, e.g. "scan 01.pdf"
    pages: list[OcrResult]  # one per page; OcrResult.page is None for single images
    images: list[np.ndarray | str | Path] | None = None  # per-page original image, needed for "pdf"
    edits: list[list[EditLine] | None] | None = None  # per page: the user's lines (edits.py), None: unedited
    layout: str = "lines"  # the text's layout mode (options.LAYOUT_MODES)

    def edited(self, index: int) -> list[EditLine] | None:
        if self.edits is None or index >= len(self.edits):
            return None
        return self.edits[index]

    def lines(self, index: int) -> list[ShownLine]:
        """Every line of a page as the user left it, each with its box and an `edited` flag."""
        return line_edits.apply(self.pages[index], self.edited(index))

    def page_text(self, index: int) -> str:
        """The text the user sees for a page, in the doc's layout mode, edits applied: the one
        function behind Copy, TXT, Markdown and JSON's "text"."""
        return line_edits.page_text(self.pages[index], self.edited(index), self.layout)

    def page_label(self, index: int) -> int | None:
        """Page number to print: the document's own number, or None for a single image."""
        page = self.pages[index].page
        if page is None and len(self.pages) > 1:
            return index + 1
        return page

"""What is exported: a document (one or more recognised pages) plus the user's edits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine import OcrResult


class ExportError(RuntimeError):
    """Export failed; the message is shown to the user as-is."""


@dataclass
class ExportDoc:
    name: str  # display/file name of the source, e.g. "scan 01.pdf"
    pages: list[OcrResult]  # one per page; OcrResult.page is None for single images
    images: list[np.ndarray | str | Path] | None = None  # per-page original image, needed for "pdf"
    edited_text: list[str | None] | None = None  # per-page user text replacing the recognised text
    layout: str = "lines"  # the text's layout mode (options.LAYOUT_MODES)

    def edited(self, index: int) -> str | None:
        if self.edited_text is None or index >= len(self.edited_text):
            return None
        return self.edited_text[index]

    def page_text(self, index: int) -> str:
        """The text the user sees for a page: their edit if any, else the recognised text."""
        edit = self.edited(index)
        return edit if edit is not None else self.pages[index].text_as(self.layout)

    def page_label(self, index: int) -> int | None:
        """Page number to print: the document's own number, or None for a single image."""
        page = self.pages[index].page
        if page is None and len(self.pages) > 1:
            return index + 1
        return page

"""Batch items → `ocr_app.export.ExportDoc`, and the export run off the GUI thread."""

from __future__ import annotations

import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from . import optional
from .items import BatchItem, Status
from .qtfix import emit


def exportable(items: list[BatchItem]) -> list[BatchItem]:
    return [it for it in items if it.status is Status.DONE and it.pages]


def to_docs(items: list[BatchItem], with_images: bool = True, layout: str = "lines") -> list:
    """ExportDocs carrying the user's line edits and the chosen layout mode; page images (only
    the PDF needs them) are file paths, or the decoded pixels of a pasted image."""
    export = optional.export()
    if export is None:
        raise RuntimeError("export support is not installed")
    docs = []
    for item in exportable(items):
        edited = [item.edited.get(i) for i in range(len(item.pages))]
        docs.append(export.ExportDoc(name=item.name, pages=list(item.pages),
                                     images=_images(item) if with_images else None,
                                     edits=edited if any(e is not None for e in edited) else None, layout=layout))
    return docs


def _images(item: BatchItem) -> list | None:
    """Pasted or captured bytes are decoded by the loader OCR used (`jobs.page_image`: EXIF
    rotation, size cap), so the searchable PDF's picture is the one the boxes belong to."""
    if item.data is not None:
        from ocr_app.jobs import Source, page_image

        try:
            return [page_image(Source.from_bytes(item.data, item.name))]
        except Exception:  # not decodable now: the PDF page gets text without a picture
            return None
    if item.path is None or item.missing:
        return None
    # The exporter decodes (or renders, for document pages) one page at a time from the path.
    return [item.path] * len(item.pages)


class ExportSignals(QObject):
    done = Signal(object)  # list[Path]
    failed = Signal(str)


class ExportTask(QRunnable):
    """Runs `export_docs`; documents may need their pages rendered, so never on the GUI thread."""

    def __init__(self, items: list[BatchItem], fmt: str, target: Path, combined: bool, signals: ExportSignals,
                 layout: str = "lines"):
        super().__init__()
        self.items, self.fmt, self.target, self.combined, self.signals = items, fmt, target, combined, signals
        self.layout = layout

    def run(self) -> None:
        export = optional.export()
        if export is None:
            emit(self.signals.failed, "export support is not installed")
            return
        try:
            docs = to_docs(self.items, with_images=self.fmt == "pdf", layout=self.layout)
            written = export.export_docs(docs, self.fmt, self.target, combined=self.combined)
        except export.ExportError as exc:
            emit(self.signals.failed, str(exc))
            return
        except Exception as exc:
            traceback.print_exc()
            emit(self.signals.failed, f"{type(exc).__name__}: {exc}")
            return
        emit(self.signals.done, list(written))

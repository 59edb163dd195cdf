"""The batch as a Qt tree model: files at the top level, pages of multi-page documents below."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap

from . import icons
from .error_text import kind_text
from .items import BatchItem, Status
from .qtfix import emit

if TYPE_CHECKING:  # the engine (onnxruntime, OpenCV) loads off the GUI thread
    from ocr_app.engine import OcrResult

ItemRole = Qt.ItemDataRole.UserRole + 1  # the BatchItem
PageRole = Qt.ItemDataRole.UserRole + 2  # page index inside the item, -1 for the item row
THUMB = QSize(40, 40)

COLUMNS = ("File", "Status", "Lines", "Conf.", "ms")
_Index = QModelIndex | QPersistentModelIndex


def tr(text: str) -> str:
    return QCoreApplication.translate("BatchModel", text)


def status_label(item: BatchItem) -> str:
    labels = {Status.QUEUED: tr("queued"), Status.RUNNING: tr("running"), Status.DONE: tr("done"),
              Status.FAILED: tr("failed"), Status.CANCELLED: tr("cancelled")}
    text = labels[item.status]
    if item.status is Status.RUNNING and item.document and item.page_total:
        text += f" {len(item.pages)}/{item.page_total}"
    if item.status is Status.FAILED and item.error:
        text += f": {kind_text(item.error_kind)}"
    if item.missing:
        text += " · " + tr("source missing")
    return text


STATUS_COLOURS = {Status.DONE: QColor("#2e9d5b"), Status.FAILED: QColor("#d64545"),
                  Status.RUNNING: QColor("#2f7de1"), Status.CANCELLED: QColor("#9a8f7a")}


class BatchModel(QAbstractItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[BatchItem] = []
        self._row_of: dict[int, int] = {}
        self._icons: dict[int, QIcon] = {}

    # ---- structure ------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, self.items[parent.row()].id)

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        row = self._row_of.get(child.internalId())
        return QModelIndex() if row is None else self.createIndex(row, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.items)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        return self._children(self.items[parent.row()])

    @staticmethod
    def _children(item: BatchItem) -> int:
        """Page rows: only for documents with more than one page (a 1-page TIFF is just a file)."""
        return len(item.pages) if item.document and max(len(item.pages), item.page_total) > 1 else 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(COLUMNS[section])
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return [tr("File name"), tr("Recognition status"), tr("Recognised lines"),
                    tr("Mean recognition confidence"), tr("Recognition time in milliseconds")][section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # ---- data ------------------------------------------------------------------------

    def item_at(self, index: _Index) -> tuple[BatchItem | None, int]:
        """(item, page index or -1) for any index."""
        if not index.isValid():
            return None, -1
        if index.internalId() == 0:
            return self.items[index.row()], -1
        row = self._row_of.get(index.internalId())
        return (self.items[row], index.row()) if row is not None else (None, -1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item, page = self.item_at(index)
        if item is None:
            return None
        if role == ItemRole:
            return item
        if role == PageRole:
            return page
        if page >= 0:
            return self._page_data(item, item.pages[page], index.column(), role)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, col)
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._icon(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            source = str(item.path) if item.path else tr("pasted image")
            detail = f"\n{item.error}" if item.status is Status.FAILED and item.error else ""
            return f"{source}\n{status_label(item)}{detail}"
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return STATUS_COLOURS.get(item.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, item: BatchItem, col: int) -> str:
        if col == 0:
            return item.name
        if col == 1:
            return status_label(item)
        if item.status is not Status.DONE:
            return ""
        if col == 2:
            return str(item.lines)
        if col == 3:
            conf = item.mean_confidence
            return f"{conf * 100:.0f} %" if conf is not None else "–"
        return f"{item.ms:.0f}"

    def _page_data(self, item: BatchItem, res: OcrResult, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return tr("Page %1").replace("%1", str(res.page or 0))
            if col == 1:
                return tr("failed") + f": {kind_text(res.error_kind)}" if res.error else tr("done")
            if col == 2:
                return str(len(res.lines))
            if col == 3:
                return f"{res.mean_confidence * 100:.0f} %" if res.lines else "–"
            return f"{res.timings.get('total', 0.0):.0f}"
        if role == Qt.ItemDataRole.ToolTipRole and col == 1 and res.error:
            return res.error
        if role == Qt.ItemDataRole.ForegroundRole and col == 1 and res.error:
            return STATUS_COLOURS[Status.FAILED]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _icon(self, item: BatchItem) -> QIcon | None:
        if item.thumb is None or item.thumb.isNull():
            if item.status is Status.FAILED:
                return icons.placeholder("alert", "#d64545")
            return icons.placeholder("file", "#9aa0a8")
        icon = self._icons.get(item.id)
        if icon is None:
            icon = QIcon(QPixmap.fromImage(item.thumb))
            self._icons[item.id] = icon
        return icon

    # ---- mutation --------------------------------------------------------------------

    def add(self, items: list[BatchItem]) -> None:
        if not items:
            return
        first = len(self.items)
        self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
        for item in items:
            self._row_of[item.id] = len(self.items)
            self.items.append(item)
        self.endInsertRows()

    def insert(self, row: int, items: list[BatchItem]) -> None:
        """Put items back at `row` (undo of Remove/Clear)."""
        row = max(0, min(row, len(self.items)))
        self.beginInsertRows(QModelIndex(), row, row + len(items) - 1)
        self.items[row:row] = items
        self._reindex()
        self.endInsertRows()

    def remove(self, item_ids: set[int]) -> None:
        for row in sorted((self._row_of[i] for i in item_ids if i in self._row_of), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            gone = self.items.pop(row)
            self._icons.pop(gone.id, None)
            self._reindex()
            self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.items.clear()
        self._row_of.clear()
        self._icons.clear()
        self.endResetModel()

    def _reindex(self) -> None:
        self._row_of = {item.id: row for row, item in enumerate(self.items)}

    def get(self, item_id: int) -> BatchItem | None:
        row = self._row_of.get(item_id)
        return self.items[row] if row is not None else None

    def index_of(self, item_id: int, page: int = -1) -> QModelIndex:
        row = self._row_of.get(item_id)
        if row is None:
            return QModelIndex()
        top = self.index(row, 0)
        return top if page < 0 else self.index(page, 0, top)

    def changed(self, item_id: int) -> None:
        """Repaint a row after its status, thumbnail or results changed."""
        row = self._row_of.get(item_id)
        if row is None:
            return
        self._icons.pop(item_id, None)
        emit(self.dataChanged, self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_pages(self, item: BatchItem, pages: list[OcrResult]) -> None:
        """Replace an item's page results, keeping the child rows in step."""
        parent = self.index_of(item.id)
        old = self.rowCount(parent)
        if old:
            self.beginRemoveRows(parent, 0, old - 1)
            item.pages = []
            self.endRemoveRows()
        item.pages = list(pages)
        new_count = self._children(item)
        if new_count:
            item.pages = []
            self.beginInsertRows(parent, 0, new_count - 1)
            item.pages = list(pages)
            self.endInsertRows()
        self.changed(item.id)

    def append_page(self, item: BatchItem, result: OcrResult) -> None:
        """One more finished page of a running document (a child row when it has several)."""
        parent = self.index_of(item.id)
        if self._children(item) or item.page_total > 1:
            row = len(item.pages)
            self.beginInsertRows(parent, row, row)
            item.pages.append(result)
            self.endInsertRows()
        else:
            item.pages.append(result)
        self.changed(item.id)

    def retranslate(self) -> None:
        emit(self.headerDataChanged, Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        for item in self.items:
            self.changed(item.id)

    def counts(self) -> dict[Status, int]:
        out = dict.fromkeys(Status, 0)
        for item in self.items:
            out[item.status] += 1
        return out

"""Search everything read before: a search box over the history store (FTS5), hits with
file, date, page and the found words highlighted; opening one shows the item without OCR.

The query runs on the GUI thread over its own read connection: a search of 10,000 pages
takes well under 100 ms (docs/benchmarks.md), and it waits 150 ms after the last key.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .history import History, when

HitRole = Qt.ItemDataRole.UserRole + 1


def highlighted(snippet: str, marks: list[tuple[int, int]]) -> str:
    """The snippet as HTML with each hit in bold on a highlight."""
    out, pos = [], 0
    for start, end in marks:
        if start < pos:
            continue
        out.append(html.escape(snippet[pos:start]))
        out.append(f"<b style='background:#ffe08a;color:#222'>{html.escape(snippet[start:end])}</b>")
        pos = end
    out.append(html.escape(snippet[pos:]))
    return "".join(out)


class HistoryDialog(QDialog):
    open_hit = Signal(str, int)  # store id, page index

    def __init__(self, parent: QWidget | None, history: History):
        super().__init__(parent)
        self.history = history
        self.setObjectName("historyDialog")
        self.resize(640, 480)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAlternatingRowColors(True)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.open_btn = QPushButton()
        self.forget_btn = QPushButton()
        self.close_btn = QPushButton()
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for b in (self.open_btn, self.forget_btn, self.close_btn):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._enter)
        self.results.itemActivated.connect(self._open)
        self.open_btn.clicked.connect(lambda: self._open(self.results.currentItem()))
        self.forget_btn.clicked.connect(self._forget)
        self.close_btn.clicked.connect(self.close)
        self._store = None
        self.hits: list = []
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Search history"))
        self.search.setPlaceholderText(self.tr("Search all text read before (Chinese or English)…"))
        self.note.setText(self.tr("History stays on this computer. Turn it off or limit it in Settings."))
        self.open_btn.setText(self.tr("Open"))
        self.forget_btn.setText(self.tr("Forget this item"))
        self.close_btn.setText(self.tr("Close"))

    def _reader(self):
        if self._store is None:
            self._store = self.history.reader()
        return self._store

    def run_search(self) -> None:
        self._timer.stop()
        query = self.search.text().strip()
        self.results.clear()
        self.hits = self._reader().search(query) if query else []
        for hit in self.hits:
            page = self.tr("page %1").replace("%1", str(hit.page)) + " · " if hit.page else ""
            head = f"<b>{html.escape(hit.name)}</b> <span style='color:#888'>· {page}{when(hit.updated)}</span>"
            label = QLabel(f"{head}<br>{highlighted(hit.snippet, hit.marks)}")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setToolTip(hit.path or self.tr("pasted image"))
            row = QListWidgetItem()
            row.setData(HitRole, (hit.uid, hit.page_index))
            row.setSizeHint(label.sizeHint())
            self.results.addItem(row)
            self.results.setItemWidget(row, label)
        if self.hits:
            self.results.setCurrentRow(0)
        self.summary.setText(self.tr("%1 found").replace("%1", str(len(self.hits))) if query else "")

    def _enter(self) -> None:
        if self._timer.isActive() or not self.hits:
            self.run_search()
        else:
            self._open(self.results.currentItem())

    def _open(self, row: QListWidgetItem | None) -> None:
        if row is not None:
            uid, page = row.data(HitRole)
            self.open_hit.emit(uid, page)

    def _forget(self) -> None:
        row = self.results.currentItem()
        if row is None:
            return
        uid, _page = row.data(HitRole)
        answer = QMessageBox.question(self, self.tr("Forget this item?"),
                                      self.tr("Its text and edits are removed from the history."))
        if answer == QMessageBox.StandardButton.Yes:
            self.history.forget([uid])
            self.history.flush()
            self.run_search()

    def closeEvent(self, event) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        super().closeEvent(event)

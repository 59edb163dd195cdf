"""Left side of the window: the batch list (or a drop invitation when empty) and progress."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from . import icons
from .batch_model import THUMB, BatchModel
from .items import Status


def duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class EmptyState(QWidget):
    """What a new user sees: where to drop files, and the two buttons that do the same."""

    add_files = Signal()
    add_folder = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel()
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setObjectName("emptyHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.files_button = QPushButton()
        self.folder_button = QPushButton()
        self.files_button.clicked.connect(self.add_files)
        self.folder_button.clicked.connect(self.add_folder)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.files_button)
        row.addWidget(self.folder_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.icon)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(2)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Drop images, PDFs or folders here"))
        self.hint.setText(self.tr("Or paste a screenshot with Ctrl+V. Everything stays on this computer."))
        self.files_button.setText(self.tr("Add files…"))
        self.folder_button.setText(self.tr("Add folder…"))
        self.files_button.setToolTip(self.tr("Add image or PDF files (Ctrl+O)"))
        self.folder_button.setToolTip(self.tr("Add every image in a folder and its subfolders (Ctrl+Shift+O)"))

    def refresh_icons(self) -> None:
        self.icon.setPixmap(icons.icon("drop", "#2f7de1").pixmap(64, 64))


class BatchPanel(QFrame):
    def __init__(self, model: BatchModel, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.model = model
        self.tree = QTreeView()
        self.tree.setObjectName("batchList")
        self.tree.setModel(model)
        self.tree.setIconSize(THUMB)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAcceptDrops(False)  # drops go to the window, which knows folders and PDFs
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 96)
        # Fixed widths from the font, not ResizeToContents: that reads every row (slow for 5000 files).
        digits = self.tree.fontMetrics().horizontalAdvance("00000") + 16
        for col in (2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, max(digits, self.tree.fontMetrics().horizontalAdvance(
                str(model.headerData(col, Qt.Orientation.Horizontal))) + 22))
        self.tree.setUniformRowHeights(True)
        self.setMinimumWidth(240)  # at the window's minimum size the list still shows names

        self.empty = EmptyState()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tree)
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        for w in (self.title, self.stack, self.progress, self.progress_label):
            layout.addWidget(w)
        model.rowsInserted.connect(self._show_list_or_empty)
        model.rowsRemoved.connect(self._show_list_or_empty)
        model.modelReset.connect(self._show_list_or_empty)

    FILE_MIN = 150  # pixels the File column keeps before the number columns give way

    def resizeEvent(self, event) -> None:
        """A narrow list hides Lines, Conf. and ms (then Status) rather than squeezing the
        file names to nothing; they come back when there is room."""
        super().resizeEvent(event)
        header = self.tree.header()
        room = self.tree.viewport().width() - self.tree.iconSize().width() - 24
        for col in (4, 3, 2, 1):
            others = sum(header.sectionSize(c) for c in range(1, col + 1))
            self.tree.setColumnHidden(col, room - others < self.FILE_MIN)

    def _show_list_or_empty(self, *_args) -> None:
        self.stack.setCurrentIndex(1 if self.model.items else 0)

    def retranslate(self) -> None:
        self.empty.retranslate()

    def update_progress(self, eta: float | None) -> None:
        """Bar = finished / all; label = done, failed, cancelled and time left while running."""
        counts = self.model.counts()
        total = len(self.model.items)
        finished = counts[Status.DONE] + counts[Status.FAILED] + counts[Status.CANCELLED]
        self.title.setText(self.tr("Batch") + (f"  ·  {total}" if total else ""))
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(finished)
        self.progress.setVisible(bool(total))
        if not total:
            self.progress_label.setText(self.tr("No files yet"))
            return
        parts = [self.tr("%1 of %2 done").replace("%1", str(counts[Status.DONE])).replace("%2", str(total))]
        if counts[Status.FAILED]:
            parts.append(self.tr("%1 failed").replace("%1", str(counts[Status.FAILED])))
        if counts[Status.CANCELLED]:
            parts.append(self.tr("%1 cancelled").replace("%1", str(counts[Status.CANCELLED])))
        if eta is not None:
            parts.append(self.tr("about %1 left").replace("%1", duration(eta)))
        self.progress_label.setText("  ·  ".join(parts))

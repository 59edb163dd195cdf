"""Original and preprocessed image side by side, zoom and pan in lock-step, boxes on the original."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ocr_app.options import STAGES

from . import icons, imaging
from .image_view import ImageView
from .qtfix import emit

if TYPE_CHECKING:  # the engine (onnxruntime, OpenCV) loads off the GUI thread
    from ocr_app.engine import Line


def stage_names() -> dict[str, str]:
    tr = QCoreApplication.translate
    return {"gray": tr("CompareView", "Grayscale"), "equalized": tr("CompareView", "Equalised (CLAHE)"),
            "binary": tr("CompareView", "Binarised"), "flattened": tr("CompareView", "Flattened / deskewed")}


class CompareView(QWidget):
    stage_changed = Signal(str)
    box_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._stages: dict[str, QImage] = {}
        self._syncing = False
        self.original = ImageView()
        self.processed = ImageView()
        self.original.setObjectName("originalView")
        self.processed.setObjectName("processedView")

        self.stage_box = QComboBox()
        for key in STAGES:
            self.stage_box.addItem("", key)
        self.stage_box.currentIndexChanged.connect(self._on_stage)
        self.original_title = QLabel()
        self.original_title.setObjectName("panelTitle")
        self.processed_title = QLabel()
        self.processed_title.setObjectName("panelTitle")
        self.zoom_label = QLabel("100 %")
        self.zoom_label.setObjectName("muted")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.zoom_out_btn = self._tool("zoom-out", self.zoom_out)
        self.zoom_in_btn = self._tool("zoom-in", self.zoom_in)
        self.fit_btn = self._tool("fit", self.fit)
        self.actual_btn = QToolButton()
        self.actual_btn.setObjectName("zoomButton")
        self.actual_btn.setText("1:1")
        self.actual_btn.clicked.connect(self.actual_size)
        self.order_btn = QToolButton()
        self.order_btn.setObjectName("zoomButton")
        self.order_btn.setCheckable(True)
        self.order_btn.setChecked(True)
        self.order_btn.toggled.connect(self.original.set_order_visible)

        header = QHBoxLayout()
        header.setContentsMargins(2, 0, 2, 0)
        header.addWidget(self.original_title)
        header.addWidget(self.order_btn)
        header.addStretch(1)
        header.addWidget(self.processed_title)
        header.addWidget(self.stage_box)
        header.addSpacing(12)
        for w in (self.zoom_out_btn, self.zoom_label, self.zoom_in_btn, self.fit_btn, self.actual_btn):
            header.addWidget(w)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.original)
        self.splitter.addWidget(self.processed)
        self.splitter.setChildrenCollapsible(False)

        self.placeholder = QLabel()
        self.placeholder.setObjectName("emptyHint")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.splitter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)

        for a, b in ((self.original, self.processed), (self.processed, self.original)):
            a.view_moved.connect(lambda a=a, b=b: self._sync(a, b))
        self.original.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.original.box_clicked.connect(self.box_clicked)
        self.retranslate()

    def _tool(self, icon_name: str, slot) -> QToolButton:
        btn = QToolButton()
        btn.setObjectName("zoomButton")
        btn.setIcon(icons.icon(icon_name))
        btn.clicked.connect(slot)
        return btn

    def refresh_icons(self) -> None:
        for btn, name in ((self.zoom_in_btn, "zoom-in"), (self.zoom_out_btn, "zoom-out"), (self.fit_btn, "fit")):
            btn.setIcon(icons.icon(name))

    def retranslate(self) -> None:
        names = stage_names()
        for i in range(self.stage_box.count()):
            self.stage_box.setItemText(i, names[self.stage_box.itemData(i)])
        self.original_title.setText(self.tr("Original"))
        self.processed_title.setText(self.tr("Preprocessed:"))
        self.placeholder.setText(self.tr("Select a finished item to compare the original with the preprocessed image"))
        self.stage_box.setToolTip(self.tr("Preprocessing stage shown on the right"))
        self.zoom_in_btn.setToolTip(self.tr("Zoom in (Ctrl++)"))
        self.zoom_out_btn.setToolTip(self.tr("Zoom out (Ctrl+-)"))
        self.fit_btn.setToolTip(self.tr("Fit to window (Ctrl+0)"))
        self.actual_btn.setToolTip(self.tr("Actual size, 100 % (Ctrl+1)"))
        self.order_btn.setText(self.tr("Reading order"))
        self.order_btn.setToolTip(self.tr("Number the boxes in reading order (block.line)"))

    # ---- content ---------------------------------------------------------------------

    @property
    def stage(self) -> str:
        return self.stage_box.currentData()

    def set_stage(self, key: str) -> None:
        idx = self.stage_box.findData(key)
        if idx >= 0:
            self.stage_box.setCurrentIndex(idx)

    def show_images(self, original: QImage, stages: dict[str, QImage], lines: list[Line]) -> None:
        self._stages = stages
        if original.isNull():
            self.clear(imaging.refusal_reason(original) or self.tr("This image cannot be displayed"))
            return
        self.stack.setCurrentIndex(1)
        self.original.fit_mode = self.processed.fit_mode = True
        self.original.set_image(original, imaging.source_size(original))  # a reduced copy keeps box coordinates
        self.original.set_boxes(lines)
        self._show_stage()

    def clear(self, message: str | None = None) -> None:
        self._stages = {}
        self.original.set_image(None)
        self.processed.set_image(None)
        if message:
            self.placeholder.setText(message)
        else:
            self.retranslate()
        self.stack.setCurrentIndex(0)

    def _on_stage(self, _index: int) -> None:
        self._show_stage()
        emit(self.stage_changed, self.stage)

    def _show_stage(self) -> None:
        size = self.original.image_size()
        img = self._stages.get(self.stage)
        self.processed.set_image(img, size if size[0] and size[1] else None)
        self._sync(self.original, self.processed)

    def select_box(self, index: int) -> None:
        self.original.select_box(index)

    # ---- zoom ------------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.original.set_zoom(self.original.zoom() * 1.25)

    def zoom_out(self) -> None:
        self.original.set_zoom(self.original.zoom() / 1.25)

    def fit(self) -> None:
        self.original.fit()

    def actual_size(self) -> None:
        self.original.set_zoom(1.0)

    def _sync(self, source: ImageView, target: ImageView) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            target.copy_view_from(source)
        finally:
            self._syncing = False

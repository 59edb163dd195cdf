"""Zoomable, pannable image view; two of them are kept in lock-step by CompareView."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QPolygonF, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from .qtfix import emit

if TYPE_CHECKING:  # the engine (onnxruntime, OpenCV) loads off the GUI thread
    from ocr_app.engine import Line

MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
LABEL_GAP = 2  # screen pixels between a reading-order label and its box


def confidence_colour(conf: float) -> QColor:
    """Green when sure, amber when unsure, red when likely wrong."""
    if conf >= 0.9:
        return QColor("#2e9d5b")
    if conf >= 0.75:
        return QColor("#e0a100")
    return QColor("#d64545")


class ImageView(QGraphicsView):
    zoom_changed = Signal(float)
    view_moved = Signal()  # scroll or zoom changed by the user
    box_clicked = Signal(int)  # line index

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pixmap_item = QGraphicsPixmapItem()
        self.pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.pixmap_item)
        self.boxes: list[QGraphicsPolygonItem] = []
        self.order_labels: list[QGraphicsRectItem] = []  # "block.line" on each box, in reading order
        self.show_order = True
        self.zoom_changed.connect(self._place_labels)
        self.selected_box = -1
        self.fit_mode = True
        self.horizontalScrollBar().valueChanged.connect(lambda _v: emit(self.view_moved))
        self.verticalScrollBar().valueChanged.connect(lambda _v: emit(self.view_moved))

    # ---- content ---------------------------------------------------------------------

    def set_image(self, img: QImage | None, scene_size: tuple[int, int] | None = None) -> None:
        """Show `img`, scaled to `scene_size` (the original's pixels) so both views share coordinates."""
        self.clear_boxes()
        if img is None or img.isNull():
            self.pixmap_item.setPixmap(QPixmap())
            self.scene().setSceneRect(QRectF())
            return
        self.pixmap_item.setPixmap(QPixmap.fromImage(img))
        w, h = img.width(), img.height()
        if scene_size and abs(scene_size[0] / scene_size[1] - w / h) < 0.01 * (w / h):
            w, h = scene_size  # a (possibly downscaled) copy of the original: share its coordinates
        self.pixmap_item.setTransform(self.pixmap_item.transform().fromScale(w / img.width(), h / img.height()))
        self.scene().setSceneRect(QRectF(0, 0, w, h))
        if self.fit_mode:
            self.fit()

    def image_size(self) -> tuple[int, int]:
        """Size in scene (original image) pixels, which a downscaled display copy keeps."""
        if self.pixmap_item.pixmap().isNull():
            return (0, 0)
        rect = self.scene().sceneRect()
        return (round(rect.width()), round(rect.height()))

    def set_boxes(self, lines: list[Line]) -> None:
        self.clear_boxes()
        for i, line in enumerate(lines):
            poly = QPolygonF([QPointF(float(x), float(y)) for x, y in line.box])
            item = QGraphicsPolygonItem(poly)
            item.setData(0, i)
            item.setData(1, line.confidence)
            item.setToolTip(f"{line.text}\n{line.confidence * 100:.0f} %")
            self._style_box(item, selected=False)
            self.scene().addItem(item)
            self.boxes.append(item)
        self._label_order(lines)

    def _label_order(self, lines: list[Line]) -> None:
        """Number each box "block.line" in reading order (lines arrive in reading order);
        the labels keep their screen size at any zoom (`_place_labels` puts them)."""
        in_block: dict[int, int] = {}
        for index, line in enumerate(lines):
            if len(line.box) < 1:
                continue
            block = int(getattr(line, "block", 0))
            in_block[block] = in_block.get(block, 0) + 1
            text = QGraphicsSimpleTextItem(f"{block + 1}.{in_block[block]}")
            text.setBrush(QBrush(QColor("#ffffff")))
            rect = text.boundingRect().adjusted(-3, -1, 3, 1)
            text.setPos(-rect.topLeft())
            rect.moveTopLeft(QPointF(0, 0))
            tag = QGraphicsRectItem(rect)
            tag.setData(0, index)
            tag.setBrush(QBrush(QColor(47, 125, 225, 210)))
            tag.setPen(QPen(Qt.PenStyle.NoPen))
            text.setParentItem(tag)
            tag.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            tag.setZValue(3)
            tag.setVisible(self.show_order)
            tag.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.scene().addItem(tag)
            self.order_labels.append(tag)
        self._place_labels()

    def _place_labels(self, _zoom: float | None = None) -> None:
        """Put each reading-order label where it hides the least of any line: just before the middle of
        the edge its line starts from, above the line's start, or on its first corner (the first of these
        when they tie). Labels keep their screen size, so what they would hide changes with the zoom."""
        scale = self.zoom() or 1.0
        for tag in self.order_labels:
            index = int(tag.data(0))
            poly = self.boxes[index].polygon()
            w, h = tag.rect().width() / scale, tag.rect().height() / scale
            gap = LABEL_GAP / scale
            first, last = poly.first(), poly.last()
            anchor = QPointF((first.x() + last.x()) / 2, (first.y() + last.y()) / 2)
            spots = [QRectF(anchor.x() - w - gap, anchor.y() - h / 2, w, h),
                     QRectF(first.x(), first.y() - h - gap, w, h), QRectF(first.x(), first.y(), w, h)]
            best, least = spots[0], float("inf")
            for spot in spots:  # in order of preference; nothing hidden cannot be beaten
                hidden = self._line_area_under(spot)
                if hidden < least:
                    best, least = spot, hidden
                if not hidden:
                    break
            tag.setPos(best.topLeft())

    def _line_area_under(self, spot: QRectF) -> float:
        """Scene area of line boxes a label at `spot` would cover (found through the scene's index, so
        placing every label stays quick on pages with hundreds of lines)."""
        near = self.scene().items(spot, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
        overlaps = (item.sceneBoundingRect().intersected(spot) for item in near
                    if isinstance(item, QGraphicsPolygonItem))
        return sum(r.width() * r.height() for r in overlaps)

    def set_order_visible(self, visible: bool) -> None:
        self.show_order = visible
        for tag in self.order_labels:
            tag.setVisible(visible)

    def clear_boxes(self) -> None:
        for item in self.boxes + self.order_labels:
            self.scene().removeItem(item)
        self.boxes.clear()
        self.order_labels.clear()
        self.selected_box = -1

    def select_box(self, index: int, centre: bool = True) -> None:
        if 0 <= self.selected_box < len(self.boxes):
            self._style_box(self.boxes[self.selected_box], selected=False)
        self.selected_box = index if 0 <= index < len(self.boxes) else -1
        if self.selected_box >= 0:
            item = self.boxes[self.selected_box]
            self._style_box(item, selected=True)
            if centre:
                self.ensureVisible(item, 40, 40)

    @staticmethod
    def _style_box(item: QGraphicsPolygonItem, selected: bool) -> None:
        colour = QColor("#2f7de1") if selected else confidence_colour(float(item.data(1)))
        pen = QPen(colour, 3 if selected else 1.6)
        pen.setCosmetic(True)
        fill = QColor(colour)
        fill.setAlpha(70 if selected else 28)
        item.setPen(pen)
        item.setBrush(QBrush(fill))
        item.setZValue(2 if selected else 1)

    # ---- zoom ------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, user: bool = True) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.fit_mode = False
        self.setTransform(self.transform().fromScale(factor, factor))
        emit(self.zoom_changed, factor)
        if user:
            emit(self.view_moved)

    def fit(self) -> None:
        self.fit_mode = True
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:  # small images are shown at 100 %, not blown up
            self.setTransform(self.transform().fromScale(1.0, 1.0))
        emit(self.zoom_changed, self.zoom())
        emit(self.view_moved)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.scene().sceneRect().isEmpty():
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * (1.15**steps))
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_mode:
            self.fit()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            for item in self.items(event.position().toPoint()):
                if isinstance(item, QGraphicsPolygonItem) and item in self.boxes:
                    emit(self.box_clicked, int(item.data(0)))
                    break
        super().mousePressEvent(event)

    # ---- sync ------------------------------------------------------------------------

    def fit_scale(self) -> float:
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return 1.0
        vp = self.viewport().rect()
        return min(vp.width() / rect.width(), vp.height() / rect.height())

    def copy_view_from(self, other: ImageView) -> None:
        """Match zoom and scroll position of `other`.

        Same scene (every stage except a re-shaped "flattened" page): copy exactly.
        Otherwise keep the same zoom relative to "fit" and the same relative scroll position.
        """
        self.fit_mode = other.fit_mode
        same = self.scene().sceneRect() == other.scene().sceneRect()
        if other.fit_mode and not same:
            self.fit()
            return
        zoom = other.zoom() if same else other.zoom() / other.fit_scale() * self.fit_scale()
        if abs(self.zoom() - zoom) > 1e-9:
            self.setTransform(self.transform().fromScale(zoom, zoom))
            emit(self.zoom_changed, self.zoom())
        for mine, theirs in ((self.horizontalScrollBar(), other.horizontalScrollBar()),
                             (self.verticalScrollBar(), other.verticalScrollBar())):
            if same:
                mine.setValue(theirs.value())
            elif theirs.maximum() > 0:
                mine.setValue(round(mine.maximum() * theirs.value() / theirs.maximum()))

"""The region picker: a frozen screenshot over every screen, dimmed outside the selection.

One frameless window per screen shows that screen as it was when the capture started, so
what the user selects is exactly what is read (menus and tooltips stay open in the
picture). Selections are mapped to the picture's device pixels: on a 150 % screen a
drag over 200 logical pixels selects 300 pixels of text, and the size readout says 300.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QWidget

from .grab import Shot

ACCENT = QColor("#2f7de1")
DIM = QColor(8, 10, 14, 130)
MIN_SIDE = 4  # device pixels: a shorter drag is a click, not a selection


def to_device(rect: QRectF, ratio: float, bounds: QRect) -> QRect:
    """Logical selection → the device pixels it covers (outward rounding), inside `bounds`."""
    left, top = math.floor(rect.left() * ratio), math.floor(rect.top() * ratio)
    right, bottom = math.ceil(rect.right() * ratio), math.ceil(rect.bottom() * ratio)
    return QRect(left, top, right - left, bottom - top).intersected(bounds)


class SelectionWindow(QWidget):
    """One screen: shows its frozen picture and lets the user drag a rectangle on it."""

    picked = Signal(QRect)  # device pixels, relative to this screen's picture
    cancelled = Signal()
    started = Signal()  # a new selection began here (the other screens drop theirs)

    def __init__(self, shot: Shot, bypass_wm: bool):
        flags = Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool
        if bypass_wm:  # X11: above panels and docks, and no window-manager animation
            flags |= Qt.WindowType.BypassWindowManagerHint
        super().__init__(None, flags)
        self.setObjectName("captureOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.shot = shot
        self.ratio = shot.image.devicePixelRatio() or 1.0
        self.pixmap = QPixmap.fromImage(shot.image)
        self.bounds = QRect(QPoint(0, 0), shot.image.size())
        self._start: QPointF | None = None
        self._end: QPointF | None = None
        self._mouse: QPointF | None = None
        self.setScreen(shot.screen)
        self.setGeometry(shot.screen.geometry())

    # ---- state ------------------------------------------------------------------------

    def selection(self) -> QRectF:
        if self._start is None or self._end is None:
            return QRectF()
        return QRectF(self._start, self._end).normalized()

    def device_selection(self) -> QRect:
        return to_device(self.selection(), self.ratio, self.bounds)

    def reset(self) -> None:
        self._start = self._end = None
        self.update()

    def select(self, rect: QRect) -> None:
        """Pick a device-pixel rectangle (keyboard: Enter picks the whole screen)."""
        self.picked.emit(rect.intersected(self.bounds))

    # ---- input ------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = self._end = event.position()
            self.started.emit()
            self.update()
        elif event.button() == Qt.MouseButton.RightButton:
            if self._start is not None:  # right-click: start over
                self.reset()
            else:
                self.cancelled.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._mouse = event.position()
        if self._start is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._end = event.position()
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._start is None:
            return
        self._end = event.position()
        chosen = self.device_selection()
        if chosen.width() < MIN_SIDE or chosen.height() < MIN_SIDE:
            self.reset()  # a click or a slip: keep picking
            return
        self.picked.emit(chosen)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.cancelled.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sel = self.device_selection()
            self.select(sel if sel.width() >= MIN_SIDE and sel.height() >= MIN_SIDE else self.bounds)
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_R):
            self.reset()
        else:
            super().keyPressEvent(event)

    def showEvent(self, event: QEvent) -> None:
        """The crosshair follows the pointer from the first frame, before it moves."""
        inside = self.mapFromGlobal(QCursor.pos(self.screen()))
        self._mouse = QPointF(inside) if self.rect().contains(inside) else None
        super().showEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._mouse = None
        self.update()

    # ---- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.drawPixmap(0, 0, self.pixmap)
        sel = self.selection()
        outside = QPainterPath()
        outside.addRect(QRectF(self.rect()))
        if not sel.isEmpty():
            inner = QPainterPath()
            inner.addRect(sel)
            outside = outside.subtracted(inner)
        p.fillPath(outside, DIM)
        if sel.isEmpty():
            self._paint_guides(p)
            self._paint_hint(p)
        else:
            self._paint_selection(p, sel)
        p.end()

    def _paint_guides(self, p: QPainter) -> None:
        """Thin crosshair lines through the pointer, to line the first corner up with text."""
        if self._mouse is None:
            return
        pen = QPen(QColor(255, 255, 255, 150), 1, Qt.PenStyle.DashLine)
        p.setPen(pen)
        x, y = round(self._mouse.x()) + 0.5, round(self._mouse.y()) + 0.5
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.drawLine(QPointF(0, y), QPointF(self.width(), y))

    def _paint_selection(self, p: QPainter, sel: QRectF) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(ACCENT, 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(sel.adjusted(-1, -1, 1, 1))
        p.setPen(QPen(QColor("white"), 1.5))
        p.setBrush(ACCENT)
        for corner in (sel.topLeft(), sel.topRight(), sel.bottomLeft(), sel.bottomRight()):
            p.drawEllipse(corner, 4.5, 4.5)
        device = self.device_selection()
        self._pill(p, f"{device.width()} × {device.height()}", sel)

    def _pill(self, p: QPainter, text: str, sel: QRectF) -> None:
        """Size readout: above the selection's top-left, inside it when there is no room."""
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        font.setBold(True)
        metrics = QFontMetrics(font)
        box = QRectF(0, 0, metrics.horizontalAdvance(text) + 16, metrics.height() + 8)
        box.moveBottomLeft(sel.topLeft() + QPointF(0, -8))
        if box.top() < 4:
            box.moveTopLeft(sel.topLeft() + QPointF(8, 8))
        box.moveLeft(min(max(4.0, box.left()), self.width() - box.width() - 4))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(20, 22, 26, 225))
        p.drawRoundedRect(box, 6, 6)
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_hint(self, p: QPainter) -> None:
        """What to do, once, at the top of the screen under the pointer."""
        if self._mouse is None and not self.geometry().contains(QCursor.pos(self.screen())):
            return
        title = self.tr("Drag over the text to read")
        detail = self.tr("Right-click to start over  ·  Enter for the whole screen  ·  Esc to cancel")
        big = QFont(self.font())
        big.setPointSizeF(max(11.0, big.pointSizeF() * 1.25))
        big.setBold(True)
        small = QFont(self.font())
        fm_big, fm_small = QFontMetrics(big), QFontMetrics(small)
        width = max(fm_big.horizontalAdvance(title), fm_small.horizontalAdvance(detail)) + 40
        height = fm_big.height() + fm_small.height() + 30
        box = QRectF((self.width() - width) / 2, 36, width, height)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(QColor(255, 255, 255, 40), 1))
        p.setBrush(QColor(20, 22, 26, 230))
        p.drawRoundedRect(box, 12, 12)
        p.setPen(QColor("white"))
        p.setFont(big)
        p.drawText(box.adjusted(0, 12, 0, 0), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, title)
        p.setFont(small)
        p.setPen(QColor(255, 255, 255, 190))
        p.drawText(box.adjusted(0, 0, 0, -12), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                   detail)


class RegionPicker(QObject):
    """Shows a SelectionWindow on every screen and reports the one region picked.

    Emits `picked(image, shot, rect)` (the cut image, the screen's shot, the rectangle in
    that screen's device pixels) or `cancelled()`, then closes its windows."""

    picked = Signal(QImage, object, QRect)
    cancelled = Signal()

    def __init__(self, shots: list[Shot], parent: QObject | None = None):
        super().__init__(parent)
        self.bypass = QGuiApplication.platformName() == "xcb"
        self.windows = [SelectionWindow(shot, self.bypass) for shot in shots]
        for win in self.windows:
            win.picked.connect(lambda rect, w=win: self._done(w, rect))
            win.cancelled.connect(self.cancel)
            win.started.connect(lambda w=win: self._started(w))
        self.finished = False

    def show(self) -> None:
        under = QCursor.pos()
        active = None
        for win in self.windows:
            if self.bypass:
                win.show()  # placed exactly, above panels: X11 lets us
            else:
                win.showFullScreen()  # Wayland, Windows, macOS: the system places full-screen windows
            if win.geometry().contains(under) and active is None:
                active = win
        active = active or (self.windows[0] if self.windows else None)
        if active is not None:
            active.raise_()
            active.activateWindow()
            active.setFocus()
            active.grabKeyboard()  # Esc works at once, whatever had the focus before

    def window_for(self, index: int) -> SelectionWindow:
        return self.windows[index]

    def _started(self, source: SelectionWindow) -> None:
        for win in self.windows:
            if win is not source:
                win.reset()

    def _done(self, win: SelectionWindow, rect: QRect) -> None:
        if self.finished:
            return
        image = win.shot.image.copy(rect)
        image.setDevicePixelRatio(1.0)
        self._close()
        self.picked.emit(image, win.shot, rect)

    def cancel(self) -> None:
        if self.finished:
            return
        self._close()
        self.cancelled.emit()

    def _close(self) -> None:
        self.finished = True
        for win in self.windows:
            win.releaseKeyboard()
            win.close()
        self.windows = []

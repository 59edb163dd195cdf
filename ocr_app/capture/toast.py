"""The capture result toast: what was copied, at a glance, without taking the focus.

A small card in the corner of the screen the capture came from: a title ("Copied 54
characters"), the first lines of the text, what else was found (QR codes), and the two
things one wants next: copy it again (another app took the clipboard meanwhile) or open
the capture in the window to edit or export it. It never takes the keyboard focus from
the app the user is working in, and fades away by itself unless the pointer rests on it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QGuiApplication, QMouseEvent, QScreen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ocr_app.gui import icons, theme

PREVIEW_LINES = 4
WIDTH = 420
SHOW_MS = 7000


def preview(text: str, lines: int = PREVIEW_LINES, width_px: int = WIDTH - 60, metrics: QFontMetrics | None = None
            ) -> str:
    """The first non-empty lines, each elided to fit; "…" when more follow."""
    rows = [r for r in text.splitlines() if r.strip()]
    shown = rows[:lines]
    if metrics is not None:
        shown = [metrics.elidedText(r, Qt.TextElideMode.ElideRight, width_px) for r in shown]
    if len(rows) > lines:
        shown.append("…")
    return "\n".join(shown)


class CaptureToast(QWidget):
    open_requested = Signal()
    copy_requested = Signal()

    def __init__(self) -> None:
        flags = (Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
                 | Qt.WindowType.WindowDoesNotAcceptFocus)
        super().__init__(None, flags)
        self.setObjectName("captureToast")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setFixedWidth(WIDTH)
        self.card = QFrame(self)
        self.card.setObjectName("captureCard")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.card)

        self.icon = QLabel()
        self.icon.setFixedSize(22, 22)
        self.title = QLabel()
        self.title.setObjectName("captureTitle")
        self.close_button = QPushButton("×")
        self.close_button.setObjectName("captureClose")
        self.close_button.setFixedSize(24, 24)
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.clicked.connect(self.hide)
        self.meta = QLabel()  # "8 lines · 1 QR/barcode", under the title
        self.meta.setObjectName("captureMeta")
        titles = QVBoxLayout()
        titles.setSpacing(1)
        titles.addWidget(self.title)
        titles.addWidget(self.meta)
        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addLayout(titles, 1)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

        self.body = QLabel()
        self.body.setObjectName("captureBody")
        self.body.setWordWrap(False)
        self.body.setTextFormat(Qt.TextFormat.PlainText)

        self.copy_button = QPushButton()
        self.copy_button.setObjectName("captureSecondary")
        self.copy_button.clicked.connect(self.copy_requested)
        self.open_button = QPushButton()
        self.open_button.setObjectName("capturePrimary")
        self.open_button.clicked.connect(self._open)
        for button in (self.copy_button, self.open_button):
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.open_button)

        layout = QVBoxLayout(self.card)
        layout.setContentsMargins(16, 14, 14, 14)
        layout.setSpacing(10)
        layout.addLayout(head)
        layout.addWidget(self.body)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.text = ""
        self.retranslate()

    def retranslate(self) -> None:
        self.copy_button.setText(self.tr("Copy again"))
        self.open_button.setText(self.tr("Open in window"))
        self.close_button.setToolTip(self.tr("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_result(self, text: str, meta: str, copied: bool, can_open: bool, screen: QScreen | None = None
                    ) -> None:
        """A recognised capture: the title says whether it is on the clipboard."""
        self.text = text
        if not text:
            title, body, icon_name = self.tr("No text found in the selection"), "", "info"
        elif copied:
            title = self.tr("Copied %1 characters").replace("%1", str(len(text)))
            body, icon_name = text, "copy"
        else:
            title, body, icon_name = self.tr("Text recognised"), text, "copy"
        self._fill(title, body, meta, icon_name, bool(text), can_open, screen)

    def show_error(self, message: str, screen: QScreen | None = None) -> None:
        self.text = ""
        self._fill(self.tr("Capture failed"), message, "", "alert", False, False, screen, wrap=True)

    def _fill(self, title: str, body: str, meta: str, icon_name: str, can_copy: bool, can_open: bool,
              screen: QScreen | None, wrap: bool = False) -> None:
        self._style()
        self.icon.setPixmap(icons.icon(icon_name, theme.ACCENT.name()).pixmap(22, 22))
        self.title.setText(title)
        self.body.setWordWrap(wrap)
        self.body.setText(body if wrap else preview(body, metrics=QFontMetrics(self.body.font())))
        self.body.setVisible(bool(body))
        self.meta.setText(meta)
        self.meta.setVisible(bool(meta))
        self.copy_button.setVisible(can_copy)
        self.open_button.setVisible(can_open)
        self.adjustSize()
        self._place(screen)
        self.show()
        self.raise_()
        self._timer.start(SHOW_MS)

    def _place(self, screen: QScreen | None) -> None:
        screen = screen or QGuiApplication.screenAt(self.cursor().pos()) or QGuiApplication.primaryScreen()
        area: QRect = screen.availableGeometry()
        self.move(area.right() - self.width() - 20, area.bottom() - self.height() - 20)

    def _style(self) -> None:
        dark = theme.is_dark()
        bg, fg, muted, border, button = (("#25272c", "#eceef1", "#9aa0aa", "#3a3e46", "#31343a") if dark else
                                         ("#ffffff", "#1d1f23", "#6b717c", "#d5d8de", "#f1f3f6"))
        self.setStyleSheet(f"""
            QFrame#captureCard {{ background: {bg}; border: 1px solid {border};
                                  border-left: 3px solid {theme.ACCENT.name()}; }}
            QLabel {{ background: transparent; border: none; color: {fg}; }}
            QLabel#captureTitle {{ font-weight: 600; font-size: 10.5pt; }}
            QLabel#captureBody {{ color: {fg}; background: {button}; border-radius: 6px; padding: 8px 10px;
                                  font-size: 10pt; }}
            QLabel#captureMeta {{ color: {muted}; }}
            QPushButton#captureClose {{ border: none; background: transparent; color: {muted}; font-size: 15pt;
                                       padding: 0 0 3px 0; }}
            QPushButton#captureClose:hover {{ color: {fg}; }}
            QPushButton#captureSecondary {{ background: {button}; color: {fg}; border: 1px solid {border};
                                            border-radius: 6px; padding: 5px 12px; }}
            QPushButton#captureSecondary:hover {{ border-color: {theme.ACCENT.name()}; }}
            QPushButton#capturePrimary {{ background: {theme.ACCENT.name()}; color: white; border: none;
                                          border-radius: 6px; padding: 6px 12px; font-weight: 600; }}
            QPushButton#capturePrimary:hover {{ background: #2a6fca; }}
        """)

    def _open(self) -> None:
        self.hide()
        self.open_requested.emit()

    def enterEvent(self, event: QEvent) -> None:
        self._timer.stop()  # reading it: stay
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._timer.start(2500)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.open_button.isHidden():
            self._open()  # a click on the card opens it, as with desktop notifications

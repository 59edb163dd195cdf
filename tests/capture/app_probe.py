"""Drive the real window, tray menu and quick capture in one xcb process; print what happened.

    python tests/capture/app_probe.py     (DISPLAY, XDG_CONFIG_HOME, OCR_DESK_INSTANCE set by the test)

Every step triggers the tray menu's own QAction, as a click in the menu would, and records
the visible effect; the last step is the menu's Quit, after which the JSON report is printed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel

from ocr_app.capture.controller import QuickCapture
from ocr_app.gui.app import create_app
from ocr_app.gui.main_window import MainWindow
from ocr_app.gui.settings import AppSettings

LINES = ["Full screen capture works", "Tray menu reads 512 words"]
report: dict = {}


def text_window() -> QLabel:
    label = QLabel("\n".join(LINES))
    label.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.BypassWindowManagerHint)
    font = QFont("DejaVu Sans")
    font.setPixelSize(40)
    label.setFont(font)
    label.setStyleSheet("background: white; color: #141414; padding-left: 30px;")
    label.setGeometry(0, 0, 1280, 800)  # the whole screen: a full-screen capture reads just this
    return label


def text_image() -> QImage:
    image = QImage(700, 160, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    font = QFont("DejaVu Sans")
    font.setPixelSize(36)
    painter.setFont(font)
    painter.drawText(30, 70, "Pasted from the clipboard")
    painter.end()
    return image


def main() -> int:
    app = create_app([])
    window = MainWindow(AppSettings(QSettings()))
    capture = QuickCapture(window)
    capture.start()
    window.show()
    tray = capture.tray
    label = text_window()
    steps: list[Callable[[], None]] = []

    def after(ms: int, step: Callable[[], None]) -> None:
        QTimer.singleShot(ms, step)

    def run_next() -> None:
        if steps:
            steps.pop(0)()

    def close_keeps_running() -> None:
        report["tray_visible"] = tray.visible
        report["menu"] = [a.text().split("\t")[0] for a in tray.menu.actions() if not a.isSeparator()]
        window.close()  # with a tray and "keep in tray" on: hides, the app stays
        report["close_hides"] = not window.isVisible()
        after(100, run_next)

    def open_window() -> None:
        tray.actions["open_window"].trigger()
        report["open_window"] = window.isVisible()
        after(100, run_next)

    def capture_region() -> None:
        tray.actions["capture_region"].trigger()
        picker = capture.picker
        report["capture_region"] = picker is not None and all(w.isVisible() for w in picker.windows)
        if picker is not None:
            picker.cancel()
        after(100, run_next)

    def capture_screen() -> None:
        window.hide()
        label.show()
        label.raise_()

        def done(_request: int, result) -> None:
            capture.recognizer.done.disconnect(done)
            QTimer.singleShot(50, lambda: finish(result))

        def finish(result) -> None:
            report["capture_screen"] = QGuiApplication.clipboard().text()
            report["toast"] = capture.toast.isVisible() and capture.toast.title.text()
            report["added"] = [it.name for it in window.model.items]
            label.hide()
            run_next()

        capture.recognizer.done.connect(done)
        after(400, lambda: tray.actions["capture_screen"].trigger())

    def paste() -> None:
        QGuiApplication.clipboard().setImage(text_image())
        before = len(window.model.items)
        tray.actions["paste"].trigger()
        report["paste"] = window.isVisible() and len(window.model.items) == before + 1
        after(100, run_next)

    def settings() -> None:
        def look() -> None:
            dialog = QApplication.activeModalWidget()
            groups = [g.title() for g in dialog.findChildren(QGroupBox)] if dialog is not None else []
            report["settings"] = groups
            if dialog is not None:
                dialog.reject()

        after(500, look)
        tray.actions["settings"].trigger()  # modal: returns when `look` closes it
        after(100, run_next)

    def quit_app() -> None:
        tray.actions["quit"].trigger()

    steps += [close_keeps_running, open_window, capture_region, capture_screen, paste, settings, quit_app]
    after(300, run_next)
    QTimer.singleShot(90000, app.quit)  # never hang the suite
    code = app.exec()
    capture.shutdown()
    report["exit"] = code
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python main.py` → the window. The window shows first; models load in the background."""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication

import ocr_app

from . import i18n, icons, theme
from .main_window import MainWindow
from .settings import AppSettings


def create_app(argv: list[str]) -> QApplication:
    QCoreApplication.setOrganizationName("OCR Desk")
    QCoreApplication.setApplicationName("OCR Desk")
    QCoreApplication.setApplicationVersion(ocr_app.__version__)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setWindowIcon(icons.app_icon())
    return app


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    app = create_app(argv)
    settings = AppSettings(QSettings())
    if "--dark" in argv:
        settings.theme = "dark"
    theme.apply(app, settings.theme)
    i18n.install(settings.language)
    window = MainWindow(settings)
    window.show()
    files = [a for a in argv if not a.startswith("-")]
    if files:
        from pathlib import Path

        QTimer.singleShot(0, lambda: window.add_paths([Path(f) for f in files]))
    # Ctrl+C in the terminal closes the window cleanly instead of being swallowed by Qt.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    timer = QTimer()
    timer.start(300)
    timer.timeout.connect(lambda: None)
    return app.exec()

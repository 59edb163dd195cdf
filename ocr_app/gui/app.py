"""`python main.py [--dark] [FILE|FOLDER...]` → the window.

The window shows first; models load in the background; given files are queued at once.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

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
    theme.apply(app, "dark" if "--dark" in argv else settings.theme)  # --dark: this run only
    i18n.install(settings.language)
    window = MainWindow(settings)
    window.show()
    files = [Path(a) for a in argv if not a.startswith("-") and Path(a).exists()]  # not Qt options
    if files:  # `python main.py scan.png folder/` opens with those queued
        QTimer.singleShot(0, lambda: window.add_paths(files))
    # Ctrl+C in the terminal closes the window cleanly instead of being swallowed by Qt.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    timer = QTimer()
    timer.start(300)
    timer.timeout.connect(lambda: None)
    return app.exec()

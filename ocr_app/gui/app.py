"""`python main.py [--dark] [--tray] [FILE|FOLDER...]` → the window (and the tray icon).

The window shows first; models load in the background; given files are queued at once.
Quick capture (ocr_app/capture) adds the tray icon, the global shortcut and the
single-instance server that later `main.py capture` / `main.py FILES` calls talk to.
`--tray` (or the "start minimised" setting) starts hidden in the tray.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

import ocr_app
from ocr_app.capture.controller import QuickCapture

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


class SigintWatch:
    """Ctrl+C in the terminal closes the window cleanly instead of being swallowed by Qt.

    Python runs signal handlers only between bytecodes, never while Qt waits in C; the
    C-level handler writes to a wakeup socket the event loop watches, and reading it
    brings Python back to run the handler. No timer wakes the process while idle."""

    def __init__(self, handler: Callable[[], None]):
        self._read, self._write = socket.socketpair()
        for sock in (self._read, self._write):
            sock.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGINT, lambda *_: handler())
        self.notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._drain)

    def _drain(self, *_args) -> None:
        with contextlib.suppress(OSError):
            self._read.recv(512)

    def close(self) -> None:
        self.notifier.setEnabled(False)
        signal.set_wakeup_fd(self._old_fd)
        self._read.close()
        self._write.close()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    app = create_app(argv)
    settings = AppSettings(QSettings())
    theme.apply(app, "dark" if "--dark" in argv else settings.theme)  # --dark: this run only
    i18n.install(settings.language)
    window = MainWindow(settings)
    capture = QuickCapture(window)
    capture.start()
    files = [Path(a) for a in argv if not a.startswith("-") and Path(a).exists()]  # not Qt options
    hidden = ("--tray" in argv or settings.start_minimised) and capture.tray.visible and not files
    if not hidden:
        window.show()
    if files:  # `python main.py scan.png folder/` opens with those queued
        QTimer.singleShot(0, lambda: window.add_paths(files))
    def quit_all() -> None:
        window.quit_app()
        app.quit()  # also when the window is hidden in the tray

    watch = SigintWatch(quit_all)
    try:
        return app.exec()
    finally:
        watch.close()
        capture.shutdown()

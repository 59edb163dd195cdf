"""`python main.py` path: the window shows, models load in the background, closing exits with 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication


def test_main_shows_window_loads_engine_and_exits(qapp, tmp_path, samples):
    from ocr_app.gui.app import main
    from ocr_app.gui.main_window import MainWindow

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    seen: dict = {}
    poll = QTimer()

    def check() -> None:
        wins = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not wins:
            return
        win = wins[0]
        if win.engine is not None and not win.runner.busy and win.model.items:
            seen["items"] = [(it.name, it.status.value) for it in win.model.items]
            poll.stop()
            win.close()

    poll.timeout.connect(check)
    poll.start(20)
    QTimer.singleShot(60000, QApplication.closeAllWindows)  # never hang the suite
    try:
        assert main([str(samples["en"])]) == 0
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert seen["items"] == [("invoice.png", "done")]


def test_opening_the_window_imports_no_engine_library():
    """The window shows first and the models load in the background: importing the GUI must not pull in
    ONNX Runtime, OpenCV, numpy or Pillow on the main thread (together ~0.6 s before the first paint)."""
    probe = ("import sys, ocr_app.gui.app, ocr_app.gui.main_window; "
             "print(sorted(m for m in ('cv2', 'onnxruntime', 'numpy', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True).stdout
    assert out.strip() == "[]", out

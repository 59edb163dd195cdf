"""A window with known text at a known place, for the capture tests (run under Xvfb).

    python tests/capture/show_text.py X,Y,W,H "line one|line two" [PIXELS]

Frameless and outside the window manager's control, so it sits exactly where asked.
Prints "ready" once it is on screen; exits when its stdin closes (the test ends).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel


def main() -> int:
    x, y, w, h = (int(v) for v in sys.argv[1].split(","))
    lines = sys.argv[2].split("|")
    pixels = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    app = QApplication(sys.argv[:1])
    label = QLabel("\n".join(lines))
    label.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.BypassWindowManagerHint)
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixels)
    label.setFont(font)
    label.setStyleSheet("background: white; color: #141414; padding-left: 30px;")
    label.setGeometry(x, y, w, h)  # logical pixels: the tests run this without scaling
    label.show()
    stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    stdin.activated.connect(app.quit)  # EOF: the test is over
    QTimer.singleShot(300, lambda: print("ready", flush=True))  # mapped and painted by then
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

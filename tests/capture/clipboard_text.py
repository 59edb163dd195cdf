"""Print the X clipboard's text (what another program would paste), for the capture tests."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
sys.stdout.write(app.clipboard().text())

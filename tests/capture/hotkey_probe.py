"""Take a global shortcut on the X display and report presses, for the hotkey test.

    python tests/capture/hotkey_probe.py SEQUENCE [PRESSES]

Prints one JSON line ({"registered": bool, "error": str|null}); when registered, prints
"pressed" for each press and exits after PRESSES presses (default 0: at once) or 20 s.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ocr_app.capture.hotkey import GlobalHotkey, HotkeyError


def main() -> int:
    app = QApplication(sys.argv[:1])
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    hotkey = GlobalHotkey()
    try:
        hotkey.register(sys.argv[1])
        print(json.dumps({"registered": True, "error": None}), flush=True)
    except HotkeyError as exc:
        print(json.dumps({"registered": False, "error": str(exc)}), flush=True)
        return 0
    seen = [0]

    def pressed() -> None:
        seen[0] += 1
        print("pressed", flush=True)
        if seen[0] >= wanted:
            app.quit()

    hotkey.activated.connect(pressed)
    if wanted == 0:
        return 0
    QTimer.singleShot(20000, app.quit)
    app.exec()
    hotkey.unregister()
    return 0


if __name__ == "__main__":
    sys.exit(main())

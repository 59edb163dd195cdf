"""X11 global key: XGrabKey on the root window through python-xlib, on its own connection.

The grab is made for each Num Lock / Caps Lock state (X matches modifiers exactly), and a
BadAccess error means another program holds the combination. Key events arrive on our X
connection; a QSocketNotifier on its socket wakes us, so nothing polls.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QSocketNotifier, Qt

from .hotkey import Combo, HotkeyError

_NAMED = {  # Qt.Key → X keysym for keys that are not printable characters
    Qt.Key.Key_Print: 0xFF61, Qt.Key.Key_Pause: 0xFF13, Qt.Key.Key_Insert: 0xFF63, Qt.Key.Key_Delete: 0xFFFF,
    Qt.Key.Key_Home: 0xFF50, Qt.Key.Key_End: 0xFF57, Qt.Key.Key_PageUp: 0xFF55, Qt.Key.Key_PageDown: 0xFF56,
    Qt.Key.Key_Left: 0xFF51, Qt.Key.Key_Up: 0xFF52, Qt.Key.Key_Right: 0xFF53, Qt.Key.Key_Down: 0xFF54,
    Qt.Key.Key_Space: 0x20, Qt.Key.Key_Escape: 0xFF1B, Qt.Key.Key_Tab: 0xFF09, Qt.Key.Key_Return: 0xFF0D,
    Qt.Key.Key_Backspace: 0xFF08, Qt.Key.Key_ScrollLock: 0xFF14,
}


def keysym(key: int) -> int:
    """Latin-1 keysyms are the character codes (lower case for letters); F-keys run from 0xFFBE."""
    if 0x20 <= key < 0x7F:
        return ord(chr(key).lower())
    f1 = int(Qt.Key.Key_F1.value)
    if f1 <= key <= int(Qt.Key.Key_F35.value):
        return 0xFFBE + key - f1
    for qt_key, sym in _NAMED.items():
        if int(qt_key.value) == key:
            return sym
    raise HotkeyError(QCoreApplication.translate("Hotkey", "That key cannot be used as a global shortcut."))


class X11Hotkey:
    def __init__(self, on_press: Callable[[], None]):
        self.on_press = on_press
        self.display = None
        self.notifier: QSocketNotifier | None = None
        self._grabs: list[tuple[int, int]] = []

    def register(self, combo: Combo) -> None:
        try:
            from Xlib import X, error
            from Xlib.display import Display
        except ImportError as exc:
            raise HotkeyError(QCoreApplication.translate(
                "Hotkey", "Global shortcuts need the python-xlib package (pip install python-xlib).")) from exc
        try:
            self.display = Display()
        except Exception as exc:  # no $DISPLAY, refused connection
            raise HotkeyError(QCoreApplication.translate(
                "Hotkey", "Cannot reach the X display for a global shortcut: %1").replace("%1", str(exc))) from exc
        root = self.display.screen().root
        code = self.display.keysym_to_keycode(keysym(combo.key))
        if not code:
            self.unregister()
            raise HotkeyError(QCoreApplication.translate("Hotkey", "This keyboard has no %1 key.").replace(
                "%1", combo.text.rsplit("+", 1)[-1]))
        mods = ((X.ControlMask if combo.ctrl else 0) | (X.Mod1Mask if combo.alt else 0)
                | (X.ShiftMask if combo.shift else 0) | (X.Mod4Mask if combo.meta else 0))
        catcher = error.CatchError(error.BadAccess)
        for lock in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):  # Caps Lock, Num Lock
            root.grab_key(code, mods | lock, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
            self._grabs.append((code, mods | lock))
        self.display.sync()  # errors of the grabs arrive now
        if catcher.get_error() is not None:
            self.unregister()
            raise HotkeyError(QCoreApplication.translate(
                "Hotkey", "%1 is already used by another program: choose another shortcut in Settings.").replace(
                "%1", combo.text))
        self.notifier = QSocketNotifier(self.display.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._drain)
        self._drain()

    def _drain(self, *_args) -> None:
        from Xlib import X

        display = self.display
        if display is None:
            return
        try:
            while display.pending_events():
                if display.next_event().type == X.KeyPress:
                    self.on_press()
        except Exception:  # the X server went away: stop listening quietly
            self.unregister()

    def unregister(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        display, self.display = self.display, None
        if display is None:
            return
        try:
            root = display.screen().root
            for code, mods in self._grabs:
                root.ungrab_key(code, mods)
            display.close()
        except Exception:
            pass
        self._grabs = []

"""Windows global key: RegisterHotKey for the thread, WM_HOTKEY caught by a native event filter.

Registered without a window, Windows posts WM_HOTKEY to the GUI thread's queue; Qt's event
dispatcher shows such thread messages to native filters as "windows_dispatcher_MSG"
(window messages as "windows_generic_MSG"). MOD_NOREPEAT: a held key fires once.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication, Qt

from .hotkey import Combo, HotkeyError

WM_HOTKEY = 0x0312
HOTKEY_ID = 0x0C5D
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
_NAMED = {Qt.Key.Key_Print: 0x2C, Qt.Key.Key_Pause: 0x13, Qt.Key.Key_Insert: 0x2D, Qt.Key.Key_Delete: 0x2E,
          Qt.Key.Key_Home: 0x24, Qt.Key.Key_End: 0x23, Qt.Key.Key_PageUp: 0x21, Qt.Key.Key_PageDown: 0x22,
          Qt.Key.Key_Left: 0x25, Qt.Key.Key_Up: 0x26, Qt.Key.Key_Right: 0x27, Qt.Key.Key_Down: 0x28,
          Qt.Key.Key_Space: 0x20, Qt.Key.Key_ScrollLock: 0x91}


def virtual_key(key: int) -> int:
    """Letters and digits are their upper-case ASCII codes; F1-F24 run from 0x70."""
    if 0x30 <= key <= 0x39 or 0x41 <= key <= 0x5A:
        return key
    f1 = int(Qt.Key.Key_F1.value)
    if f1 <= key <= f1 + 23:
        return 0x70 + key - f1
    for qt_key, vk in _NAMED.items():
        if int(qt_key.value) == key:
            return vk
    raise HotkeyError(QCoreApplication.translate("Hotkey", "That key cannot be used as a global shortcut."))


class _Filter(QAbstractNativeEventFilter):
    def __init__(self, on_press: Callable[[], None]):
        super().__init__()
        self.on_press = on_press

    def nativeEventFilter(self, event_type: QByteArray, message: int) -> tuple[bool, int]:
        if bytes(event_type) in (b"windows_dispatcher_MSG", b"windows_generic_MSG"):
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == WM_HOTKEY and msg.wParam == HOTKEY_ID:
                self.on_press()
                return True, 0
        return False, 0


class WindowsHotkey:
    def __init__(self, on_press: Callable[[], None]):
        self.filter = _Filter(on_press)
        self.registered = False

    def register(self, combo: Combo) -> None:
        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        mods = ((MOD_CONTROL if combo.ctrl else 0) | (MOD_ALT if combo.alt else 0)
                | (MOD_SHIFT if combo.shift else 0) | (MOD_WIN if combo.meta else 0) | MOD_NOREPEAT)
        if not user32.RegisterHotKey(None, HOTKEY_ID, mods, virtual_key(combo.key)):
            raise HotkeyError(QCoreApplication.translate(
                "Hotkey", "%1 is already used by another program: choose another shortcut in Settings.").replace(
                "%1", combo.text))
        QCoreApplication.instance().installNativeEventFilter(self.filter)
        self.registered = True

    def unregister(self) -> None:
        if self.registered:
            ctypes.windll.user32.UnregisterHotKey(None, HOTKEY_ID)  # type: ignore[attr-defined]
            QCoreApplication.instance().removeNativeEventFilter(self.filter)
            self.registered = False

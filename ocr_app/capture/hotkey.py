"""The global capture shortcut: one key combination, system-wide, per platform.

X11 grabs the key on the root window (hotkey_x11.py, python-xlib), Windows registers it
with RegisterHotKey (hotkey_win.py). Wayland gives apps no global keys by design, and
macOS needs accessibility rights we do not ask for: there the user binds the command
`ocr-desk capture` (`python main.py capture` from source) to a shortcut in the desktop's
keyboard settings, which is what `register` tells them. No backend polls: X11 events
wake a QSocketNotifier, Windows posts WM_HOTKEY to the event loop.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence

from ocr_app.gui.qtfix import emit

from .grab import is_wayland

DEFAULT = "Ctrl+Alt+O"
REPEAT_S = 0.35  # a held key repeats: one capture per press


class HotkeyError(Exception):
    """Why the key could not be had, in words for the user."""


@dataclass(frozen=True)
class Combo:
    key: int  # Qt.Key value
    ctrl: bool = False
    alt: bool = False
    shift: bool = False
    meta: bool = False  # the Windows / Super key

    @property
    def text(self) -> str:
        mods = Qt.KeyboardModifier.NoModifier
        for flag, mod in ((self.ctrl, Qt.KeyboardModifier.ControlModifier),
                          (self.alt, Qt.KeyboardModifier.AltModifier),
                          (self.shift, Qt.KeyboardModifier.ShiftModifier),
                          (self.meta, Qt.KeyboardModifier.MetaModifier)):
            if flag:
                mods |= mod
        return QKeySequence(mods | Qt.Key(self.key)).toString(QKeySequence.SequenceFormat.PortableText)


def parse(text: str) -> Combo:
    """"Ctrl+Alt+O" (Qt's portable form) → Combo; HotkeyError when it is not one usable key."""
    seq = QKeySequence(text.strip(), QKeySequence.SequenceFormat.PortableText)
    if seq.isEmpty() or seq.count() != 1:
        raise HotkeyError(QCoreApplication.translate("Hotkey", "“%1” is not a key combination").replace("%1", text))
    combo = seq[0]
    key = int(combo.key().value if hasattr(combo.key(), "value") else combo.key())
    mods = combo.keyboardModifiers()
    result = Combo(key, bool(mods & Qt.KeyboardModifier.ControlModifier), bool(mods & Qt.KeyboardModifier.AltModifier),
                   bool(mods & Qt.KeyboardModifier.ShiftModifier), bool(mods & Qt.KeyboardModifier.MetaModifier))
    plain_key = 0x20 < key < 0x7F or key == int(Qt.Key.Key_Space.value)
    if plain_key and not (result.ctrl or result.alt or result.meta):
        raise HotkeyError(QCoreApplication.translate(
            "Hotkey", "%1 alone would stop that key from typing: add Ctrl, Alt or the Windows key").replace("%1", text))
    return result


def system_shortcut_hint() -> str:
    """How to get a shortcut where apps cannot have one (Wayland, macOS)."""
    command = "ocr-desk capture" if getattr(sys, "frozen", False) else f"{sys.executable} main.py capture"
    return QCoreApplication.translate(
        "Hotkey", "Bind the command “%1” to a keyboard shortcut in your desktop's keyboard settings; "
        "it reads the region you select with the running OCR Desk.").replace("%1", command)


class GlobalHotkey(QObject):
    """`register("Ctrl+Alt+O")`; `activated` fires on the GUI thread at each press."""

    activated = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._backend = None
        self._last = 0.0
        self.sequence = ""

    @staticmethod
    def platform_note() -> str | None:
        """None where global keys work, else why not and what to do instead."""
        if is_wayland():
            return QCoreApplication.translate(
                "Hotkey", "Wayland does not let apps listen to keys globally.") + " " + system_shortcut_hint()
        platform = QGuiApplication.platformName()
        if sys.platform == "darwin":
            return QCoreApplication.translate(
                "Hotkey", "Global shortcuts are not built in on macOS yet.") + " " + system_shortcut_hint()
        if platform not in ("xcb", "windows"):
            return QCoreApplication.translate(
                "Hotkey", "This display (%1) has no global shortcuts.").replace("%1", platform)
        return None

    def register(self, sequence: str) -> None:
        """Take the key (releasing the one held before); HotkeyError says why not."""
        self.unregister()
        if not sequence:
            return
        note = self.platform_note()
        if note:
            raise HotkeyError(note)
        combo = parse(sequence)
        if sys.platform == "win32":
            from .hotkey_win import WindowsHotkey

            backend = WindowsHotkey(self._pressed)
        else:
            from .hotkey_x11 import X11Hotkey

            backend = X11Hotkey(self._pressed)
        backend.register(combo)  # raises HotkeyError
        self._backend = backend
        self.sequence = combo.text

    def unregister(self) -> None:
        if self._backend is not None:
            self._backend.unregister()
            self._backend = None
        self.sequence = ""

    @property
    def active(self) -> bool:
        return self._backend is not None

    def _pressed(self) -> None:
        now = time.monotonic()
        if now - self._last >= REPEAT_S:
            self._last = now
            emit(self.activated)

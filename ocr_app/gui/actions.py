"""Every user command as a QAction with shortcut, icon and tooltip (shown in menus and toolbar)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

from . import icons

# name → (icon, shortcuts, text, tooltip); texts are translated at (re)translate time, from the
# "Actions" context of resources/i18n/zh_CN.json (tests/gui/test_i18n.py checks every one).
SPECS: dict[str, tuple[str | None, tuple[str, ...], str, str]] = {
    "add_files": ("file-plus", ("Ctrl+O",), "Add files…", "Add image or PDF files to the batch"),
    "add_folder": ("folder-plus", ("Ctrl+Shift+O",), "Add folder…",
                   "Add every image in a folder and its subfolders"),
    "capture": ("capture", ("Ctrl+Shift+X",), "Capture region…",
                "Select part of the screen and copy its text (global shortcut in Settings)"),
    "paste": ("clipboard", ("Ctrl+V",), "Paste", "Add an image or image files from the clipboard"),
    "cancel": ("stop", ("Esc",), "Cancel", "Stop the batch: queued items are cancelled, running ones finish"),
    "retry": ("retry", ("Ctrl+R",), "Retry failed", "Run failed and cancelled items again"),
    "remove": ("trash", ("Del",), "Remove", "Remove the selected items from the list"),
    "clear": ("clear", ("Ctrl+Shift+Del",), "Clear", "Remove all items (cancels the batch)"),
    "undo": (None, ("Ctrl+Z",), "Undo remove", "Put the items last removed or cleared back in the list"),
    "history": ("search", ("Ctrl+F",), "Search history…",
                "Find any text read before, in every file and every run (kept on this computer only)"),
    "copy": ("copy", ("Ctrl+C",), "Copy text", "Copy the text of the selected items (or the selected text)"),
    "copy_all": (None, ("Ctrl+Shift+C",), "Copy all text", "Copy the text of all finished items, with file names"),
    "export": ("export", ("Ctrl+E",), "Export…", "Save text as TXT, Markdown, JSON, CSV or searchable PDF"),
    "zoom_in": ("zoom-in", ("Ctrl++", "Ctrl+="), "Zoom in", "Zoom both images in"),
    "zoom_out": ("zoom-out", ("Ctrl+-",), "Zoom out", "Zoom both images out"),
    "zoom_fit": ("fit", ("Ctrl+0",), "Fit to window", "Fit both images to the view"),
    "zoom_actual": (None, ("Ctrl+1",), "Actual size", "Show both images at 100 %"),
    "dark": ("moon", ("Ctrl+Shift+D",), "Dark mode", "Switch between the light and dark palette"),
    "settings": ("settings", ("Ctrl+,",), "Settings…", "Recognition, appearance, language and local API server"),
    "about": ("info", ("F1",), "About OCR Desk", "Version and model information"),
    "quit": (None, ("Ctrl+Q",), "Quit", "Close OCR Desk"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("Actions", text)


def build(parent, slots: dict[str, Callable]) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    for name, (_icon, keys, _text, _tip) in SPECS.items():
        act = QAction(parent)
        act.setObjectName(name)
        act.setShortcuts([QKeySequence(k) for k in keys])
        if name in slots:
            act.triggered.connect(slots[name])
        actions[name] = act
    actions["dark"].setCheckable(True)
    retranslate(actions)
    return actions


def retranslate(actions: dict[str, QAction]) -> None:
    for name, act in actions.items():
        _icon, keys, text, tip = SPECS[name]
        act.setText(tr(text))
        shortcut = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
        act.setToolTip(f"{tr(tip)} ({shortcut})")
        act.setStatusTip(tr(tip))


def refresh_icons(actions: dict[str, QAction]) -> None:
    """Re-tint after a palette change."""
    for name, act in actions.items():
        icon_name = SPECS[name][0]
        if icon_name:
            act.setIcon(icons.icon(icon_name))

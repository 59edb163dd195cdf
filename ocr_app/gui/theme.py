"""Fusion style with a light or dark palette (following the system by default) plus a small QSS."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ocr_app import paths

ACCENT = QColor("#2f7de1")


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None:
        value = scheme()
        if value == Qt.ColorScheme.Dark:
            return True
        if value == Qt.ColorScheme.Light:
            return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def palette(dark: bool) -> QPalette:
    pal = QPalette()
    if dark:
        colours = {"window": "#1f2125", "base": "#17181b", "alt": "#23252a", "text": "#e6e7ea",
                   "button": "#2a2d33", "mid": "#3a3e46", "disabled": "#6d717a", "tip": "#2a2d33"}
    else:
        colours = {"window": "#f4f5f7", "base": "#ffffff", "alt": "#f7f8fa", "text": "#1d1f23",
                   "button": "#ffffff", "mid": "#d5d8de", "disabled": "#a0a4ab", "tip": "#ffffff"}
    role = QPalette.ColorRole
    pal.setColor(role.Window, QColor(colours["window"]))
    pal.setColor(role.WindowText, QColor(colours["text"]))
    pal.setColor(role.Base, QColor(colours["base"]))
    pal.setColor(role.AlternateBase, QColor(colours["alt"]))
    pal.setColor(role.Text, QColor(colours["text"]))
    pal.setColor(role.Button, QColor(colours["button"]))
    pal.setColor(role.ButtonText, QColor(colours["text"]))
    pal.setColor(role.ToolTipBase, QColor(colours["tip"]))
    pal.setColor(role.ToolTipText, QColor(colours["text"]))
    pal.setColor(role.PlaceholderText, QColor(colours["disabled"]))
    pal.setColor(role.Mid, QColor(colours["mid"]))
    pal.setColor(role.Midlight, QColor(colours["mid"]))
    pal.setColor(role.Highlight, ACCENT)
    pal.setColor(role.HighlightedText, QColor("#ffffff"))
    pal.setColor(role.Link, ACCENT)
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, r, QColor(colours["disabled"]))
    return pal


def stylesheet(dark: bool) -> str:
    path = paths.resources_dir() / "qss" / "app.qss"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    pal = palette(dark)
    values = {
        "@window": pal.color(QPalette.ColorRole.Window).name(),
        "@base": pal.color(QPalette.ColorRole.Base).name(),
        "@text": pal.color(QPalette.ColorRole.Text).name(),
        "@mid": pal.color(QPalette.ColorRole.Mid).name(),
        "@muted": pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text).name(),
        "@button": pal.color(QPalette.ColorRole.Button).name(),
        "@hover": "#32363d" if dark else "#eceef2",
        "@accent": ACCENT.name(),
        "@accentsoft": "#1d3553" if dark else "#e3eefc",
        "@panel": "#1b1d21" if dark else "#fbfbfc",
        "@icons": (paths.resources_dir() / "icons").as_posix(),
    }
    for key in sorted(values, key=len, reverse=True):
        text = text.replace(key, values[key])
    return text


def apply(app: QApplication, mode: str = "system") -> bool:
    """Apply "system" | "light" | "dark"; returns whether the dark palette is in use."""
    dark = system_is_dark() if mode == "system" else mode == "dark"
    app.setStyle("Fusion")
    app.setPalette(palette(dark))
    app.setStyleSheet(stylesheet(dark))
    app.setProperty("darkTheme", dark)
    return dark


def is_dark() -> bool:
    app = QApplication.instance()
    return bool(app.property("darkTheme")) if app is not None else False

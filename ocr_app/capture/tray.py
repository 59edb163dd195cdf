"""The tray icon: quick capture and the window, one click away, while OCR Desk runs hidden.

Left click opens the window, middle click captures a region; the menu has every command.
Where the desktop has no tray (some GNOME setups, bare X servers) the icon is not shown
and closing the window quits, since nothing else would bring it back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ocr_app import APP_NAME
from ocr_app.gui import icons

COMMANDS = ("capture_region", "capture_screen", "paste", None, "open_window", "settings", None, "quit")


class Tray(QObject):
    triggered = Signal(str)  # one of COMMANDS

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.menu = QMenu()
        self.actions: dict[str, QAction] = {}
        for name in COMMANDS:
            if name is None:
                self.menu.addSeparator()
                continue
            act = self.menu.addAction("")
            act.setObjectName(name)
            act.triggered.connect(lambda _checked=False, n=name: self.triggered.emit(n))
            self.actions[name] = act
        self.menu.setDefaultAction(self.actions["capture_region"])
        self.icon = QSystemTrayIcon(icons.app_icon(), self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.shortcut = ""
        self.menu.installEventFilter(self)
        self.retranslate()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> bool:
        """Show the icon where the desktop has a tray; False where it has none."""
        if not self.available():
            return False
        self.icon.show()
        return True

    @property
    def visible(self) -> bool:
        return self.icon.isVisible()

    def hide(self) -> None:
        self.icon.hide()

    def set_shortcut(self, text: str) -> None:
        """Show the global shortcut next to "Capture region" and in the tooltip."""
        self.shortcut = text
        self.retranslate()

    def retranslate(self) -> None:
        texts = {"capture_region": self.tr("Capture region"), "capture_screen": self.tr("Capture full screen"),
                 "paste": self.tr("Paste image"), "open_window": self.tr("Open window"),
                 "settings": self.tr("Settings…"), "quit": self.tr("Quit")}
        for name, text in texts.items():
            self.actions[name].setText(text + (f"\t{self.shortcut}" if name == "capture_region" and self.shortcut
                                               else ""))
        tip = APP_NAME
        if self.shortcut:
            tip += " — " + self.tr("%1 captures a region").replace("%1", self.shortcut)
        self.icon.setToolTip(tip)
        self.actions["capture_region"].setIcon(icons.icon("capture"))
        self.actions["paste"].setIcon(icons.icon("clipboard"))
        self.actions["settings"].setIcon(icons.icon("settings"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.menu and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    def message(self, title: str, text: str) -> None:
        if self.visible:
            self.icon.showMessage(title, text, icons.app_icon(), 6000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.triggered.emit("open_window")
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.triggered.emit("capture_region")

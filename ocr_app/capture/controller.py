"""Quick capture in the running app: region → text on the clipboard, toast, batch item.

Every way in ends here: the window's Capture action, the tray menu, the global hotkey and
requests from a second process (`main.py capture`, `main.py FILES...`, see instance.py).
The reply to a waiting command goes out before the extras (the batch item's PNG, the
toast), so the command's text comes back as soon as the engine has it.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRect, QTimer
from PySide6.QtGui import QCursor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from ocr_app.options import LAYOUT_MODES

from . import grab
from .capture_reader import CaptureRecognizer, png_bytes
from .grab import CaptureError
from .hotkey import GlobalHotkey, HotkeyError
from .instance import InstanceServer, Reply
from .overlay import RegionPicker
from .toast import CaptureToast
from .tray import Tray

if TYPE_CHECKING:
    from ocr_app.engine import OcrResult
    from ocr_app.gui.main_window import MainWindow

HIDE_MS = 250  # let the compositor repaint what the hidden window covered before the grab


@dataclass
class _Pending:
    image: QImage
    screen: str  # key (see grab.Shot)
    reply: Reply | None
    clipboard: bool
    toast: bool
    started: float = field(default_factory=time.perf_counter)


class QuickCapture(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.recognizer = CaptureRecognizer(window.engine_config, self)
        self.recognizer.done.connect(self._on_read)
        self.toast = CaptureToast()
        self.toast.open_requested.connect(self.open_last)
        self.toast.copy_requested.connect(self.copy_again)
        self.picker: RegionPicker | None = None
        self._pending: dict[int, _Pending] = {}
        self._restore_window = False
        self.last_text = ""
        self.last_item = None
        self.last_ms = 0.0  # selection (or request) → text on the clipboard, for the benchmarks
        self.open_ms = 0.0  # capture asked for (hotkey, menu) → overlay on screen
        self.tray = Tray(self)
        self.tray.triggered.connect(self.tray_command)
        self.hotkey = GlobalHotkey(self)
        self.hotkey.activated.connect(self.capture_region)
        self.hotkey_error: str | None = None
        self.server = InstanceServer(self.handle, self)
        window.quick_capture = self
        window.acts["capture"].triggered.connect(lambda: self.capture_region(hide_window=True))
        window.acts["capture"].setEnabled(True)

    def start(self, listen: bool = True) -> None:
        """Tray icon, global shortcut, single-instance server, and the engine loading."""
        if listen and not self.server.listen():
            print("OCR Desk: another instance answers at", self.server.server.fullServerName(), file=sys.stderr)
        self.tray.show()
        self.set_hotkey(self.settings.hotkey)
        headless = QGuiApplication.platformName() in ("offscreen", "minimal")
        if self.hotkey_error and not headless:  # where a person sits: say so once, without a dialog
            print(f"OCR Desk: global shortcut: {self.hotkey_error}", file=sys.stderr)
            self.window.statusBar().showMessage(self.hotkey_error, 15000)
        self.recognizer.warm_up()

    def keeps_running(self) -> bool:
        """Closing the window only hides it: the setting is on and the tray icon can bring it back."""
        return self.settings.keep_in_tray and self.tray.visible

    def set_hotkey(self, sequence: str) -> str | None:
        """Take the global shortcut (None on success, else why not; the old one is released)."""
        try:
            self.hotkey.register(sequence)
            self.hotkey_error = None
        except HotkeyError as exc:
            self.hotkey_error = str(exc)
        self.tray.set_shortcut(self.hotkey.sequence)
        return self.hotkey_error

    def tray_command(self, name: str) -> None:
        if name == "capture_region":
            self.capture_region()
        elif name == "capture_screen":
            self.capture_screen()
        elif name == "paste":
            self.show_window()
            self.window.paste()
        elif name == "open_window":
            self.show_window()
        elif name == "settings":
            self.show_window()
            self.window.settings_dialog()
        elif name == "quit":
            self.window.quit_app()
            QApplication.quit()

    # ---- ways in ----------------------------------------------------------------------

    def capture_region(self, reply: Reply | None = None, clipboard: bool = True, screen: int | None = None,
                       hide_window: bool = False) -> None:
        """Open the overlay on every screen (or on screen `screen`)."""
        if self.picker is not None:
            if reply is not None:
                reply.send({"ok": False, "error": "a capture is already in progress"})
            return
        if hide_window and self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()  # the user wants what is behind the window
            self._restore_window = True
            QTimer.singleShot(HIDE_MS, lambda: self._open_picker(reply, clipboard, screen))
        else:
            self._open_picker(reply, clipboard, screen)

    def capture_screen(self, reply: Reply | None = None, clipboard: bool = True, screen: int | None = None) -> None:
        """Read a whole screen: the given one, else the one under the pointer."""
        try:
            target = grab.screen_by_index(screen) if screen is not None else (
                QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen())
            shot = grab.grab_all() if grab.is_wayland() else [grab.grab_screen(target)]
            chosen = next((s for s in shot if s.screen_key == grab.screen_key(target)), shot[0])
        except CaptureError as exc:
            self._fail(str(exc), reply)
            return
        image = grab.cut(chosen.image, QRect(0, 0, chosen.image.width(), chosen.image.height()))
        self._read(image, grab.screen_key(target), reply, clipboard, toast=reply is None or clipboard)

    def capture_rect(self, rect: QRect, screen: int | None, reply: Reply | None, clipboard: bool) -> None:
        """Read a region given in device pixels (the command's --region)."""
        try:
            target, _local = grab.locate(rect, screen)
            image = grab.grab_region(rect, screen)
        except CaptureError as exc:
            self._fail(str(exc), reply)
            return
        self._read(image, grab.screen_key(target), reply, clipboard, toast=clipboard)

    def handle(self, message: dict, reply: Reply) -> None:
        """A request from another process (see handover.py for the protocol)."""
        cmd = message.get("cmd")
        if cmd == "status":  # what the app is doing: for scripts, tests and bug reports
            reply.send({"ok": True, "items": [it.name for it in self.window.model.items],
                        "window": self.window.isVisible(), "tray": self.tray.visible,
                        "hotkey": self.hotkey.sequence, "hotkey_error": self.hotkey_error,
                        "picking": self.picker is not None, "last_ms": round(self.last_ms, 1),
                        "open_ms": round(self.open_ms, 1)})
        elif cmd == "show":
            self.show_window()
            reply.send({"ok": True})
        elif cmd == "open":
            paths = [Path(p) for p in message.get("paths") or [] if isinstance(p, str)]
            self.show_window()
            added = self.window.add_paths(paths) if paths else 0
            reply.send({"ok": True, "added": added})
        elif cmd == "capture":
            clipboard = bool(message.get("clipboard", True))
            screen = message.get("screen")
            screen = int(screen) if isinstance(screen, int) else None
            region = message.get("region")
            if isinstance(region, list) and len(region) == 4 and all(isinstance(v, int) for v in region):
                self.capture_rect(QRect(*region), screen, reply, clipboard)
            elif message.get("full"):
                self.capture_screen(reply, clipboard, screen)
            else:
                self.capture_region(reply, clipboard, screen)
        else:
            reply.send({"ok": False, "error": f"unknown command: {cmd!r}"})

    # ---- the overlay ------------------------------------------------------------------

    def _open_picker(self, reply: Reply | None, clipboard: bool, screen: int | None) -> None:
        started = time.perf_counter()
        try:
            shots = grab.grab_all()
            if screen is not None:
                wanted = grab.screen_by_index(screen)
                shots = [s for s in shots if s.screen_key == grab.screen_key(wanted)]
        except CaptureError as exc:
            self._fail(str(exc), reply)
            return
        picker = RegionPicker(shots, self)
        picker.picked.connect(lambda image, shot, _rect: self._picked(image, shot.screen_key, reply, clipboard))
        picker.cancelled.connect(lambda: self._cancelled(reply))
        self.picker = picker
        picker.show()
        self.open_ms = (time.perf_counter() - started) * 1000

    def _picked(self, image: QImage, screen: str, reply: Reply | None, clipboard: bool) -> None:
        self._drop_picker()
        self._read(image, screen, reply, clipboard, toast=True)

    def _cancelled(self, reply: Reply | None) -> None:
        self._drop_picker()
        self._bring_window_back()
        if reply is not None:
            reply.send({"ok": False, "cancelled": True, "error": "capture cancelled"})

    def _drop_picker(self) -> None:
        if self.picker is not None:
            self.picker.deleteLater()
            self.picker = None

    # ---- reading and the result -------------------------------------------------------

    def _read(self, image: QImage, screen: str, reply: Reply | None, clipboard: bool, toast: bool) -> None:
        name = time.strftime("capture %H-%M-%S.png")
        request = self.recognizer.read(image, name)
        self._pending[request] = _Pending(image, screen, reply, clipboard, toast)

    def _on_read(self, request: int, result: OcrResult) -> None:
        pending = self._pending.pop(request, None)
        if pending is None:
            return
        if result.error:
            self._fail(result.error, pending.reply)
            return
        texts = {mode: result.text_as(mode) for mode in LAYOUT_MODES}
        text = texts.get(self.settings.get("layout"), result.text)
        if pending.clipboard and text:
            QGuiApplication.clipboard().setText(text)
        self.last_ms = (time.perf_counter() - pending.started) * 1000
        self.last_text = text
        codes = [ln.text for ln in result.lines if getattr(ln, "kind", "text") != "text"]
        if pending.reply is not None:
            pending.reply.send({"ok": True, "text": text, "texts": texts, "lines": len(result.lines), "codes": codes,
                                "size": [pending.image.width(), pending.image.height()],
                                "ms": round(self.last_ms, 1)})
        self.last_item = None
        if self.settings.add_captures:
            self.last_item = self.window.add_capture(png_bytes(pending.image), result, pending.image)
        if pending.toast:
            self.toast.show_result(text, self._meta(result, codes), pending.clipboard and bool(text),
                                   self.last_item is not None, grab.screen_for(pending.screen))
        self._bring_window_back()

    def _meta(self, result: OcrResult, codes: list[str]) -> str:
        lines = len(result.lines) - len(codes)
        parts = []
        if lines:
            parts.append(self.tr("1 line") if lines == 1 else self.tr("%1 lines").replace("%1", str(lines)))
        if codes:
            parts.append(self.tr("1 QR/barcode") if len(codes) == 1 else
                         self.tr("%1 QR/barcodes").replace("%1", str(len(codes))))
        return " · ".join(parts)

    def _fail(self, message: str, reply: Reply | None) -> None:
        self._bring_window_back()
        if reply is not None:
            reply.send({"ok": False, "error": message})
        else:
            self.toast.show_error(message)

    def _bring_window_back(self) -> None:
        if self._restore_window:
            self._restore_window = False
            self.window.show()

    # ---- toast buttons, window --------------------------------------------------------

    def copy_again(self) -> None:
        if self.last_text:
            QGuiApplication.clipboard().setText(self.last_text)

    def open_last(self) -> None:
        self.show_window()
        if self.last_item is not None:
            index = self.window.model.index_of(self.last_item.id)
            if index.isValid():
                self.window.tree.setCurrentIndex(index)

    def show_window(self) -> None:
        win = self.window
        win.showNormal() if win.isMinimized() else win.show()
        win.raise_()
        win.activateWindow()

    def shutdown(self) -> None:
        """Before the app exits: release the key, the socket and the capture thread."""
        self.toast.hide()
        if self.picker is not None:
            self.picker.cancel()
        self.hotkey.unregister()
        self.server.close()
        self.tray.hide()
        self.recognizer.shutdown()

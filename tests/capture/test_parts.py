"""The capture parts that need no X server (offscreen Qt, in this process): shortcut parsing
and key codes, device-pixel mapping, the toast, the autostart entry, the single-instance
protocol (a real second process that must stay light), the settings section, translations."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QRectF, QSettings, Qt

from .conftest import ROOT

CAPTURE = ROOT / "ocr_app" / "capture"


def test_shortcut_parsing():
    from ocr_app.capture.hotkey import HotkeyError, parse

    combo = parse("Ctrl+Alt+O")
    assert (combo.key, combo.ctrl, combo.alt, combo.shift, combo.meta) == (Qt.Key.Key_O.value, True, True, False,
                                                                          False)
    assert combo.text == "Ctrl+Alt+O"
    assert parse("Meta+Shift+F9").text == "Meta+Shift+F9"
    assert parse("Print").key == Qt.Key.Key_Print.value  # a key that types nothing may stand alone
    for bad in ("", "O", "Ctrl+A, Ctrl+B"):
        with pytest.raises(HotkeyError):
            parse(bad)


def test_platform_key_codes():
    from ocr_app.capture.hotkey_win import virtual_key
    from ocr_app.capture.hotkey_x11 import keysym

    assert keysym(Qt.Key.Key_O.value) == ord("o")  # X keysyms of letters are lower case
    assert keysym(Qt.Key.Key_F9.value) == 0xFFC6
    assert keysym(Qt.Key.Key_Print.value) == 0xFF61
    assert virtual_key(Qt.Key.Key_O.value) == 0x4F
    assert virtual_key(Qt.Key.Key_F9.value) == 0x78
    assert virtual_key(Qt.Key.Key_Print.value) == 0x2C


def test_selection_maps_outward_to_device_pixels():
    from ocr_app.capture.overlay import to_device

    bounds = QRect(0, 0, 1920, 1080)
    assert to_device(QRectF(10, 20, 100, 50), 1.0, bounds) == QRect(10, 20, 100, 50)
    assert to_device(QRectF(10, 20, 100, 50), 1.5, bounds) == QRect(15, 30, 150, 75)
    assert to_device(QRectF(10.4, 20.6, 100, 50), 1.25, bounds) == QRect(13, 25, 125, 64)  # covers every pixel
    assert to_device(QRectF(1270, 700, 100, 100), 1.5, bounds) == QRect(1905, 1050, 15, 30)  # clipped


def test_region_outside_the_screens_is_refused(qapp):
    from ocr_app.capture.grab import CaptureError, locate

    _screen, local = locate(QRect(10, 10, 100, 50))
    assert local == QRect(10, 10, 100, 50)
    with pytest.raises(CaptureError, match="outside every screen"):
        locate(QRect(-5000, -5000, 10, 10))
    with pytest.raises(CaptureError, match="no screen 7"):
        locate(QRect(0, 0, 10, 10), 7)


def test_region_argument():
    import argparse

    from ocr_app.capture.command import parse_region

    assert parse_region("10, 20,800,300") == [10, 20, 800, 300]
    for bad in ("10,20,800", "a,b,c,d", "0,0,0,10"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_region(bad)


def test_toast_shows_the_first_lines(qtbot):
    from ocr_app.capture.toast import CaptureToast, preview

    assert preview("a\n\nb\nc\nd\ne\nf") == "a\nb\nc\nd\n…"
    toast = CaptureToast()
    qtbot.addWidget(toast)
    toast.show_result("Line one\nLine two", "2 lines", copied=True, can_open=True)
    assert toast.isVisible() and toast.title.text() == "Copied 17 characters"
    assert toast.body.text() == "Line one\nLine two"
    assert toast.copy_button.isVisible() and toast.open_button.isVisible()
    with qtbot.waitSignal(toast.open_requested):
        qtbot.mouseClick(toast.open_button, Qt.MouseButton.LeftButton)
    assert not toast.isVisible()
    toast.show_result("", "", copied=False, can_open=False)
    assert toast.title.text() == "No text found in the selection" and not toast.copy_button.isVisible()
    toast.show_error("the region is empty")
    assert toast.title.text() == "Capture failed" and toast.body.text() == "the region is empty"


def test_autostart_entry(tmp_path, monkeypatch):
    from ocr_app.capture import autostart

    if not autostart.supported() or sys.platform == "win32":
        pytest.skip("desktop entries are the Linux way")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(autostart, "command", lambda: ["/opt/OCR Desk/python", "/opt/OCR Desk/main.py"])
    assert not autostart.enabled()
    autostart.set_enabled(True)
    entry = (tmp_path / "autostart" / "ocr-desk.desktop").read_text()
    assert 'Exec="/opt/OCR Desk/python" "/opt/OCR Desk/main.py"\n' in entry
    assert "Type=Application" in entry and autostart.enabled()
    autostart.set_enabled(False)
    assert not autostart.enabled()


LIGHT_CLIENT = """
import json, sys
from ocr_app.capture.handover import request
reply = request({"cmd": "capture", "region": [1, 2, 3, 4], "clipboard": False}, timeout=20)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "onnxruntime", "numpy", "cv2"))
print(json.dumps({"reply": reply, "heavy": heavy, "engine": [m for m in sys.modules if "engine" in m]}))
"""


def test_second_process_hands_over_and_stays_light(qtbot, tmp_path, monkeypatch):
    """A real second process asks this one; it must not need Qt, NumPy or the engine."""
    from ocr_app.capture.instance import InstanceServer

    monkeypatch.setenv("OCR_DESK_INSTANCE", str(tmp_path / "desk.sock"))
    seen: list[dict] = []

    def handler(message, reply) -> None:
        seen.append(message)
        reply.send({"ok": True, "text": "handled here"})

    server = InstanceServer(handler)
    assert server.listen()
    env = {"PYTHONPATH": str(ROOT), "OCR_DESK_INSTANCE": str(tmp_path / "desk.sock"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen([sys.executable, "-c", LIGHT_CLIENT], env=env, stdout=subprocess.PIPE, text=True)
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30000)
    out = json.loads(proc.stdout.read())
    server.close()
    assert seen == [{"cmd": "capture", "region": [1, 2, 3, 4], "clipboard": False}]
    assert out == {"reply": {"ok": True, "text": "handled here"}, "heavy": [], "engine": []}


def test_no_instance_means_none_and_a_bad_request_an_error(qtbot, tmp_path, monkeypatch):
    from ocr_app.capture import handover
    from ocr_app.capture.instance import InstanceServer

    monkeypatch.setenv("OCR_DESK_INSTANCE", str(tmp_path / "none.sock"))
    assert handover.request({"cmd": "ping"}) is None
    (tmp_path / "stale.sock").write_text("")  # left behind by a crash: taken over
    monkeypatch.setenv("OCR_DESK_INSTANCE", str(tmp_path / "stale.sock"))
    server = InstanceServer(lambda message, reply: None)
    assert server.listen()
    code = ("import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
            "s.sendall(b'not json\\n'); print(s.recv(4096).decode())")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "stale.sock")], stdout=subprocess.PIPE,
                            text=True)
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20000)
    server.close()
    assert json.loads(proc.stdout.read())["error"].startswith("bad request")


def test_settings_dialog_capture_section(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QGroupBox

    from ocr_app.gui.server_control import ServerControl
    from ocr_app.gui.settings import AppSettings
    from ocr_app.gui.settings_dialog import SettingsDialog

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert (settings.hotkey, settings.keep_in_tray, settings.add_captures, settings.start_minimised) == (
        "Ctrl+Alt+O", True, True, False)
    dialog = SettingsDialog(None, settings, ServerControl(), lambda: None)
    qtbot.addWidget(dialog)
    assert "Quick capture" in [g.title() for g in dialog.findChildren(QGroupBox)]
    dialog.add_captures.setChecked(False)
    dialog.autostart.setChecked(True)
    dialog._save()
    assert settings.add_captures is False
    if sys.platform.startswith("linux"):
        assert (tmp_path / "config" / "autostart" / "ocr-desk.desktop").is_file()


def test_every_capture_string_is_translated():
    zh = json.loads((ROOT / "resources" / "i18n" / "zh_CN.json").read_text(encoding="utf-8"))
    missing = []
    for path in sorted(CAPTURE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)] + [tree]:
            for node in ast.walk(cls):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if name == "translate" and len(strings) == 2:
                    context, source = strings
                elif name == "tr" and strings and isinstance(cls, ast.ClassDef):
                    context, source = cls.name, strings[0]
                else:
                    continue
                if not zh.get(context, {}).get(source):
                    missing.append((path.name, context, source))
    assert not missing, missing


def test_capture_package_has_no_path_to_the_engine_at_import():
    """handover.py is imported by every `main.py` start: only the standard library."""
    tree = ast.parse((CAPTURE / "handover.py").read_text(encoding="utf-8"))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module}
    assert modules <= {"__future__", "json", "os", "sys", "tempfile", "time", "socket"}, modules
    init = ast.parse(Path(CAPTURE / "__init__.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(init) if isinstance(n, (ast.Import, ast.ImportFrom))]

"""Tray menu and global shortcut on a real X server (Xvfb, xcb).

Xvfb has no tray; fake_tray.py owns the tray selection so Qt shows the icon, which is
all the app can see of a tray. The shortcut is grabbed with XGrabKey (python-xlib) and
pressed with xdotool, i.e. through the X server like a real keyboard.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.imagegen import cer

from .conftest import Desk, stop, xdotool

pytest.importorskip("Xlib", reason="python-xlib (requirements.txt) is needed for the X11 shortcut")


def test_tray_menu_commands_work(desk: Desk, display: str):
    tray = desk.start("tests/capture/fake_tray.py")
    assert tray.stdout.readline().strip() == "ready"
    try:
        done = desk.run("tests/capture/app_probe.py", timeout=150)
    finally:
        stop(tray)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["tray_visible"]
    assert report["menu"][:6] == ["Capture region", "Capture full screen", "Paste image", "Open window",
                                  "Settings…", "Quit"]
    assert report["close_hides"]  # closing the window kept OCR Desk in the tray
    assert report["open_window"]
    assert report["capture_region"]  # the overlay opened (and was cancelled)
    assert cer("Full screen capture works\nTray menu reads 512 words", report["capture_screen"]) <= 0.05
    assert report["toast"].startswith("Copied")
    assert any(name.startswith("capture ") for name in report["added"])
    assert report["paste"]
    assert "Quick capture" in report["settings"]
    assert report["exit"] == 0  # Quit ended the event loop


def test_global_shortcut_is_grabbed_and_a_taken_one_reported(desk: Desk, display: str):
    first = desk.start("tests/capture/hotkey_probe.py", "Ctrl+Alt+O", "2")
    try:
        state = json.loads(first.stdout.readline())
        if not state["registered"]:
            pytest.skip(f"this X server refused the key grab: {state['error']}")
        second = desk.run("tests/capture/hotkey_probe.py", "Ctrl+Alt+O")
        assert "already used by another program" in json.loads(second.stdout.splitlines()[0])["error"]
        xdotool(display, "key", "ctrl+alt+o")
        assert first.stdout.readline().strip() == "pressed"
        time.sleep(0.4)  # past the auto-repeat guard
        xdotool(display, "key", "Num_Lock", "ctrl+alt+o", "Num_Lock")  # grabbed with Num Lock on too
        assert first.stdout.readline().strip() == "pressed"
    finally:
        assert stop(first) == 0


def test_a_bare_letter_is_refused(desk: Desk):
    done = desk.run("tests/capture/hotkey_probe.py", "O")
    assert "would stop that key from typing" in json.loads(done.stdout.splitlines()[0])["error"]

"""Session-level behaviour on Xvfb: starting hidden in the tray and coming back on a second
start, the overlay at 200 % scaling (device pixels), and what a Wayland session without a
screenshot portal tells the user."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from tests.imagegen import cer

from .conftest import LINES, REGION, ROOT, Desk, make_desk, stop, wait_running, xdotool

pytest.importorskip("Xlib", reason="python-xlib (requirements.txt) runs the stand-in tray")


def test_starts_hidden_in_the_tray_and_a_second_start_shows_it(desk: Desk):
    tray = desk.start("tests/capture/fake_tray.py")
    assert tray.stdout.readline().strip() == "ready"
    app = desk.start("main.py", "--tray")
    try:
        status = wait_running(desk, app)
        assert status["tray"] and not status["window"]
        began = time.perf_counter()
        second = desk.run("main.py")  # what a desktop launcher does
        assert second.returncode == 0 and time.perf_counter() - began < 15
        assert desk.ask({"cmd": "status"})["window"]
    finally:
        assert stop(app, interrupt=True) == 0
        stop(tray)


def test_overlay_selects_device_pixels_at_200_percent(display: str, tmp_path):
    """Qt's screen is 640×400 logical at 200 %; a drag over the text's device pixels reads it,
    and the command's --region numbers stay device pixels too."""
    desk = make_desk(display, tmp_path / "hidpi")
    app = desk.start("main.py", extra={"QT_SCALE_FACTOR": "2"})
    try:
        wait_running(desk, app)
        shown = desk.show_text(REGION, LINES)
        command = desk.start("main.py", "capture", "--no-clipboard")
        end = time.monotonic() + 15
        while not desk.ask({"cmd": "status"}, timeout=5).get("picking"):
            assert time.monotonic() < end, "the overlay did not open"
            time.sleep(0.1)
        time.sleep(0.3)
        x, y, w, h = REGION
        xdotool(display, "mousemove", str(x + 4), str(y + 4), "mousedown", "1", "mousemove", "500", "300",
                "mousemove", str(x + w - 4), str(y + h - 4), "mouseup", "1")
        out, err = command.communicate(timeout=30)
        assert command.returncode == 0, err
        assert cer("\n".join(LINES), out) <= 0.05, out
        answer = json.loads(desk.run("main.py", "capture", "--region", ",".join(map(str, REGION)),
                                     "--no-clipboard", "--json").stdout)
        assert answer["size"] == [REGION[2], REGION[3]]  # device pixels, not 2× or ½×
        assert cer("\n".join(LINES), answer["text"]) <= 0.05
        stop(shown)
    finally:
        assert stop(app, interrupt=True) == 0


WAYLAND = {"XDG_SESSION_TYPE": "wayland"}


def test_wayland_without_a_session_bus_says_what_to_do(desk: Desk):
    done = desk.run("main.py", "capture", "--region", "0,0,100,100", "--standalone",
                    extra={**WAYLAND, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"})
    assert done.returncode == 2
    assert "xdg-desktop-portal" in done.stderr and "ocr-desk capture" in done.stderr


def test_wayland_bus_without_the_portal_says_what_to_do(desk: Desk):
    if shutil.which("dbus-run-session") is None:
        pytest.skip("dbus-run-session is not installed (a session bus without the portal)")
    env = {k: v for k, v in {**desk.env, **WAYLAND}.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    done = subprocess.run(["dbus-run-session", "--", sys.executable, "main.py", "capture", "--region",
                           "0,0,100,100", "--standalone"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    if "Failed to start message bus" in done.stderr:
        pytest.skip(f"dbus-run-session cannot start a bus here: {done.stderr.strip()[:200]}")
    assert done.returncode == 2, done.stderr
    assert "xdg-desktop-portal" in done.stderr


def test_wayland_shortcut_hint_names_the_command(desk: Desk):
    done = desk.run("tests/capture/hotkey_probe.py", "Ctrl+Alt+O", extra=WAYLAND)
    state = json.loads(done.stdout.splitlines()[0])
    assert not state["registered"]
    assert "Wayland does not let apps listen to keys globally" in state["error"]
    assert "main.py capture" in state["error"]

"""Capture tests run real programs on a real X server: Xvfb with Qt's xcb platform.

The suite's own Qt runs offscreen; everything here that draws or grabs the screen runs
in subprocesses on an Xvfb display started for the session, each with its own settings
folder and single-instance socket, so nothing touches the developer's desktop or a
running OCR Desk. Windows with known text are shown by show_text.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable

# What the test windows show, and where (logical = device pixels on an unscaled Xvfb).
LINES = ["Quick capture works well", "Invoice total 42.50 EUR"]
REGION = (100, 100, 800, 300)  # x, y, w, h
LINES_B = ["Second window reads fine", "Order 7731 shipped today"]
REGION_B = (100, 480, 800, 220)


def _free_display() -> int:
    for number in range(140, 400):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number")


@contextlib.contextmanager
def xvfb(*screens: str) -> Iterator[str]:
    """An Xvfb display (one X screen per `screens` entry, e.g. "1280x800x24")."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (scripts/system_deps.sh installs it)")
    number = _free_display()
    args = ["Xvfb", f":{number}", "-nolisten", "tcp", "-noreset"]
    for i, size in enumerate(screens or ("1280x800x24",)):
        args += ["-screen", str(i), size]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{number}")
    end = time.monotonic() + 10
    while not socket.exists():
        if proc.poll() is not None or time.monotonic() > end:
            proc.kill()
            pytest.skip("Xvfb did not start")
        time.sleep(0.05)
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    with xvfb("1280x800x24") as name:
        yield name


@dataclass
class Desk:
    """One isolated user on the test display: environment, settings folder, instance socket."""

    env: dict[str, str]
    home: Path

    def run(self, *args: str, timeout: float = 60, extra: dict | None = None) -> subprocess.CompletedProcess:
        env = {**self.env, **(extra or {})}
        return subprocess.run([PY, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str, extra: dict | None = None) -> subprocess.Popen:
        env = {**self.env, **(extra or {})}
        return subprocess.Popen([PY, *args], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def ask(self, message: dict, timeout: float = 30) -> dict | None:
        """A request to this desk's running OCR Desk (None: none running)."""
        code = ("import json, sys; from ocr_app.capture.handover import request; "
                "print(json.dumps(request(json.loads(sys.argv[1]), timeout=float(sys.argv[2]))))")
        done = self.run("-c", code, json.dumps(message), str(timeout), timeout=timeout + 10)
        return json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else None

    def clipboard(self) -> str:
        return self.run(str(HERE / "clipboard_text.py"), timeout=20).stdout

    def show_text(self, region: tuple[int, int, int, int], lines: list[str], pixels: int = 40) -> subprocess.Popen:
        proc = self.start(str(HERE / "show_text.py"), ",".join(map(str, region)), "|".join(lines), str(pixels))
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        return proc


def make_desk(display: str, folder: Path, **extra: str) -> Desk:
    folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=str(folder / "config"),
               OCR_DESK_INSTANCE=str(folder / "ocr-desk.sock"), PYTHONPATH=str(ROOT), **extra)
    return Desk(env, folder)


@pytest.fixture
def desk(display, tmp_path) -> Desk:
    return make_desk(display, tmp_path / "desk")


def stop(proc: subprocess.Popen, timeout: float = 20, interrupt: bool = False) -> int:
    """End a test program: its stdin closes (show_text.py), or Ctrl+C (the app's clean exit)."""
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
        if interrupt:
            proc.send_signal(2)  # SIGINT: the app's SigintWatch closes the window and quits
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def wait_running(desk: Desk, proc: subprocess.Popen, timeout: float = 60) -> dict:
    """Until the app answers on its socket (models may still be loading)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"OCR Desk exited early: {proc.stderr.read() if proc.stderr else ''}")
        status = desk.ask({"cmd": "status"}, timeout=5)
        if status and status.get("ok"):
            return status
        time.sleep(0.2)
    raise AssertionError("OCR Desk did not start listening")


def xdotool(display: str, *args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (scripts/system_deps.sh installs it)")
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True, timeout=20)

"""Start the packaged app on an X display, time until its window is visible, and screenshot it.

Proves the frozen GUI really opens (Qt plugins, fonts, styles bundled) and gives the cold-start
number. Run inside a display, e.g.:
    xvfb-run -a -s "-screen 0 1600x1000x24 -noreset" python build_spec/gui_smoke.py --shot docs/screenshots/packaged.png
(-noreset: otherwise Xvfb resets when the last client leaves and the next cold start can miss it.)
Needs xdotool (window search) on the host; the screenshot is taken with Qt.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def visible_windows(title: str) -> list[str]:
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                         capture_output=True, text=True, check=False)
    return out.stdout.split()


def geometry(window: str) -> tuple[int, int, int, int]:
    """(x, y, width, height) of an X window, from xdotool."""
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window],
                         capture_output=True, text=True, check=True).stdout
    vals = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(vals["X"]), int(vals["Y"]), int(vals["WIDTH"]), int(vals["HEIGHT"])


def grab(path: Path, window: str) -> tuple[int, int]:
    """Screenshot of the app's window region of the X screen (Xvfb has no window decorations)."""
    os.environ.pop("QT_QPA_PLATFORM", None)
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["gui-smoke"])
    screen = app.primaryScreen()
    x, y, w, h = geometry(window)
    size = screen.size()
    w, h = min(w, size.width() - max(x, 0)), min(h, size.height() - max(y, 0))
    image = screen.grabWindow(0, max(x, 0), max(y, 0), w, h).toImage()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise SystemExit(f"could not save {path}")
    return image.width(), image.height()


def wait_for_display(timeout: float = 10.0) -> bool:
    """True once the X server answers (xvfb-run can hand over a display that is still starting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True, check=False).returncode == 0:
            return True
        time.sleep(0.1)
    return False


def launch(exe: Path, files: list[str], title: str, timeout: float, shot: Path | None, settle: float) -> dict:
    """One cold start: seconds until a visible window titled `title`, optional screenshot."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    started = time.perf_counter()
    proc = subprocess.Popen([str(exe), *files], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        while not (windows := visible_windows(title)):
            if proc.poll() is not None:
                output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                return {"error": f"app exited with {proc.returncode}", "output": output[-2000:]}
            if time.perf_counter() - started > timeout:
                return {"error": "no visible window before timeout"}
            time.sleep(0.05)
        result: dict = {"visible_s": round(time.perf_counter() - started, 2)}
        if shot:
            time.sleep(settle)
            result["screenshot"], result["size"] = str(shot), grab(shot, windows[-1])
        return result
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exe", type=Path, default=ROOT / "dist" / "ocr-desk" / "ocr-desk")
    parser.add_argument("--title", default="OCR Desk", help="window title to wait for")
    parser.add_argument("--shot", type=Path, default=None, help="save a screenshot here (last run)")
    parser.add_argument("--settle", type=float, default=1.5, help="seconds to let the window paint before the shot")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=1, help="cold starts to time (median reported)")
    parser.add_argument("--open", dest="files", action="append", default=[], help="file to open at start (repeatable)")
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        print("no DISPLAY: run inside xvfb-run -a", file=sys.stderr)
        return 2
    if shutil.which("xdotool") is None:
        print("xdotool not installed (apt-get install xdotool)", file=sys.stderr)
        return 2
    runs = []
    for i in range(args.repeat):
        if not wait_for_display():
            print(json.dumps({"exe": str(args.exe), "error": f"X display {os.environ['DISPLAY']} not answering"}))
            return 1
        last = i == args.repeat - 1
        run = launch(args.exe, args.files, args.title, args.timeout, args.shot if last else None, args.settle)
        if "error" in run:
            print(json.dumps({"exe": str(args.exe), **run}))
            return 1
        runs.append(run)
    times = sorted(r["visible_s"] for r in runs)
    print(json.dumps({"exe": str(args.exe), **runs[-1], "visible_s_all": [r["visible_s"] for r in runs],
                      "visible_s_median": times[len(times) // 2]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

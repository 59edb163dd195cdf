"""Quick-capture timings and memory on an Xvfb display (docs/benchmarks.md, "Quick capture").

    .venv/bin/python scripts/capture_bench.py [--runs 10]

Shows an 800x300 window with two lines of text, then measures with the real engine:
  warm   `main.py capture --region` wall clock (process start included) with OCR Desk
         running; the text changes every run, so no run is a result-cache hit
  cache  the same, on unchanged pixels (a result-cache hit)
  cold   the same command with nothing running (Qt, models and OCR in that process)
  keys   Ctrl+Alt+O → overlay on screen, and mouse release → text on the clipboard (in-app)
  idle   RSS of OCR Desk hidden in the tray with the engine warm, before and after a
         capture, and its CPU time over 10 idle seconds
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tests" / "capture"
PY = sys.executable
REGION = "100,100,800,300"


def env_for(display: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=str(folder / "config"),
               OCR_DESK_INSTANCE=str(folder / "ocr-desk.sock"), PYTHONPATH=str(ROOT))
    return env


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([PY, *args], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def show(env: dict, number: int) -> subprocess.Popen:
    lines = f"Quick capture run {number} works|Invoice total {40 + number}.50 EUR"
    proc = start(env, str(HERE / "show_text.py"), REGION, lines)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def close(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(10)


def timed(env: dict, *args: str) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run([PY, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    return time.perf_counter() - began, done.stdout


def ask(env: dict, message: dict) -> dict:
    code = ("import json, sys; from ocr_app.capture.handover import request; "
            "print(json.dumps(request(json.loads(sys.argv[1]), 10)))")
    out = subprocess.run([PY, "-c", code, json.dumps(message)], cwd=ROOT, env=env, capture_output=True, text=True)
    return (json.loads(out.stdout) if out.stdout.strip() else None) or {}


def row(name: str, values: list[float], unit: str = "s", target: str = "") -> str:
    fmt = (lambda v: f"{v:.2f}") if unit == "s" else (lambda v: f"{v:.0f}")
    return (f"| {name} | {fmt(statistics.median(values))} {unit} | {fmt(min(values))}–{fmt(max(values))} {unit} "
            f"| {len(values)} | {target} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    display = ":187"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    time.sleep(1)
    folder = Path(tempfile.mkdtemp(prefix="capture-bench-"))
    env = env_for(display, folder)
    rows: list[str] = []
    try:
        cold = []
        for i in range(max(3, args.runs // 2)):
            win = show(env, i)
            seconds, out = timed(env, "capture", "--region", REGION, "--no-clipboard")
            assert f"run {i}" in out, out
            cold.append(seconds)
            close(win)

        tray = start(env, str(HERE / "fake_tray.py"))
        assert tray.stdout.readline().strip() == "ready"
        app = start(env, "main.py", "--tray")
        proc = psutil.Process(app.pid)
        while not ask(env, {"cmd": "status"}).get("ok"):
            time.sleep(0.2)
        time.sleep(8)  # both engines loaded and settled
        idle_before = proc.memory_info().rss / 2**20
        cpu0 = sum(proc.cpu_times()[:2])
        time.sleep(10)
        idle_cpu = (sum(proc.cpu_times()[:2]) - cpu0) / 10 * 100

        warm, cache = [], []
        for i in range(args.runs):
            win = show(env, 100 + i)
            seconds, out = timed(env, "capture", "--region", REGION)
            assert f"run {100 + i}" in out, out
            warm.append(seconds)
            seconds, out = timed(env, "capture", "--region", REGION)
            cache.append(seconds)
            close(win)
        time.sleep(3)
        idle_after = proc.memory_info().rss / 2**20

        opened, copied = [], []
        for i in range(max(3, args.runs // 2)):
            win = show(env, 200 + i)
            subprocess.run(["xdotool", "key", "ctrl+alt+o"], env=env, check=True)
            while not ask(env, {"cmd": "status"}).get("picking"):
                time.sleep(0.05)
            time.sleep(0.3)
            subprocess.run(["xdotool", "mousemove", "105", "105", "mousedown", "1", "mousemove", "500", "300",
                            "mousemove", "895", "395", "mouseup", "1"], env=env, check=True)
            time.sleep(1.5)
            status = ask(env, {"cmd": "status"})
            opened.append(status["open_ms"])
            copied.append(status["last_ms"])
            close(win)
        app.send_signal(2)
        app.wait(20)
        close(tray)

        rows += ["| measure | median | range | runs | target |", "| --- | --- | --- | --- | --- |",
                 row("`capture --region` 800×300, app running (whole command)", warm, target="≤ 0.6 s"),
                 row("same pixels again (result-cache hit)", cache),
                 row("`capture --region`, nothing running (cold)", cold, target="≤ 2.5 s"),
                 row("Ctrl+Alt+O → overlay on screen (in app)", opened, "ms"),
                 row("mouse release → text on the clipboard (in app)", copied, "ms", "≤ 350 ms"),
                 f"| RSS in the tray, engine warm, before the first capture | {idle_before:.0f} MB | | 1 | ≤ 220 MB |",
                 f"| RSS in the tray after {2 * args.runs} captures | {idle_after:.0f} MB | | 1 | ≤ 220 MB |",
                 f"| CPU while idle in the tray (10 s) | {idle_cpu:.2f} % | | 1 | ~0 % |"]
    finally:
        xvfb.terminate()
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

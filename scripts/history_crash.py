"""Crash test of the window's history: a batch is killed with SIGKILL half-way, and the
next start must show every page the window had finished, with its edits, and read the rest.

  python scripts/history_crash.py [--images 100] [--kill-at 0.5]

The child process is the real window (offscreen Qt) with its real engine; it prints a line
for every item it finished and edits the first one. The parent kills it once half the
items are done, then opens a new window on the same store and counts what came back.
`--child` runs the child side (used by tests/gui/test_history.py too).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EDIT = "EDITED BEFORE THE CRASH"


def make_images(folder: Path, count: int) -> list[Path]:
    from tests.imagegen import render_lines, save

    folder.mkdir(parents=True, exist_ok=True)
    return [save(render_lines([f"Crash test page {n:03d}", f"Amount {n * 7 % 100}.{n % 10}0 total"]),
                 folder / f"page{n:03d}.png") for n in range(count)]


def child(files: list[Path], settings_path: str) -> None:
    """The window reading `files`; prints "done NAME" per finished item, then idles."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ocr_app.engine import Engine, EngineConfig
    from ocr_app.export.edits import EditLine
    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings

    app = QApplication([])
    engine = Engine(EngineConfig(threads=1))
    settings = AppSettings(QSettings(settings_path, QSettings.Format.IniFormat))
    settings.pool_size = 1
    win = MainWindow(settings, engine=engine)
    edited: list[int] = []

    def finished(item_id: int) -> None:
        item = win.model.get(item_id)
        if item is None:
            return
        if not edited and item.pages:  # the user corrects the first page read
            item.edited[0] = [EditLine(EDIT, 0)]
            win.history.edited(item, 0)
            edited.append(item_id)
        print(f"done {item.name}", flush=True)

    win.runner.item_finished.connect(finished)
    win.add_paths(files)
    app.exec()


def restore(data: Path, settings_path: str, timeout: float = 600.0) -> dict:
    """A new window on the same store: what it shows at once, and when the rest is read."""
    os.environ["OCR_DESK_DATA"] = str(data)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ocr_app.engine import Engine, EngineConfig
    from ocr_app.gui.items import Status
    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    engine = Engine(EngineConfig(threads=2))
    began = time.perf_counter()
    win = MainWindow(AppSettings(QSettings(settings_path, QSettings.Format.IniFormat)), engine=engine)
    shown = {it.name: it for it in win.model.items if it.status is Status.DONE}
    restore_ms = (time.perf_counter() - began) * 1000
    edits = {it.name: it.edited[0][0].text for it in shown.values() if it.edited}
    end = time.monotonic() + timeout
    while win.runner.busy and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    out = {"restored_done": sorted(shown), "edits": edits, "restore_ms": round(restore_ms, 1),
           "after": {it.name: it.status.value for it in win.model.items},
           "texts_ok": all("Crash test page" in it.page_text(0) or it.edited for it in shown.values())}
    win.close()
    return out


def run(count: int, kill_at: float, work: Path) -> dict:
    files = make_images(work / "images", count)
    data = work / "data"
    settings = str(work / "settings.ini")
    env = {**os.environ, "OCR_DESK_DATA": str(data), "QT_QPA_PLATFORM": "offscreen"}
    listing = work / "files.txt"
    listing.write_text("\n".join(map(str, files)))
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(listing), settings], env=env,
                            stdout=subprocess.PIPE, text=True)
    finished: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("done "):
            finished.append(line[5:].strip())
            if len(finished) >= max(1, int(count * kill_at)):
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait()
    result = restore(data, settings)
    lost = [name for name in finished if name not in result["restored_done"]]
    return {"images": count, "finished_before_kill": len(finished), "lost": lost, **result,
            "all_done_after": all(v == "done" for v in result["after"].values()) and len(result["after"]) == count}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=100)
    p.add_argument("--kill-at", type=float, default=0.5)
    p.add_argument("--child", nargs=2, metavar=("FILES", "SETTINGS"))
    args = p.parse_args()
    if args.child:
        child([Path(x) for x in Path(args.child[0]).read_text().splitlines()], args.child[1])
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = run(args.images, args.kill_at, Path(tmp))
    summary = {k: out[k] for k in ("images", "finished_before_kill", "lost", "restore_ms", "texts_ok",
                                   "all_done_after")}
    summary["restored_done"] = len(out["restored_done"])
    summary["edits_restored"] = out["edits"]
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0 if not out["lost"] and out["all_done_after"] else 1


if __name__ == "__main__":
    sys.exit(main())

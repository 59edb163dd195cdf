"""Batch load test: N generated text images through the engine and through the CLI.

    python scripts/load_batch.py [-n 1000] [--threads 2] [--bad-every 100] [--skip-cli] [--keep DIR]
    python scripts/load_batch.py --gui [-n 1000]   # only the real window (offscreen), all files at once

Why: a desktop batch of a thousand scans must finish with one answer per file (text or a
clear error) and without memory creeping up. For each route it records wall time,
images/s, RSS (current and running peak) after the first image / half-way / at the end
(the engine is loaded and warm at all three, so growth between them is drift), checks that
every input got exactly one result, and scores the text against what was drawn (mean CER).
Prints a markdown table; exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.imagegen import cer, render_lines  # noqa: E402 (needs the repo on sys.path)

WORDS = ["INVOICE", "TOTAL", "Paid", "Receipt", "Order", "Date", "发票", "金额", "合计", "日期", "客户", "编号"]
MB = 1024 * 1024


@dataclass
class Item:
    path: Path
    expected: str | None  # None → deliberately broken file, an error is the right answer


@dataclass
class Route:
    name: str
    seconds: float = 0.0
    results: dict[str, dict] = field(default_factory=dict)  # file name → {"text", "error"}
    rss: dict[str, float] = field(default_factory=dict)  # MB: start/middle/end (current)
    peak: dict[str, float] = field(default_factory=dict)  # MB: running peak up to that point
    exit_code: int | None = None
    problems: list[str] = field(default_factory=list)


def make_images(folder: Path, count: int, seed: int = 0, bad_every: int = 0) -> list[Item]:
    """Small near-square images with 2-3 short lines of English/Chinese words and numbers."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(count):
        path = folder / f"img_{i:05d}.png"
        if bad_every and i % bad_every == bad_every - 1:
            path.write_bytes(b"\x89PNG\r\n\x1a\n" + rng.bytes(64))  # damaged on purpose
            items.append(Item(path, None))
            continue
        lines = [f"{WORDS[int(rng.integers(len(WORDS)))]} {int(rng.integers(10, 99999))}"
                 for _ in range(int(rng.integers(2, 4)))]
        render_lines(lines, size=22, margin=16).save(path)
        items.append(Item(path, "\n".join(lines)))
    return items


def _mb(value: int) -> float:
    return round(value / MB, 1)


def run_engine(items: list[Item], threads: int) -> Route:
    """In-process, one shared Engine; RSS sampled after every image."""
    from ocr_app.engine import Engine, EngineConfig

    route = Route("engine (in-process)")
    proc = psutil.Process()
    engine = Engine(EngineConfig(threads=threads))
    peak = proc.memory_info().rss
    middle = len(items) // 2
    started = time.perf_counter()
    for i, item in enumerate(items, 1):
        res = engine.run(item.path)
        route.results[res.source] = {"text": res.text, "error": res.error}
        rss = proc.memory_info().rss
        peak = max(peak, rss)
        if i == 1:  # same definition as the CLI route: engine loaded, first image done
            route.rss["start"], route.peak["start"] = _mb(rss), _mb(peak)
        if i == middle:
            route.rss["middle"], route.peak["middle"] = _mb(rss), _mb(peak)
    route.seconds = time.perf_counter() - started
    route.rss["end"], route.peak["end"] = _mb(proc.memory_info().rss), _mb(peak)
    return route


class _RssSampler(threading.Thread):
    """Polls a child's RSS and notes current/peak when the JSONL reaches start/middle/end."""

    def __init__(self, pid: int, jsonl: Path, total: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.proc, self.jsonl, self.total, self.interval = psutil.Process(pid), jsonl, total, interval
        self.peak = 0
        self.last = 0
        self.marks: dict[str, tuple[float, float]] = {}
        self.stop_event = threading.Event()

    def _lines(self) -> int:
        try:
            with self.jsonl.open("rb") as fh:
                return sum(1 for _ in fh)
        except OSError:
            return 0

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                rss = self.proc.memory_info().rss
            except psutil.Error:
                break
            if rss == 0:  # exited (zombie): keep the last live sample
                break
            self.last, self.peak = rss, max(self.peak, rss)
            if "end" not in self.marks:
                done = self._lines()
                if done >= 1 and "start" not in self.marks:  # engine loaded, first image out
                    self.marks["start"] = (_mb(self.last), _mb(self.peak))
                if done >= max(1, self.total // 2) and "middle" not in self.marks:
                    self.marks["middle"] = (_mb(self.last), _mb(self.peak))
                if done >= self.total:
                    self.marks["end"] = (_mb(self.last), _mb(self.peak))
            time.sleep(self.interval)
        self.marks.setdefault("end", (_mb(self.last), _mb(self.peak)))


def run_cli(items: list[Item], threads: int, jsonl: Path) -> Route:
    """`python main.py ocr <files...> --jsonl OUT` in a child process (one call, whole batch)."""
    route = Route("CLI subprocess (--jsonl)")
    jsonl.unlink(missing_ok=True)
    args = [str(it.path) for it in items]
    if len(" ".join(args)) > 100_000:  # stay far below ARG_MAX: pass the folder instead
        args = sorted({str(it.path.parent) for it in items})
    cmd = [sys.executable, str(REPO / "main.py"), "ocr", *args, "--jsonl", str(jsonl), "--threads", str(threads),
           "--quiet"]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = _RssSampler(child.pid, jsonl, len(items))
    sampler.start()
    _, stderr = child.communicate()
    route.seconds = time.perf_counter() - started
    sampler.stop_event.set()
    sampler.join()
    route.exit_code = child.returncode
    for key, (rss, peak) in sampler.marks.items():
        route.rss[key], route.peak[key] = rss, peak
    if "Traceback" in stderr or child.returncode not in (0, 1):
        tail = stderr.strip().splitlines()[-1] if stderr.strip() else "(no stderr)"
        route.problems.append(f"CLI exit {child.returncode}, stderr: {tail}")
    for raw in jsonl.read_text(encoding="utf-8").splitlines() if jsonl.exists() else []:
        obj = json.loads(raw)
        lines = obj.get("lines", [])
        text = "\n".join(ln["text"] for ln in lines)
        if obj["image"] in route.results:
            route.problems.append(f"duplicate result for {obj['image']}")
        route.results[obj["image"]] = {"text": text, "error": obj.get("error")}
    return route


def drive_window(win, items: list[Item], timeout: float = 3600.0) -> Route:
    """Add every file to a real MainWindow at once and wait for its QThreadPool to drain.

    RSS is sampled on the GUI thread after every finished item (start = first item done,
    middle = half done, end = idle) and every 50 ms for the peak. Each item must end as
    done, or failed with a reason; anything else (queued, cancelled, failed silently) is a problem.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    from ocr_app.gui.items import Status

    route = Route(f"window (QThreadPool x{win.runner.pool.maxThreadCount()})")
    proc = psutil.Process()
    state = {"done": 0, "peak": proc.memory_info().rss}
    middle = max(1, len(items) // 2)

    def sample() -> int:
        rss = proc.memory_info().rss
        state["peak"] = max(state["peak"], rss)
        return rss

    def on_finished(_item_id: int) -> None:
        state["done"] += 1
        rss = sample()
        if state["done"] == 1:
            route.rss["start"], route.peak["start"] = _mb(rss), _mb(state["peak"])
        if state["done"] == middle:
            route.rss["middle"], route.peak["middle"] = _mb(rss), _mb(state["peak"])

    poll = QTimer()
    poll.timeout.connect(sample)
    loop = QEventLoop()
    win.runner.item_finished.connect(on_finished)
    win.runner.idle.connect(loop.quit)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    started = time.perf_counter()
    poll.start(50)
    added = win.add_paths([it.path for it in items])
    if win.runner.busy:
        loop.exec()
    poll.stop()
    route.seconds = time.perf_counter() - started
    win.runner.item_finished.disconnect(on_finished)
    win.runner.idle.disconnect(loop.quit)
    route.rss["end"], route.peak["end"] = _mb(sample()), _mb(state["peak"])
    if added != len(items):
        route.problems.append(f"window added {added} of {len(items)} files")
    if win.runner.busy:
        route.problems.append(f"still busy after {timeout:.0f} s")
    for item in win.model.items:
        if item.status is Status.DONE:
            route.results[item.name] = {"text": item.text(), "error": None}
        elif item.status is Status.FAILED:
            route.results[item.name] = {"text": "", "error": item.error or ""}
            if not item.error:
                route.problems.append(f"{item.name} failed without a reason")
        else:
            route.problems.append(f"{item.name} ended {item.status.value}")
    return route


def run_gui(items: list[Item], threads: int, pool: int | None, settings_dir: Path) -> Route:
    """The real window under QT_QPA_PLATFORM=offscreen, with its own settings file."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ocr_app.engine import Engine, EngineConfig
    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    settings = AppSettings(QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat))
    if pool:
        settings.pool_size = pool
    win = MainWindow(settings, engine=Engine(EngineConfig(threads=threads)))
    win.resize(1280, 800)
    win.show()
    app.processEvents()
    try:
        return drive_window(win, items)
    finally:
        win.close()
        win.deleteLater()
        app.processEvents()


def check(route: Route, items: list[Item]) -> dict:
    """Every input has exactly one result; good ones have text, broken ones an error."""
    missing = [it.path.name for it in items if it.path.name not in route.results]
    extra = set(route.results) - {it.path.name for it in items}
    wrong_error = [it.path.name for it in items
                   if it.path.name in route.results and (route.results[it.path.name]["error"] is None) != (
                       it.expected is not None)]
    cers = [cer(it.expected, route.results[it.path.name]["text"]) for it in items
            if it.expected is not None and it.path.name in route.results]
    if missing:
        route.problems.append(f"{len(missing)} inputs without a result, e.g. {missing[:3]}")
    if extra:
        route.problems.append(f"{len(extra)} unexpected results, e.g. {sorted(extra)[:3]}")
    if wrong_error:
        route.problems.append(f"{len(wrong_error)} wrong ok/error outcomes, e.g. {wrong_error[:3]}")
    bad = sum(it.expected is None for it in items)
    if route.exit_code is not None and route.exit_code != (1 if bad else 0):
        route.problems.append(f"CLI exit code {route.exit_code}, expected {1 if bad else 0}")
    return {"results": len(route.results), "errors": sum(r["error"] is not None for r in route.results.values()),
            "mean_cer": float(np.mean(cers)) if cers else float("nan")}


def markdown(routes: list[Route], summaries: list[dict], count: int) -> str:
    head = ("| route | images | results | errors | time s | images/s | mean CER | RSS start MB (peak) "
            "| RSS middle MB (peak) | RSS end MB (peak) | checks |")
    rows = [head, "|" + "---|" * 11]
    for route, s in zip(routes, summaries, strict=True):
        def cell(key: str, r: Route = route) -> str:
            return f"{r.rss.get(key, float('nan')):.0f} ({r.peak.get(key, float('nan')):.0f})"

        rate = count / route.seconds if route.seconds else 0.0
        rows.append(f"| {route.name} | {count} | {s['results']} | {s['errors']} | {route.seconds:.1f} | {rate:.2f} "
                    f"| {s['mean_cer']:.4f} | {cell('start')} | {cell('middle')} | {cell('end')} "
                    f"| {'ok' if not route.problems else '; '.join(route.problems)} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--count", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bad-every", type=int, default=100, help="every Nth file is damaged (0 = none)")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--skip-engine", action="store_true")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument("--gui", action="store_true", help="only the real window (offscreen), all files added at once")
    ap.add_argument("--pool", type=int, help="window pool size (default: the window's own default)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ocr-load-") as tmp:
        os.environ["OCR_DESK_DATA"] = str(Path(tmp) / "data")  # the window's and CLI's history stay here
        folder = args.keep or Path(tmp) / "images"
        items = make_images(folder, args.count, bad_every=args.bad_every)
        routes = []
        if args.gui:
            routes.append(run_gui(items, args.threads, args.pool, Path(tmp)))
        if not args.skip_engine and not args.gui:
            routes.append(run_engine(items, args.threads))
        if not args.skip_cli and not args.gui:
            routes.append(run_cli(items, args.threads, Path(tmp) / "out.jsonl"))
        summaries = [check(r, items) for r in routes]
    print(f"{args.count} images ({sum(it.expected is None for it in items)} damaged on purpose), "
          f"threads={args.threads}, cpu={os.cpu_count()}, python {sys.version.split()[0]}\n")
    print(markdown(routes, summaries, args.count))
    return 0 if all(not r.problems for r in routes) else 1


if __name__ == "__main__":
    sys.exit(main())

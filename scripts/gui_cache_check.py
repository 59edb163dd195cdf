"""The window on the result cache: a batch of the same images twice, then every page of a
PDF viewed after its batch (issue 16's closing measurement).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/gui_cache_check.py [--images 20] [--pages 10]

Prints a Markdown table (and the CPU line) for docs/benchmarks.md. The real window, the
real engine and generated images (tests/imagegen.py); engine runs are counted from the
cache's own counters (each cached run is a hit or a miss).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def wait(app, condition, timeout: float = 600.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.002)


def runs(engine) -> int:
    stats = engine.cache.stats()
    return stats["hits"] + stats["misses"]


def batch(app, win, paths: list[Path]) -> float:
    started = time.perf_counter()
    win.add_paths(paths)
    wait(app, lambda: not win.runner.busy)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ocr_app.engine import Engine, Origin
    from ocr_app.gui.items import Status
    from ocr_app.gui.main_window import MainWindow
    from ocr_app.gui.settings import AppSettings
    from tests.imagegen import render_lines, save

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="gui-cache-") as tmp:
        folder = Path(tmp)
        os.environ["OCR_DESK_DATA"] = str(folder / "data")  # not the user's batch and history
        settings = AppSettings(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
        win = MainWindow(settings)  # engine config from the settings schema, as for users
        win.resize(1280, 800)
        win.show()
        wait(app, lambda: win.engine is not None or win.engine_error is not None, 120)
        engine: Engine = win.engine
        assert engine is not None, win.engine_error
        paths = [save(render_lines([f"Invoice {1000 + i} for order {i * 7}", f"Total due: {i * 3 + 0.5:.2f}",
                                    "Thank you for your business"]), folder / f"img{i:02d}.png")
                 for i in range(args.images)]
        misses0 = engine.cache.stats()["misses"]
        first = batch(app, win, paths)
        misses1 = engine.cache.stats()["misses"]
        win.clear_all()
        hits1 = engine.cache.stats()["hits"]
        second = batch(app, win, paths)
        stats = engine.cache.stats()
        second_hits = stats["hits"] - hits1
        all_cached = all(it.pages and it.pages[0].origin is Origin.CACHE for it in win.model.items)
        assert all(it.status is Status.DONE for it in win.model.items)

        pages = [render_lines([f"Report page {p}", f"Section {p}.1 results"], width=800) for p in range(1, 11)]
        pages = pages[: args.pages]
        pdf = folder / "report.pdf"
        pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=100)
        win.clear_all()
        pdf_batch = batch(app, win, [pdf])
        item = win.model.items[0]
        top = win.model.index_of(item.id)
        before = runs(engine)
        views = []
        for page in range(len(item.pages)):
            started = time.perf_counter()
            win.tree.setCurrentIndex(win.model.index(page, 0, top))
            wait(app, lambda page=page: win.detail.shown == (item.id, page) and win.compare.stack.currentIndex() == 1
                 and not win.compare.processed.pixmap_item.pixmap().isNull(), 60)
            views.append((time.perf_counter() - started) * 1000)
        view_runs = runs(engine) - before
        win.close()

    print(f"CPU: {cpu_model()} ({os.cpu_count()} logical CPUs), pool {win.runner.pool.maxThreadCount()}, "
          f"{engine.info().get('threads')} threads per image")
    print()
    print("| Window step | Result |")
    print("|---|---|")
    print(f"| batch of {args.images} generated images, 1st run | {first:.2f} s wall, "
          f"{misses1 - misses0} engine misses (OCR) |")
    print(f"| same {args.images} images, 2nd run | {second:.2f} s wall, {second_hits} cache hits, "
          f"{stats['misses'] - misses1} misses, all origin=cache: {all_cached} |")
    print(f"| {len(item.pages)}-page generated PDF, batch | {pdf_batch:.2f} s wall |")
    print(f"| viewing each of its {len(views)} pages after the batch | median {statistics.median(views):.0f} ms "
          f"(min {min(views):.0f}, max {max(views):.0f}) per page view, {view_runs} engine runs |")
    return 0 if all_cached and view_runs == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

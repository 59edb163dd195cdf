"""History store measurements (docs/benchmarks.md, "History store").

  python scripts/history_bench.py [--pages 10000] [--runs 20]

1. Writing: one page's result (20 lines with boxes and per-character confidences, as the
   engine gives them) through StoreWriter, as a worker does: the operation inside its
   transaction, and submit → committed (what the worker waits; the window never waits).
2. Searching: N generated pages (English words and Chinese text), then queries of an
   English word, 1-, 2- and 4-character Chinese words, median of --runs; store size per page.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocr_app.engine import Line, OcrResult
from ocr_app.store import HistoryStore, StoreWriter

EN = ["invoice", "total", "amount", "meeting", "budget", "approved", "receipt", "payment", "customer", "order",
      "delivery", "address", "quantity", "price", "discount", "subtotal", "station", "report", "figure", "table",
      "section", "chapter", "summary"]
ZH = "基于轮廓检测自动校正倾斜单次推理内使用多线程加速北京大学出版社第三章总结发票金额合计日期地址电话"


def page_text(rng: random.Random, lines: int = 20) -> list[str]:
    out = []
    for _ in range(lines):
        if rng.random() < 0.5:
            words = " ".join(rng.choice(EN) for _ in range(rng.randint(3, 8)))
            out.append(f"{words} {rng.randint(1, 999)}.{rng.randint(0, 99):02d}")
        else:
            out.append("".join(rng.choice(ZH) for _ in range(rng.randint(8, 20))))
    return out


def result_for(texts: list[str]) -> OcrResult:
    lines = [Line(box=[[40.0, 40.0 + 50 * i], [600.0, 40.0 + 50 * i], [600.0, 80.0 + 50 * i], [40.0, 80.0 + 50 * i]],
                  text=t, confidence=0.97, char_confidences=[0.97] * len(t), paragraph=i // 4, row=i)
             for i, t in enumerate(texts)]
    return OcrResult(source="page.png", lines=lines, timings={"total": 300.0}, image_size=(1240, 1754))


def bench_writes(folder: Path, count: int = 200) -> dict:
    rng = random.Random(1)
    writer = StoreWriter(folder / "w.sqlite3")
    writer.submit("add_item", "w", "w.png", "/tmp/w.png", None, True, True, None, "running")
    writer.flush()
    waits = []
    for i in range(count):
        res = result_for(page_text(rng))
        began = time.perf_counter()
        writer.submit("put_page", "w", i, res.to_dict(), res.text, "fp")
        writer.flush()
        waits.append((time.perf_counter() - began) * 1000)
    ops = writer.op_ms[1:]
    writer.close()
    return {"op_median_ms": statistics.median(ops), "op_p95_ms": sorted(ops)[int(len(ops) * 0.95)],
            "commit_median_ms": statistics.median(waits), "commit_p95_ms": sorted(waits)[int(len(waits) * 0.95)]}


def bench_search(folder: Path, pages: int, runs: int) -> dict:
    rng = random.Random(2)
    path = folder / "s.sqlite3"
    store = HistoryStore(path)
    began = time.perf_counter()
    store.con.execute("BEGIN")
    for i in range(pages):
        if i % 20 == 0:
            store.add_item(f"i{i // 20}", f"doc{i // 20}.pdf", f"/data/doc{i // 20}.pdf", document=True, status="done")
        res = result_for(page_text(rng))
        res.page = i % 20 + 1
        store.put_page(f"i{i // 20}", i % 20, res.to_dict(), res.text, "fp")
    store.con.execute("COMMIT")
    fill_s = time.perf_counter() - began
    store.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = store.stats()["bytes"]
    out = {"pages": pages, "fill_s": fill_s, "bytes_per_page": size / pages, "db_mb": size / 1e6}
    for label, query in (("en word", "budget"), ("en 2 words", "meeting approved"), ("zh 1 char", "轮"),
                         ("zh 2 chars", "推理"), ("zh 4 chars", "自动校正"), ("zh 2 chars, absent (full scan)", "电脑"),
                         ("absent", "zebra")):
        times, hits = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            hits = len(store.search(query, limit=50))
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = (statistics.median(times), max(times), hits)
    store.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--pages", type=int, default=10000)
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        w = bench_writes(Path(tmp))
        print("| write | median ms | p95 ms |\n|---|---|---|")
        print(f"| put_page in its transaction | {w['op_median_ms']:.2f} | {w['op_p95_ms']:.2f} |")
        print(f"| submit → committed (the worker's wait) | {w['commit_median_ms']:.2f} | {w['commit_p95_ms']:.2f} |")
        s = bench_search(Path(tmp), args.pages, args.runs)
        print(f"\n{s['pages']} pages, filled in {s['fill_s']:.1f} s; store {s['db_mb']:.1f} MB = "
              f"{s['bytes_per_page'] / 1024:.1f} KB per page\n")
        print("| query | median ms | max ms | hits (limit 50) |\n|---|---|---|---|")
        for key in ("en word", "en 2 words", "zh 1 char", "zh 2 chars", "zh 4 chars", "zh 2 chars, absent (full scan)",
                    "absent"):
            med, worst, hits = s[key]
            print(f"| {key} | {med:.1f} | {worst:.1f} | {hits} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python main.py bulk SRC... --out DIR`: plan, dispatch, write shards, report.

Exit codes as `main.py ocr`: 0 every page read, 1 some pages failed (error records),
2 usage or cluster error, 130 interrupted (the shards written so far stay; run the same
command again to go on).
"""

from __future__ import annotations

import argparse
import itertools
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import options
from ..engine import model_set_names
from ..export import FORMATS as EXPORT_FORMATS
from .cluster import ClusterError, cluster_cpus, connect, shutdown, start_workers, stop_workers, wait_ready
from .dispatch import Dispatcher
from .doc_exports import DocExporter
from .keys import settings_id
from .locate import Item, SourceError, expand_sources
from .manifest import Manifest
from .meter import Meter
from .plan import Doc, Task, bounded_map, probe
from .shards import OutputLock, ShardWriter, recover, scan

PROBE_THREADS = 4
PROBE_AHEAD = 16  # files probed ahead of the workers (their bytes may sit in the object store)
ENGINE_FLAGS = [o.name for o in options.OPTIONS if options.CLI in o.scopes and o.name != "threads"]


class _Usage(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"bulk: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Usage(prog="ocr-desk bulk", description="OCR many files on a Ray cluster, resumably (docs/bulk.md).")
    p.add_argument("sources", nargs="+", metavar="SRC",
                   help="files, folders (recursive), @LIST files (one SRC a line) or URLs (file://, s3://, ...)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder: shards/, manifest.json, exports/")
    p.add_argument("--address", metavar="ADDR",
                   help="join a Ray cluster ('auto', or ray://HOST:PORT); default: start one on this machine")
    p.add_argument("--workers", type=_positive, help="engines to run (default: the cluster's CPUs / threads)")
    p.add_argument("--threads-per-worker", type=_positive, default=1, metavar="T",
                   help="ONNX Runtime threads (and Ray CPUs) per worker (default: 1)")
    p.add_argument("--export", metavar="FMT", choices=EXPORT_FORMATS,
                   help=f"also write one {'/'.join(EXPORT_FORMATS)} file per document into DIR/exports")
    p.add_argument("--shard-records", type=_positive, default=1000, metavar="N",
                   help="records per shard (default: 1000)")
    p.add_argument("--shard-seconds", type=float, default=60.0, metavar="S",
                   help="complete a shard at least this often (default: 60)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines (the summary stays)")
    options.add_arguments(p, options.CLI, ENGINE_FLAGS)
    return p


@dataclass
class RunStats:
    """What the manifest's run entry and docs/bulk.md report."""

    busy_ms: float = 0.0  # time spent inside workers' read()
    cpu_ms: float = 0.0  # CPU time of those reads (all ONNX Runtime threads)
    pages: int = 0
    rss_mb: dict[int, float] = field(default_factory=dict)  # worker pid → peak RSS
    spans: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # worker pid → (start, end) of reads

    def add(self, stats: dict[str, float] | None) -> None:
        if stats is None:
            return
        self.pages += 1
        self.busy_ms += stats["ms"]
        self.cpu_ms += stats.get("cpu_ms", 0.0)
        pid = int(stats["pid"])
        self.rss_mb[pid] = max(self.rss_mb.get(pid, 0.0), stats["rss_mb"])
        self.spans.setdefault(pid, []).append((stats["start"], stats["end"]))

    def gap_ms(self) -> float | None:
        """Mean time a worker spends between two reads (its next page is already in its
        mailbox): Ray's own cost per page on the worker side (hand-over, result, next call)."""
        gaps = []
        for spans in self.spans.values():
            spans.sort()
            gaps += [max(0.0, b[0] - a[1]) * 1000 for a, b in itertools.pairwise(spans)]
        return round(sum(gaps) / len(gaps), 2) if gaps else None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.model_set and args.model_set not in model_set_names():  # before a cluster starts
        parser.error(f"unknown model set {args.model_set!r} (known: {', '.join(model_set_names())})")
    out = Path(args.out)
    problem = _check_out(out)
    if problem:
        print(f"bulk: {problem}", file=sys.stderr)
        return 2
    try:
        items = expand_sources(args.sources)
    except SourceError as exc:
        print(f"bulk: {exc}", file=sys.stderr)
        return 2
    if not items:
        print("bulk: no files found", file=sys.stderr)
        return 2
    lock = OutputLock(out)
    if not lock.acquire():
        print(f"bulk: another bulk run is writing {out}", file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(args, out, items)
    except ClusterError as exc:
        print(f"bulk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before any page was sent (starting Ray, loading models)
        print("bulk: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        lock.release()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _check_out(out: Path) -> str | None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "shards").mkdir(exist_ok=True)
    except OSError as exc:
        return f"cannot use {out} as the output folder: {exc.strerror or exc}"
    if not os.access(out / "shards", os.W_OK | os.X_OK):
        return f"cannot write into {out}"
    return None


def _run(args: argparse.Namespace, out: Path, items: list[Item]) -> int:
    started = time.time()
    run_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime(started)) + f"-{os.getpid()}"
    shards_dir = out / "shards"
    done, infos = scan(shards_dir)
    recovered = recover(shards_dir, done, run_id)
    if recovered:
        print(f"bulk: recovered {recovered} records from an interrupted run", file=sys.stderr)
        done, infos = scan(shards_dir)
    values = options.values_from_args(args)
    sid = settings_id(values)
    threads = args.threads_per_worker
    conn = connect(args.address, (args.workers or max(1, options.physical_cores() // threads)) * threads)
    count = args.workers or max(1, cluster_cpus() // threads)
    workers = start_workers(count, threads, values)
    run: dict[str, Any] = {"id": run_id, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                           "address": args.address or "local", "workers": count, "threads_per_worker": threads,
                           "sources": list(args.sources)}
    manifest = Manifest(out, {k: values[k] for k in sorted(values)}, sid, infos, run)
    writer = ShardWriter(shards_dir, run_id, args.shard_records, args.shard_seconds, on_complete=manifest.add)
    exporter = DocExporter(out, args.export, shards_dir, done, args.layout) if args.export else None
    meter = Meter(len(items), quiet=args.quiet)
    stats = RunStats()
    feed: queue.Queue[Task | None] = queue.Queue(maxsize=max(64, 4 * count))
    stop = threading.Event()
    failure: list[BaseException] = []
    planner = threading.Thread(target=_plan, name="bulk-plan", daemon=True,
                               args=(items, sid, not conn.shared_files, done, feed, meter, exporter, stop, failure))
    planner.start()
    code = 0
    t_ready: float | None = None
    try:
        ready = wait_ready(workers)
        run["engine"] = ready[0]["engine"]
        t_ready = time.monotonic()
        run["startup_s"] = round(time.time() - started, 1)

        def on_done(task: Task, record: dict[str, Any], worker_stats: dict[str, float] | None) -> None:
            writer.write(record)
            meter.page(failed="error" in record)
            stats.add(worker_stats)
            if exporter is not None:
                exporter.add(record)

        def tick() -> None:
            writer.tick()
            meter.tick()

        Dispatcher(workers).run(lambda timeout: _next(feed, timeout), lambda: meter.probing_done and feed.empty(),
                                on_done, tick)
        writer.finish()
        if failure:
            print(f"bulk: planning stopped: {type(failure[0]).__name__}: {failure[0]}", file=sys.stderr)
        manifest.complete = not failure
        code = 1 if meter.failed or failure else 0
    except KeyboardInterrupt:
        stop.set()
        code = 130
        print("bulk: interrupted; run the same command again to go on", file=sys.stderr)
    finally:
        writer.finish()
        seconds = time.monotonic() - t_ready if t_ready is not None else 0.0
        run.update(_run_numbers(meter, stats, seconds, count, threads))
        run["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        manifest.save()
        stop_workers(workers)
        if conn.started:
            shutdown()
    meter.tick(force=True)
    if exporter is not None and (exporter.written or exporter.failed):
        print(f"bulk: {exporter.written} exports written to {out / 'exports'}"
              + (f", {exporter.failed} failed" if exporter.failed else ""), file=sys.stderr)
    if stats.pages:
        print(f"bulk: {run['pages_per_s']} pages/s on {count} workers × {threads} threads; "
              f"{run['gap_ms_between_pages']} ms between two pages on a worker", file=sys.stderr)
    if code == 1:
        print(f"bulk: {meter.failed} pages failed; their records carry the error", file=sys.stderr)
    print(meter.summary(), file=sys.stderr)  # always the last line
    return code


def _run_numbers(meter: Meter, stats: RunStats, seconds: float, workers: int, threads: int) -> dict[str, Any]:
    """Throughput after the models loaded, and the time per page a worker spent outside
    its read() (Ray's transport and scheduling, the driver, idle gaps)."""
    pages = meter.done + meter.failed
    out: dict[str, Any] = {"done": meter.done, "failed": meter.failed, "skipped": meter.skipped,
                           "seconds": round(seconds, 2),
                           "pages_per_s": round(pages / seconds, 2) if seconds > 0 else 0.0,
                           "worker_peak_rss_mb": sorted(stats.rss_mb.values())}
    if stats.pages:
        out["engine_ms_per_page"] = round(stats.busy_ms / stats.pages, 1)
        out["engine_cpu_ms_per_page"] = round(stats.cpu_ms / stats.pages, 1)
        out["overhead_ms_per_page"] = round(max(0.0, seconds * 1000 * workers - stats.busy_ms) / stats.pages, 1)
        out["gap_ms_between_pages"] = stats.gap_ms()
    return out


def _next(feed: queue.Queue[Task | None], timeout: float) -> Task | None:
    try:
        return feed.get(timeout=timeout) if timeout > 0 else feed.get_nowait()
    except queue.Empty:
        return None


def _plan(items: list[Item], sid: str, ship_local: bool, done: dict[str, Any], feed: queue.Queue[Task | None],
          meter: Meter, exporter: DocExporter | None, stop: threading.Event, failure: list[BaseException]) -> None:
    """Probe files a few ahead of the workers and queue the pages not done yet."""
    planned: set[str] = set()
    try:
        for doc, data in _probed(items, sid, ship_local):
            if stop.is_set():
                return
            meter.planned(len(doc.keys))
            if exporter is not None:
                exporter.expect(doc)
            ref = None
            for key, number in zip(doc.keys, doc.numbers, strict=True):
                if key in done:
                    meter.skipped += 1
                    continue
                if key in planned:  # a second copy of the same content: read once
                    meter.skipped += 1
                    continue
                planned.add(key)
                if data is not None and ref is None:
                    import ray

                    ref = [ray.put(data)]
                task = Task(key, doc.item.uri, doc.item.name, number, doc.sha, ref)
                while not stop.is_set():
                    try:
                        feed.put(task, timeout=0.5)
                        break
                    except queue.Full:
                        continue
    except Exception as exc:  # a bug: the run must not report itself complete
        failure.append(exc)
    finally:
        meter.probing_done = True


def _probed(items: list[Item], sid: str, ship_local: bool) -> Iterator[tuple[Doc, bytes | None]]:
    return bounded_map(lambda item: probe(item, sid, ship_local or not item.local), items, PROBE_AHEAD,
                       PROBE_THREADS)

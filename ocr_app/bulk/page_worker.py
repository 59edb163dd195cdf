"""The worker: one warm Engine per process, reading one page per call.

Ray runs this class as an actor (cluster.py wraps it), so the models load once per worker
process and stay loaded for every page it reads. Files the worker cannot read by path
arrive as bytes in the object store and are kept on local disk by content hash, so the
pages of one PDF are not fetched again for each page.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from .. import options
from ..engine import Engine, ErrorKind, OcrResult
from ..jobs import Source, run_page
from .locate import is_url
from .plan import Task

KEEP_FILES = 8  # shipped files kept on disk per worker (a few documents in flight)


def record(result: OcrResult, task: Task) -> dict[str, Any]:
    """The CLI's JSONL record plus where it came from and its key."""
    out = result.to_dict()
    out["source"] = task.uri
    out["page"] = result.page if result.page is not None else task.number
    out["key"] = task.key
    return out


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1 << 20) if os.uname().sysname == "Darwin" else peak / 1024, 1)


class PageWorker:
    def __init__(self, values: dict[str, Any], threads: int):
        config = options.engine_config({**values, "threads": threads})
        self.engine = Engine(config)
        self.use_text_layer = bool(options.option("use_text_layer").coerce(values.get("use_text_layer", True)))
        self._dir = Path(tempfile.mkdtemp(prefix="ocrdesk-bulk-worker-"))
        self._files: OrderedDict[str, Path] = OrderedDict()

    def ready(self) -> dict[str, Any]:
        """Who this worker is, once its models are loaded."""
        return {"pid": os.getpid(), "host": os.uname().nodename, "engine": self.engine.info(),
                "rss_mb": peak_rss_mb()}

    def ping(self, payload: Any = None) -> Any:
        """Round trip with nothing to do: Ray's own cost per call (docs/bulk.md)."""
        return payload

    def read(self, task: Task) -> tuple[dict[str, Any], dict[str, float]]:
        """(the page's record, stats: wall and CPU ms spent here, this process's peak RSS)."""
        t0, c0, started = time.perf_counter(), time.process_time(), time.time()
        try:
            path, shipped = self._path(task)
            source = Source(name=task.name, path=path)
            result = run_page(self.engine, source, task.number, use_text_layer=self.use_text_layer)
            if shipped and result.error:  # name the file, not the worker's copy
                result.error = result.error.replace(str(path), task.uri).replace(path.name, task.name)
        except OSError as exc:  # a URL no worker can read
            result = OcrResult.failed(task.name, ErrorKind.NOT_FOUND, f"{task.uri}: cannot read file ({exc})",
                                      page=task.number)
        except Exception as exc:  # the job runner never raises for bad input: a bug
            result = OcrResult.failed(task.name, ErrorKind.INTERNAL, f"{type(exc).__name__}: {exc}",
                                      page=task.number)
        stats = {"ms": (time.perf_counter() - t0) * 1000, "cpu_ms": (time.process_time() - c0) * 1000,
                 "rss_mb": peak_rss_mb(), "pid": float(os.getpid()), "start": started, "end": time.time()}
        return record(result, task), stats

    def _path(self, task: Task) -> tuple[Path, bool]:
        if not task.data:
            if is_url(task.uri):
                raise FileNotFoundError("the driver could not read it either")
            return Path(task.uri), False
        cached = self._files.get(task.sha)
        if cached is not None:
            self._files.move_to_end(task.sha)
            return cached, True
        import ray

        data = ray.get(task.data[0])
        path = self._dir / f"{task.sha[:16]}{Path(task.name).suffix.lower()}"
        path.write_bytes(data)
        self._files[task.sha] = path
        while len(self._files) > KEEP_FILES:
            _, old = self._files.popitem(last=False)
            old.unlink(missing_ok=True)
        return path, True

    def __del__(self) -> None:
        shutil.rmtree(getattr(self, "_dir", ""), ignore_errors=True)

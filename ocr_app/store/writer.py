"""Writes to the store on a thread of its own, so the window never waits on the disk.

Callers queue operations (`writer.submit("put_page", ...)`, method names of HistoryStore);
the thread takes everything queued, runs it in one transaction and commits, so a burst of
finished pages costs one commit. A commit happens within milliseconds of a page finishing,
which is what bounds the loss of a killed process to the pages still being read.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from pathlib import Path

from .history_db import HistoryStore

_STOP = object()


class StoreWriter:
    def __init__(self, path: Path | str | None = None):
        self._queue: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self.path = path
        self.error: str | None = None
        self.op_ms: list[float] = []  # wall time per operation inside its transaction (benchmarks)
        self._thread = threading.Thread(target=self._run, name="history-store", daemon=True)
        self._thread.start()
        self._ready.wait(10.0)

    def submit(self, op: str, *args, **kwargs) -> None:
        self._queue.put((op, args, kwargs))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is committed."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            store = HistoryStore(self.path)
        except Exception as exc:  # unusable store: history is off for this run, the window still works
            self.error = str(exc)
            self._ready.set()
            while self._queue.get() is not _STOP:
                pass
            return
        self._ready.set()
        stop = False
        while not stop:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            events = []
            store.con.execute("BEGIN")
            for entry in batch:
                if entry is _STOP:
                    stop = True
                    continue
                if isinstance(entry, threading.Event):
                    events.append(entry)
                    continue
                op, args, kwargs = entry
                began = time.perf_counter()
                try:
                    getattr(store, op)(*args, **kwargs)
                except Exception as exc:  # one bad write must not lose the others
                    print(f"history store: {op} failed: {exc}", file=sys.stderr)
                self.op_ms.append((time.perf_counter() - began) * 1000)
            store.con.execute("COMMIT")
            for event in events:
                event.set()
        store.close()

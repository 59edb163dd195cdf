"""Progress on stderr: pages/s, done/failed/skipped, ETA; and the final summary line.

The page total is only known once every file is probed (probing runs just ahead of the
workers), so until then it is estimated from the pages per file seen so far ("~").
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import TextIO

WINDOW = 30.0  # seconds of history behind the pages/s figure


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


class Meter:
    def __init__(self, files: int, stream: TextIO | None = None, interval: float | None = None,
                 quiet: bool = False):
        self.files = files
        self.stream = stream or sys.stderr
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.interval = interval if interval is not None else (1.0 if tty else 10.0)
        self.quiet = quiet
        self.done = self.failed = self.skipped = 0
        self.files_probed = self.pages_planned = 0
        self.probing_done = False
        self.started = time.monotonic()
        self._history: deque[tuple[float, int]] = deque([(self.started, 0)])
        self._shown = 0.0

    def planned(self, pages: int) -> None:
        self.files_probed += 1
        self.pages_planned += pages

    def page(self, failed: bool) -> None:
        if failed:
            self.failed += 1
        else:
            self.done += 1

    @property
    def total(self) -> tuple[int, bool]:
        """(pages in all, exact?)"""
        if self.probing_done or not self.files_probed:
            return self.pages_planned, self.probing_done
        return round(self.pages_planned / self.files_probed * self.files), False

    def rate(self) -> float:
        now = time.monotonic()
        count = self.done + self.failed
        self._history.append((now, count))
        while len(self._history) > 2 and now - self._history[1][0] > WINDOW:
            self._history.popleft()
        t0, c0 = self._history[0]
        return (count - c0) / (now - t0) if now > t0 else 0.0

    def line(self) -> str:
        total, exact = self.total
        finished = self.done + self.failed + self.skipped
        rate = self.rate()
        share = f" ({100 * finished / total:.0f}%)" if total else ""
        eta = _duration((total - finished) / rate) if rate > 0 and total >= finished else "?"
        return (f"bulk: {finished}/{'' if exact else '~'}{total} pages{share} · {rate:.2f} pages/s · "
                f"{self.done} done, {self.failed} failed, {self.skipped} skipped · ETA {eta}")

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.quiet or (not force and now - self._shown < self.interval):
            return
        self._shown = now
        print(self.line(), file=self.stream, flush=True)

    def summary(self) -> str:
        return f"{self.done} done, {self.skipped} skipped, {self.failed} failed"

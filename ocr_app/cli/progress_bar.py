"""A one-line progress bar on stderr (only when there is more than one file)."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.start = total, enabled and total > 1, time.perf_counter()

    def update(self, done: int, name: str) -> None:
        if not self.enabled:
            return
        width = 28
        filled = int(width * done / self.total)
        rate = done / max(1e-6, time.perf_counter() - self.start)
        eta = (self.total - done) / rate if rate else 0
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} "
                         f"{rate:4.1f}/s eta {eta:4.0f}s {name[:30]:<30}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")

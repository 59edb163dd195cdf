"""JSONL shards: written under a temporary dot-name and renamed when complete.

A reader takes only `part-*.jsonl` files, so a shard being written (or left by a killed
run) is never read as complete. Each record is flushed as it is written, so a restarted
run recovers the whole lines of a killed run's unfinished shard (`recover`) instead of
reading those pages again. One process writes an output folder at a time (`OutputLock`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

try:
    import fcntl
except ImportError:  # Windows: no advisory lock
    fcntl = None  # type: ignore[assignment]

SHARD_GLOB = "part-*.jsonl"
TMP_PREFIX = ".part-"
TMP_SUFFIX = ".jsonl.tmp"
LOCK_NAME = ".bulk.lock"


@dataclass(frozen=True)
class ShardInfo:
    name: str
    records: int
    failed: int


Loc = tuple[str, int]  # (shard file name, byte offset of the record's line)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class OutputLock:
    """An exclusive lock on the output folder: two runs writing one folder would each
    think the other's pages are not done."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self._fh: TextIO | None = None

    def acquire(self) -> bool:
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held for the whole run
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            return False
        return True

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class ShardWriter:
    """Records into `folder`, a new shard every `max_records` records or `max_seconds`."""

    def __init__(self, folder: Path, run_id: str, max_records: int = 1000, max_seconds: float = 60.0,
                 on_complete: Callable[[ShardInfo], None] | None = None):
        self.folder = folder
        self.run_id = run_id
        self.max_records = max_records
        self.max_seconds = max_seconds
        self.on_complete = on_complete
        self.completed: list[ShardInfo] = []
        self._seq = 0
        self._fh: TextIO | None = None
        self._tmp: Path | None = None
        self._records = self._failed = 0
        self._opened = 0.0

    def write(self, record: dict[str, Any]) -> None:
        if self._fh is None:
            self._seq += 1
            self._tmp = self.folder / f"{TMP_PREFIX}{self.run_id}-{self._seq:05d}{TMP_SUFFIX}"
            self._fh = open(self._tmp, "x", encoding="utf-8")  # noqa: SIM115 - closed in finish()
            self._records = self._failed = 0
            self._opened = time.monotonic()
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._fh.flush()  # in the OS's hands: a killed run's whole lines are recovered
        self._records += 1
        self._failed += "error" in record
        if self._records >= self.max_records:
            self.finish()

    def tick(self) -> None:
        """Complete the open shard once it is old enough (a slow run still lands shards)."""
        if self._fh is not None and time.monotonic() - self._opened >= self.max_seconds:
            self.finish()

    def finish(self) -> None:
        if self._fh is None or self._tmp is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        final = self.folder / f"part-{self.run_id}-{self._seq:05d}.jsonl"
        os.replace(self._tmp, final)
        _fsync_dir(self.folder)
        info = ShardInfo(final.name, self._records, self._failed)
        self.completed.append(info)
        if self.on_complete is not None:
            self.on_complete(info)


def complete_shards(folder: Path) -> list[Path]:
    return sorted(folder.glob(SHARD_GLOB))


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(byte offset, record) for each whole, parseable line of a shard."""
    offset = 0
    with open(path, "rb") as fh:
        for raw in fh:
            start, offset = offset, offset + len(raw)
            if not raw.endswith(b"\n"):
                break  # a line cut short by a kill: not a record
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                yield start, record


def scan(folder: Path) -> tuple[dict[str, Loc], list[ShardInfo]]:
    """Every key in the complete shards → where its record is (the first, if ever twice),
    and each shard's counts for the manifest: one read of everything done so far."""
    done: dict[str, Loc] = {}
    infos: list[ShardInfo] = []
    for path in complete_shards(folder):
        records = failed = 0
        for offset, record in iter_records(path):
            done.setdefault(record["key"], (path.name, offset))
            records += 1
            failed += "error" in record
        infos.append(ShardInfo(path.name, records, failed))
    return done, infos


def read_record(folder: Path, loc: Loc) -> dict[str, Any]:
    with open(folder / loc[0], "rb") as fh:
        fh.seek(loc[1])
        return json.loads(fh.readline())


def recover(folder: Path, done: Container[str], run_id: str) -> int:
    """Move the whole records of unfinished shards left by killed runs (not yet done) into
    one complete shard, then delete those temporary files; how many records were saved.
    Runs under the output lock, so no live writer owns them."""
    leftovers = sorted(folder.glob(f"{TMP_PREFIX}*{TMP_SUFFIX}"))
    if not leftovers:
        return 0
    writer = ShardWriter(folder, f"{run_id}-recovered", max_records=1 << 30, max_seconds=float("inf"))
    seen: set[str] = set()
    for path in leftovers:
        for _, record in iter_records(path):
            if record["key"] in done or record["key"] in seen:
                continue
            writer.write(record)
            seen.add(record["key"])
    writer.finish()
    for path in leftovers:
        path.unlink(missing_ok=True)
    _fsync_dir(folder)
    return len(seen)

"""Pages to workers with a bounded number in flight, results back as they finish.

Each worker gets `depth` tasks at a time (default 2: one being read, one waiting in its
mailbox, so it never idles while the driver hears back); the driver never holds more than
workers × depth pages in flight, however many million are planned. A task whose worker
died twice (Ray replaced it and retried once) comes back as an error record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine import ErrorKind, OcrResult
from .page_worker import record
from .plan import Task

NextTask = Callable[[float], Task | None]  # a task, or None when none came within the timeout
Done = Callable[[Task, dict[str, Any], dict[str, float] | None], None]


@dataclass
class Flight:
    task: Task
    worker: int
    sent: float


def lost_record(task: Task, exc: BaseException) -> dict[str, Any]:
    """The record of a page whose worker died on it twice (or whose data was lost)."""
    reason = type(exc).__name__
    result = OcrResult.failed(task.name, ErrorKind.INTERNAL,
                              f"the worker reading this page stopped twice ({reason}); it was not read",
                              page=task.number)
    return record(result, task)


class Dispatcher:
    def __init__(self, workers: list[Any], depth: int = 2):
        import ray

        self._ray = ray
        self.workers = workers
        self.depth = depth
        self.inflight: dict[Any, Flight] = {}
        self._load = [0] * len(workers)

    def run(self, next_task: NextTask, exhausted: Callable[[], bool], on_done: Done,
            tick: Callable[[], None]) -> None:
        """Until `exhausted()` and nothing is in flight: fill free slots, wait for one result."""
        ray = self._ray
        while True:
            self._fill(next_task)
            if not self.inflight:
                if exhausted():
                    return
                tick()
                continue
            ready, _ = ray.wait(list(self.inflight), num_returns=1, timeout=0.5)
            for ref in ready:
                flight = self.inflight.pop(ref)
                self._load[flight.worker] -= 1
                try:
                    rec, stats = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    rec, stats = lost_record(flight.task, exc), None
                on_done(flight.task, rec, stats)
            tick()

    def _fill(self, next_task: NextTask) -> None:
        while len(self.inflight) < self.depth * len(self.workers):
            # wait a little for work only when no worker is busy (else results come first)
            task = next_task(0.0 if self.inflight else 0.2)
            if task is None:
                return
            index = min(range(len(self.workers)), key=self._load.__getitem__)
            ref = self.workers[index].read.remote(task)
            self.inflight[ref] = Flight(task, index, time.monotonic())
            self._load[index] += 1

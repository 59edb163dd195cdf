"""Ray: start a local cluster or join one, and start the page workers on it.

Ray is imported only here and in the worker's fetch: the desktop app never loads it.
Workers are actors with `max_restarts=-1` and `max_task_retries=1`: a worker process
that dies is replaced (its models load again) and the pages it held are tried once more.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from .page_worker import PageWorker


class ClusterError(RuntimeError):
    """Ray is missing, or the cluster cannot be reached."""


def _ray():
    try:
        import ray
    except ImportError as exc:
        raise ClusterError("bulk needs Ray: pip install -r requirements-cluster.txt") from exc
    return ray


def connect(address: str | None, cpus: int) -> bool:
    """Join `address` ("auto", "ray://host:10001") or start a local cluster with `cpus`
    CPUs; True when the cluster is our own (local paths are then readable by workers)."""
    ray = _ray()
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    common: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR, "configure_logging": True}
    try:
        if address:
            ray.init(address=address, **common)
            return False
        ray.init(num_cpus=cpus, include_dashboard=False, **common)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot start or join the Ray cluster: {exc}") from exc
    return True


def start_workers(count: int, threads: int, values: dict[str, Any]) -> list[Any]:
    """`count` actors, each holding one Engine with `threads` ONNX Runtime threads and
    asking Ray for as many CPUs (so workers never share a core)."""
    ray = _ray()
    remote = ray.remote(num_cpus=threads, max_restarts=-1, max_task_retries=1)(PageWorker)
    return [remote.remote(values, threads) for _ in range(count)]


def wait_ready(workers: list[Any]) -> list[dict[str, Any]]:
    """Block until every worker has loaded its models; their `ready()` answers."""
    ray = _ray()
    return ray.get([w.ready.remote() for w in workers])


def cluster_cpus() -> int:
    return int(_ray().cluster_resources().get("CPU", 0))


def shutdown() -> None:
    ray = _ray()
    if ray.is_initialized():
        ray.shutdown()

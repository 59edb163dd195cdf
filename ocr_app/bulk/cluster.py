"""Ray: start a local cluster or join one, and start the page workers on it.

Ray is imported only here and in the worker's fetch: the desktop app never loads it.
Workers are actors with `max_restarts=-1` and `max_task_retries=1`: a worker process
that dies is replaced (its models load again) and the pages it held are tried once more.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Connection:
    started: bool  # we called ray.init (so we disconnect at the end)
    shared_files: bool  # every node is this machine: workers read local paths themselves


def connect(address: str | None, cpus: int) -> Connection:
    """Join `address` ("auto", "ray://host:10001", a GCS address) or start a local cluster
    with `cpus` CPUs; a process already connected (a test, a notebook) keeps its cluster."""
    ray = _ray()
    if not ray.is_initialized():
        os.environ.setdefault("RAY_DEDUP_LOGS", "0")
        common: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR, "configure_logging": True}
        try:
            if address:
                ray.init(address=address, **common)
            else:
                ray.init(num_cpus=cpus, include_dashboard=False, **common)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ClusterError(f"cannot start or join the Ray cluster: {exc}") from exc
        started = True
    else:
        started = False
    return Connection(started, _single_host())


def _single_host() -> bool:
    """Whether all live nodes are this machine (then a local path means the same file to
    every worker; otherwise local files travel through the object store)."""
    ray = _ray()
    try:
        hosts = {n["NodeManagerAddress"] for n in ray.nodes() if n.get("Alive")}
        return hosts == {ray.util.get_node_ip_address()}
    except Exception:  # client mode or an API change: ship the bytes, which always works
        return False


def start_workers(count: int, threads: int, values: dict[str, Any]) -> list[Any]:
    """`count` actors, each holding one Engine with `threads` ONNX Runtime threads and
    asking Ray for as many CPUs (so workers never share a core)."""
    ray = _ray()
    remote = ray.remote(num_cpus=threads, max_restarts=-1, max_task_retries=1)(PageWorker)
    return [remote.remote(values, threads) for _ in range(count)]


def wait_ready(workers: list[Any]) -> list[dict[str, Any]]:
    """Block until every worker has loaded its models; their `ready()` answers."""
    ray = _ray()
    try:
        return ray.get([w.ready.remote() for w in workers])
    except ray.exceptions.RayError as exc:  # e.g. a node without the models (ModelError in the engine)
        cause = getattr(exc, "cause", None) or exc
        raise ClusterError(f"a worker could not start: {str(cause).strip().splitlines()[-1]}") from exc


def stop_workers(workers: list[Any]) -> None:
    """End our actors now (a driver that stays connected would otherwise keep them)."""
    ray = _ray()
    for worker in workers:
        with contextlib.suppress(Exception):  # already gone
            ray.kill(worker)


def cluster_cpus() -> int:
    return int(_ray().cluster_resources().get("CPU", 0))


def shutdown() -> None:
    ray = _ray()
    if ray.is_initialized():
        ray.shutdown()

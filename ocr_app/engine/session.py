"""ONNX Runtime sessions: one per model file for the whole process, tuned for the CPU.

`InferenceSession.run` is thread-safe, so every worker thread shares the same session
(one copy of the weights, one optimised graph). The optimised graph is kept on disk under
the user cache dir and loaded as is on later starts (faster starts). It is keyed by the
model file, the ONNX Runtime version and the
CPU's instruction set (the graph holds kernel layouts for this CPU), and older graphs
of the same model are deleted, so the cache holds one file per model.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

import onnxruntime as ort

from .. import paths
from ..options import physical_cores
from . import cpu_features
from .errors import PROVISION_HINT, ModelError
from .models import file_stamp

_sessions: dict[tuple[str, int], ort.InferenceSession] = {}
_lock = threading.Lock()


def default_threads() -> int:
    """Physical cores: hyper-threads add little to these conv/matmul kernels."""
    return physical_cores()


def exact_int8(model: Path) -> bool:
    """Whether `model` is an INT8 file to run through ORT's exact u8×u8 kernel (CPUs whose
    u8×s8 kernel saturates; see cpu_features)."""
    return model.name.endswith(".int8.onnx") and cpu_features.use_x64_precision()


def session_options(threads: int, exact: bool = False) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    if exact:
        opts.add_session_config_entry(cpu_features.X64_PRECISION, "1")
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Memory patterns are planned per input shape, and every page has a new one: they would
    # pin a plan per page for no speed. The arena stays on (off is slower and fragments the
    # heap). Measurements: docs/benchmarks.md, "Engine settings".
    opts.enable_cpu_mem_arena = True
    opts.enable_mem_pattern = False
    # One arena for all three models: the recogniser reuses the memory the detector freed.
    if _shared_arena():
        opts.add_session_config_entry("session.use_env_allocators", "1")
    # Spinning threads burn the second core while Python does pre/post-processing.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry(cpu_features.DENORMALS_AS_ZERO, "1")
    opts.log_severity_level = 3
    return opts


_arena_registered: bool | None = None
_arena_lock = threading.Lock()


def _shared_arena() -> bool:
    """Register the process-wide CPU arena once. Power-of-two growth fragments less than
    growing by the requested size, and a 64 MB first chunk holds a small page's whole
    working set, so small pages stop adding regions."""
    global _arena_registered
    with _arena_lock:
        if _arena_registered is None:
            try:
                info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
                cfg = ort.OrtArenaCfg({"arena_extend_strategy": 0, "initial_chunk_size_bytes": 64 << 20})
                ort.create_and_register_allocator(info, cfg)
                _arena_registered = True
            except Exception:  # an older runtime without shared allocators: per-session arenas
                _arena_registered = False
        return _arena_registered


def get_session(model: Path, threads: int | None = None) -> ort.InferenceSession:
    """The shared session for `model` (created once, under a lock)."""
    threads = threads or default_threads()
    key = (str(model), threads)
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = _create(model, threads)
            _sessions[key] = session
        return session


def _create(model: Path, threads: int) -> ort.InferenceSession:
    if not model.is_file():
        raise ModelError(f"model file missing: {model}; {PROVISION_HINT}")
    exact = exact_int8(model)
    cached = _graph_path(model, exact)
    if cached is not None:
        _remove_leftovers(cached.parent, _cache_prefix(model.name))
    if cached is not None and cached.is_file():
        opts = session_options(threads, exact)
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(cached), opts, providers=["CPUExecutionProvider"])
        except Exception:  # damaged or foreign: rebuilt from the model below
            cached.unlink(missing_ok=True)
    tmp = _reserve(cached) if cached is not None else None
    try:
        session = _open(model, session_options(threads, exact), tmp)
    except Exception as exc:
        if tmp is None:
            raise ModelError(f"model file corrupt or unreadable: {model} ({exc}); {PROVISION_HINT}") from exc
        # Maybe only the graph cache could not be written (a full disk): run without it.
        tmp.unlink(missing_ok=True)
        tmp = None
        try:
            session = _open(model, session_options(threads, exact), None)
        except Exception as again:
            raise ModelError(f"model file corrupt or unreadable: {model} ({again}); {PROVISION_HINT}") from again
    if tmp is not None:
        _publish(tmp, cached, _cache_prefix(model.name))
    return session


def _open(model: Path, opts: ort.SessionOptions, graph_out: Path | None) -> ort.InferenceSession:
    if graph_out is not None:
        opts.optimized_model_filepath = str(graph_out)
    return ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])


def _graph_path(model: Path, exact: bool = False) -> Path | None:
    """Where the optimised graph of `model` is kept; None when caching is switched off.
    The exact-kernel graph has its weights rewritten to u8, so it is keyed apart."""
    if os.environ.get("OCR_DESK_NO_GRAPH_CACHE"):
        return None
    stamp = file_stamp(model)
    weights = model.with_suffix(".weights")  # a graph whose weights live beside it (external data)
    if weights.is_file():
        stamp += "+" + file_stamp(weights)
    key = f"{model.resolve()}|{stamp}|{ort.__version__}|{_cpu_signature()}|{'u8u8' if exact else ''}"
    digest = hashlib.blake2b(key.encode(), digest_size=10).hexdigest()
    return paths.user_cache_dir() / "ort-graphs" / f"{_cache_prefix(model.name)}{digest}.onnx"


def _cache_prefix(model_name: str) -> str:
    """Prefix shared by every cached graph of one model file (and no other)."""
    return model_name.replace(".", "_") + "--"


@lru_cache(maxsize=1)
def _cpu_signature() -> str:
    """The instruction set the optimised graph's kernel layouts were chosen for.

    /proc/cpuinfo is the kernel's view; what ORT picks by is what CPUID and XGETBV tell
    this process, which a hypervisor or CPUID masking can narrow (a graph laid out for
    AVX-512's 16-float blocks then fails on AVX2's 8). So the features the process sees
    (cpu_features.runtime_features) are in the key too."""
    flags = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = next((line for line in fh if line.startswith(("flags", "Features"))), "")
    except OSError:
        pass
    flags += "|" + " ".join(sorted(cpu_features.runtime_features()))
    return f"{platform.machine()}|{platform.processor()}|{hashlib.blake2b(flags.encode(), digest_size=8).hexdigest()}"


def _reserve(cached: Path) -> Path | None:
    """A temporary name next to `cached` for ONNX Runtime to write to; None if the cache
    dir cannot be written (read-only home): the session is then built without it."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=cached.stem, suffix=".tmp", dir=cached.parent)
        os.close(fd)
        return Path(name)
    except OSError:
        return None


_LEFTOVER_SECONDS = 600


def _remove_leftovers(folder: Path, prefix: str) -> None:
    """A process killed while ONNX Runtime wrote its graph leaves its temporary file; one
    older than any graph takes to write is such a leftover, not another process's work."""
    try:
        for left in folder.glob(prefix + "*.tmp"):
            if time.time() - left.stat().st_mtime > _LEFTOVER_SECONDS:
                left.unlink(missing_ok=True)
    except OSError:
        pass


def _publish(tmp: Path, cached: Path, prefix: str) -> None:
    """Move the written graph into place atomically and delete older graphs of the same
    model (another version, location or CPU), so the cache does not grow."""
    try:
        if tmp.stat().st_size == 0:
            tmp.unlink()
            return
        os.replace(tmp, cached)
        for old in cached.parent.glob(prefix + "*.onnx"):
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError:
        tmp.unlink(missing_ok=True)


def clear() -> None:
    with _lock:
        _sessions.clear()

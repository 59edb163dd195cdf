"""ONNX Runtime sessions: one per model file for the whole process, tuned for the CPU.

`InferenceSession.run` is thread-safe, so every worker thread shares the same session
(one copy of the weights, one optimised graph). Graph optimisation at load takes under
0.1 s for these models, so optimised graphs are not cached on disk (measured: ~70 ms
saved per start, not worth a per-machine, hardware-specific cache that grows).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import onnxruntime as ort

from .errors import PROVISION_HINT, ModelError

_sessions: dict[tuple[str, int], ort.InferenceSession] = {}
_lock = threading.Lock()


def default_threads() -> int:
    """Physical cores: hyper-threads add little to these conv/matmul kernels."""
    count = os.cpu_count() or 2
    try:
        import psutil

        count = psutil.cpu_count(logical=False) or count
    except ImportError:
        pass
    return max(1, count)


def session_options(threads: int) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Measured on sroie-dev (CPU ms per page / peak RSS): memory patterns are planned per
    # input shape and every page has a new one, so they pin a plan per page (768 MB) for no
    # speed; without them the arena's peak is 534 MB. Arena off is slower (detector +36 %
    # CPU) and fragments malloc's heap (higher peak). Shrinking the arena after each run
    # lowers the peak to 459 MB but re-faults the memory every page (+10 % CPU), so not.
    opts.enable_cpu_mem_arena = True
    opts.enable_mem_pattern = False
    # One arena for all three models instead of one each: the recogniser reuses the
    # memory the detector just freed (peak RSS 561 -> 420 MB on sroie-dev, 517 -> 384 on zh).
    if _shared_arena():
        opts.add_session_config_entry("session.use_env_allocators", "1")
    # Spinning threads burn the second core while Python does pre/post-processing.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return opts


_arena_registered: bool | None = None
_arena_lock = threading.Lock()


def _shared_arena() -> bool:
    """Register the process-wide CPU arena once. Power-of-two growth measured a lower peak
    than growing by exactly the requested size (which fragments); a 64 MB first chunk
    holds a small page's whole working set, so small pages stop adding regions (1000-image
    window batch: peak 302 -> 286 MB; sroie-dev 424 -> 413 MB)."""
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
    try:
        return ort.InferenceSession(str(model), session_options(threads), providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ModelError(f"model file corrupt or unreadable: {model} ({exc}); {PROVISION_HINT}") from exc


def clear() -> None:
    with _lock:
        _sessions.clear()

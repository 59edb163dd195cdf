"""ONNX Runtime sessions: one per model file for the whole process, tuned for the CPU.

`InferenceSession.run` is thread-safe, so every worker thread shares the same session
(one copy of the weights, one optimised graph). The optimised graph is cached on disk
so later starts skip graph optimisation.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import onnxruntime as ort

from ..paths import user_cache_dir
from .errors import PROVISION_HINT, ModelError

_sessions: dict[tuple[str, int], ort.InferenceSession] = {}
_lock = threading.Lock()


def default_threads() -> int:
    """Physical cores: hyper-threads add little to these conv/matmul kernels."""
    count = os.cpu_count() or 2
    try:
        import psutil  # optional

        count = psutil.cpu_count(logical=False) or count
    except ImportError:
        pass
    return max(1, count)


def _options(threads: int, optimised_path: Path | None) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Variable input sizes make the arena grow without bound; plain malloc keeps RSS flat.
    opts.enable_cpu_mem_arena = False
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    if optimised_path is not None:
        opts.optimized_model_filepath = str(optimised_path)
    return opts


def _optimised_cache_path(model: Path) -> Path | None:
    try:
        stat = model.stat()
        key = f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{ort.__version__}"
        folder = user_cache_dir() / "ort"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{model.stem}-{hashlib.sha1(key.encode()).hexdigest()[:12]}.ort.onnx"
    except OSError:
        return None


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
    cached = _optimised_cache_path(model)
    providers = ["CPUExecutionProvider"]
    if cached is not None and cached.is_file():
        opts = _options(threads, None)
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(cached), opts, providers=providers)
        except Exception:  # stale or partial cache entry: rebuild it
            cached.unlink(missing_ok=True)
    try:
        return ort.InferenceSession(str(model), _options(threads, cached), providers=providers)
    except Exception as exc:
        raise ModelError(f"model file corrupt or unreadable: {model} ({exc}); {PROVISION_HINT}") from exc


def clear() -> None:
    with _lock:
        _sessions.clear()

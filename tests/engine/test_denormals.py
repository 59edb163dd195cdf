"""Denormal floats are flushed to zero wherever the engine runs ONNX Runtime: in ORT's pool
threads (the session option) and on whichever thread reads a page (denormals.flush_here),
also when the engine was built on another thread, as the window does.

Each check runs in a fresh interpreter: a thread's float mode is inherited by the threads it
starts, and ORT sets the first session's thread once per process, so this process's own
state says nothing."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                                reason="MXCSR's flush-to-zero flags are x86")


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_flush_here_changes_only_the_calling_thread():
    out = _run("""
        import threading
        from ocr_app.engine import denormals
        seen = []
        before = denormals.flushes()
        assert denormals.flush_here() and denormals.flush_here()
        threading.Thread(target=lambda: seen.append(denormals.flushes())).start()
        print(before, denormals.flushes())
    """)
    assert out == "False True"


def test_sessions_flush_denormals_in_their_pool_threads():
    """A 4 M-element product whose every result is denormal: zeros through the app's
    session options (the first session: its thread and ORT's pool), denormals through ORT's
    defaults on a thread that never set the flags."""
    out = _run("""
        import threading
        import numpy as np, onnxruntime as ort
        from onnx import TensorProto, helper
        from ocr_app.engine import session
        graph = helper.make_graph(
            [helper.make_node("Mul", ["x", "c"], ["y"])], "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])],
            [helper.make_tensor("c", TensorProto.FLOAT, [1], [1e-10])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        x = np.full(1 << 22, 1e-30, np.float32)
        zeros = {}
        def read(name, opts):
            s = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
            zeros[name] = float((s.run(None, {"x": x})[0] == 0).mean())
        for name, opts in (("app", session.session_options(2)), ("plain", ort.SessionOptions())):
            t = threading.Thread(target=read, args=(name, opts)); t.start(); t.join()
        print(zeros["plain"], zeros["app"])
    """)
    assert out == "0.0 1.0"


def test_a_page_read_on_another_thread_than_the_engine_was_built_on_flushes():
    out = _run("""
        import threading
        from ocr_app.engine import Engine, denormals
        from tests.imagegen import render_lines, to_bgr
        built = {}
        t = threading.Thread(target=lambda: built.setdefault("engine", Engine())); t.start(); t.join()
        before = denormals.flushes()
        reported = built["engine"].info()["denormals_flushed"]
        result = built["engine"].run(to_bgr(render_lines(["TOTAL 12.50"])), use_cache=False)
        print(before, denormals.flushes(), result.error_kind is None and "12.50" in result.text, reported,
              built["engine"].info()["denormals_flushed"])
    """)
    assert out == "False True True None True"

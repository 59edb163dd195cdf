"""The INT8 kernel probe (cpu_features) and what follows from it: the exact-kernel session
option only for INT8 files, its own graph-cache entry, and the variant in Engine.info()."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ocr_app.engine import cpu_features, session
from ocr_app.engine.models import resolve

EXACT_PRODUCT = 255 * 127 * cpu_features.PROBE_K
SATURATED_PRODUCT = 32767 * cpu_features.PROBE_K // 2  # each pair of products clipped to int16


def test_probe_is_the_documented_graph():
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    k = cpu_features.PROBE_K
    b = numpy_helper.from_array(np.full((k, 1), 127, np.int8), "b")
    graph = helper.make_graph([helper.make_node("MatMulInteger", ["a", "b"], ["y"])], "p",
                              [helper.make_tensor_value_info("a", TensorProto.UINT8, [1, k])],
                              [helper.make_tensor_value_info("y", TensorProto.INT32, [1, 1])], [b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="")
    model.ir_version = 8
    onnx.checker.check_model(model)
    assert model.SerializeToString() == cpu_features._PROBE


def test_probe_answers_exact_or_saturated_and_the_precise_kernel_is_exact():
    plain = cpu_features.probe()
    assert plain in (EXACT_PRODUCT, SATURATED_PRODUCT)
    assert cpu_features.probe(precise=True) == EXACT_PRODUCT
    assert cpu_features.int8_kernel() == (cpu_features.EXACT if plain == EXACT_PRODUCT else cpu_features.SATURATING)


@pytest.mark.parametrize(("forced", "expected"), [("fast", False), ("exact", True)])
def test_override_forces_the_kernel(monkeypatch, forced, expected):
    monkeypatch.setenv(cpu_features.ENV_OVERRIDE, forced)
    assert cpu_features.use_x64_precision() is expected
    assert session.exact_int8(Path("m.int8.onnx")) is expected
    assert session.exact_int8(Path("m.onnx")) is False  # fp32 files have no integer kernel


def test_default_follows_the_probe(monkeypatch):
    monkeypatch.delenv(cpu_features.ENV_OVERRIDE, raising=False)
    assert cpu_features.use_x64_precision() is (cpu_features.int8_kernel() == cpu_features.SATURATING)
    assert cpu_features.int8_variant().startswith("u8u8" if cpu_features.use_x64_precision() else "u8s8")


def test_exact_graph_is_cached_apart(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("OCR_DESK_NO_GRAPH_CACHE", raising=False)
    model = resolve(None, "int8").rec
    assert session._graph_path(model, True) != session._graph_path(model, False)


def test_the_exact_kernel_reads_like_the_default_where_it_is_already_exact(monkeypatch):
    """Both sessions of the INT8 recogniser answer; on a VNNI CPU with the same numbers."""
    monkeypatch.setenv("OCR_DESK_NO_GRAPH_CACHE", "1")
    import onnxruntime as ort

    model = resolve(None, "int8").rec
    x = np.random.default_rng(5).uniform(-1, 1, (2, 3, 48, 160)).astype(np.float32)
    out = []
    for exact in (False, True):
        sess = ort.InferenceSession(str(model), session.session_options(1, exact), providers=["CPUExecutionProvider"])
        out.append(sess.run(None, {sess.get_inputs()[0].name: x})[0])
    assert out[0].shape == out[1].shape
    if cpu_features.int8_kernel() == cpu_features.EXACT:
        np.testing.assert_array_equal(out[0], out[1])
    else:
        assert np.abs(out[0] - out[1]).max() < 0.5  # the same readings' probabilities, unsaturated


def test_engine_info_names_the_int8_kernel():
    from ocr_app.engine import Engine, EngineConfig

    assert Engine(EngineConfig(precision="int8")).info()["int8_kernel"] == cpu_features.int8_variant()
    assert Engine(EngineConfig(precision="fp32")).info()["int8_kernel"] is None


def test_the_cached_exact_graph_keeps_the_exact_kernel(tmp_path, monkeypatch):
    """The saved optimised graph, loaded unoptimised on the next start, still computes what the
    exact-kernel session computes (the cache must not silently bring the saturating kernel back)."""
    import onnxruntime as ort

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("OCR_DESK_NO_GRAPH_CACHE", raising=False)
    monkeypatch.setenv(cpu_features.ENV_OVERRIDE, "exact")
    model = resolve(None, "int8").rec
    x = np.random.default_rng(5).uniform(-1, 1, (2, 3, 48, 320)).astype(np.float32)

    def run(sess) -> np.ndarray:
        return sess.run(None, {sess.get_inputs()[0].name: x})[0]

    session._create(model, 2)
    assert session._graph_path(model, True).is_file()
    cached = session._create(model, 2)
    direct = ort.InferenceSession(str(model), session.session_options(2, True), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(run(cached), run(direct))

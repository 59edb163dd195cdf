"""build_spec/fp16_weights.py stores large float32 weights as float16 cast back to float32: the file is smaller,
ONNX Runtime folds the casts away, and the outputs equal the float32 model's to float16 weight rounding."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from tests.build_spec_modules import build_spec_module
from tests.imagegen import render_lines, to_bgr

ROOT = Path(__file__).resolve().parents[2]
fp16_weights = build_spec_module("fp16_weights")

STEM = ROOT / "models" / "ppocrv6_det_small.bands" / "stem.onnx"


def _run(model: Path, feed: dict[str, np.ndarray], optimised_to: Path | None = None) -> list[np.ndarray]:
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if optimised_to is not None:
        opts.optimized_model_filepath = str(optimised_to)
    return ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"]).run(None, feed)


def _small_net(path: Path) -> Path:
    """Conv (16x8x3x3 = 1152 weights) + bias (16) -> Reshape (int64 shape) -> MatMul (4096x32 weights)."""
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.normal(0, 0.2, (16, 8, 3, 3)).astype(np.float32), "conv_w"),
        numpy_helper.from_array(rng.normal(0, 0.2, 16).astype(np.float32), "conv_b"),
        numpy_helper.from_array(np.array([1, -1], np.int64), "flat"),
        numpy_helper.from_array(rng.normal(0, 0.05, (16 * 16 * 16, 32)).astype(np.float32), "fc_w"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv_w", "conv_b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Reshape", ["r", "flat"], ["f"]),
        helper.make_node("MatMul", ["f", "fc_w"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "net", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 16, 16])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 6
    onnx.save(model, str(path))
    return path


def test_large_weights_stored_as_float16_and_folded_back(tmp_path):
    src = _small_net(tmp_path / "net.onnx")
    dst = tmp_path / "out" / "net.onnx"
    assert fp16_weights.convert(src, dst) == 2
    converted = onnx.load(str(dst))
    kinds = {i.name: i.data_type for i in converted.graph.initializer}
    assert kinds == {"conv_w_fp16": TensorProto.FLOAT16, "fc_w_fp16": TensorProto.FLOAT16,
                     "conv_b": TensorProto.FLOAT, "flat": TensorProto.INT64}
    assert [n.op_type for n in converted.graph.node[:2]] == ["Cast", "Cast"]
    assert converted.opset_import == onnx.load(str(src)).opset_import
    assert dst.stat().st_size < 0.6 * src.stat().st_size

    x = np.random.default_rng(1).normal(0, 1, (1, 8, 16, 16)).astype(np.float32)
    (want,) = _run(src, {"x": x})
    (got,) = _run(dst, {"x": x}, optimised_to=tmp_path / "optimised.onnx")
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-3 * np.abs(want).max())
    optimised = onnx.load(str(tmp_path / "optimised.onnx"))
    assert not any(n.op_type == "Cast" for n in optimised.graph.node)
    assert all(i.data_type != TensorProto.FLOAT16 for i in optimised.graph.initializer)


def test_nothing_to_convert_writes_nothing(tmp_path):
    src = _small_net(tmp_path / "net.onnx")
    assert fp16_weights.convert(src, tmp_path / "out.onnx", min_elements=10**6) == 0
    assert not (tmp_path / "out.onnx").exists()


@pytest.mark.skipif(not STEM.is_file(), reason="detector parts not provisioned")
def test_real_detector_part_gives_the_same_map(tmp_path):
    dst = tmp_path / "stem.onnx"
    assert fp16_weights.convert(STEM, dst) > 0
    assert dst.stat().st_size < 0.7 * STEM.stat().st_size
    page = to_bgr(render_lines(["TOTAL RM 12.50", "合计 金额 38元"], size=28))[:128, :192].astype(np.float32)
    x = ((page / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None].astype(np.float32)
    x = np.pad(x, ((0, 0), (0, 0), (0, 128 - x.shape[2]), (0, 192 - x.shape[3])))
    for want, got in zip(_run(STEM, {"x": x}), _run(dst, {"x": x}), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-3 * np.abs(want).max())


def test_toc_swaps_only_candidate_models(tmp_path):
    src = _small_net(tmp_path / "net.onnx")
    toc = [("models/ppocrv6_det_small.bands/backbone.onnx", str(src), "DATA"),
           ("models/doc_orientation.onnx", str(src), "DATA"),
           ("models/ppocr_mobile_v2_cls.onnx", str(src), "DATA"),
           ("models/ppocrv6_rec_small.int8.onnx", str(src), "DATA"),
           ("models/ppocrv6_det_small.bands/split.json", str(src), "DATA")]
    swapped, saved = fp16_weights.halve_datas(toc, tmp_path / "work")
    assert [d for d, _, _ in swapped] == [d for d, _, _ in toc]
    assert swapped[1][1] == str(tmp_path / "work" / "models" / "doc_orientation.onnx")
    assert [swapped[0], *swapped[2:]] == [toc[0], *toc[2:]]  # the detector parts stay float32
    assert saved == src.stat().st_size - Path(swapped[1][1]).stat().st_size > 0


def test_without_onnx_the_toc_is_unchanged(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` raises ImportError
    toc = [("models/doc_orientation.onnx", str(tmp_path / "x.onnx"), "DATA")]
    assert fp16_weights.halve_datas(toc, tmp_path / "work") == (toc, 0)
    assert "onnx package is not installed" in capsys.readouterr().out


ORIENTATION = ROOT / "models" / "doc_orientation.onnx"


@pytest.mark.skipif(not ORIENTATION.is_file(), reason="orientation model not provisioned")
def test_converted_orientation_model_finds_the_same_angle_on_turned_pages(tmp_path):
    """The one model the bundle converts: same angle for a page lying at each of the four turns."""
    from ocr_app.engine.orient import PageOrienter, rotate

    dst = tmp_path / "doc_orientation.onnx"
    assert fp16_weights.convert(ORIENTATION, dst) > 0
    assert dst.stat().st_size < 0.55 * ORIENTATION.stat().st_size
    page = to_bgr(render_lines(["Quarterly report 2026", "第三季度 营业收入 增长", "Total 1,250.00 EUR",
                                "会议纪要 请于周五前回复"] * 3, size=30))
    sessions = [ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]) for path in (ORIENTATION, dst)]
    for turn in (0, 90, 180, 270):
        turned = rotate(page, turn)
        want, got = (PageOrienter(session).angle(turned, []) for session in sessions)
        assert got == want

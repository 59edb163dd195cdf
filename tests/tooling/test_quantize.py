"""The recogniser's INT8 rewrite: 1×1 convolutions become MatMuls with the same output,
squeeze-excitation gates stay convolutions, and the provisioned model is the rewritten one."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from ocr_app.engine.models import resolve
from ocr_app.tooling import quantize


def _toy_model() -> onnx.ModelProto:
    """x → 3×3 conv → 1×1 conv (+bias) → GELU-free ReLU → 1×1 conv, times an SE gate
    (global pool → 1×1 conv → sigmoid) — the shapes of a PP-OCR block."""
    rng = np.random.default_rng(0)

    def init(name: str, *shape: int) -> onnx.TensorProto:
        return numpy_helper.from_array(rng.normal(0, 0.3, shape).astype(np.float32), name)

    inits = [init("k3", 8, 3, 3, 3), init("w1", 16, 8, 1, 1), init("b1", 16), init("w2", 8, 16, 1, 1),
             init("se_w", 8, 8, 1, 1), init("se_b", 8)]
    nodes = [
        helper.make_node("Conv", ["x", "k3"], ["c0"], pads=[1, 1, 1, 1], name="spatial"),
        helper.make_node("Conv", ["c0", "w1", "b1"], ["c1"], name="expand"),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="project"),
        helper.make_node("GlobalAveragePool", ["c2"], ["pool"]),
        helper.make_node("Conv", ["pool", "se_w", "se_b"], ["gate0"], name="se"),
        helper.make_node("Sigmoid", ["gate0"], ["gate"]),
        helper.make_node("Mul", ["c2", "gate"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "toy", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 16, "w"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 8, 16, "w"])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def test_pointwise_convs_become_matmuls_with_the_same_output():
    model = _toy_model()
    x = np.random.default_rng(1).normal(size=(2, 3, 16, 40)).astype(np.float32)
    expected = _run(model, x)
    rewritten = quantize.pointwise_convs_as_matmul(model, min_stride=1)
    convs = [n.name for n in model.graph.node if n.op_type == "Conv"]
    assert convs == ["spatial", "se"]  # the 3×3 conv and the SE gate are left alone
    assert sum(n.op_type == "MatMul" for n in model.graph.node) == 2
    assert len(rewritten) == 2
    onnx.checker.check_model(model)
    np.testing.assert_allclose(_run(model, x), expected, rtol=1e-4, atol=1e-5)


def test_full_height_convs_stay_convolutions():
    """At the input's full height the 1×1 convs belong to the high-resolution first stage,
    which stays fp32: they are left as Conv rather than fp32 MatMuls between transposes."""
    model = _toy_model()
    assert quantize.pointwise_convs_as_matmul(model, min_stride=8) == []
    assert [n.op_type for n in model.graph.node].count("Conv") == 4
    assert "MatMul" not in [n.op_type for n in model.graph.node]


def test_provisioned_recogniser_runs_its_pointwise_convs_in_int8():
    rec = onnx.load(str(resolve(None, "int8").rec), load_external_data=False)
    ops = [n.op_type for n in rec.graph.node]
    weights = {i.name: i for i in rec.graph.initializer}
    pointwise = [n for n in rec.graph.node if n.op_type == "Conv" and n.input[1] in weights
                 and tuple(weights[n.input[1]].dims[2:]) == (1, 1)]
    pooled = quantize._pooled_tensors(rec.graph, set(weights))
    heights, top = quantize.feature_heights(rec)
    kept = [n for n in pointwise if n.input[0] not in pooled]
    assert kept, "the first stage's 1×1 convs stay convolutions"
    # Every 1×1 conv left outside an SE gate is in the high-resolution first stage.
    assert all(heights[n.input[0]] * 8 > top for n in kept), "a deep 1×1 conv was not rewritten"
    assert ops.count("DynamicQuantizeLinear") >= 20
    fp32_weights = [n.name for n in rec.graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    assert not fp32_weights, "every MatMul by a weight matrix runs in INT8"
    assert rec.metadata_props, "the character dictionary must survive quantisation"


@pytest.mark.parametrize("method", ["dynamic-pointwise"])
def test_stale_int8_files_are_requantised(tmp_path, method):
    from ocr_app.tooling import provision

    target = tmp_path / "rec.int8.onnx"
    target.write_bytes(b"old")
    assert not provision._made_by(target, method)  # no stamp: made before stamps existed
    provision._stamp(target).write_text("dynamic-matmul\n", encoding="utf-8")
    assert not provision._made_by(target, method)
    provision._stamp(target).write_text(method + "\n", encoding="utf-8")  # an older revision
    assert not provision._made_by(target, method)
    provision._stamp(target).write_text(quantize.signature(method) + "\n", encoding="utf-8")
    assert provision._made_by(target, method)

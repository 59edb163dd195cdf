"""INT8 variants made with ONNX Runtime's own quantiser.

Measured on these conv-heavy recognisers: quantising every op (ConvInteger) is slower
and far less accurate, and static QDQ on the convolutions loses 0.3-0.8 pt CER, while
dynamic INT8 on MatMul keeps accuracy. Most of the PP-OCRv6 recogniser's time (~70 %)
is in 1×1 convolutions, which are matrix products in disguise, so `dynamic-pointwise`
first rewrites them as MatMul and then quantises those dynamically as well.
The method is a per-model choice recorded in the manifest.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnx

# Ops that reduce a feature map to one value per channel; convolutions fed (through
# element-wise ops) only by such values are squeeze-excitation gates: tiny, and left alone.
_POOLS = {"GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceMax"}


def quantise_dynamic_matmul(src: Path, dst: Path) -> None:
    """Dynamic INT8 (per-channel QInt8 weights) on MatMul/Gemm only."""
    _quantise(src, src, dst)


def quantise_dynamic_pointwise(src: Path, dst: Path) -> None:
    """The deep stages' 1×1 convolutions (feature maps at 1/8 of the input height or less)
    rewritten as MatMul, then dynamic INT8 on every MatMul: those, the sequence model and
    the CTC classifier. The high-resolution first stage and the squeeze-excitation gates
    stay fp32 convolutions: little time, and INT8 there measured the most character
    confusions. (Revision 2 leaves the first stage as Conv instead of as fp32 MatMuls
    between transposes: the same speed, and 12 / 3 fewer edits on sroie-dev / zh-dev.)
    PP-OCRv6 small recogniser: 37 % less recogniser CPU than `dynamic-matmul`."""
    import onnx

    model = onnx.load(str(src))
    pointwise_convs_as_matmul(model, min_stride=8)
    with tempfile.TemporaryDirectory() as tmp:
        rewritten = Path(tmp) / "pointwise.onnx"
        onnx.save(model, str(rewritten))
        _quantise(rewritten, src, dst)


def _quantise(model: Path, original: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(model), str(pre), skip_symbolic_shape=True)
        out = Path(tmp) / "q.onnx"
        quantize_dynamic(
            str(pre), str(out), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul", "Gemm"],
        )
        _copy_metadata(original, out)
        out.replace(dst)


def pointwise_convs_as_matmul(model: onnx.ModelProto, min_stride: int = 1) -> list[str]:
    """Replace each ungrouped, unpadded, stride-1 1×1 Conv with constant weights, whose
    input is at least `min_stride` times smaller in height than the model's input, by
    Transpose(NHWC) → MatMul(Wᵀ) [→ Add(bias)] → Transpose(NCHW). ONNX Runtime cancels
    the transposes between neighbouring rewritten convolutions. With `min_stride` > 1
    and no static heights nothing is rewritten. Returns the names of the new MatMuls."""
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    pooled = _pooled_tensors(graph, set(weights))
    heights, top = feature_heights(model)
    nodes: list[onnx.NodeProto] = []
    rewritten: list[str] = []
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        kernel = numpy_helper.to_array(weights[node.input[1]]) if (
            node.op_type == "Conv" and len(node.input) > 1 and node.input[1] in weights) else None
        if (kernel is None or kernel.ndim != 4 or kernel.shape[2:] != (1, 1) or node.input[0] in pooled
                or attrs.get("group", 1) != 1 or any(s != 1 for s in attrs.get("strides", [1, 1]))
                or any(attrs.get("pads", [0])) or any(d != 1 for d in attrs.get("dilations", [1, 1]))
                or (min_stride > 1 and not _deep(heights.get(node.input[0], 0), top, min_stride))):
            nodes.append(node)
            continue
        base = f"pointwise{len(rewritten) + 1}_{node.name or node.output[0]}"
        matrix = numpy_helper.from_array(np.ascontiguousarray(kernel[:, :, 0, 0].T), base + "_w")
        graph.initializer.append(matrix)
        nhwc, product = base + "_nhwc", base + "_mm"
        nodes.append(helper.make_node("Transpose", [node.input[0]], [nhwc], perm=[0, 2, 3, 1], name=base + "_in"))
        nodes.append(helper.make_node("MatMul", [nhwc, matrix.name], [product], name=base + "_matmul"))
        rewritten.append(base + "_matmul")
        if len(node.input) > 2 and node.input[2]:
            biased = base + "_bias"
            nodes.append(helper.make_node("Add", [product, node.input[2]], [biased], name=base + "_add"))
            product = biased
        nodes.append(helper.make_node("Transpose", [product], [node.output[0]], perm=[0, 3, 1, 2], name=base + "_out"))
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return rewritten


def feature_heights(model: onnx.ModelProto) -> tuple[dict[str, int], int]:
    """Static height of every 4-D tensor (0 where dynamic), and of the model's input."""
    from onnx import shape_inference

    heights = {info.name: info.type.tensor_type.shape.dim[2].dim_value
               for info in shape_inference.infer_shapes(model).graph.value_info
               if len(info.type.tensor_type.shape.dim) == 4}
    return heights, model.graph.input[0].type.tensor_type.shape.dim[2].dim_value


def _deep(height: int, top: int, min_stride: int) -> bool:
    return bool(top and height and height * min_stride <= top)


def _pooled_tensors(graph: onnx.GraphProto, constants: set[str]) -> set[str]:
    """Tensors holding one value per channel: pool outputs, and outputs of ops whose
    every non-constant input is such a tensor (the SE gate's Conv/Relu/HardSigmoid)."""
    pooled: set[str] = set()
    for node in graph.node:
        live = [name for name in node.input if name and name not in constants]
        if node.op_type in _POOLS or (live and all(name in pooled for name in live)):
            pooled.update(node.output)
    return pooled


def _copy_metadata(src: Path, dst: Path) -> None:
    """Keep the embedded character dictionary: the quantiser drops metadata_props."""
    import onnx

    original = onnx.load(str(src), load_external_data=False)
    if not original.metadata_props:
        return
    model = onnx.load(str(dst))
    del model.metadata_props[:]
    model.metadata_props.extend(original.metadata_props)
    onnx.save(model, str(dst))


METHODS = {"dynamic-matmul": quantise_dynamic_matmul, "dynamic-pointwise": quantise_dynamic_pointwise}
# Bumped when a method's output changes, so provisioning re-makes INT8 files made before.
REVISIONS = {"dynamic-matmul": 1, "dynamic-pointwise": 2}


def signature(method: str) -> str:
    """What an INT8 file's stamp records: the method and its revision."""
    revision = REVISIONS.get(method, 1)
    return method if revision == 1 else f"{method} r{revision}"

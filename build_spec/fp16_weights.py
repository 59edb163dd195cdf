"""Store the page-orientation model's weights as float16 in the bundle, computed in float32.

Why: `doc_orientation.onnx` (6.8 MB) is a float32 classifier whose bytes are nearly all weights. Each float32
initializer of >= MIN_ELEMENTS values becomes a float16 initializer followed by `Cast(to=FLOAT)` that produces
the original name, so the graph, its inputs, outputs and opset stay as they were. ONNX Runtime's constant
folding (session creation, ORT_ENABLE_ALL, as engine/session.py opens every model) turns each Cast back into a
float32 weight: the app runs the same float32 graph with weights rounded to float16, at the same speed.
-3.3 MB; the orientation and the text of every evaluation and turned page are unchanged. The detector's band
parts would save 4.9 MB more, but with them converted the text changed on 18 of 120 evaluation pages (zh-dev
+1 edit, sroie-large +2; docs/benchmarks.md, "Bundle under 250 MB"), so they stay float32. Needs the `onnx`
package at build time (requirements-dev.txt); without it the spec keeps the float32 file and says why.
"""

from __future__ import annotations

import re
from pathlib import Path

from toc_swap import swap_sources

MIN_ELEMENTS = 1024  # biases, BN and SE vectors: too small to matter, kept exact
FP16_MAX = 65504.0
# Bundle destinations converted (the detector's parts would change readings, see the docstring).
CANDIDATES = (re.compile(r"^models/doc_orientation\.onnx$"),)


def _float_allowed(schema, index: int) -> bool:
    """Whether input `index` of an operator schema accepts tensor(float)."""
    if not schema.inputs:
        return False
    formal = schema.inputs[min(index, len(schema.inputs) - 1)]  # the last one may be variadic
    allowed = {t for c in schema.type_constraints if c.type_param_str == formal.type_str
               for t in c.allowed_type_strs} or {formal.type_str}
    return "tensor(float)" in allowed


def convert(src: Path, dst: Path, min_elements: int = MIN_ELEMENTS) -> int:
    """Write `src` to `dst` with its large float32 initializers stored as float16 and cast back;
    returns how many were converted (0: nothing written)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    opset = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    if model.ir_version < 4 or opset.get("ai.onnx", 0) < 6:  # initializers must be inputs / no Cast(to=int)
        return 0
    graph_inputs = {i.name for i in graph.input}
    float_only: dict[str, bool] = {}  # initializer name -> every consumer takes float there
    for node in graph.node:
        try:
            schema = onnx.defs.get_schema(node.op_type, opset.get(node.domain or "ai.onnx", 1), node.domain)
        except onnx.defs.SchemaError:
            schema = None  # a custom operator: leave its inputs alone
        for index, name in enumerate(node.input):
            ok = schema is not None and _float_allowed(schema, index)
            float_only[name] = float_only.get(name, True) and ok
    taken = {i.name for i in graph.initializer} | {o for n in graph.node for o in n.output} | graph_inputs
    casts, converted = [], 0
    for init in graph.initializer:
        if (init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < min_elements
                or init.name in graph_inputs or not float_only.get(init.name, False)):
            continue
        weights = numpy_helper.to_array(init)
        if not np.isfinite(weights).all() or np.abs(weights).max() > FP16_MAX:
            continue
        original, stored = init.name, f"{init.name}_fp16"
        while stored in taken:
            stored += "_"
        taken.add(stored)
        init.CopyFrom(numpy_helper.from_array(weights.astype(np.float16), stored))
        casts.append(helper.make_node("Cast", [stored], [original], name=f"{stored}_cast", to=TensorProto.FLOAT))
        converted += 1
    if not converted:
        return 0
    nodes = casts + list(graph.node)  # the casts read only initializers, so first keeps the order topological
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model, full_check=True)
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(dst))
    return converted


def halve_datas(datas: list, work: Path) -> tuple[list, int]:
    """Swap the candidate models in a PyInstaller `a.datas` TOC for float16-weight copies written under
    `work`; returns (new TOC, bytes saved). Without `onnx` the TOC is returned unchanged."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("fp16_weights: the onnx package is not installed, keeping the float32 model files")
        return datas, 0

    def halved(dest: str, src: Path) -> Path | None:
        rel = dest.replace("\\", "/")
        if not any(p.match(rel) for p in CANDIDATES):
            return None
        target = work / rel
        try:
            return target if convert(src, target) else None
        except Exception as exc:  # a model the converter does not understand ships as it is
            print(f"fp16_weights: keeping {rel} as float32 ({exc})")
            return None

    return swap_sources(datas, halved)

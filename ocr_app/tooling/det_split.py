"""Build time: cut the PP-OCRv6 detector into the parts `engine.det_bands` runs in row
bands, and keep them only if the banded map equals the one-graph map on generated pages."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..engine.det_bands import PPOCRV6_SMALL, SPECS, STAMP, BandedDetector, parts_dir, stamp_for
from ..engine.preprocess import normalize

MAX_DIFFERENCE = 1e-3  # float rounding between the two runs is ~1e-5; a wrong cut is far above


def split(model: Path, spec_name: str, model_sha256: str, dest: Path | None = None) -> Path:
    """Cut `model` into the parts of `SPECS[spec_name]` and keep them only if the banded
    run reproduces the one-graph map on generated pages. Returns the parts directory."""
    import onnx
    from onnx import helper, utils

    spec = SPECS[spec_name]
    dest = dest or parts_dir(model)
    graph_model = onnx.load(str(model))
    _rewrite_linear_mean(graph_model, spec.linear_mean, helper)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        work = Path(tmp) / "parts"
        work.mkdir()
        for name, (inputs, outputs) in spec.parts.items():
            sub = utils.Extractor(graph_model).extract_model(list(inputs), list(outputs))
            onnx.save(sub, str(work / f"{name}.onnx"))
        error = max_difference(model, work)
        if error > MAX_DIFFERENCE:
            raise ValueError(f"banded detector differs from the one graph by {error:.2g}")
        (work / STAMP).write_text(json.dumps(stamp_for(spec_name, model_sha256)) + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        work.rename(dest)
    return dest


def _rewrite_linear_mean(model, linear_mean: tuple[str, str, str], helper) -> None:
    """Feed the squeeze-excitation that pools a 1×1 convolution's output with that
    convolution of the pooled input instead (equal, and computable before the map)."""
    pooled, weight, source = linear_mean
    graph = model.graph
    for node in graph.node:
        if node.op_type == "Conv" and node.input and node.input[0] == pooled:
            node.input[0] = "linear_mean.conv"
    graph.node.extend([helper.make_node("GlobalAveragePool", [source], ["linear_mean.pool"]),
                       helper.make_node("Conv", ["linear_mean.pool", weight], ["linear_mean.conv"])])
    known = {i.name for i in graph.initializer} | {i.name for i in graph.input}
    pending, ordered = list(graph.node), []
    while pending:  # topological order again, with the two new nodes before their consumer
        rest = []
        for node in pending:
            if all(not name or name in known for name in node.input):
                ordered.append(node)
                known.update(node.output)
            else:
                rest.append(node)
        if len(rest) == len(pending):
            raise ValueError("detector graph has a cycle or a dangling input")
        pending = rest
    del graph.node[:]
    graph.node.extend(ordered)


def max_difference(model: Path, parts: Path) -> float:
    """Largest difference between the one-graph and banded maps on generated pages of a
    wide and a tall shape (several bands each)."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 3
    whole = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    banded = BandedDetector({name: ort.InferenceSession(str(parts / f"{name}.onnx"), opts,
                                                        providers=["CPUExecutionProvider"])
                             for name in PPOCRV6_SMALL.parts}, band_pixels=160 * 640)
    worst = 0.0
    for height, width in ((640, 928), (1088, 480)):
        page = _generated_page(height, width)
        ref = whole.run(None, {whole.get_inputs()[0].name: normalize(page)[None]})[0][0, 0]
        worst = max(worst, float(np.abs(banded(page) - ref).max()))
    return worst


def _generated_page(height: int, width: int) -> np.ndarray:
    """Lines of text on a shaded, noisy background: enough structure for every layer."""
    import cv2

    rng = np.random.default_rng(height * 7919 + width)
    page = np.empty((height, width, 3), np.uint8)
    page[:] = np.linspace(200, 250, width, dtype=np.uint8)[None, :, None]
    for row, y in enumerate(range(40, height - 20, 48)):
        text = "".join(rng.choice(list("ABCDEFGHKLMNPRSTUVWXYZ0123456789 .:$")) for _ in range(24))
        cv2.putText(page, text, (20 + 15 * (row % 3), y), cv2.FONT_HERSHEY_SIMPLEX, 0.6 + 0.2 * (row % 3),
                    (20, 20, 20), 1 + row % 2, cv2.LINE_AA)
    noise = rng.normal(0, 6, page.shape)
    return np.clip(page + noise, 0, 255).astype(np.uint8)

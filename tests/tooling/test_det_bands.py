"""The detector run in row bands gives the one-graph map, in less memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr_app.engine import det_bands
from ocr_app.engine.detect import TextDetector, WholeGraph
from ocr_app.engine.models import manifest, resolve
from ocr_app.engine.session import get_session
from ocr_app.tooling import det_split
from tests.imagegen import render_lines, to_bgr

SPEC = "ppocrv6-small-det"


def _page(height: int, width: int) -> np.ndarray:
    """A receipt-like page: English and Chinese lines from top to bottom, so text crosses
    every band boundary somewhere."""
    lines = [f"ITEM {i:02d} COFFEE LATTE  RM {3 * i + 1}.50" if i % 3 else f"第{i}行 发票 合计 金额 {i * 7}元"
             for i in range(28)]
    img = to_bgr(render_lines(lines, size=26, margin=30))
    return cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize(("total", "rows", "align"), [(1312, 256, 32), (328, 64, 8), (96, 1000, 32), (7, 2, 1)])
def test_bands_cover_every_row_once(total, rows, align):
    spans = det_bands.bands(total, rows, align)
    assert spans[0][0] == 0 and spans[-1][1] == total
    assert all(a == prev_b for (a, _), (_, prev_b) in zip(spans[1:], spans[:-1], strict=True))
    assert all(a % align == 0 and b > a for a, b in spans)


def test_provisioned_detector_runs_in_bands(engine):
    files = resolve()
    assert files.det_bands is not None and det_bands.is_current(
        files.det_bands, SPEC, manifest()["files"][files.det.name]["sha256"])
    assert isinstance(engine.detector.net, det_bands.BandedDetector)
    assert engine.info()["det_bands"] is True


def test_banded_map_and_boxes_equal_the_whole_graph(engine):
    files = resolve()
    whole = WholeGraph(get_session(files.det, 2))
    banded = det_bands.load(files.det_bands, lambda path: get_session(path, 2))
    banded.band_pixels = 128 * 928  # ~10 stem bands at this size
    page = _page(1312, 928)
    ref, got = whole(page), banded(page)
    assert got.shape == ref.shape == (1312, 928)
    assert float(np.abs(got - ref).max()) < 1e-3
    boxes_whole, _ = TextDetector(whole).boxes_from_map(ref, 928, 1312)
    boxes_banded, _ = TextDetector(banded).boxes_from_map(got, 928, 1312)
    assert len(boxes_whole) >= 20
    assert len(boxes_banded) == len(boxes_whole)
    for a, b in zip(sorted(boxes_whole, key=lambda q: tuple(q[0])),
                    sorted(boxes_banded, key=lambda q: tuple(q[0])), strict=True):
        assert np.abs(a - b).max() <= 1.0


def test_a_page_smaller_than_one_band_is_one_run_per_part(engine):
    net = engine.detector.net
    runs: list[str] = []
    original = net._run
    net._run = lambda part, *feeds: runs.append(part) or original(part, *feeds)
    try:
        prob = net(_page(256, 320))
    finally:
        del net._run
    assert prob.shape == (256, 320)
    assert sorted(runs) == sorted(det_bands.PPOCRV6_SMALL.parts)


def test_split_keeps_only_parts_matching_the_model(tmp_path):
    files = resolve()
    sha = manifest()["files"][files.det.name]["sha256"]
    dest = det_split.split(files.det, SPEC, sha, tmp_path / "parts")
    assert det_bands.is_current(dest, SPEC, sha)
    assert not det_bands.is_current(dest, SPEC, "0" * 64)  # cut from another file
    stamp = json.loads((dest / det_bands.STAMP).read_text())
    stamp["revision"] -= 1
    (dest / det_bands.STAMP).write_text(json.dumps(stamp))
    assert not det_bands.is_current(dest, SPEC, sha)  # an older split
    (dest / det_bands.STAMP).write_text(json.dumps(det_bands.stamp_for(SPEC, sha)))
    (dest / "head.onnx").unlink()
    assert not det_bands.is_current(dest, SPEC, sha)  # a part missing


def test_damaged_parts_fall_back_to_the_whole_graph(tmp_path, monkeypatch):
    from ocr_app.engine import Engine, EngineConfig, models, session

    src = resolve()
    models_copy = tmp_path / "models"
    models_copy.mkdir()
    for path in (src.det, src.rec, src.cls, src.det.parent / "manifest.json"):
        (models_copy / path.name).symlink_to(path)
    parts = models_copy / src.det_bands.name
    parts.mkdir()
    for part in src.det_bands.iterdir():
        (parts / part.name).symlink_to(part)
    (parts / "stage1.onnx").unlink()
    (parts / "stage1.onnx").write_bytes(b"not a model")
    monkeypatch.setenv("OCR_DESK_MODELS", str(models_copy))
    monkeypatch.setenv("OCR_DESK_NO_GRAPH_CACHE", "1")
    models.manifest.cache_clear()
    try:
        eng = Engine(EngineConfig(threads=1))
        assert isinstance(eng.detector.net, WholeGraph)
        page = _page(640, 480)
        assert len(eng.detector(page)[0]) >= 10
    finally:
        models.manifest.cache_clear()
        session.clear()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_banded_detector_needs_far_less_memory_than_the_whole_graph():
    """Each in a fresh process: growth of the peak RSS over one 1.2 MP page."""
    script = textwrap.dedent("""
        import sys
        import numpy as np
        from ocr_app.engine.models import resolve
        from ocr_app.engine.session import get_session
        from ocr_app.engine import det_bands
        from ocr_app.engine.detect import WholeGraph

        def peak():
            return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024

        files = resolve()
        if sys.argv[1] == 'whole':
            net = WholeGraph(get_session(files.det, 2))
        else:
            net = det_bands.load(files.det_bands, lambda p: get_session(p, 2))
        rng = np.random.default_rng(0)
        page = rng.integers(0, 256, (1312, 928, 3), dtype=np.uint8)
        net(page[:64, :64].copy())  # sessions warm
        before = peak()
        net(page)
        print(peak() - before)
    """)
    root = Path(__file__).resolve().parents[2]
    growth = {}
    for mode in ("whole", "banded"):
        out = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, cwd=root,
                             check=True)
        growth[mode] = float(out.stdout.strip().splitlines()[-1])
    assert growth["banded"] < 0.6 * growth["whole"], growth

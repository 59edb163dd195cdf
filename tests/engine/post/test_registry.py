"""Post-processors: one protocol, ordered and switchable in EngineConfig, in the cache key."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_app.engine import DEFAULT_POST, Engine, EngineConfig, Origin
from ocr_app.engine.post import REGISTRY, build
from tests.engine.post.test_glyphs import _form_page
from tests.imagegen import render_lines, to_bgr


def test_every_post_processor_follows_the_protocol():
    for name, cls in REGISTRY.items():
        step = cls()
        assert step.name == name and callable(step)
        assert set(step.needs) <= {"crops", "scores", "reader"}
        assert isinstance(step.score_chars, str)
    assert DEFAULT_POST == ("script", "words", "amounts", "spacing", "glyphs", "split", "page")
    with pytest.raises(ValueError, match="unknown post-processor"):
        build(["spacing", "nope"])


def test_with_post_switches_one_and_changes_the_fingerprint():
    base = EngineConfig()
    off = base.with_post("spacing", False)
    assert "spacing" not in off.post and off.fingerprint() != base.fingerprint()
    assert base.with_post("codes", True).post[-1] == "codes"


def test_switching_free_glyphs_off_changes_the_text(engine):
    """A form with its colons in a column apart from the labels: the detector finds only
    the words, the free-glyph post-processor the colons; switched off, they are gone."""
    page = _form_page()
    without_glyphs = Engine(EngineConfig(threads=2).with_post("glyphs", False))
    full = engine.run(page).text
    plain = without_glyphs.run(page).text
    assert full.count(":") == 4 and plain.count(":") == 0
    assert full.replace(":", "").split() == plain.split()
    assert without_glyphs.info()["post"] == ["script", "words", "amounts", "spacing", "split", "page"]


def test_codes_post_processor_adds_decoded_codes_after_the_text(engine):
    import cv2

    qr = cv2.QRCodeEncoder.create().encode("https://example.org/ocr")
    qr = cv2.resize(qr, None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
    page = np.full((qr.shape[0] + 200, qr.shape[1] + 600, 3), 255, np.uint8)
    page[100:100 + qr.shape[0], 500:500 + qr.shape[1]] = qr[:, :, None]
    text = to_bgr(render_lines(["Scan the code"], size=30, margin=10))
    page[20:20 + text.shape[0], 20:20 + text.shape[1]] = text
    res = Engine(EngineConfig(threads=2).with_post("codes", True)).run(page, use_cache=False)
    assert res.lines[-1].kind == "qrcode" and res.lines[-1].text == "https://example.org/ocr"
    assert any(ln.kind == "text" and "Scan" in ln.text for ln in res.lines)
    xs = [p[0] for p in res.lines[-1].box]
    assert min(xs) >= 480 and max(xs) <= 520 + qr.shape[1]  # mapped to the page's pixels


def test_a_new_revision_of_a_step_misses_results_cached_by_the_old_one(monkeypatch, tmp_path):
    """A step that now reads pages differently must not hand back what its older self cached on disk."""
    assert all(isinstance(cls.revision, int) and cls.revision >= 1 for cls in REGISTRY.values())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    page = to_bgr(render_lines(["TOTAL", "80.91"], size=30, margin=10))
    config = EngineConfig(threads=2, disk_cache=True)
    first = Engine(config).run(page)
    assert Engine(config).run(page).origin == Origin.CACHE  # the same steps: read from the disk cache
    monkeypatch.setattr(REGISTRY["amounts"], "revision", REGISTRY["amounts"].revision + 1)
    again = Engine(config).run(page)
    assert first.origin == again.origin == Origin.OCR

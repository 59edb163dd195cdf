"""Per-character doubt (ctc.char_doubt): what the window highlights. Built from the class
scores the recogniser already outputs; it must follow every character through the
post-processors and rise on a glyph the model cannot tell apart."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ocr_app.engine import Engine
from ocr_app.engine.ctc import greedy_decode, load_charset
from ocr_app.engine.recognize import strip
from tests.imagegen import render_lines, to_bgr, to_bytes


def _probs(steps: list[tuple[int, float]], classes: int) -> np.ndarray:
    """One line of frames: (winning class, its share), the rest on the blank."""
    probs = np.full((1, len(steps), classes), 0.0, np.float32)
    for t, (k, share) in enumerate(steps):
        probs[0, t, k] = share
        probs[0, t, 0] += 1.0 - share if k else 0.0
    return probs


def test_doubt_is_the_best_share_over_the_characters_own_frames():
    charset = load_charset("a\nb", None)  # blank, a, b, space
    # "a" starts on a weak edge frame (0.55) and peaks at 0.97; "b" is weak on both frames.
    (dec,) = greedy_decode(_probs([(1, 0.55), (1, 0.97), (0, 1.0), (2, 0.6), (2, 0.7)], 4), charset)
    assert dec.text == "ab"
    assert dec.char_confidences == pytest.approx([0.55, 0.6])
    assert dec.char_doubt == pytest.approx([0.03, 0.3], abs=1e-6)


def test_half_and_full_width_twins_share_their_score():
    """A comma torn between "," and "，" reads as a comma either way: no doubt about it."""
    charset = load_charset("a\n,\n，", None)  # blank, a, ",", "，", space
    probs = _probs([(1, 0.99), (0, 1.0), (2, 0.5), (0, 1.0)], 5)
    probs[0, 2, 3], probs[0, 2, 0] = 0.48, 0.02
    (dec,) = greedy_decode(probs, charset)
    assert dec.text == "a,"
    assert dec.char_confidences[1] == pytest.approx(0.5)
    assert dec.char_doubt[1] == pytest.approx(0.02, abs=1e-6)


def test_a_characters_two_script_forms_are_one_reading_only_as_simplified():
    """A glyph torn between "强" and its Traditional form "強": the plain doubt says so (a
    Traditional page must see it), the Simplified-page doubt does not (both become "强")."""
    charset = load_charset("a\n强\n強", None)  # blank, a, 强, 強, space
    probs = _probs([(1, 0.99), (0, 1.0), (2, 0.5), (0, 1.0)], 5)
    probs[0, 2, 3], probs[0, 2, 0] = 0.47, 0.03
    (dec,) = greedy_decode(probs, charset)
    assert dec.text == "a强"
    assert dec.char_doubt == pytest.approx([0.01, 0.5], abs=1e-6)
    assert dec.simplified_doubt == pytest.approx([0.01, 0.03], abs=1e-6)


def test_strip_keeps_doubt_aligned():
    charset = load_charset("a", None)  # blank, a, space
    (dec,) = greedy_decode(_probs([(2, 0.9), (0, 1.0), (1, 0.8), (0, 1.0), (2, 0.6)], 3), charset)
    assert dec.text == " a "
    clean = strip(dec)
    assert clean.text == "a" and clean.char_doubt == pytest.approx([0.2])


def _overlay(a: str, b: str) -> np.ndarray:
    """Two renderings of one line blended half and half: where they differ, a glyph that is
    as much one character as the other."""
    one = np.asarray(render_lines([a], margin=8), np.float32)
    two = np.asarray(render_lines([b], margin=8), np.float32)
    assert one.shape == two.shape
    return to_bgr(Image.fromarray(((one + two) / 2).astype(np.uint8)))


@pytest.mark.parametrize("a,b", [("3", "6"), ("4", "6"), ("2", "5"), ("6", "7")])
def test_an_ambiguous_glyph_gets_more_doubt_than_crisp_ones(engine: Engine, a: str, b: str):
    (sure,) = engine.recognizer.read([to_bgr(render_lines([f"Invoice 25{a}0"], margin=8))])
    assert sure.text == f"Invoice 25{a}0"
    assert max(sure.char_doubt) < 0.05  # nothing on a clean line is highlighted
    (torn,) = engine.recognizer.read([_overlay(f"Invoice 25{a}0", f"Invoice 25{b}0")])
    assert len(torn.text) == len(sure.text) == len(torn.char_doubt), torn.text
    at = len(torn.text) - 2  # the blended glyph, half one digit and half the other
    assert torn.char_doubt[at] >= 0.2, (torn.text, torn.char_doubt)
    others = torn.char_doubt[:at] + torn.char_doubt[at + 1:]
    assert max(others) < 0.05  # the doubt stays on the glyph, not its neighbours


def test_every_line_carries_one_doubt_per_character(engine: Engine):
    """Through gap spacing, line splits, amounts and the page layout, into the result."""
    img = render_lines(["TOTAL 38.90", "Tel: 555-0142   Date 12/05", "基于轮廓检测自动校正倾斜"])
    res = engine.run(to_bytes(img), use_cache=False)
    assert res.lines
    for line in res.lines:
        assert len(line.char_doubt) == len(line.text), line
        assert all(0.0 <= d <= 1.0 for d in line.char_doubt)
    assert all("char_doubt" in ln for ln in res.to_dict()["lines"])

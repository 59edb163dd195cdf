"""Script unification: a clearly Simplified page reads back Simplified throughout."""

from __future__ import annotations

import numpy as np

from ocr_app.engine.ctc import Decoded
from ocr_app.engine.post.script import ScriptUnifier, is_simplified
from ocr_app.engine.reading import PageReading, Reading


def _page(texts: list[str], confidence: float = 0.9) -> PageReading:
    readings = [Reading(box=np.zeros((4, 2), np.float32),
                        decoded=Decoded(t, confidence, [confidence] * len(t), list(range(len(t))), [0.4] * len(t),
                                        [0.01] * len(t))) for t in texts]
    blank = np.zeros((8, 8, 3), np.uint8)
    return PageReading(image=blank, source=blank, readings=readings, reader=None, min_confidence=0.5)


def test_simplified_page_gets_simplified_characters_throughout():
    page = _page(["实时显示預處理前後对比图", "这是简体中文的页面"])
    ScriptUnifier()(page)
    first = page.readings[0].decoded
    assert first.text == "实时显示预处理前后对比图"
    assert len(first.text) == len(first.char_confidences) == len(first.frames)
    assert page.readings[1].decoded.text == "这是简体中文的页面"


def test_traditional_page_is_left_alone():
    page = _page(["這是繁體中文的頁面，實時顯示"])
    ScriptUnifier()(page)
    assert page.readings[0].decoded.text == "這是繁體中文的頁面，實時顯示"
    assert not is_simplified(["這是繁體中文的頁面"])


def test_the_decision_is_made_from_trusted_lines_only():
    """Unsure lines (below the confidence floor, dropped later) do not tip the page."""
    page = _page(["預處理前後"])
    page.readings += _page(["这是简体中文的页面而且很长"], confidence=0.2).readings
    ScriptUnifier()(page)
    assert page.readings[0].decoded.text == "預處理前後"


def test_a_simplified_page_takes_the_doubt_that_counts_both_forms_as_one():
    """On a Simplified page "強" and "强" end up the same text, so the highlight goes by the
    doubt that counts them together; a Traditional page keeps the plain doubt."""
    page = _page(["这是简体中文的页面", "实时显示對比图"])
    ScriptUnifier()(page)
    assert page.readings[1].decoded.text == "实时显示对比图"
    assert [r.decoded.char_doubt for r in page.readings] == [[0.01] * 9, [0.01] * 7]
    traditional = _page(["這是繁體中文的頁面"])
    ScriptUnifier()(traditional)
    assert traditional.readings[0].decoded.char_doubt == [0.4] * 9


def test_the_script_step_runs_first_so_the_doubt_reaches_it():
    """Post-processors rebuild readings without the Simplified-page doubt: script goes first."""
    from ocr_app.engine import DEFAULT_POST

    assert DEFAULT_POST[0] == "script"

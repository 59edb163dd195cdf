"""Script forms come from a table made once with OpenCC: each character's answer is what
OpenCC gives for that character alone, and OpenCC's converters (~29 MB of phrase
dictionaries) are not kept alive afterwards."""

from __future__ import annotations

import gc

import pytest

from ocr_app.engine import script_forms

opencc = pytest.importorskip("opencc")


def test_each_character_is_classified_as_opencc_converts_it_alone():
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    # Every 7th CJK character (3,950 of them) and a few known pairs and non-CJK characters.
    sample = [chr(c) for c in range(0x3400, 0xA000, 7)] + list("後后實实強强別别图圖台臺A1，")
    for ch in sample:
        simple = t2s.convert(ch)
        form = simple if len(simple) == 1 and script_forms.is_cjk(ch) else ch
        expected = (form, form != ch, script_forms.is_cjk(ch) and s2t.convert(ch) != ch)
        assert script_forms.classify(ch) == expected, ch
    assert script_forms.classify("後") == ("后", True, False)
    assert script_forms.classify("后")[2] is True  # has a Traditional form, so Simplified-only
    assert script_forms.simplified_forms(["<blank>", "實", "a", "实"]) == ["<blank>", "实", "a", "实"]


def test_opencc_converters_are_let_go_once_the_table_is_made():
    script_forms._table.cache_clear()
    assert script_forms.available()
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, opencc.OpenCC)]
    assert not alive

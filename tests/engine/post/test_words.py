"""Word support for the highlight: a doubted Chinese character inside a dictionary word is
marked less; the text itself never changes."""

from __future__ import annotations

import os

import numpy as np
import pytest

from ocr_app.bench import zh_kinds
from ocr_app.engine import DOUBTFUL, Engine, EngineConfig, zh_words
from ocr_app.engine.ctc import Decoded
from ocr_app.engine.post import DEFAULT_POST
from ocr_app.engine.post.words import ODDS, WordSupport, supported_doubt, written_in_chinese
from ocr_app.engine.reading import PageReading, Reading

DICTIONARY = "\n".join(["中国 1000 ns", "人民 800 n", "人民币 500 n", "期限 30 n", "AT&T 3 nz", "B超 3 n",
                        "中华人民共和国 100 ns", "的 99999 uj", "借阅 12 v"])


@pytest.fixture
def small_table() -> zh_words.WordTable:
    return zh_words.WordTable(zh_words.keys_from_dictionary(DICTIONARY))


def _page(text: str, doubt: list[float], kind: str = "text") -> PageReading:
    blank = np.zeros((8, 8, 3), np.uint8)
    decoded = Decoded(text, 0.9, [0.9] * len(text), list(range(len(text))), doubt)
    return PageReading(image=blank, source=blank, readings=[Reading(np.zeros((4, 2), np.float32), decoded, kind=kind)],
                       reader=None, min_confidence=0.5)


def test_only_cjk_words_of_two_to_four_characters_are_kept(small_table):
    # 中国, 人民, 人民币, 期限, 借阅; not the single character, the 7-character name or the Latin entries.
    assert len(small_table) == 5
    assert small_table.inside_words("中华人民共和国") == [False, False, True, True, False, False, False]


def test_characters_inside_a_word_are_found_wherever_it_sits(small_table):
    assert small_table.inside_words("我爱中国人民币") == [False, False, True, True, True, True, True]
    assert small_table.inside_words("借阅期限:30天") == [True, True, True, True, False, False, False, False]
    assert small_table.inside_words("中 国") == [False, False, False]  # a space breaks the word
    assert small_table.inside_words("中") == [False]
    assert small_table.inside_words("") == []
    assert small_table.inside_words("AT&T B超") == [False] * 7


def test_the_table_file_round_trips_and_a_damaged_one_is_refused(small_table, tmp_path):
    good = tmp_path / "good.u64"
    good.write_bytes(small_table.keys.astype("<u8").tobytes())
    assert np.array_equal(zh_words.WordTable.read(good).keys, small_table.keys)
    cut = tmp_path / "cut.u64"
    cut.write_bytes(good.read_bytes()[:-3])
    shuffled = tmp_path / "shuffled.u64"
    shuffled.write_bytes(small_table.keys[::-1].astype("<u8").tobytes())
    empty = tmp_path / "empty.u64"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.u64"
    with open(huge, "wb") as fh:  # sparse: refused by its size, never read
        fh.truncate(zh_words.MAX_BYTES + 8)
    fifo = tmp_path / "fifo.u64"
    os.mkfifo(fifo)  # a special file is refused without opening it (opening a FIFO would block)
    for bad in (cut, shuffled, empty, huge, fifo):
        with pytest.raises(ValueError):
            zh_words.WordTable.read(bad)


def test_a_missing_or_damaged_table_means_no_word_support(tmp_path, monkeypatch):
    monkeypatch.setenv("OCR_DESK_MODELS", str(tmp_path))
    assert zh_words.table() is None
    (tmp_path / zh_words.FILE).write_bytes(b"\x01\x02\x03")
    assert zh_words.table() is None
    step = WordSupport()
    page = _page("中国", [0.5, 0.5])
    step(page)
    assert page.readings[0].decoded.char_doubt == [0.5, 0.5]


def test_the_doubts_odds_are_scaled_by_the_likelihood_ratio():
    assert supported_doubt(0.0) == 0.0
    assert supported_doubt(1.0) == 1.0
    assert supported_doubt(0.5) == pytest.approx(ODDS / (1 + ODDS))
    assert supported_doubt(0.8) == pytest.approx(4 * ODDS / (1 + 4 * ODDS))
    values = [supported_doubt(d) for d in np.linspace(0, 1, 21)]
    assert values == sorted(values)  # a doubt keeps its rank: the surest stay the surest
    assert supported_doubt(0.5) < DOUBTFUL <= supported_doubt(0.8)  # a barely seen glyph stays marked


def test_a_doubted_character_in_a_word_loses_its_mark_one_outside_keeps_it(small_table):
    step = WordSupport()
    step.table = small_table
    page = _page("我去中国X", [0.5, 0.5, 0.5, 0.02, 0.5])
    step(page)
    dec = page.readings[0].decoded
    assert dec.text == "我去中国X"
    assert dec.char_doubt[:2] == [0.5, 0.5]  # not part of a word
    assert dec.char_doubt[2] == pytest.approx(supported_doubt(0.5)) and dec.char_doubt[2] < DOUBTFUL
    assert dec.char_doubt[3] == pytest.approx(supported_doubt(0.02))
    assert dec.char_doubt[4] == 0.5  # Latin is never looked up
    code = _page("中国", [0.5, 0.5], kind="qrcode")
    step(code)
    assert code.readings[0].decoded.char_doubt == [0.5, 0.5]
    unscored = _page("中国", [])  # a reading without doubts (1 - confidence stands in) is left alone
    step(unscored)
    assert unscored.readings[0].decoded.char_doubt == []


def test_no_support_on_a_page_not_written_in_chinese(small_table):
    """On a Latin page the odd CJK characters are mostly misread ink, which can make words too."""
    step = WordSupport()
    step.table = small_table
    page = _page("中国 dinein", [0.5, 0.5] + [0.0] * 7)
    page.readings += _page("TOTAL 12.50 CASH 20.00 CHANGE 7.50", [0.0] * 34).readings
    step(page)
    assert page.readings[0].decoded.char_doubt[:2] == [0.5, 0.5]
    assert written_in_chinese(["中国 dinein"]) and not written_in_chinese(["中国 dinein", "TOTAL 12.50 CASH 20.00"])
    assert not written_in_chinese(["中"])


@pytest.mark.parametrize("kind", ["low-contrast photo", "newspaper"])
def test_the_engine_lowers_only_the_doubt_of_characters_inside_words(kind):
    """The provisioned table, end to end on a generated page: the same text with and without
    the step; characters inside words get exactly the supported doubt, all others theirs."""
    table = zh_words.table()
    assert table is not None and len(table) > 300_000, "provisioning writes models/zh_words.u64"
    image = zh_kinds.page(kind, 0).image
    with_words = Engine(EngineConfig(disk_cache=False)).run(image, use_cache=False)
    plain = Engine(EngineConfig(disk_cache=False, post=tuple(p for p in DEFAULT_POST if p != "words"))).run(
        image, use_cache=False)
    assert [ln.text for ln in with_words.lines] == [ln.text for ln in plain.lines]
    lowered = 0
    for mine, theirs in zip(with_words.lines, plain.lines, strict=True):
        inside = table.inside_words(mine.text)
        for ch, d, base, word in zip(mine.text, mine.char_doubt, theirs.char_doubt, inside, strict=True):
            if word and "\u3400" <= ch <= "\u9fff":
                # Results keep 3 decimals: `base` is rounded before the step sees it here, and
                # `d` after, so `d` lies within the step's image of base ± half a step.
                half = 5e-4
                low, high = supported_doubt(max(0.0, base - half)), supported_doubt(min(1.0, base + half))
                assert low - half <= d <= high + half
                lowered += d < base
            else:
                assert d == base
    assert lowered >= 3  # the page's soft glyphs: some doubt on characters inside words

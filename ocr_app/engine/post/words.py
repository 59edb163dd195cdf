"""Word support for the highlight: a doubted Chinese character that forms a dictionary word
with its neighbours is less likely wrong than its glyph alone says.

The recognised text is never changed; only `char_doubt` (what the window highlights). Each
CJK character inside a word of 2-4 characters (engine/zh_words.py) has its doubt's odds
multiplied by `ODDS`, the measured likelihood ratio: of the characters read wrong on the
Chinese sets, 4 % sit inside a word, of those read right 82 % (docs/benchmarks.md, "Word
support for the highlight"). A doubt of 0.5 becomes 0.05, one of 0.8 still 0.17: a glyph the
recogniser barely saw stays marked.

Only on pages written in Chinese (at least `CHINESE_SHARE` of the page's letters and digits
are CJK): on a Latin page the odd CJK character is mostly ink misread as one, and misread
ink can make a word too (a receipt's `***` read as `家家案`).
"""

from __future__ import annotations

from ..ctc import Decoded, scale_odds
from ..reading import PageReading
from ..script_forms import is_cjk
from ..zh_words import table

ODDS = 0.05
CHINESE_SHARE = 0.2  # measured: receipts ≤ 0.05, Chinese pages ≥ 0.33 (docs/benchmarks.md)


def written_in_chinese(texts: list[str]) -> bool:
    cjk = other = 0
    for text in texts:
        for ch in text:
            if is_cjk(ch):
                cjk += 1
            elif ch.isalnum():
                other += 1
    return cjk >= 2 and cjk >= CHINESE_SHARE * (cjk + other)


def supported_doubt(doubt: float) -> float:
    """A doubt with its odds scaled by the word's likelihood ratio."""
    return scale_odds(doubt, ODDS)


class WordSupport:
    name = "words"
    needs: frozenset[str] = frozenset()
    score_chars = ""
    revision = 1

    def __init__(self) -> None:
        self.table = table()

    def __call__(self, page: PageReading) -> None:
        if self.table is None or not written_in_chinese([r.decoded.text for r in page.trusted()]):
            return
        for reading in page.readings:
            dec = reading.decoded
            if reading.kind != "text" or len(dec.char_doubt) != len(dec.text):
                continue
            # Only CJK characters are ever inside a word of the table.
            inside = self.table.inside_words(dec.text)
            doubt = [supported_doubt(d) if word else d for d, word in zip(dec.char_doubt, inside, strict=True)]
            if doubt != dec.char_doubt:
                reading.decoded = Decoded(dec.text, dec.confidence, dec.char_confidences, dec.frames, doubt)

"""Money amounts repaired from the recogniser's own second choice.

Receipts and invoices are full of amounts ("15.00", "$8.20"), and their commonest
misreadings are one glyph off: the last "0" printed half-cut reads "C", a "$" reads
"S". When a token misses the amount shape by exactly one letter, and the recogniser
gave the digit (or "$" in front) at least AMOUNT_FLOOR of its probability at that
frame, the token is read as the amount. A real letter scores far lower there (~1e-5),
so "1851-A", "900G" or "21.5C" stay as they are unless the glyph itself is ambiguous.

A small decimal point is also often read as a space: a cell holding only "80 91" or
"RM 0 00" is an amount whose point was lost (a number and two digits alone on a line are
not written any other way). The page's own decimal mark takes the space's place: the
comma where the page's other amounts are written "12,50", else the point (the recogniser
cannot tell the two apart at a lost mark; docs/benchmarks.md, "Lost decimal points").
"""

from __future__ import annotations

import re

import numpy as np

from ..ctc import Decoded
from ..reading import PageReading

AMOUNT = re.compile(r"-?\$?\d{1,3}(?:,\d{3})*\.\d{2}|-?\$?\d+\.\d{2}")
AMOUNT_FLOOR = 0.005
_KEEP = set("0123456789.,-$")
# A whole line: an optional currency sign or code, a number, one space, two digits.
LOST_POINT = re.compile(r"(?:[$€£¥] ?|[A-Z]{1,3} )?-?(?:\d{1,3}(?:,\d{3})+|\d+)( )\d{2}")
POINT_CENTS = re.compile(r"\d\.\d{2}(?!\d)")
COMMA_CENTS = re.compile(r"\d,\d{2}(?!\d)")
MARKS = ".,"


DIGITS = "0123456789"


class AmountRepair:
    name = "amounts"
    needs = frozenset({"scores"})
    score_chars = DIGITS + "$" + MARKS
    revision = 2  # 2: lost decimal points restored

    def __call__(self, page: PageReading) -> None:
        chars = page.score_chars
        if any(d not in chars for d in DIGITS):  # a recogniser without digits: nothing to repair
            return
        digits = np.array([chars.index(d) for d in DIGITS])
        dollar = chars.index("$") if "$" in chars else None
        mark = decimal_mark([r.decoded.text for r in page.trusted()])
        column = chars.index(mark) if mark in chars else None
        for reading in page.readings:
            if reading.kind == "text" and reading.scores is not None:
                reading.decoded = repair(reading.decoded, reading.scores, digits, dollar)
                reading.decoded = restore_point(reading.decoded, reading.scores, mark, column)


def repair(dec: Decoded, scores: np.ndarray, digits: np.ndarray, dollar: int | None) -> Decoded:
    """`scores`: this line's (time, k) class scores; `digits` and `dollar` their columns
    for "0".."9" and "$"."""
    if not any(c.isdigit() for c in dec.text):
        return dec
    text, confs, doubt = list(dec.text), list(dec.char_confidences), list(dec.char_doubt)
    changed = False
    for token in re.finditer(r"\S+", dec.text):
        word = token.group()
        odd = [i for i, ch in enumerate(word) if ch not in _KEEP]
        if len(odd) != 1 or AMOUNT.fullmatch(word) or sum(ch.isdigit() for ch in word) < 2:
            continue
        at = token.start() + odd[0]
        fixed, share = _reading(word, odd[0], scores[dec.frames[at]], digits, dollar)
        if fixed is not None:
            text[at], confs[at] = fixed, share
            if at < len(doubt):
                doubt[at] = max(doubt[at], 1.0 - share)  # the runner-up was taken: as unsure as its share says
            changed = True
    if not changed:
        return dec
    return Decoded("".join(text), float(np.mean(confs)), confs, dec.frames, doubt)


def decimal_mark(texts: list[str]) -> str:
    """The page's decimal mark: "," when more of its amounts end ",dd" than ".dd"."""
    points = sum(len(POINT_CENTS.findall(t)) for t in texts)
    commas = sum(len(COMMA_CENTS.findall(t)) for t in texts)
    return "," if commas > points else "."


def restore_point(dec: Decoded, scores: np.ndarray, mark: str, column: int | None) -> Decoded:
    """A line that is only an amount with its decimal point read as a space gets `mark`
    back. The space and the mark are one reading of the gap: the mark keeps the space's
    confidence, and its doubt is the space's less the mark's share at that frame (`column`
    of `scores`)."""
    body = dec.text.strip()
    found = LOST_POINT.fullmatch(body)
    if found is None or len(dec.frames) != len(dec.text):
        return dec
    at = found.start(1) + len(dec.text) - len(dec.text.lstrip())
    doubt = list(dec.char_doubt)
    if at < len(doubt) and column is not None:
        doubt[at] = max(0.0, doubt[at] - float(scores[dec.frames[at], column]))
    text = dec.text[:at] + mark + dec.text[at + 1:]
    return Decoded(text, dec.confidence, dec.char_confidences, dec.frames, doubt)


def _reading(word: str, pos: int, row: np.ndarray, digits: np.ndarray, dollar: int | None) -> tuple[str | None, float]:
    """The most probable replacement for word[pos] that makes an amount, if any reaches
    AMOUNT_FLOOR. In front only "$" or a digit fits, and an "S" there is only ever read
    as "$" ("S0.50" is "$0.50", never "50.50")."""
    digit = int(np.argmax(row[digits]))
    options = [(str(digit), float(row[digits[digit]]))]
    if word[:pos].strip("-") == "":
        if word[pos] in "Ss":
            options = []
        if dollar is not None:
            options.append(("$", float(row[dollar])))
    for alt, share in sorted(options, key=lambda o: -o[1]):
        if share >= AMOUNT_FLOOR and AMOUNT.fullmatch(word[:pos] + alt + word[pos + 1 :]):
            return alt, share
    return None, 0.0

"""Page support for the highlight: a doubted character of a word that the same page reads
elsewhere, character for character and without doubt there, is less likely wrong.

Forms, receipts, tables and reports repeat their words (field names, units, currencies,
column headers, codes), and a glyph the recogniser half-saw in one place it often saw
clearly in another. A misreading seldom turns one word into another word of the same page,
read surely there. Measured at the window's threshold on sroie-dev: of the marked characters
read right, 15.8 % sit in such a word (tokens of 3 or more characters), of those read wrong
1.2 % (3 of 245); on sroie-large, held out, 1 of 78 and 0 of 37 (docs/benchmarks.md, "Page
support for the highlight"). So the doubt's odds of such a character are multiplied by `ODDS`
(0.1, rounded up from the measured ratio 0.077). The text is never changed.

Chinese lines are not split into words by spaces, so this step does nothing for them (the
`words` step supports their characters with a dictionary).
"""

from __future__ import annotations

from collections import defaultdict

from ..ctc import Decoded, scale_odds
from ..reading import PageReading
from ..result import DOUBTFUL

ODDS = 0.1
MIN_TOKEN = 3  # shorter tokens ("RM", "1") repeat by chance


def _tokens(text: str) -> list[tuple[int, str]]:
    """(start, token) of each run of non-space characters."""
    out, start = [], None
    for i, ch in enumerate(text + " "):
        if ch.isspace():
            if start is not None:
                out.append((start, text[start:i]))
                start = None
        elif start is None:
            start = i
    return out


def supported_doubt(doubt: float) -> float:
    """A doubt with its odds scaled by the page's likelihood ratio."""
    return scale_odds(doubt, ODDS)


class PageSupport:
    name = "page"
    needs: frozenset[str] = frozenset()
    score_chars = ""
    revision = 1

    def __call__(self, page: PageReading) -> None:
        lines = [r for r in page.trusted() if len(r.decoded.char_doubt) == len(r.decoded.text)]
        # Each token's occurrences on the page, as which of their characters are read surely.
        sure: dict[str, list[list[bool]]] = defaultdict(list)
        for reading in lines:
            dec = reading.decoded
            for start, token in _tokens(dec.text):
                if len(token) >= MIN_TOKEN:
                    sure[token].append([d < DOUBTFUL for d in dec.char_doubt[start:start + len(token)]])
        for reading in lines:
            dec = reading.decoded
            doubt = list(dec.char_doubt)
            for start, token in _tokens(dec.text):
                seen = sure.get(token, ())
                if len(seen) < 2:
                    continue
                for off in range(len(token)):
                    # A doubted character is not sure in its own occurrence, so any sure one is another.
                    if doubt[start + off] >= DOUBTFUL and any(occ[off] for occ in seen):
                        doubt[start + off] = supported_doubt(doubt[start + off])
            if doubt != dec.char_doubt:
                reading.decoded = Decoded(dec.text, dec.confidence, dec.char_confidences, dec.frames, doubt)

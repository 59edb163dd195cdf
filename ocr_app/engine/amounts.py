"""Money amounts repaired from the recogniser's own second choice.

Receipts and invoices are full of amounts ("15.00", "$8.20"), and their commonest
misreadings are one glyph off: the last "0" printed half-cut reads "C", a "$" reads
"S". When a token misses the amount shape by exactly one letter, and the recogniser
gave the digit (or "$" in front) at least AMOUNT_FLOOR of its probability at that
frame, the token is read as the amount. A real letter scores far lower there (~1e-5),
so "1851-A", "900G" or "21.5C" stay as they are unless the glyph itself is ambiguous.
"""

from __future__ import annotations

import re

import numpy as np

from .ctc import Decoded

AMOUNT = re.compile(r"-?\$?\d{1,3}(?:,\d{3})*\.\d{2}|-?\$?\d+\.\d{2}")
AMOUNT_FLOOR = 0.005
_KEEP = set("0123456789.,-$")


class AmountRepair:
    def __init__(self, charset: list[str]):
        self.digits = np.array([charset.index(d) for d in "0123456789" if d in charset])
        self.dollar = charset.index("$") if "$" in charset else None

    def __call__(self, dec: Decoded, probs: np.ndarray) -> Decoded:
        """`probs`: this line's (time, classes) scores, as decoded into `dec`."""
        if len(self.digits) < 10 or not any(c.isdigit() for c in dec.text):
            return dec
        text, confs = list(dec.text), list(dec.char_confidences)
        changed = False
        for token in re.finditer(r"\S+", dec.text):
            word = token.group()
            odd = [i for i, ch in enumerate(word) if ch not in _KEEP]
            if len(odd) != 1 or AMOUNT.fullmatch(word) or sum(ch.isdigit() for ch in word) < 2:
                continue
            at = token.start() + odd[0]
            fixed, share = self._reading(word, odd[0], probs[dec.frames[at]])
            if fixed is not None:
                text[at], confs[at] = fixed, share
                changed = True
        if not changed:
            return dec
        return Decoded("".join(text), float(np.mean(confs)), confs, dec.frames)

    def _reading(self, word: str, pos: int, row: np.ndarray) -> tuple[str | None, float]:
        """The most probable replacement for word[pos] that makes an amount, if any
        reaches AMOUNT_FLOOR. In front only "$" or a digit fits, and an "S" there is
        only ever read as "$" ("S0.50" is "$0.50", never "50.50")."""
        digit = int(np.argmax(row[self.digits]))  # self.digits holds "0".."9" in order
        options = [(str(digit), float(row[self.digits[digit]]))]
        if word[:pos].strip("-") == "":
            if word[pos] in "Ss":
                options = []
            if self.dollar is not None:
                options.append(("$", float(row[self.dollar])))
        for alt, share in sorted(options, key=lambda o: -o[1]):
            if share >= AMOUNT_FLOOR and AMOUNT.fullmatch(word[:pos] + alt + word[pos + 1 :]):
                return alt, share
        return None, 0.0

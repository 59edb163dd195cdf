"""Script consistency for Chinese: a page written in Simplified characters reads back in
Simplified characters throughout.

The recogniser's dictionary holds both scripts, and on some fonts (kai, brush) it reads a
Simplified character as its Traditional form (後 for 后, 實 for 实). When a page is clearly
Simplified, the odd Traditional characters out are converted with OpenCC, one character at
a time so per-character confidences stay aligned. Pages in Traditional Chinese (or with too
little Chinese to tell) are left as they are.

On a Simplified page a character's two forms are one reading, so its doubt (what the window
highlights) counts them together: `Decoded.simplified_doubt`, which the decoder fills and
this step, run first, takes over.
"""

from __future__ import annotations

from ..ctc import Decoded
from ..reading import PageReading
from ..script_forms import available, classify, is_cjk


def is_simplified(decide_from: list[str], min_simplified: int = 3, ratio: float = 2.0) -> bool:
    """Whether `decide_from` (the lines we trust) is clearly written in Simplified."""
    if not available():
        return False
    info = [classify(ch) for text in decide_from for ch in text if is_cjk(ch)]
    simplified = sum(1 for _, _, s in info if s)
    traditional = sum(1 for _, t, _ in info if t)
    return simplified >= min_simplified and simplified >= ratio * traditional


def simplify(text: str) -> str:
    """Each Traditional-only character of `text` in its Simplified form (one for one)."""
    return "".join(classify(ch)[0] for ch in text)


class ScriptUnifier:
    name = "script"
    needs: frozenset[str] = frozenset()
    score_chars = ""
    revision = 1

    def __call__(self, page: PageReading) -> None:
        if not is_simplified([r.decoded.text for r in page.trusted()]):
            return
        for reading in page.readings:
            if reading.kind != "text":
                continue
            dec = reading.decoded
            text, doubt = simplify(dec.text), dec.char_doubt
            if len(dec.simplified_doubt) == len(doubt):
                doubt = dec.simplified_doubt
            if text != dec.text or doubt is not dec.char_doubt:
                reading.decoded = Decoded(text, dec.confidence, dec.char_confidences, dec.frames, doubt)

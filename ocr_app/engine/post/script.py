"""Script consistency for Chinese: a page written in Simplified characters reads back in
Simplified characters throughout.

The recogniser's dictionary holds both scripts, and on some fonts (kai, brush) it reads a
Simplified character as its Traditional form (後 for 后, 實 for 实). When a page is clearly
Simplified, the odd Traditional characters out are converted with OpenCC, one character at
a time so per-character confidences stay aligned. Pages in Traditional Chinese (or with too
little Chinese to tell) are left as they are.
"""

from __future__ import annotations

from functools import lru_cache

from ..ctc import Decoded
from ..reading import PageReading


@lru_cache(maxsize=1)
def _converters():
    try:
        import opencc
    except ImportError:  # optional: without it, text is returned as recognised
        return None
    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


@lru_cache(maxsize=8192)
def _classify(ch: str) -> tuple[str, bool, bool]:
    """(simplified form, is Traditional-only, is Simplified-only) for one character."""
    t2s, s2t = _converters()
    simple = t2s.convert(ch)
    if len(simple) != 1:
        simple = ch
    return simple, simple != ch, s2t.convert(ch) != ch


def to_simplified(texts: list[str], decide_from: list[str], min_simplified: int = 3,
                  ratio: float = 2.0) -> tuple[list[str], int]:
    """`texts` with Traditional-only characters converted when `decide_from` (the lines
    we trust) is clearly Simplified; also returns how many characters changed."""
    if _converters() is None:
        return texts, 0
    chars = [ch for text in decide_from for ch in text if "\u3400" <= ch <= "\u9fff"]
    if not chars:
        return texts, 0
    info = [_classify(ch) for ch in chars]
    simplified = sum(1 for _, _, s in info if s)
    traditional = sum(1 for _, t, _ in info if t)
    if not traditional or simplified < min_simplified or simplified < ratio * traditional:
        return texts, 0
    changed = 0
    out = []
    for text in texts:
        chars_out = []
        for ch in text:
            new = _classify(ch)[0] if "\u3400" <= ch <= "\u9fff" else ch
            changed += new != ch
            chars_out.append(new)
        out.append("".join(chars_out))
    return out, changed


class ScriptUnifier:
    name = "script"
    needs: frozenset[str] = frozenset()
    score_chars = ""

    def __call__(self, page: PageReading) -> None:
        lines = [r for r in page.readings if r.kind == "text"]
        texts, changed = to_simplified([r.decoded.text for r in lines], [r.decoded.text for r in page.trusted()])
        if not changed:
            return
        for reading, text in zip(lines, texts, strict=True):
            dec = reading.decoded
            reading.decoded = Decoded(text, dec.confidence, dec.char_confidences, dec.frames, dec.char_doubt)

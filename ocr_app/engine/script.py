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

from .result import Line


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


def unify_simplified(lines: list[Line], min_simplified: int = 3, ratio: float = 2.0) -> int:
    """Convert Traditional-only characters on a clearly Simplified page; returns how many."""
    if _converters() is None:
        return 0
    chars = [ch for ln in lines for ch in ln.text if "\u3400" <= ch <= "\u9fff"]
    if not chars:
        return 0
    info = [_classify(ch) for ch in chars]
    simplified = sum(1 for _, _, s in info if s)
    traditional = sum(1 for _, t, _ in info if t)
    if not traditional or simplified < min_simplified or simplified < ratio * traditional:
        return 0
    changed = 0
    for ln in lines:
        out = []
        for ch in ln.text:
            new = _classify(ch)[0] if "\u3400" <= ch <= "\u9fff" else ch
            changed += new != ch
            out.append(new)
        ln.text = "".join(out)
    return changed

"""Chinese script forms: a character's Simplified form (OpenCC, one character at a time).

Shared by the script unifier, which converts the odd Traditional character on a Simplified
page, and the CTC decoder, whose doubt then counts a character's two forms as one reading.
OpenCC is optional: without it every character is its own form.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def converters():
    """(Traditional→Simplified, Simplified→Traditional) converters, or None without OpenCC."""
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@lru_cache(maxsize=8192)
def classify(ch: str) -> tuple[str, bool, bool]:
    """(Simplified form, is Traditional-only, is Simplified-only) for one character."""
    found = converters()
    if found is None or not is_cjk(ch):
        return ch, False, False
    t2s, s2t = found
    simple = t2s.convert(ch)
    if len(simple) != 1:
        simple = ch
    return simple, simple != ch, s2t.convert(ch) != ch


def simplified_forms(chars: list[str]) -> list[str]:
    """Each character's Simplified form as `classify` gives it, for a whole alphabet in one
    OpenCC call (a line break never joins two characters into one phrase)."""
    found = converters()
    if found is None:
        return list(chars)
    t2s = found[0]
    cjk = [ch for ch in chars if len(ch) == 1 and is_cjk(ch)]
    forms = t2s.convert("\n".join(cjk)).split("\n")
    if len(forms) != len(cjk):  # never seen; one call per character gives the same forms
        forms = [t2s.convert(ch) for ch in cjk]
    converted = {ch: form for ch, form in zip(cjk, forms, strict=True) if len(form) == 1}
    return [converted.get(ch, ch) for ch in chars]

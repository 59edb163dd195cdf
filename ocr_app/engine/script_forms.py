"""Chinese script forms: a character's Simplified form (OpenCC, one character at a time).

Shared by the script unifier, which converts the odd Traditional character on a Simplified
page, and the CTC decoder, whose doubt then counts a character's two forms as one reading.
OpenCC is optional: without it every character is its own form.

OpenCC's two converters hold ~29 MB of phrase dictionaries for as long as they live, and we
only ever ask them about single characters. So every CJK character is converted once, in
two calls (12 ms), the ~6,500 that have another form are kept in a table, and the converters
are let go (docs/benchmarks.md, "Peak RSS on this CPU").
"""

from __future__ import annotations

from functools import lru_cache

CJK_FIRST, CJK_LAST = "\u3400", "\u9fff"  # CJK Extension A and the Unified Ideographs

Forms = tuple[str, bool, bool]  # (Simplified form, is Traditional-only, is Simplified-only)


def is_cjk(ch: str) -> bool:
    return CJK_FIRST <= ch <= CJK_LAST


@lru_cache(maxsize=1)
def _table() -> dict[str, Forms] | None:
    """The forms of every CJK character that has another form, or None without OpenCC."""
    try:
        import opencc
    except ImportError:
        return None
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    chars = [chr(c) for c in range(ord(CJK_FIRST), ord(CJK_LAST) + 1)]
    # A line break never joins two characters into one phrase, so one call per direction
    # gives what one call per character gives.
    simple = t2s.convert("\n".join(chars)).split("\n")
    traditional = s2t.convert("\n".join(chars)).split("\n")
    if len(simple) != len(chars) or len(traditional) != len(chars):  # never seen: one at a time
        simple = [t2s.convert(ch) for ch in chars]
        traditional = [s2t.convert(ch) for ch in chars]
    table = {}
    for ch, s, t in zip(chars, simple, traditional, strict=True):
        form = s if len(s) == 1 else ch
        if form != ch or t != ch:
            table[ch] = (form, form != ch, t != ch)
    return table


def available() -> bool:
    """Whether OpenCC is installed (without it no character has another form)."""
    return _table() is not None


def classify(ch: str) -> Forms:
    """(Simplified form, is Traditional-only, is Simplified-only) for one character."""
    table = _table()
    if table is None or not is_cjk(ch):
        return ch, False, False
    return table.get(ch, (ch, False, False))


def simplified_forms(chars: list[str]) -> list[str]:
    """Each character's Simplified form as `classify` gives it (an alphabet's entries that
    are not one character, such as the CTC blank, stay as they are)."""
    return [classify(ch)[0] if len(ch) == 1 else ch for ch in chars]

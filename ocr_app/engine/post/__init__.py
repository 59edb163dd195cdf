"""Post-processors: small, switchable steps that improve a page's readings after the
recogniser, run in the order `EngineConfig.post` lists (which is part of the cache key).

Each is a module here with one class following `PostProcessor`; `NEEDS` values tell the
engine what to keep for it: "crops" (the strips read), "scores" (per-frame class scores
for `score_chars`), "reader" (a second reading through `PageReading.reader`).
`revision` is part of the result-cache key: bump it when a step starts reading pages
differently, so results its older self cached on disk are not handed back.
To add one: write the module, register it in `REGISTRY`, test it in tests/engine/post/.
"""

from __future__ import annotations

from typing import Protocol

from ..reading import PageReading
from .amounts import AmountRepair
from .codes import CodeReader
from .glyphs import FreeGlyphs
from .line_split import LineSplit
from .page_support import PageSupport
from .script import ScriptUnifier
from .spacing import GapSpacing
from .words import WordSupport


class PostProcessor(Protocol):
    name: str
    needs: frozenset[str]
    score_chars: str
    revision: int  # bumped when the step reads the same page differently: cached results then miss

    def __call__(self, page: PageReading) -> None:
        """Change `page.readings` in place (edit, add or drop readings)."""


REGISTRY: dict[str, type] = {cls.name: cls for cls in (AmountRepair, GapSpacing, FreeGlyphs, ScriptUnifier,
                                                        LineSplit, CodeReader, WordSupport, PageSupport)}
# One Chinese script (first: it takes over the decoder's script-aware doubt, which the
# others do not carry), the doubt of characters inside Chinese words (before spacing puts
# anything between them), receipts' amounts and spacing, free colons and "1"s, lines split
# at column gutters (for the layout), and last, on the final words, the doubt of characters
# of words the page reads surely elsewhere.
DEFAULT_POST: tuple[str, ...] = ("script", "words", "amounts", "spacing", "glyphs", "split", "page")
NAMES: tuple[str, ...] = tuple(REGISTRY)


def build(names: tuple[str, ...] | list[str]) -> list[PostProcessor]:
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown post-processor(s): {', '.join(unknown)}; known: {', '.join(NAMES)}")
    return [REGISTRY[n]() for n in names]


__all__ = ["DEFAULT_POST", "NAMES", "REGISTRY", "PageSupport", "PostProcessor", "WordSupport", "build"]

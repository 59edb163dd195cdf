"""What the engine hands to every consumer: plain data, no OCR knowledge needed to use it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

import numpy as np

from .errors import ErrorKind
from .layout import DEFAULT_MODE, render


class Origin(str, Enum):
    """Where a page's lines came from."""

    OCR = "ocr"  # recognised now
    TEXT_LAYER = "text_layer"  # read from a born-digital PDF page's own text
    CACHE = "cache"  # the same bytes and settings were recognised before

    def __str__(self) -> str:
        return self.value


# The doubt (Line.char_doubt) from which a character counts as doubtful: what the window
# highlights and the bench's calibration view scores. Chosen with bench/calibration.py on
# every set at once (docs/benchmarks.md, "Low-confidence highlight", "Page support"): on
# receipts and Chinese pages 70-90 % of the wrong characters reach it, and on receipts 30 %
# of those that reach it are wrong (on Chinese pages, whose error rate is a third, 28 %).
DOUBTFUL = 0.09


@dataclass
class Line:
    box: list[list[float]]  # 4 corners (x, y) in the file's pixels, clockwise from the text's own top-left
    text: str
    confidence: float
    char_confidences: list[float] = field(default_factory=list)
    kind: str = "text"  # "text", or "qrcode"/"barcode" for decoded codes
    # Page structure (engine/layout.py), in reading order: the page's text in any mode is
    # `layout.render(lines, mode)`, without the boxes.
    block: int = 0
    paragraph: int = 0  # page-wide paragraph number
    row: int = 0  # page-wide visual row, top to bottom on the upright page
    end: str = "\n"  # what follows this line inside its paragraph: "", " " or "\n"
    indent: int = 0  # leading spaces in "code" mode
    vertical: bool = False  # a vertical (top-to-bottom) line
    # Per character, how unsure the recogniser was (0 sure .. 1; ctc.char_doubt): what the
    # window highlights. Empty for lines not read by the recogniser (text layer, codes, edited lines).
    char_doubt: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class OcrResult:
    source: str  # file name or label shown to the user
    lines: list[Line] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # ms per stage, and "total"
    image_size: tuple[int, int] = (0, 0)  # (width, height) of the original image
    error: str | None = None  # the reason, for people
    error_kind: ErrorKind | None = None  # the reason, for programs (set whenever `error` is)
    origin: Origin = Origin.OCR
    page: int | None = None  # 1-based page number inside a multi-page document
    orientation: int = 0  # degrees clockwise the page lay at (0, 90, 180, 270); boxes are in the file's pixels

    @classmethod
    def failed(cls, source: str, kind: ErrorKind, message: str, **extra) -> OcrResult:
        return cls(source=source, error=message, error_kind=kind, **extra)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def cached(self) -> bool:
        return self.origin is Origin.CACHE

    @cached.setter
    def cached(self, value: bool) -> None:
        if value:
            self.origin = Origin.CACHE
        elif self.origin is Origin.CACHE:
            self.origin = Origin.OCR

    @property
    def text(self) -> str:
        """The page's text in the default layout mode."""
        return render(self.lines, DEFAULT_MODE)

    def text_as(self, mode: str) -> str:
        """The page's text in one of layout.MODES ("lines", "paragraphs", "raw", "code")."""
        return render(self.lines, mode)

    @property
    def mean_confidence(self) -> float:
        return float(np.mean([ln.confidence for ln in self.lines])) if self.lines else 0.0

    def to_dict(self) -> dict:
        """JSON-ready form (the JSONL schema `score.py` reads, plus our extras)."""
        out: dict = {
            "image": self.source,
            "lines": [ln.to_dict() for ln in self.lines],
            "ms": round(self.timings.get("total", 0.0), 1),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "size": list(self.image_size),
            "origin": self.origin.value,
            "cached": self.cached,
            "orientation": self.orientation,
        }
        if self.page is not None:
            out["page"] = self.page
        if self.error is not None:
            out["error"] = self.error
            out["error_kind"] = (self.error_kind or ErrorKind.INTERNAL).value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> OcrResult:
        lines = [Line(**ln) for ln in data.get("lines", [])]
        origin = Origin(data["origin"]) if "origin" in data else (
            Origin.CACHE if data.get("cached") else Origin.OCR)
        kind = data.get("error_kind")
        error = data.get("error")
        return cls(source=data.get("image", ""), lines=lines, timings=data.get("timings", {}),
                   image_size=tuple(data.get("size", (0, 0))), error=error,
                   error_kind=ErrorKind(kind) if kind else (ErrorKind.INTERNAL if error else None),
                   origin=origin, page=data.get("page"), orientation=int(data.get("orientation", 0)))

"""A page between the recogniser and the result: what post-processors read and change.

Everything here is in work-image pixels (the loaded image after flattening and padding),
where the detector found the lines; the engine maps boxes to original-image pixels only
when it builds the `OcrResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .ctc import Decoded


@dataclass
class Reading:
    """One line as read: its box, the recogniser's output, and what it was read from."""

    box: np.ndarray  # 4x2 float32 corners, work-image pixels (the text's height, not the crop's)
    decoded: Decoded
    crop: np.ndarray | None = None  # the strip the recogniser read (kept when a post-processor needs "crops")
    input_width: int = 0  # the width that strip was scaled to: maps CTC frames to crop x
    scores: np.ndarray | None = None  # (time steps, len(PageReading.score_chars)): kept when "scores" is needed
    kind: str = "text"  # "text", or "qrcode"/"barcode"
    quad: np.ndarray | None = None  # the detector's box (grown around the text), when it found this line
    tall: bool = False  # a strip taller than wide: vertical text or one narrow glyph
    vertical: bool = False  # read turned: a vertical (top-to-bottom) line


class Reader(Protocol):
    """The narrow view of the recogniser a post-processor may ask for a second reading."""

    def read(self, crops: list[np.ndarray]) -> list[Decoded]: ...


@dataclass
class PageReading:
    image: np.ndarray  # the work image the lines were found on
    source: np.ndarray  # the loaded image (upright, not flattened or padded)
    readings: list[Reading]
    reader: Reader
    min_confidence: float  # lines below this are dropped after post-processing
    score_chars: str = ""  # the characters whose per-frame scores `Reading.scores` holds
    to_work: Callable[[np.ndarray], np.ndarray] = field(default=lambda pts: pts)  # source → work pixels

    def trusted(self) -> list[Reading]:
        """Text lines that will be kept: what page-wide decisions should be made from."""
        return [r for r in self.readings if r.kind == "text" and r.decoded.text.strip()
                and r.decoded.confidence >= self.min_confidence]

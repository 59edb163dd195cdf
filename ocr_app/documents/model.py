"""Plain data shared by the document readers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine import ErrorKind, Line


class DocumentError(RuntimeError):
    """The whole document cannot be read (password, damaged, unsupported); the message is
    shown as-is, the kind is what programs act on."""

    def __init__(self, message: str, kind: ErrorKind = ErrorKind.DAMAGED):
        super().__init__(message)
        self.kind = kind


@dataclass
class Page:
    number: int  # 1-based
    image: np.ndarray  # HxWx3 BGR uint8 (empty when `error` is set)
    text_lines: list[Line] | None = None  # born-digital text layer, boxes in `image` pixels
    error: str | None = None  # this page could not be rendered; the others still can
    error_kind: ErrorKind = ErrorKind.DAMAGED  # why, when `error` is set
    render_ms: float = 0.0
    text_ms: float = field(default=0.0)

"""Recognised lines with their page structure set by hand (rows, paragraphs, line ends,
indents), for tests of how layout modes and API parsers join them without running OCR."""

from __future__ import annotations

from ocr_app.engine import Line


def line(text: str, row: int, paragraph: int, end: str, indent: int = 0) -> Line:
    return Line(box=[[0, 0], [1, 0], [1, 1], [0, 1]], text=text, confidence=1.0, row=row, paragraph=paragraph,
                end=end, indent=indent)


def three_paragraphs() -> list[Line]:
    """A paragraph hyphenated across two lines, a label and its indented amount on one row,
    and a Chinese paragraph of two lines."""
    return [line("A first para-", 0, 0, ""), line("graph ends here.", 1, 0, "\n"),
            line("Second", 2, 1, " "), line("9.00", 2, 1, "\n", indent=12),
            line("中文第一行", 3, 2, ""), line("第二行", 4, 2, "\n")]

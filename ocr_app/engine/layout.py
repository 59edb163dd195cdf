"""Reading order: boxes into rows (top to bottom), rows into left-to-right items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class _HasBox(Protocol):
    box: Sequence[Sequence[float]]
    text: str


def _bounds(box: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    return min(xs), min(ys), max(xs), max(ys)


def group_rows(boxes: Sequence[Sequence[Sequence[float]]]) -> list[list[int]]:
    """Indices grouped into visual rows: a box joins a row when its vertical centre lies
    within the row's span and it overlaps the row by at least half its own height."""
    order = sorted(range(len(boxes)), key=lambda i: (_bounds(boxes[i])[1] + _bounds(boxes[i])[3]) / 2)
    rows: list[dict] = []
    for i in order:
        _, y0, _, y1 = _bounds(boxes[i])
        cy = (y0 + y1) / 2
        h = max(1.0, y1 - y0)
        target = None
        for row in reversed(rows[-3:]):
            overlap = min(y1, row["bot"]) - max(y0, row["top"])
            if row["top"] <= cy <= row["bot"] and overlap >= 0.5 * min(h, row["bot"] - row["top"]):
                target = row
                break
        if target is None:
            rows.append({"top": y0, "bot": y1, "items": [i]})
        else:
            target["items"].append(i)
    return [sorted(r["items"], key=lambda i: _bounds(boxes[i])[0]) for r in rows]


def row_order(boxes: Sequence[Sequence[Sequence[float]]]) -> list[int]:
    """Indices row by row, top to bottom, each row left to right."""
    return [i for row in group_rows(boxes) for i in row]


def line_order(boxes: Sequence[Sequence[Sequence[float]]], kinds: Sequence[str],
               upside_down: bool = False) -> list[int]:
    """The page's reading order: text lines row by row (an upside-down page reads
    bottom-up, right to left), then decoded codes in the order they were found."""
    text = [i for i, k in enumerate(kinds) if k == "text"]
    sign = -1.0 if upside_down else 1.0
    turned = [[[sign * x, sign * y] for x, y in boxes[i]] for i in text]
    return [text[j] for j in row_order(turned)] + [i for i, k in enumerate(kinds) if k != "text"]


def same_row(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> bool:
    """Boxes overlapping vertically by at least half the smaller height."""
    _, a0, _, a1 = _bounds(a)
    _, b0, _, b1 = _bounds(b)
    return min(a1, b1) - max(a0, b0) >= 0.5 * max(1.0, min(a1 - a0, b1 - b0))


def page_text(lines: Sequence[_HasBox]) -> str:
    """Lines are already in reading order (the engine's job): consecutive lines on the
    same visual row are joined by a space, rows by newlines."""
    out: list[str] = []
    prev = None
    for ln in lines:
        if not ln.text:
            continue
        if prev is not None:
            out.append(" " if same_row(prev.box, ln.box) else "\n")
        out.append(ln.text)
        prev = ln
    return "".join(out)

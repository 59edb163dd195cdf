"""Line-level edits: the user's text for a page, each line still tied to the recognised box.

Why line-level: an edit stored as one block of page text loses the boxes, so the searchable
PDF, CSV and JSON could not carry it. Here a page edit is a list of `EditLine`s in reading
order. Each names the recognised line it comes from (`source`), so its box, confidence and
layout structure stay; a line split in two shares its box (each piece gets the part of the
box its share of the characters covers); a merged line takes the first line's structure and
the union of the boxes; a line the user added has no box (`source` None) and is marked.

Qt-free: the window, the store and every export use these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the window imports this before the engine (onnxruntime) has loaded
    from ..engine import Line, OcrResult


@dataclass
class EditLine:
    text: str
    source: int | None = None  # index of the recognised line; None: a line the user added
    merged: tuple[int, ...] = field(default_factory=tuple)  # recognised lines joined onto this one

    def to_dict(self) -> dict:
        return {"text": self.text, "source": self.source, "merged": list(self.merged)}

    @classmethod
    def from_dict(cls, data: dict) -> EditLine:
        return cls(str(data.get("text", "")), data.get("source"), tuple(data.get("merged") or ()))


class ShownLine(NamedTuple):
    line: Line  # the recognised line with the user's text (box [] for an added line)
    edited: bool  # text, split, merge or addition differs from what was recognised


def identity(result: OcrResult) -> list[EditLine]:
    """The unedited page as edit lines."""
    return [EditLine(ln.text, i) for i, ln in enumerate(result.lines)]


def is_identity(result: OcrResult, edits: list[EditLine]) -> bool:
    return edits == identity(result)


def to_json(edits: list[EditLine]) -> list[dict]:
    return [e.to_dict() for e in edits]


def from_json(data: list[dict] | None) -> list[EditLine] | None:
    return None if data is None else [EditLine.from_dict(d) for d in data]


def _lerp(a: list[float], b: list[float], t: float) -> list[float]:
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]


def sub_box(box: list[list[float]], start: float, stop: float) -> list[list[float]]:
    """The part of a quad (TL, TR, BR, BL) between fractions `start`..`stop` of its width."""
    if len(box) != 4:
        return box
    tl, tr, br, bl = (list(map(float, p[:2])) for p in box)
    return [_lerp(tl, tr, start), _lerp(tl, tr, stop), _lerp(bl, br, stop), _lerp(bl, br, start)]


def _union(boxes: list[list[list[float]]]) -> list[list[float]]:
    xs = [float(p[0]) for b in boxes for p in b]
    ys = [float(p[1]) for b in boxes for p in b]
    return [[min(xs), min(ys)], [max(xs), min(ys)], [max(xs), max(ys)], [min(xs), max(ys)]]


def apply(result: OcrResult, edits: list[EditLine] | None) -> list[ShownLine]:
    """The page's lines as the user left them, with boxes and structure (see module doc)."""
    lines = result.lines
    if edits is None:
        return [ShownLine(ln, False) for ln in lines]
    valid = [e if e.source is None or 0 <= e.source < len(lines) else EditLine(e.text) for e in edits]
    pieces: dict[int, list[int]] = {}
    for k, e in enumerate(valid):
        if e.source is not None:
            pieces.setdefault(e.source, []).append(k)
    out: list[ShownLine] = []
    keys: list[tuple[int, int]] = []  # (recognised row, sub-row): split pieces and added lines get rows of their own
    extra_rows: dict[int, int] = {}
    for k, e in enumerate(valid):
        if e.source is None:
            from ..engine import Line

            prev = out[-1].line if out else (lines[0] if lines else Line([], "", 1.0))
            if out:
                out[-1] = ShownLine(replace(out[-1].line, end="\n"), out[-1].edited)
            line = Line(box=[], text=e.text, confidence=1.0, block=prev.block, paragraph=prev.paragraph,
                        row=prev.row, end="\n", indent=prev.indent)
            row = keys[-1][0] if keys else 0
            extra_rows[row] = extra_rows.get(row, 0) + 1
            keys.append((row, extra_rows[row]))
            out.append(ShownLine(line, True))
            continue
        base = lines[e.source]
        group = pieces[e.source]
        box = base.box
        end = lines[e.merged[-1]].end if e.merged else base.end
        sub = 0
        if len(group) > 1:
            sizes = [max(1, len(valid[j].text)) for j in group]
            at = group.index(k)
            total = float(sum(sizes))
            box = sub_box(base.box, sum(sizes[:at]) / total, sum(sizes[:at + 1]) / total)
            if at + 1 < len(group):
                end = "\n"
            if at:
                extra_rows[base.row] = extra_rows.get(base.row, 0) + 1
                sub = extra_rows[base.row]
        if e.merged:
            boxes = [lines[m].box for m in (e.source, *e.merged) if 0 <= m < len(lines) and len(lines[m].box) == 4]
            if result.orientation == 0 and not base.vertical and boxes:
                box = _union(boxes)
        same = e.text == base.text and len(group) == 1 and not e.merged
        line = replace(base, text=e.text, box=box, end=end,
                       char_confidences=base.char_confidences if same else [],
                       char_doubt=base.char_doubt if same else [])
        keys.append((base.row, sub))
        out.append(ShownLine(line, not same))
    rank = {key: n for n, key in enumerate(sorted(set(keys)))}
    return [ShownLine(replace(s.line, row=rank[key]), s.edited) for s, key in zip(out, keys, strict=True)]


def edited_result(result: OcrResult, edits: list[EditLine] | None) -> OcrResult:
    """The page with the user's lines in place of the recognised ones (for text rendering)."""
    if edits is None:
        return result
    return replace(result, lines=[s.line for s in apply(result, edits)])


def page_text(result: OcrResult, edits: list[EditLine] | None, mode: str) -> str:
    """The page's text in a layout mode, edits applied: the engine's one renderer does it."""
    return edited_result(result, edits).text_as(mode)

"""Page structure: reading order across columns and blocks, paragraphs, and the separator
that follows each line; and the page's text in each output mode.

Everything is decided once, on the upright page, by `analyse`; the lines then carry it
(`block`, `paragraph`, `row`, `end`, `indent`), so any consumer renders any mode with
`render` without the boxes and without running OCR again.

Columns are found by a recursive XY-cut on the line boxes: a region splits at a column
gutter when every side of it reads like running text (lines several characters long), so
a receipt's item and price columns, which are short and aligned row by row, stay rows.
Lines wider than the gutter (a title or footer over the columns) are cut out first and
keep their place. Vertical lines (CJK columns) are read top to bottom, columns right to
left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median
from typing import Protocol

import numpy as np

from ..options import LAYOUT_MODES

MODES = LAYOUT_MODES
DEFAULT_MODE = "lines"  # every printed line kept (lists, receipts, addresses), in reading order
PROSE_LENGTH = 8.0  # a column of running text: its median line is this many text heights long
GUTTER = 0.8  # a column gutter is at least this many text heights wide
BLOCK_GAP = 1.2  # a gap of this many text heights (and well over the usual) starts a new block
HEADING = 1.3  # a line this many times the body's text height is a heading
LEVEL = 0.5  # degrees: a page whose lines slope less than this is laid out as it is
STEEPEST = 15.0  # degrees: a steeper line is a stamp, a watermark or a turned label, not the page's slope


class _Laid(Protocol):
    text: str
    row: int
    paragraph: int
    end: str
    indent: int


def _bounds(box: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    return min(xs), min(ys), max(xs), max(ys)


def group_rows(boxes: Sequence[Sequence[Sequence[float]]]) -> list[list[int]]:
    """Indices grouped into visual rows: a box joins a row when its vertical centre lies
    within the row's span and it overlaps the row by at least half its own height."""
    bounds = [_bounds(b) for b in boxes]
    order = sorted(range(len(boxes)), key=lambda i: bounds[i][1] + bounds[i][3])
    rows: list[dict] = []
    for i in order:
        _, y0, _, y1 = bounds[i]
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
    return [sorted(r["items"], key=lambda i: bounds[i][0]) for r in rows]


def row_order(boxes: Sequence[Sequence[Sequence[float]]]) -> list[int]:
    """Indices row by row, top to bottom, each row left to right."""
    return [i for row in group_rows(boxes) for i in row]


# ---- analysis --------------------------------------------------------------------------


@dataclass
class Structure:
    """Per input line (same indices): where it goes and how it joins the next one."""

    order: list[int]  # reading order
    block: list[int]
    paragraph: list[int]  # page-wide paragraph number
    row: list[int]  # page-wide visual row (the "raw" mode's order)
    end: list[str]  # "", " " or "\n": what follows the line inside its paragraph
    indent: list[int]  # leading spaces in "code" mode


@dataclass
class _Item:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    vertical: bool

    @property
    def size(self) -> float:
        """The text's height (its width for a vertical line)."""
        return max(1.0, (self.x1 - self.x0) if self.vertical else (self.y1 - self.y0))

    @property
    def length(self) -> float:
        """Along the text, in text heights."""
        return ((self.y1 - self.y0) if self.vertical else (self.x1 - self.x0)) / self.size


def analyse(boxes: Sequence[Sequence[Sequence[float]]], texts: Sequence[str],
            vertical: Sequence[bool] | None = None) -> Structure:
    """Blocks, reading order, paragraphs and separators of one upright page's lines."""
    n = len(boxes)
    vertical = list(vertical) if vertical is not None else [False] * n
    boxes = _levelled(boxes, vertical)
    items = [_Item(*_bounds(b), t, v) for b, t, v in zip(boxes, texts, vertical, strict=True)]
    rows = [0] * n
    for r, members in enumerate(group_rows(boxes)):
        for i in members:
            rows[i] = r
    blocks = _cut(items, list(range(n))) if n else []
    order: list[int] = []
    block_of, para_of, end, indent = [0] * n, [0] * n, ["\n"] * n, [0] * n
    paragraph = 0
    for b, members in enumerate(blocks):
        laid = _vertical_block(items, members) if all(items[i].vertical for i in members) \
            else _horizontal_block(items, members)
        for para in laid:
            for j, i in enumerate(para):
                order.append(i)
                block_of[i], para_of[i] = b, paragraph
                nxt = para[j + 1] if j + 1 < len(para) else None
                end[i] = _separator(items[i], items[nxt] if nxt is not None else None,
                                    same_row=nxt is not None and _same_row(items[i], items[nxt]))
            paragraph += 1
        left = min(items[i].x0 for i in members)
        unit = float(median([items[i].size for i in members])) * 0.55  # a Latin character's width
        for i in members:
            indent[i] = max(0, round((items[i].x0 - left) / max(unit, 1.0))) if not items[i].vertical else 0
    return Structure(order, block_of, para_of, rows, end, indent)


def _levelled(boxes: Sequence[Sequence[Sequence[float]]], vertical: list[bool]) -> list[list[list[float]]]:
    """The boxes sheared so that the page's text lines run level. A photographed page
    (tilted, or seen at an angle) slopes its lines, and then a row's right-hand cells sit a
    row higher or lower than its left ones: rows and columns are only found in a level
    frame. The slope is read from the long lines' own slopes (short boxes carry no reliable
    angle): their length-weighted median, or, seen at an angle, where the slope changes
    down the page, a weighted line fitted through them against their height on the page."""
    ys, slopes, weights = [], [], []
    for box, vert in zip(boxes, vertical, strict=True):
        if vert or len(box) != 4:
            continue
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ((float(p[0]), float(p[1])) for p in box)
        # Along the line and across it; signs aside, as an upside-down page's boxes come negated.
        run, rise = ((x1 - x0) + (x2 - x3)) / 2, ((y1 - y0) + (y2 - y3)) / 2
        length, height = abs(run), abs(((y3 - y0) + (y2 - y1)) / 2)
        slope = rise / run if run else 0.0
        if length >= 5 * max(height, 1.0) and abs(np.degrees(np.arctan(slope))) <= STEEPEST:
            ys.append((y0 + y1 + y2 + y3) / 4)
            slopes.append(slope)
            weights.append(length)
    plain = [[list(map(float, p)) for p in box] for box in boxes]
    if not slopes:
        return plain
    order = np.argsort(slopes)
    cumulative = np.cumsum(np.asarray(weights)[order])
    slope = float(np.asarray(slopes)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    change = 0.0  # slope change per pixel down the page
    y_mid = float(np.median(ys))
    if len(slopes) >= 4 and max(ys) - min(ys) > 0:
        fit = np.polyfit(np.asarray(ys) - y_mid, slopes, 1, w=np.sqrt(weights))
        ends = [fit[1] + fit[0] * (y - y_mid) for y in (min(ys), max(ys))]
        if max(abs(np.degrees(np.arctan(e - slope))) for e in ends) <= 10:  # else one odd line pulls it
            slope, change = float(fit[1]), float(fit[0])
    if max(abs(np.degrees(np.arctan(slope + change * (y - y_mid)))) for y in (min(ys), max(ys))) < LEVEL:
        return plain
    return [[[x, y - (slope + change * (y - y_mid)) * x] for x, y in box] for box in plain]


def _same_row(a: _Item, b: _Item) -> bool:
    if a.vertical or b.vertical:
        return False
    return min(a.y1, b.y1) - max(a.y0, b.y0) >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0)


def _gaps(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Empty intervals between the union of `spans`."""
    out = []
    reach = None
    for a, b in sorted(spans):
        if reach is not None and a > reach:
            out.append((reach, a))
        reach = b if reach is None else max(reach, b)
    return out


def _cut(items: list[_Item], ids: list[int]) -> list[list[int]]:
    """Recursive XY-cut: blocks in reading order."""
    if len(ids) <= 1:
        return [ids] if ids else []
    size = float(median([items[i].size for i in ids]))
    headed = _around_headings(items, ids, size)
    if headed is not None:
        return [blk for part in headed for blk in _cut(items, part)]
    columns = _columns(items, ids, size)
    if columns is not None:
        return [blk for col in columns for blk in _cut(items, col)]
    spanned = _around_spanning(items, ids, size)
    if spanned is not None:
        return [blk for part in spanned for blk in _cut(items, part)]
    parts = _split_y(items, ids, size)
    if len(parts) > 1:
        return [blk for part in parts for blk in _cut(items, part)]
    return [ids]


def _columns(items: list[_Item], ids: list[int], size: float) -> list[list[int]] | None:
    """The region split at its column gutters, in reading order, if it has real columns."""
    gaps = [g for g in _gaps([(items[i].x0, items[i].x1) for i in ids]) if g[1] - g[0] >= GUTTER * size]
    if not gaps:
        return None
    edges = [(a + b) / 2 for a, b in gaps]
    cols: list[list[int]] = [[] for _ in range(len(edges) + 1)]
    for i in ids:
        cx = (items[i].x0 + items[i].x1) / 2
        cols[int(np.searchsorted(edges, cx))].append(i)
    cols = [c for c in cols if c]
    if len(cols) < 2:
        return None
    if all(all(items[i].vertical for i in c) for c in cols):
        return cols[::-1]  # vertical writing: columns right to left
    if not all(_is_text_column(items, c) for c in cols):
        return None
    return cols


def _is_text_column(items: list[_Item], ids: list[int]) -> bool:
    """Running text, not a column of prices or quantities: at least three lines, most of
    them more than a dozen characters long."""
    if len(ids) < 3:
        return False
    return float(median([items[i].length for i in ids])) >= PROSE_LENGTH


def _around_headings(items: list[_Item], ids: list[int], size: float) -> list[list[int]] | None:
    """Headings (lines set clearly larger than the body) keep their place: the region is
    cut above and below each, so a title over columns is read first even when it is
    narrower than one column."""
    heads = {i for i in ids if not items[i].vertical and items[i].size >= HEADING * size and items[i].length >= 3}
    if not heads or 3 * len(heads) > len(ids):
        return None
    return _cut_at(items, ids, heads)


def _cut_at(items: list[_Item], ids: list[int], lines: set[int]) -> list[list[int]] | None:
    """The region cut into bands above, at and below each of `lines` (top to bottom)."""
    parts: list[list[int]] = []
    current: list[int] = []
    for i in sorted(ids, key=lambda i: (items[i].y0 + items[i].y1) / 2):
        if i in lines:
            if current:
                parts.append(current)
            parts.append([i])
            current = []
        else:
            current.append(i)
    if current:
        parts.append(current)
    return parts if len(parts) > 1 else None


def _around_spanning(items: list[_Item], ids: list[int], size: float) -> list[list[int]] | None:
    """A title or footer over columns: when a few lines cross an otherwise empty gutter,
    and the rest form columns, cut the region above, at and below each crossing line."""
    crossing = _gutter_crossers(items, ids, size)
    if not crossing:
        return None
    rest = [i for i in ids if i not in crossing]
    if len(rest) < 4 or _columns(items, rest, size) is None:
        return None
    return _cut_at(items, ids, crossing)


def _gutter_crossers(items: list[_Item], ids: list[int], size: float) -> set[int]:
    """Lines crossing the best column gutter: an x-interval at least GUTTER text heights
    wide, with text on both sides, that only a few lines (titles, footers) cross."""
    horizontal = [i for i in ids if not items[i].vertical]
    if len(horizontal) < 5:
        return set()
    allowed = max(1, len(horizontal) // 6)
    x0 = np.array([items[i].x0 for i in horizontal])
    x1 = np.array([items[i].x1 for i in horizontal])
    edges = np.unique(np.concatenate([x0, x1]))
    mids = (edges[:-1] + edges[1:]) / 2
    counts = ((x0[:, None] < mids[None, :]) & (mids[None, :] < x1[:, None])).sum(axis=0)
    lo, hi = float(x0.min()), float(x1.max())
    best: tuple[int, float, float] | None = None
    start = None
    for a, b, count in zip(edges[:-1].tolist(), edges[1:].tolist(), counts.tolist(), strict=True):
        if count <= allowed and a > lo and b < hi:
            start = a if start is None else start
            if b - start >= GUTTER * size:
                crossing = int(((x0 < start) & (x1 > b)).sum())
                if best is None or crossing < best[0] or (crossing == best[0] and b - start > best[2] - best[1]):
                    best = (crossing, start, b)
        else:
            start = None
    if best is None:
        return set()
    _, g0, g1 = best
    return {i for i in horizontal if items[i].x0 < g0 and items[i].x1 > g1}


def _split_y(items: list[_Item], ids: list[int], size: float) -> list[list[int]]:
    """The region cut at horizontal gaps clearly wider than its line spacing."""
    if any(items[i].vertical for i in ids):
        return [ids]
    spans = [(items[i].y0, items[i].y1) for i in ids]
    gaps = _gaps(spans)
    if not gaps:
        return [ids]
    usual = float(median([b - a for a, b in gaps]))
    cuts = [(a + b) / 2 for a, b in gaps if b - a >= BLOCK_GAP * size and b - a >= 1.8 * usual]
    if not cuts:
        return [ids]
    parts: list[list[int]] = [[] for _ in range(len(cuts) + 1)]
    for i in ids:
        parts[int(np.searchsorted(cuts, (items[i].y0 + items[i].y1) / 2))].append(i)
    return [p for p in parts if p]


def _vertical_block(items: list[_Item], ids: list[int]) -> list[list[int]]:
    """Vertical columns right to left, top to bottom inside a column; a wide gap between
    columns starts a new paragraph."""
    cols = sorted(ids, key=lambda i: (-(items[i].x0 + items[i].x1) / 2, items[i].y0))
    size = float(median([items[i].size for i in ids]))
    paras: list[list[int]] = [[cols[0]]]
    for prev, i in pairwise(cols):
        if items[prev].x0 - items[i].x1 > BLOCK_GAP * size:
            paras.append([i])
        else:
            paras[-1].append(i)
    return paras


def _horizontal_block(items: list[_Item], ids: list[int]) -> list[list[int]]:
    """Rows top to bottom (pieces of a row left to right), grouped into paragraphs by a
    wide gap, a first-line indent, or, in running text, a short last line."""
    boxes = [[[items[i].x0, items[i].y0], [items[i].x1, items[i].y1]] for i in ids]
    rows = [[ids[k] for k in row] for row in group_rows(boxes)]
    size = float(median([items[i].size for i in ids]))
    left = min(items[i].x0 for i in ids)
    right = max(items[i].x1 for i in ids)
    span = [(min(items[i].x0 for i in r), max(items[i].x1 for i in r),
             min(items[i].y0 for i in r), max(items[i].y1 for i in r)) for r in rows]
    gaps = [span[k + 1][2] - span[k][3] for k in range(len(rows) - 1)]
    usual = float(median(gaps)) if gaps else 0.0
    # Running text fills its column: most rows run nearly edge to edge (a form or a list
    # does not, and its short rows must not end paragraphs).
    widths = [s[1] - s[0] for s in span]
    prose = len(rows) >= 3 and sum(w >= 0.85 * (right - left) for w in widths) >= max(2, len(rows) // 2)
    paras: list[list[int]] = [list(rows[0])]
    for k in range(1, len(rows)):
        gap = gaps[k - 1]
        new = gap >= max(BLOCK_GAP * size, 1.6 * usual + 0.2 * size)
        if prose:
            # A first-line indent: set in at the left, yet running to the right edge (a
            # centred line is set in on both sides).
            indented = (span[k][0] - left >= 1.0 * size and span[k][1] >= right - 2.0 * size
                        and span[k - 1][0] - left < 0.5 * size)
            short_before = span[k - 1][1] < right - 3.0 * size
            new = new or indented or short_before
        if new:
            paras.append(list(rows[k]))
        else:
            paras[-1].extend(rows[k])
    return paras


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _separator(a: _Item, b: _Item | None, same_row: bool) -> str:
    """What joins line `a` to the next line `b` of its paragraph."""
    if b is None:
        return "\n"
    if same_row:
        return " "
    left, right = a.text.rstrip()[-1:], b.text.lstrip()[:1]
    if not left or not right:
        return " "
    if _is_cjk(left) and _is_cjk(right):
        return ""
    if left == "-" and len(a.text.rstrip()) > 1 and a.text.rstrip()[-2].isalpha() and right.islower():
        return ""  # a word hyphenated at the line end: rejoined (render drops the hyphen)
    return " "


class _Structured(Protocol):
    box: Sequence[Sequence[float]]
    text: str
    kind: str
    block: int
    paragraph: int
    row: int
    end: str
    indent: int
    vertical: bool


def lay_out(lines: Sequence[_Structured]) -> list:
    """Lines of an upright page that did not come through the engine (a PDF's text layer)
    in reading order, with their structure filled in; codes and other kinds follow."""
    text = [ln for ln in lines if ln.kind == "text"]
    found = analyse([ln.box for ln in text], [ln.text for ln in text], [ln.vertical for ln in text])
    out = []
    for i in found.order:
        ln = text[i]
        ln.block, ln.paragraph, ln.row = found.block[i], found.paragraph[i], found.row[i]
        ln.end, ln.indent = found.end[i], found.indent[i]
        out.append(ln)
    return out + [ln for ln in lines if ln.kind != "text"]


# ---- rendering -------------------------------------------------------------------------


def render(lines: Sequence[_Laid], mode: str = DEFAULT_MODE) -> str:
    """The page's text in reading order: "lines" keeps every printed line with a blank
    line between paragraphs; "paragraphs" gives each paragraph one line; "raw" is the
    page row by row across columns (no layout); "code" keeps every line and its indent."""
    lines = [ln for ln in lines if ln.text]
    if not lines:
        return ""
    if mode == "raw":
        ranked = sorted(range(len(lines)), key=lambda k: lines[k].row)  # stable: reading order within a row
        ordered = [lines[k] for k in ranked]
        return "".join(("" if k == 0 else (" " if ln.row == ordered[k - 1].row else "\n")) + ln.text
                       for k, ln in enumerate(ordered))
    out: list[str] = []
    for k, ln in enumerate(lines):
        prev = lines[k - 1] if k else None
        text = ln.text
        if mode == "code" and (prev is None or prev.row != ln.row or prev.paragraph != ln.paragraph):
            text = " " * ln.indent + text
        if prev is not None:
            if mode == "paragraphs":
                out.append(prev.end if prev.paragraph == ln.paragraph else "\n")
            elif prev.paragraph != ln.paragraph:
                out.append("\n" if mode == "code" else "\n\n")
            else:
                out.append(" " if prev.row == ln.row else "\n")
        if mode == "paragraphs" and out and prev is not None and prev.paragraph == ln.paragraph \
                and prev.end == "" and prev.text.endswith("-"):
            out[-2] = out[-2][:-1]  # the hyphen of a word split over two lines
        out.append(text)
    return "".join(out)

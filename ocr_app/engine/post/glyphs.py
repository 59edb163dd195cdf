"""Find free-standing glyphs the text detector leaves out: colons and lone narrow characters.

Forms and receipts align their field separators in a column ("Name   : CASH"), so the
colon often stands a few spaces from any word; quantity columns hold a lone "1". The DB
detector scores such a glyph as background (two dots, or one stroke, are no text line),
yet each is a word of its own. Their shapes are easy to find directly among the ink blobs
outside every detected line: two small solid dots of the same size stacked about half a
line height apart, or one narrow line-high blob with no other ink beside it. Each
candidate is confirmed by the recogniser reading it from a line-high crop around it, so
stray specks and rules are not reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..ctc import Decoded
from ..preprocess import grayscale
from ..reading import PageReading, Reader, Reading

SEARCH_LINE_H = 20.0
LONE_MIN_CONF = 0.9  # a lone glyph must be read this surely: no context backs it
# Two stacked equal dots read as ";" are a colon: the shape test already rules out a
# semicolon's tail, and the recogniser confuses the two on faint prints.
COLON_READINGS = (":", ";")
MAX_DOTS = 5000  # more dot-sized blobs than this is speckle or halftone: no clean colons


def _ink(gray: np.ndarray, line_h: float) -> np.ndarray:
    """The page's ink as a 0/1 map. Blurs `gray` in place (the caller's own copy): on a
    16 MP page every full-size buffer is 16 MB, and the search's peak is their count."""
    block = int(2 * line_h) | 1
    # Light smoothing keeps a faint, speckled dot in one piece.
    cv2.GaussianBlur(gray, (3, 3), 0, dst=gray)
    return cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 10)


def _blobs(binary: np.ndarray, lines: list[np.ndarray]) -> np.ndarray:
    """Blobs of `binary` (overwritten) outside the `lines` polygons, as rows of
    (x, y, w, h, area), x and y their centre. Ink inside the lines is left out:
    labelling it is most of the cost."""
    cv2.fillPoly(binary, lines, 0)
    # Specks smaller than any dot would still cost a label each (thousands on a grainy scan).
    cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8), dst=binary)
    # Only the stats are used: 16-bit labels halve the label image (28 MB on a 7 MP search
    # image); OpenCV refuses them past 65,535 blobs, and then 32-bit labels count the rest.
    try:
        _, _, stats, cents = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:
        _, _, stats, cents = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return np.column_stack([cents[1:], stats[1:, 2:5]]).astype(np.float32)


def _dots(blobs: np.ndarray, line_h: float) -> np.ndarray:
    """Solid, roughly square blobs of a colon dot's size for text `line_h` tall, by y."""
    w, h, area = blobs[:, 2], blobs[:, 3], blobs[:, 4]
    lo, hi = max(2.0, 0.12 * line_h), 0.4 * line_h
    keep = ((w >= lo) & (w <= hi) & (h >= lo) & (h <= hi) & (w <= 2 * h) & (h <= 2 * w)
            & (area >= 0.5 * w * h))
    dots = blobs[keep]
    return dots[np.argsort(dots[:, 1], kind="stable")]


def _pairs(dots: np.ndarray, free: np.ndarray, line_h: float) -> list[tuple[int, int]]:
    """Index pairs of `free` dots stacked like a colon: same column, same size, 0.3-0.65
    line apart, with no like dot beside either (a dotted or dashed rule, a leader)."""
    x, y, w, h, area = dots.T
    pairs: list[tuple[int, int]] = []
    used = np.zeros(len(dots), bool)
    for i in np.flatnonzero(free):
        if used[i]:
            continue
        j0 = int(np.searchsorted(y, y[i] + max(0.3 * line_h, 1.2 * h[i]), side="left"))
        j1 = int(np.searchsorted(y, y[i] + 0.65 * line_h, side="right"))
        js = np.arange(max(j0, i + 1), j1)
        if js.size == 0:
            continue
        ok = (free[js] & ~used[js] & (y[js] - y[i] >= 1.2 * h[js])
              & (np.abs(x[js] - x[i]) <= 0.5 * np.maximum(w[js], w[i]))
              & (np.maximum(area[js], area[i]) <= 2.5 * np.minimum(area[js], area[i])))
        hits = js[ok]
        if hits.size == 0:
            continue
        j = int(hits[0])
        if _beside(dots, i, j, line_h) or _beside(dots, j, i, line_h):
            continue
        pairs.append((int(i), j))
        used[[i, j]] = True
    return pairs


def _beside(dots: np.ndarray, i: int, partner: int, line_h: float) -> bool:
    """Is there a like dot on dot i's level within a line height to either side?"""
    x, y, _, h, _ = dots.T
    near = (np.abs(y - y[i]) < np.maximum(h, h[i])) & (np.abs(x - x[i]) < line_h)
    near[[i, partner]] = False
    return bool(near.any())


def _polygons(quads: list[np.ndarray]) -> list[np.ndarray]:
    return [np.round(q).astype(np.int32) for q in quads]


def _line_mask(lines: list[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, lines, 1)
    return mask


def _lone_glyphs(blobs: np.ndarray, lines: np.ndarray, line_h: float) -> np.ndarray:
    """Blobs shaped like one narrow character (a quantity "1") standing alone: line-high,
    no other ink within a line height to either side, clear of every detected line, and
    away from the image border (where a scan's paper edge leaves thin marks)."""
    x, y, w, h, area = blobs.T
    cand = np.flatnonzero((h >= 0.55 * line_h) & (h <= 1.1 * line_h) & (w >= max(2.0, 0.1 * line_h))
                          & (w <= 0.75 * line_h) & (area >= 0.2 * w * h))
    inky = (h >= 0.25 * line_h) | (w >= 0.25 * line_h)
    keep = []
    ih, iw = lines.shape[:2]
    for i in cand:
        near = inky & (np.abs(y - y[i]) < (h + h[i]) / 2) & (np.abs(x - x[i]) < (w + w[i]) / 2 + line_h)
        near[i] = False
        margin = 0.5 * line_h
        if near.any() or min(x[i] - w[i] / 2, y[i] - h[i] / 2) < margin or x[i] + w[i] / 2 > iw - margin \
                or y[i] + h[i] / 2 > ih - margin:
            continue
        x0, x1 = int(max(0, x[i] - w[i] / 2 - line_h)), int(min(iw, x[i] + w[i] / 2 + line_h))
        y0, y1 = int(max(0, y[i] - h[i] / 2)), int(min(ih, y[i] + h[i] / 2 + 1))
        if lines[y0:y1, x0:x1].any():  # a piece of a detected line's word, cut at its edge
            continue
        keep.append(i)
    return blobs[keep]


def stretch_contrast(crop: np.ndarray) -> np.ndarray:
    """The crop's darkest pixel to black, its lightest to white. A colon on a thermal
    receipt is often two faint grey dots that the recogniser, shown them alone without a
    word's ink for contrast, reads as nothing."""
    gray = grayscale(crop)
    lo, hi = float(gray.min()), float(gray.max())
    if hi - lo < 1:
        return crop
    return cv2.convertScaleAbs(crop, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))


def _box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


@dataclass
class Candidates:
    """Free-glyph candidates: where each is, the crop to read, and what it must read as."""
    boxes: list[np.ndarray] = field(default_factory=list)
    crops: list[np.ndarray] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "colon" or "glyph"

    def accept(self, readings: list[Decoded]) -> list[tuple[np.ndarray, Decoded]]:
        """(box, reading) of the candidates read as what their shape promised."""
        out = []
        for box, dec, kind in zip(self.boxes, readings, self.kinds, strict=True):
            if kind == "colon" and dec.text in COLON_READINGS:
                out.append((box, Decoded(":", dec.confidence, dec.char_confidences, dec.frames, dec.char_doubt)))
            elif kind == "glyph" and _is_glyph(dec):
                out.append((box, dec))
        return out


def candidates(img: np.ndarray, quads: list[np.ndarray], text_heights: list[float]) -> Candidates:
    """Free-standing colons and lone narrow characters outside `quads` (the detector's
    lines, whose text heights give the line height)."""
    out = Candidates()
    if not quads or not text_heights:
        return out
    line_h = float(np.median(text_heights))
    if line_h < 8:
        return out
    # Labelling blobs costs per pixel: search at a scale where lines are SEARCH_LINE_H
    # tall (a dot is still >= 2 px), then map the blobs back. Each full-size buffer is
    # dropped as soon as the next exists, so a big page holds two at a time.
    scale = min(1.0, SEARCH_LINE_H / line_h)
    small = grayscale(img)
    if small is img:  # a gray page: the search must not blur it
        small = small.copy()
    if scale < 1.0:
        small = cv2.resize(small, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    shape = small.shape[:2]
    binary = _ink(small, line_h * scale)
    del small
    polygons = _polygons([q * scale for q in quads])
    blobs = _blobs(binary, polygons)
    del binary
    dots = _dots(blobs, line_h * scale)
    if len(dots) > MAX_DOTS:
        return out
    pairs = _pairs(dots, np.ones(len(dots), bool), line_h * scale) if len(dots) >= 2 else []
    lone = _lone_glyphs(blobs, _line_mask(polygons, shape), line_h * scale)
    for arr in (dots, lone):
        arr[:, :4] /= scale
    ih, iw = img.shape[:2]

    def add(cx: float, cy: float, bw: float, box: np.ndarray, kind: str) -> None:
        # Read it the way the detector would have framed it: line-high with a margin, and
        # narrow enough to leave out a word a space away.
        half_w, half_h = bw / 2 + 0.25 * line_h, 0.67 * line_h
        cx0, cx1 = int(max(0, cx - half_w)), int(min(iw, cx + half_w))
        cy0, cy1 = int(max(0, cy - half_h)), int(min(ih, cy + half_h))
        if cx1 - cx0 >= 2 and cy1 - cy0 >= 2:
            crop = np.ascontiguousarray(img[cy0:cy1, cx0:cx1])
            out.boxes.append(box)
            out.crops.append(stretch_contrast(crop) if kind == "colon" else crop)
            out.kinds.append(kind)

    for i, j in pairs:
        (tx, ty, tw, th, _), (lx, ly, lw, lh, _) = dots[i], dots[j]
        cx, dot_w = (tx + lx) / 2, max(tw, lw)
        add(cx, (ty + ly) / 2, dot_w, _box(cx - dot_w / 2 - 1, ty - th / 2 - 1, cx + dot_w / 2 + 1, ly + lh / 2 + 1),
            "colon")
    for gx, gy, gw, gh, _ in lone:
        add(gx, gy, gw, _box(gx - gw / 2 - 1, gy - gh / 2 - 1, gx + gw / 2 + 1, gy + gh / 2 + 1), "glyph")
    return out


def find_free_glyphs(img: np.ndarray, quads: list[np.ndarray], text_heights: list[float],
                     reader: Reader) -> list[tuple[np.ndarray, Decoded]]:
    """`candidates`, read and kept when they read as their shape promised. Read on their
    own: batched with the lines' crops they would change those crops' padding, and so
    their readings."""
    found = candidates(img, quads, text_heights)
    return found.accept(reader.read(found.crops)) if found.crops else []


class FreeGlyphs:
    name = "glyphs"
    needs = frozenset({"reader"})
    score_chars = ""
    revision = 1

    def __call__(self, page: PageReading) -> None:
        detected = [r for r in page.readings if r.quad is not None]
        quads = [r.quad for r in detected]
        heights = [float(np.linalg.norm(r.box[3] - r.box[0])) for r in detected if not r.tall]
        for box, dec in find_free_glyphs(page.image, quads, heights, page.reader):
            page.readings.append(Reading(box=box, decoded=dec))


def _is_glyph(dec: Decoded) -> bool:
    """One confidently read letter or digit (not a stray mark read as punctuation)."""
    return len(dec.text) == 1 and dec.text.isascii() and dec.text.isalnum() and dec.confidence >= LONE_MIN_CONF

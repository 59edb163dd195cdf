"""Find free-standing colons the text detector leaves out.

Forms and receipts align their field separators in a column ("Name   : CASH"), so the
colon often stands a few spaces from any word. The DB detector scores such a glyph as
background (two dots are no text line), yet it is a word of its own. Its shape is easy to
find directly: two small solid dots of the same size, one above the other, about half a
line height apart, outside every detected line. Each candidate is confirmed by the
recogniser reading a ":" from a crop around it, so stray specks are not reported.
"""

from __future__ import annotations

import cv2
import numpy as np

from .ctc import Decoded
from .recognize import TextRecognizer

SEARCH_LINE_H = 20.0
MAX_DOTS = 5000  # more dot-sized blobs than this is speckle or halftone: no clean colons


def _dots(gray: np.ndarray, line_h: float, lines: np.ndarray | None = None) -> np.ndarray:
    """Solid, roughly square ink blobs of a colon dot's size for text `line_h` tall, as
    rows of (x, y, w, h, area) sorted by y (x, y: centre). Ink inside `lines` (a mask of
    the detected lines) is left out: labelling it is most of the cost."""
    block = int(2 * line_h) | 1
    # Light smoothing keeps a faint, speckled dot in one piece.
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    binary = cv2.adaptiveThreshold(smooth, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 10)
    if lines is not None:
        binary[lines > 0] = 0
    # Specks smaller than any dot would still cost a label each (thousands on a grainy scan).
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    _, _, stats, cents = cv2.connectedComponentsWithStats(binary, connectivity=8)
    w, h, area = (stats[1:, k].astype(np.float32) for k in (2, 3, 4))
    lo, hi = max(2.0, 0.12 * line_h), 0.4 * line_h
    keep = ((w >= lo) & (w <= hi) & (h >= lo) & (h <= hi) & (w <= 2 * h) & (h <= 2 * w)
            & (area >= 0.5 * w * h))
    dots = np.column_stack([cents[1:, 0], cents[1:, 1], w, h, area])[keep]
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


def _line_mask(quads: list[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(q).astype(np.int32) for q in quads], 1)
    return mask


def find_colons(img: np.ndarray, quads: list[np.ndarray], text_heights: list[float],
                recognizer: TextRecognizer) -> list[tuple[np.ndarray, Decoded]]:
    """(quad, reading) for each free-standing colon outside `quads` (the detector's
    lines, whose text heights give the page's line height)."""
    if not quads or not text_heights:
        return []
    line_h = float(np.median(text_heights))
    if line_h < 8:
        return []
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    # Labelling blobs costs per pixel: search at a scale where lines are SEARCH_LINE_H
    # tall (a dot is still >= 2 px), then map the dots back.
    scale = min(1.0, SEARCH_LINE_H / line_h)
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    dots = _dots(small, line_h * scale, _line_mask([q * scale for q in quads], small.shape[:2]))
    if len(dots) < 2 or len(dots) > MAX_DOTS:
        return []
    pairs = _pairs(dots, np.ones(len(dots), bool), line_h * scale)
    dots[:, :4] /= scale
    dots[:, 4] /= scale * scale
    if not pairs:
        return []
    ih, iw = gray.shape[:2]
    boxes, crops = [], []
    for i, j in pairs:
        (tx, ty, tw, th, _), (lx, ly, lw, lh, _) = dots[i], dots[j]
        cx, cy, dot_w = (tx + lx) / 2, (ty + ly) / 2, max(tw, lw)
        x0, x1 = cx - dot_w / 2 - 1, cx + dot_w / 2 + 1
        y0, y1 = ty - th / 2 - 1, ly + lh / 2 + 1
        boxes.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32))
        # Read it the way the detector would have framed it: line-high with a margin, and
        # narrow enough to leave out a word a space away.
        half_w, half_h = dot_w / 2 + 0.25 * line_h, 0.67 * line_h
        cx0, cx1 = int(max(0, cx - half_w)), int(min(iw, cx + half_w))
        cy0, cy1 = int(max(0, cy - half_h)), int(min(ih, cy + half_h))
        crops.append(np.ascontiguousarray(img[cy0:cy1, cx0:cx1]))
    readings = recognizer(crops)
    return [(box, dec) for box, dec in zip(boxes, readings, strict=True) if dec.text == ":"]

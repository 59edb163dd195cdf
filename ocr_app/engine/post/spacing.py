"""Word spaces from the crop's blank columns, where the CTC head dropped them.

The recogniser emits a space class, but on receipts it often swallows the space around
narrow punctuation ("TEL : 07-..." read as "TEL:07-...") and between words set in a
condensed font. The crop itself shows the gap: a run of ink-free columns as wide as a
fraction of the line height. Each character's CTC frame gives its x position, so a gap
lying between two consecutive characters that have no space between them gets one.
Only on lines without CJK characters: Chinese text has no word spaces, gaps inside and
between ideographs and around full-width punctuation are normal, and a Latin word set in
a CJK font is spaced wide.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..ctc import STRIDE, Decoded
from ..preprocess import grayscale
from ..reading import PageReading

MIN_GAP = 0.5  # a word gap is at least this share of the crop height wide
COLON_GAP = 0.3  # ... and beside a colon, this (0.25-0.35 all gained on receipts; 0.2 invents spaces)
COLON_PITCH = 0.65  # ... and this share of the line's character pitch (docs/benchmarks.md, issue 22)


def _ink_columns(crop: np.ndarray) -> np.ndarray:
    """The x of every column with ink in the line's middle band."""
    gray = grayscale(crop)
    h = gray.shape[0]
    band = gray[h // 8: h - h // 8]  # the neighbour lines' ascenders/descenders stay out
    if band.size == 0:
        return np.zeros(0, np.int64)
    _, binary = cv2.threshold(band, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if binary.mean() < 0.5:  # ink is the minority class (light text on a dark band too)
        binary = 1 - binary
    return np.flatnonzero((1 - binary).sum(axis=0) > 0)


def blank_runs(crop: np.ndarray, min_width: float) -> list[tuple[float, float]]:
    """(start, end) x of ink-free column runs at least `min_width` wide, between ink."""
    cols = _ink_columns(crop)
    if cols.size < 2:
        return []
    runs = []
    steps = np.flatnonzero(np.diff(cols) > min_width)
    for k in steps:
        runs.append((float(cols[k] + 1), float(cols[k + 1])))
    return runs


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _add(insert_after: set[int], text: str, k: int) -> None:
    """Mark a space between text[k] and text[k+1] unless one is there already or it would
    split a number at its decimal separator ("35.10", "1,200")."""
    if k < 0 or k + 1 >= len(text):
        return
    left, right = text[k], text[k + 1]
    if " " in (left, right):
        return
    seps = ".,"
    if left in seps and right.isdigit() and k > 0 and text[k - 1].isdigit():
        return
    if right in seps and left.isdigit() and k + 2 < len(text) and text[k + 2].isdigit():
        return
    insert_after.add(k)


def pitch(text: str, crop: np.ndarray, h: int) -> float:
    """The line's mean character advance in crop pixels: its inked width, word gaps left
    out, over its characters (0 when the line is too short to tell)."""
    chars = sum(1 for ch in text if ch != " ")
    cols = _ink_columns(crop)
    if chars < 4 or cols.size < 2:
        return 0.0
    gaps = sum(end - start for start, end in blank_runs(crop, MIN_GAP * h))
    return max(0.0, float(cols[-1] - cols[0] + 1) - gaps) / chars


def _colon_gaps(insert_after: set[int], text: str, xs: list[float], crop: np.ndarray, h: int) -> None:
    """Spaces beside a colon set apart from its neighbours ("TEL : 03-..."). The gap is
    narrower than a word space (a proportional font's space is thin), yet a colon set
    tight against its label ("TEL:") leaves a much narrower one. The colon's ink is the
    narrow piece between two such gaps nearest its CTC frame. In a monospaced font a tight
    colon sits in a whole cell, with blank on both sides ("14:32"): a gap counts only when
    it is also a large share of the line's own character pitch."""
    if ":" not in text:
        return
    runs = blank_runs(crop, COLON_GAP * h)
    if not runs:
        return
    need = COLON_PITCH * pitch(text, crop, h)
    # Ink pieces between the gaps: (start, end, left gap width, right gap width)
    edges = [0.0] + [v for run in runs for v in run] + [float(crop.shape[1])]
    pieces = [(edges[i], edges[i + 1], edges[i] - edges[i - 1] if i > 0 else 0.0,
               edges[i + 2] - edges[i + 1] if i + 2 < len(edges) else 0.0) for i in range(0, len(edges), 2)]
    for k, ch in enumerate(text):
        if ch != ":":
            continue
        start, end, left, right = min(pieces, key=lambda p: max(p[0] - xs[k], xs[k] - p[1], 0.0))
        if end - start > 0.4 * h or max(start - xs[k], xs[k] - end, 0.0) > 0.4 * h:
            continue  # not a colon standing alone between gaps
        if left and left >= need:
            _add(insert_after, text, k - 1)
        if right and right >= need:
            _add(insert_after, text, k)


def add_gap_spaces(dec: Decoded, crop: np.ndarray, input_width: int) -> Decoded:
    """`dec` with a space inserted at every wide blank gap the text has none for.
    `input_width` is the width the crop was resized to for the recogniser."""
    text = dec.text
    if len(text) < 2 or any(_is_cjk(c) for c in text):
        return dec
    h, w = crop.shape[:2]
    runs = blank_runs(crop, MIN_GAP * h)
    if not runs and ":" not in text:
        return dec
    scale = w / max(1, input_width)
    xs = [(STRIDE * f + STRIDE / 2) * scale for f in dec.frames]
    insert_after: set[int] = set()
    for start, end in runs:
        # Characters whose frame falls inside the run are faint ink the threshold lost (a
        # light ":" between two gaps): the space goes on each side wide enough to be one.
        inside = [i for i, x in enumerate(xs) if start <= x <= end]
        if not inside:
            k = int(np.searchsorted(xs, (start + end) / 2)) - 1
            _add(insert_after, text, k)
            continue
        half = MIN_GAP * h / 2
        if xs[inside[0]] - start >= half:
            _add(insert_after, text, inside[0] - 1)
        if end - xs[inside[-1]] >= half:
            _add(insert_after, text, inside[-1])
    _colon_gaps(insert_after, text, xs, crop, h)
    if not insert_after:
        return dec
    chars, confs, frames, doubt = [], [], [], []
    for i, ch in enumerate(text):
        chars.append(ch)
        confs.append(dec.char_confidences[i])
        frames.append(dec.frames[i])
        doubt.extend(dec.char_doubt[i:i + 1])
        if i in insert_after:
            chars.append(" ")
            confs.append(dec.char_confidences[i])
            frames.append(dec.frames[i])
            doubt.extend(dec.char_doubt[i:i + 1])
    return Decoded("".join(chars), dec.confidence, confs, frames, doubt)


class GapSpacing:
    name = "spacing"
    needs = frozenset({"crops"})
    score_chars = ""
    revision = 1

    def __call__(self, page: PageReading) -> None:
        for reading in page.readings:
            if reading.kind == "text" and reading.crop is not None and reading.input_width:
                reading.decoded = add_gap_spaces(reading.decoded, reading.crop, reading.input_width)

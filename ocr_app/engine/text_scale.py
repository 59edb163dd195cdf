"""Cheap estimate of a page's smallest common text height, to pick the detector's scale.

The detector's cost grows with its input area, but it only needs text a dozen or so pixels
tall. A page set in large type (a slide, a poster, a phone photo of a printout) can be
detected at a fraction of its resolution; a receipt in 10 px type cannot. The estimate
comes from glyph-like connected components of a locally thresholded, downscaled copy that
sit in a row with a similar neighbour (isolated blobs of photos and textures rarely do).
A low percentile of their heights is used: CJK radicals, Latin x-heights and small lines
all pull it down, which only makes the detector's scale more generous. When too few
components qualify the estimate is None and the caller keeps its usual scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .preprocess import grayscale

MAX_QUERIES = 400
MAX_INK = 0.2


@dataclass
class ScaleConfig:
    """Knobs of the detector's text-height scale (DetectorConfig.text_scale)."""

    enabled: bool = True
    # Estimated glyph height (px at detector scale) to aim for. The estimate runs at ~0.7
    # of the median GT line height and ~0.85 of the 10th percentile on both eval sets,
    # so 13 px puts a page's smaller lines at ~15 px, as the receipts are read today.
    target: float = 13.0
    min_pixels: int = 250_000  # never shrink the detector input below this area ...
    # ... or its short side below the size-only rule's own minimum (DetectorConfig.limit_side):
    # below it, receipts set in large type changed by 10-50 edits a page (docs/benchmarks.md).
    min_side: int = 640
    # Skip shrinks by less than this: little time saved, and any new scale moves the boxes
    # by about a pixel, which changes some readings (either way).
    min_shrink: float = 0.8
    work_pixels: int = 300_000  # the estimate runs on a copy of about this area
    min_glyphs: int = 24  # fewer row-forming components than this: no estimate
    percentile: float = 20.0
    # Boxes from a shrunk map come out this many map pixels per side larger, times
    # (1 - shrink), than at the usual scale (measured on zh-dev); the detector trims it.
    box_growth: float = 2.2


def glyph_heights(img: np.ndarray, work_pixels: int = 300_000) -> tuple[np.ndarray, np.ndarray, float]:
    """Heights of glyph-like components in text rows, in the copy's pixels; heights of
    runs (glyphs merged along a line: small or blurred text at the copy's scale); and
    the copy's scale relative to `img`."""
    gray = grayscale(img)
    s = 1.0
    while gray.shape[0] * gray.shape[1] > 2 * work_pixels:  # 2:1 area steps take OpenCV's fast path
        gray = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
        s /= 2
    found = []
    for mode, c in ((cv2.THRESH_BINARY_INV, 12), (cv2.THRESH_BINARY, -12)):  # darker / lighter than around
        binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, mode, 25, c)
        # Text inks a few percent of a page (at most ~13 % on the eval sets); noise and
        # fine textures far more, and their components can pass for glyphs.
        busy = cv2.countNonZero(binary) > MAX_INK * binary.size
        found.append((np.zeros(0, np.float32),) * 2 if busy else _components(binary))
    # One polarity holds the glyphs, the other mostly their counters and the gaps between
    # them: keep the one with more row-forming components.
    glyphs, runs = max(found, key=lambda f: len(f[0]))
    return glyphs, runs, s


def _components(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(glyph heights, run heights repeated once per glyph-width they span)."""
    empty = np.zeros(0, np.float32)
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n < 2:
        return empty, empty
    x, y, w, h, area = (stats[1:, i].astype(np.float32) for i in range(5))
    H, W = binary.shape
    fill = area / (w * h)
    ok = (h >= 4) & (h <= H / 6) & (fill > 0.1) & (fill < 0.9) & (x > 0) & (y > 0) & (x + w < W) & (y + h < H)
    run = ok & (w > 4 * h) & (w <= 40 * h) & (fill > 0.25) & (fill < 0.85)  # not a dash or a rule
    runs = np.repeat(h[run], np.round(w[run] / h[run]).astype(int))
    keep = ok & (w <= 3 * h)
    x, y, w, h = x[keep], y[keep], w[keep], h[keep]
    if len(h) < 2:
        return empty, runs
    # A neighbour in the same row: similar height, bottoms or centres aligned, and close.
    # Every component can be a neighbour; at most MAX_QUERIES (an even sample) are tested.
    q = np.arange(0, len(h), max(1, -(-len(h) // MAX_QUERIES)))
    hi = np.maximum(h[q, None], h[None, :])
    lo = np.minimum(h[q, None], h[None, :])
    bottom, centre = y + h, y + h / 2
    aligned = ((np.abs(bottom[q, None] - bottom[None, :]) < 0.2 * hi)
               | (np.abs(centre[q, None] - centre[None, :]) < 0.2 * hi))
    gap = np.maximum(x[q, None], x[None, :]) - np.minimum((x + w)[q, None], (x + w)[None, :])
    mate = aligned & (lo > 0.5 * hi) & (gap < 1.2 * hi)
    mate[np.arange(len(q)), q] = False
    return h[q][mate.any(axis=1)], runs


def page_text_height(img: np.ndarray, cfg: ScaleConfig | None = None) -> float | None:
    """Low-percentile glyph height in `img` pixels, or None when the page gives no
    reliable answer (blank, photo, texture, too little text)."""
    cfg = cfg or ScaleConfig()
    if img.ndim not in (2, 3) or min(img.shape[:2]) < 16:
        return None
    glyphs, runs, s = glyph_heights(img, cfg.work_pixels)
    if len(glyphs) < cfg.min_glyphs:
        return None
    est = float(np.percentile(glyphs, cfg.percentile))
    # Runs lower than the glyphs are small or blurred text whose glyphs merged: they count
    # (once per glyph-width), and can only lower the estimate. Taller runs are more
    # likely lines merged into blocks, and are left out.
    small = runs[runs < est]
    if len(small):
        est = float(np.percentile(np.concatenate([glyphs, small]), cfg.percentile))
    return est / s

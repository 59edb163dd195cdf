"""Report line boxes at the text's height, not the padded region the recogniser reads.

The detector's unclip grows each text kernel on every side so the crop keeps ascenders,
descenders and a margin the recogniser needs: on the SROIE receipts the grown quads are a
median 1.33x the annotated line height. Reported as-is, neighbouring rows overlap, and
row grouping downstream (ours and any consumer's) merges lines on different baselines.
Scaling the quad's height about its centre keeps the detector's consistent centre line;
measuring each crop's ink instead was tried and scored worse (a line without descenders
gets a different centre than its neighbour with them).
"""

from __future__ import annotations

import numpy as np

TEXT_HEIGHT_SHARE = 0.75  # 1 / 1.33: the unclipped quad's height that is text


def trim_quad(quad: np.ndarray, top: float, bottom: float) -> np.ndarray:
    """Move the quad's top and bottom edges to fractions `top`/`bottom` of its height,
    keeping its slant."""
    tl, tr, br, bl = quad.astype(np.float32)
    return np.array([tl + (bl - tl) * top, tr + (br - tr) * top,
                     tr + (br - tr) * bottom, tl + (bl - tl) * bottom], np.float32)


def text_quad(quad: np.ndarray, share: float = TEXT_HEIGHT_SHARE) -> np.ndarray:
    """The line's text box: the detector quad with its height scaled about the centre."""
    margin = (1.0 - share) / 2
    return trim_quad(quad, margin, 1.0 - margin)


def line_text_height(quad: np.ndarray, share: float = TEXT_HEIGHT_SHARE) -> float:
    """Height of the line's text box (its left edge), e.g. the line height glyph search uses."""
    box = text_quad(quad, share)
    return float(np.linalg.norm(box[3] - box[0]))

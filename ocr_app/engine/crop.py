"""Cut a text quad out of the page as an upright, horizontal strip."""

from __future__ import annotations

import cv2
import numpy as np

TALL_RATIO = 1.5


def is_tall(crop: np.ndarray) -> bool:
    """A strip much taller than wide: vertical text, or a single narrow glyph (":", "1")."""
    return crop.shape[0] / max(1, crop.shape[1]) >= TALL_RATIO


def crop_quad(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-warp the quad to an axis-aligned rectangle (no rotation)."""
    pts = quad.astype(np.float32)
    width = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    height = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    width, height = max(width, 1), max(height, 1)
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(pts, dst)
    out = cv2.warpPerspective(img, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE,
                              flags=cv2.INTER_CUBIC)
    return out

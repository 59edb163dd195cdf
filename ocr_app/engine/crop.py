"""Cut a text quad out of the page as an upright, horizontal strip."""

from __future__ import annotations

import cv2
import numpy as np


def crop_quad(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-warp the quad to a rectangle; tall strips are turned to horizontal."""
    pts = quad.astype(np.float32)
    width = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    height = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    width, height = max(width, 1), max(height, 1)
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(pts, dst)
    out = cv2.warpPerspective(img, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE,
                              flags=cv2.INTER_CUBIC)
    if height / width >= 1.5:
        out = np.rot90(out)
    return np.ascontiguousarray(out)

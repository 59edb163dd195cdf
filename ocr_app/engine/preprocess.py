"""Classic OpenCV document stages, each named and returned so the window can show them.

Only what measurably helps recognition is used by the pipeline (see docs/benchmarks.md);
the deep-learning detector and recogniser were trained on natural colour images, so
binarisation, for example, is for display and for the user's own inspection.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from ..options import STAGES


def grayscale(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def equalize(gray: np.ndarray) -> np.ndarray:
    """CLAHE: local contrast without blowing out already-clean scans."""
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Adaptive Gaussian threshold; block size follows the image so text strokes survive."""
    block = max(15, (min(gray.shape[:2]) // 40) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15)


def order_quad(pts: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    pts = pts.reshape(4, 2).astype(np.float32)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


def find_page_quad(img: np.ndarray, min_area_ratio: float = 0.3) -> np.ndarray | None:
    """The document's four corners when a page stands out from its background, else None.

    A page filling the whole frame (a scan) has no visible edge and returns None.
    """
    gray = grayscale(img)
    h, w = gray.shape[:2]
    scale = 600.0 / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale)))) if scale < 1 else gray
    sh, sw = small.shape[:2]
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    edges = cv2.Canny(blur, 50, 150)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    best = None
    for cnt in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        area = cv2.contourArea(cnt)
        if area < min_area_ratio * sh * sw:
            break
        approx = cv2.approxPolyDP(cnt, 0.02 * cv2.arcLength(cnt, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            best = approx
            break
    if best is None:
        return None
    quad = order_quad(best) / (scale if scale < 1 else 1.0)
    # A quad hugging the frame is the frame itself, not a page on a background.
    margin = 0.02 * max(h, w)
    inside = (quad[:, 0] > margin) & (quad[:, 0] < w - margin) & (quad[:, 1] > margin) & (quad[:, 1] < h - margin)
    if not inside.any():
        return None
    return quad


def flatten_page(img: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The page perspective-corrected into an upright rectangle, with the homography that
    maps photo points onto it (for mapping boxes back), or None when no page edge is found."""
    quad = find_page_quad(img)
    if quad is None:
        return None
    tl, tr, br, bl = quad
    width = max(1, int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = max(1, int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    flat = cv2.warpPerspective(img, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return flat, matrix


def unwarp_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Map points from the flattened page back into the photo."""
    pts = points.reshape(-1, 1, 2).astype(np.float32)
    return cv2.perspectiveTransform(pts, np.linalg.inv(matrix)).reshape(-1, 2)


def estimate_skew(gray: np.ndarray) -> float:
    """Dominant text-line angle in degrees (positive = counter-clockwise), from dark pixels."""
    h, w = gray.shape[:2]
    scale = 1000.0 / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale)))) if scale < 1 else gray
    bw = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    # Smear characters into line blobs, then average the blob angles weighted by length.
    bw = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 3)))
    contours, _ = cv2.findContours(bw, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for cnt in contours:
        (_, _), (rw, rh), angle = cv2.minAreaRect(cnt)
        if rw < rh:
            rw, rh, angle = rh, rw, angle - 90
        if rw < 40 or rw < 4 * rh:
            continue
        angle = (angle + 90) % 180 - 90
        if abs(angle) <= 30:
            angles.append(angle)
            weights.append(rw)
    if not angles:
        return 0.0
    return -float(np.average(angles, weights=weights))


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.2:
        return img
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(img, matrix, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def flatten(img: np.ndarray) -> np.ndarray:
    """Page perspective correction when a page edge is found, else skew correction."""
    page = flatten_page(img)
    if page is not None:
        return page[0]
    return rotate(img, -estimate_skew(grayscale(img)))


def resize_to_height(img: np.ndarray, height: int, max_width: int | None = None) -> np.ndarray:
    """Scale to the recogniser's input height, keeping aspect ratio."""
    h, w = img.shape[:2]
    new_w = max(1, int(np.ceil(w * height / max(h, 1))))
    if max_width is not None:
        new_w = min(new_w, max_width)
    return cv2.resize(img, (new_w, height), interpolation=cv2.INTER_LINEAR)


def normalize(img: np.ndarray) -> np.ndarray:
    """uint8 HWC BGR → contiguous float32 CHW in [-1, 1], the PP-OCR input convention.
    Written plane by plane: one float copy of the image, where a float HWC copy would be
    followed by the contiguous copy ONNX Runtime makes of a transposed view (for the
    detector's 1.2 MP input, 2 × 14 MB more)."""
    h, w = img.shape[:2]
    out = np.empty((3, h, w), np.float32)
    for c in range(3):
        np.multiply(img[:, :, c], np.float32(2.0 / 255.0), out=out[c], casting="unsafe")
    out -= np.float32(1.0)
    return out


def stage_images(img: np.ndarray, stages: Iterable[str] = STAGES) -> dict[str, np.ndarray]:
    """The named intermediate images, for display and inspection."""
    wanted = set(stages)
    out: dict[str, np.ndarray] = {}
    gray = grayscale(img)
    if "gray" in wanted:
        out["gray"] = gray
    eq = equalize(gray) if wanted & {"equalized", "binary"} else None
    if "equalized" in wanted:
        out["equalized"] = eq
    if "binary" in wanted:
        out["binary"] = binarize(eq)
    if "flattened" in wanted:
        out["flattened"] = flatten(img)
    return out

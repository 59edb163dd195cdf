"""The image the detector sees, and the way back: unbending or flattening a photographed
page and padding a tiny or very elongated image change the pixel grid, and every box found
on it must be mapped back to the original image."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from . import preprocess
from .dewarp import PageGrid
from .load import LoadedImage
from .orient import rotate, rotate_points


@dataclass
class PageFrame:
    image: np.ndarray  # the work image: loaded, maybe unbent or flattened, maybe padded
    offset: np.ndarray  # (x, y) padding added on the top-left
    matrix: np.ndarray | None  # turned → flattened homography, when the page was flattened
    scale: float  # loaded image size / original size
    turn: int = 0  # degrees clockwise the loaded image was turned to stand upright
    loaded_size: tuple[int, int] = (0, 0)  # (w, h) of the loaded image, before turning
    bend: PageGrid | None = None  # where the unbent page lies on the turned photo, when it was unbent

    def to_original(self, pts: np.ndarray) -> np.ndarray:
        pts = pts - self.offset
        if self.bend is not None:
            pts = self.bend.to_photo(pts)
        elif self.matrix is not None:
            pts = preprocess.unwarp_points(pts, self.matrix)
        if self.turn:
            w, h = self.loaded_size
            turned = (h, w) if self.turn in (90, 270) else (w, h)
            pts = rotate_points(pts, (360 - self.turn) % 360, turned)
        return pts * (1.0 / self.scale)

    def to_work(self, pts: np.ndarray) -> np.ndarray:
        """Points on the loaded image → work-image points."""
        if self.turn:
            pts = rotate_points(pts, self.turn, self.loaded_size)
        if self.bend is not None:
            pts = self.bend.to_page(pts)
        elif self.matrix is not None:
            pts = cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float32), self.matrix).reshape(-1, 2)
        return pts + self.offset


def frame(loaded: LoadedImage, flatten: bool, turn: int = 0,
          unbend: Callable[[np.ndarray], PageGrid] | None = None) -> PageFrame:
    """The work image: the loaded one turned `turn` degrees clockwise, maybe unbent (when
    `unbend` gives the page's grid; it also undoes perspective, so it replaces flattening)
    or flattened, padded."""
    source, matrix, bend = rotate(loaded.image, turn), None, None
    if unbend is not None:
        bend = unbend(source)
        source = bend.unbend(source)
    page = preprocess.flatten_page(source) if flatten and bend is None else None
    if page is not None:
        source, matrix = page
    work, offset = pad_small(source)
    h, w = loaded.image.shape[:2]
    return PageFrame(work, offset, matrix, loaded.scale, turn % 360, (w, h), bend)


def pad_small(img: np.ndarray, min_side: int = 32, max_ratio: float = 8.0) -> tuple[np.ndarray, np.ndarray]:
    """Pad tiny or very elongated images (a single-line screenshot) so the detector sees
    margins around the text; returns the padded image and the (x, y) offset added."""
    h, w = img.shape[:2]
    pad_y = max(0, int(np.ceil(max(min_side, w / max_ratio) - h)))
    pad_x = max(0, int(np.ceil(max(min_side, h / max_ratio) - w)))
    if not pad_x and not pad_y:
        return img, np.zeros(2, np.float32)
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]]).reshape(-1, 3)
    colour = tuple(int(c) for c in np.median(border, axis=0))
    top, left = pad_y // 2, pad_x // 2
    padded = cv2.copyMakeBorder(img, top, pad_y - top, left, pad_x - left, cv2.BORDER_CONSTANT, value=colour)
    return padded, np.array([left, top], np.float32)

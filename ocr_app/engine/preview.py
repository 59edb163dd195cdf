"""Stage images for people to look at (the window's compare view), made on demand.

They are not part of a result: results are cached and shared, previews are cheap to
make again from the source and need no models. Decoded by the same loader as OCR, so
the picture is the one that was read (EXIF rotation, size cap).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .load import load
from .preprocess import STAGES, stage_images


def preview(source: str | Path | bytes | np.ndarray, stages: Iterable[str] = STAGES) -> dict[str, np.ndarray]:
    """{"original": BGR image as OCR sees it, stage name: image, ...}; raises
    ImageLoadError (with its kind) when the source is not a usable image."""
    image = load(source).image
    return {"original": image, **stage_images(image, stages)}

"""Decode image bytes into an upright 8-bit BGR array, whatever the file throws at us.

OpenCV decodes from bytes (so non-ASCII paths work) and applies EXIF orientation; Pillow is
the fallback for what OpenCV cannot read (GIF, some TIFF/palette variants) and for frames
of multi-page files. Pixel counts are checked from the header before decoding, so a
decompression bomb is refused cheaply and a large-but-legitimate image is downscaled.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_DECODE_PIXELS = 120_000_000  # refuse beyond this (decompression bomb)
MAX_WORK_PIXELS = 16_000_000  # downscale beyond this before OCR
MAX_SIDE = 8000


class ImageLoadError(ValueError):
    """The input is not a usable image; the message is shown to the user as-is."""


@dataclass
class LoadedImage:
    image: np.ndarray  # HxWx3 uint8 BGR
    original_size: tuple[int, int]  # (width, height) as stored in the file
    scale: float  # work image size / original size


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageLoadError(f"cannot open file: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise ImageLoadError("is a folder, not an image")
    if size == 0:
        raise ImageLoadError("empty file (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise ImageLoadError(f"file too large ({size / 1e6:.0f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageLoadError(f"cannot read file: {exc.strerror or exc}") from exc


def _header(data: bytes) -> tuple[tuple[int, int], str, bool] | None:
    """((width, height), mode, has_alpha) from the header without decoding, or None."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            alpha = im.mode in ("RGBA", "LA", "PA", "La") or "transparency" in im.info
            return im.size, im.mode, alpha
    except Exception:
        return None


# Modes that OpenCV's colour decode handles fully (including EXIF orientation).
_CV_MODES = {"RGB", "L", "YCbCr", "CMYK", "P", "1"}


def _to_bgr8(img: np.ndarray) -> np.ndarray:
    if img.dtype == np.uint16:
        img = (img / 257).astype(np.uint8)
    elif img.dtype in (np.float32, np.float64):
        img = np.clip(img * (255.0 if img.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        # Composite transparency onto white: text on transparent PNGs is usually dark.
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        rgb = img[:, :, :3].astype(np.float32)
        return (rgb * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    if img.shape[2] == 2:  # gray + alpha
        alpha = img[:, :, 1:2].astype(np.float32) / 255.0
        gray = img[:, :, 0:1].astype(np.float32) * alpha + 255.0 * (1 - alpha)
        return cv2.cvtColor(gray.astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return img[:, :, :3]


def _decode_pillow(data: bytes) -> np.ndarray:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as im:
        im.seek(0)
        im = ImageOps.exif_transpose(im)
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
            arr = np.asarray(im)
            return _to_bgr8(arr[:, :, [2, 1, 0, 3]])
        if im.mode in ("I;16", "I;16B", "I;16L", "I"):
            arr = np.asarray(im, dtype=np.uint32)
            arr = (arr * (255.0 / max(1, int(arr.max())))).astype(np.uint8)
            return _to_bgr8(arr)
        arr = np.asarray(im.convert("RGB"))
        return np.ascontiguousarray(arr[:, :, ::-1])


def decode(data: bytes) -> LoadedImage:
    """Bytes → LoadedImage; raises ImageLoadError with a user-facing reason."""
    if not data:
        raise ImageLoadError("empty file (0 bytes)")
    header = _header(data)
    if header is not None:
        (w, h), mode, alpha = header
        if w * h > MAX_DECODE_PIXELS:
            raise ImageLoadError(f"image too large to open safely ({w}×{h} pixels)")
    use_cv = header is None or (header[1] in _CV_MODES and not header[2])
    img = None
    if use_cv:
        try:
            img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
        except cv2.error:
            img = None
    if img is None or img.size == 0:
        try:
            img = _decode_pillow(data)
        except Exception as exc:
            if header is None:
                raise ImageLoadError("not an image, or an unsupported or damaged image format") from exc
            raise ImageLoadError(f"damaged or truncated image ({type(exc).__name__})") from exc
    img = _to_bgr8(img)
    if img.shape[0] < 1 or img.shape[1] < 1:
        raise ImageLoadError("image has no pixels")
    orig = (img.shape[1], img.shape[0])
    img, scale = _cap(img)
    return LoadedImage(np.ascontiguousarray(img), orig, scale)


def _cap(img: np.ndarray) -> tuple[np.ndarray, float]:
    h, w = img.shape[:2]
    scale = min(1.0, (MAX_WORK_PIXELS / float(h * w)) ** 0.5, MAX_SIDE / max(h, w))
    if scale < 1.0:
        img = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return img, scale


def load(source: str | Path | bytes | np.ndarray) -> LoadedImage:
    """Path, bytes or an already-decoded array (BGR or gray) → LoadedImage."""
    if isinstance(source, np.ndarray):
        img = _to_bgr8(source)
        orig = (img.shape[1], img.shape[0])
        img, scale = _cap(img)
        return LoadedImage(np.ascontiguousarray(img), orig, scale)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return decode(bytes(source))
    return decode(read_bytes(source))

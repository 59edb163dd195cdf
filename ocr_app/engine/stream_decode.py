"""Decode a large PNG straight to the work size, a band of rows at a time.

Why: every PNG decoder we have (OpenCV, Pillow) allocates the full-size image first, so a
small, mostly flat PNG of 100+ megapixels costs gigabytes while being decoded, only to be
downscaled right after. Here the IDAT stream is inflated incrementally (with an output
cap per call, so a deflate bomb cannot balloon), each band of rows is unfiltered by
Pillow's own PNG row decoder (fed the band plus the previous band's last row, which the
Up/Average/Paeth filters need), composited onto white and area-averaged into its rows
of the output. Memory is one band plus the output, whatever the image size.

Handles every non-interlaced PNG except 16-bit RGB/RGBA (no Pillow mode keeps their raw
bytes); for those, and for interlaced files, `decode_png` returns None and the caller
falls back to a full decode under its own memory budget.

The band-by-band averaging (`fit_in_bands`) and the EXIF turn (`exif_upright`) serve the
JPEG decoder too (load.py), which hands out the rows of a page decoded whole.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BAND_BYTES = 2 * 1024 * 1024  # raw bytes per band: bounds the transient memory (about 6 × this)
AREA_BAND_BYTES = 512 * 1024  # rows averaged at a time to a fractional scale: their float copies are 8 × this
_IN_CHUNK = 1 << 16

# bits per pixel → (Pillow mode, rawmode, pixels per stored row unit) that keep raw bytes intact.
_RAW_MODES = {8: ("L", "L"), 16: ("LA", "LA"), 24: ("RGB", "RGB"), 32: ("RGBA", "RGBA")}
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class PngError(ValueError):
    """Damaged or truncated PNG data."""


@dataclass
class PngLayout:
    width: int
    height: int
    depth: int
    color: int
    interlaced: bool
    palette: bytes = b""
    trns: bytes | None = None
    exif: bytes | None = None
    idat: list[tuple[int, int]] = field(default_factory=list)  # (offset, length) in the file

    @property
    def bits(self) -> int:
        return self.depth * _CHANNELS[self.color]

    @property
    def row_bytes(self) -> int:
        return (self.width * self.bits + 7) // 8

    @property
    def streamable(self) -> bool:
        if self.interlaced or self.color not in _CHANNELS or not self.idat:
            return False
        if self.depth < 8:
            return self.color in (0, 3)
        return self.bits in _RAW_MODES

    def orientation(self) -> int:
        if not self.exif:
            return 1
        try:
            exif = Image.Exif()
            exif.load(self.exif)
            value = int(exif.get(0x0112, 1))
        except Exception:  # damaged EXIF: upright
            return 1
        return value if 1 <= value <= 8 else 1


def parse(data: bytes) -> PngLayout | None:
    """Chunk layout of a PNG (no pixel data read), or None if `data` is not one."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 33:
        return None
    layout: PngLayout | None = None
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        start, end = pos + 8, pos + 8 + length
        if end > len(data):
            break  # truncated: the inflater reports it if rows are missing
        if kind == b"IHDR" and length >= 13:
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data[start:start + 13])
            layout = PngLayout(w, h, depth, color, interlace != 0)
        elif layout is None:
            return None
        elif kind == b"PLTE":
            layout.palette = data[start:end]
        elif kind == b"tRNS":
            layout.trns = data[start:end]
        elif kind == b"eXIf":
            layout.exif = data[start:end]
        elif kind == b"IDAT":
            layout.idat.append((start, length))
        elif kind == b"IEND":
            break
        pos = end + 4  # skip the CRC
    return layout


class _Rows:
    """Filtered rows (filter byte + row bytes) of the IDAT stream, inflated on demand."""

    def __init__(self, data: bytes, layout: PngLayout):
        self.stride = layout.row_bytes + 1
        self._pieces = self._compressed(data, layout)
        self._inflater = zlib.decompressobj()
        self._tail = b""
        self._buf = bytearray()

    @staticmethod
    def _compressed(data: bytes, layout: PngLayout) -> Iterator[bytes]:
        view = memoryview(data)
        for offset, length in layout.idat:
            for start in range(offset, offset + length, _IN_CHUNK):
                yield bytes(view[start:min(offset + length, start + _IN_CHUNK)])

    def read(self, rows: int) -> bytes:
        want = rows * self.stride
        while len(self._buf) < want:
            if not self._tail:
                self._tail = next(self._pieces, b"")
                if not self._tail:
                    raise PngError("the image data ends early (truncated file)")
            try:
                self._buf += self._inflater.decompress(self._tail, want - len(self._buf))
            except zlib.error as exc:
                raise PngError("damaged image data") from exc
            self._tail = self._inflater.unconsumed_tail
        out = bytes(self._buf[:want])
        del self._buf[:want]
        return out


def _unfilter(layout: PngLayout, raw: bytes, seed: bytes | None) -> tuple[np.ndarray, bytes]:
    """Raw (unfiltered) bytes of a band, and its last row as the next band's seed."""
    stride = layout.row_bytes + 1
    rows = len(raw) // stride
    if seed is not None:  # a "None"-filtered copy of the previous row: what Up/Avg/Paeth refer to
        raw = b"\x00" + seed + raw
        rows += 1
    if layout.depth < 8:
        mode, rawmode, width = "L", "L", layout.row_bytes
    else:
        mode, rawmode = _RAW_MODES[layout.bits]
        width = layout.width
    try:
        band = np.asarray(Image.frombytes(mode, (width, rows), zlib.compress(raw, 0), "zip", rawmode))
    except (ValueError, OSError) as exc:
        raise PngError("damaged image data (bad row filter)") from exc
    last = band[-1].tobytes()
    return (band[1:] if seed is not None else band), last


def _samples(layout: PngLayout, band: np.ndarray) -> np.ndarray:
    """Sub-byte gray or palette samples → one uint8 value (0 … 2^depth-1) per pixel."""
    bits = layout.depth
    shifts = np.arange(8 - bits, -1, -bits, dtype=np.uint8)
    vals = (band[:, :, None] >> shifts) & ((1 << bits) - 1)
    return vals.reshape(band.shape[0], -1)[:, :layout.width]


def _over_white(color: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """color·a + white·(1-a) as 255 - (255-color)·a/255, in OpenCV's uint8 arithmetic (fast, rounded)."""
    ink = cv2.bitwise_not(np.ascontiguousarray(color))
    alpha = np.ascontiguousarray(alpha)
    if ink.ndim == 3:
        alpha = cv2.merge([alpha] * ink.shape[2])
    return cv2.bitwise_not(cv2.multiply(ink, alpha, scale=1.0 / 255.0))


def _pixels(layout: PngLayout, band: np.ndarray) -> np.ndarray:
    """A band's raw bytes → gray (H×W) or BGR (H×W×3) uint8, transparency onto white."""
    color, depth, trns = layout.color, layout.depth, layout.trns
    if color == 3:
        index = _samples(layout, band) if depth < 8 else band
        pal = np.zeros((256, 3), np.uint8)
        entries = np.frombuffer(layout.palette[:768], np.uint8)
        pal[:len(entries) // 3] = entries[:len(entries) // 3 * 3].reshape(-1, 3)
        rgb = pal[index]
        if trns:
            lut = np.full(256, 255, np.uint8)
            lut[:min(len(trns), 256)] = np.frombuffer(trns[:256], np.uint8)
            rgb = _over_white(rgb, lut[index])
        return rgb[:, :, ::-1]
    if color == 0:
        if depth < 8:
            raw = _samples(layout, band)
            gray = raw * np.uint8(255 // ((1 << depth) - 1))
        elif depth == 8:
            raw = gray = band
        else:  # 16-bit, stored as (hi, lo) pairs in an LA band
            raw = band[:, :, 0].astype(np.uint16) << 8 | band[:, :, 1]
            gray = band[:, :, 0]
        if trns and len(trns) >= 2:
            key = struct.unpack(">H", trns[:2])[0]
            return _over_white(gray, np.where(raw == key, 0, 255).astype(np.uint8))
        return gray
    if color == 4:  # gray + alpha (8-bit in an LA band, 16-bit as hi/lo pairs in an RGBA band)
        gray, alpha = (band[:, :, 0], band[:, :, 1]) if depth == 8 else (band[:, :, 0], band[:, :, 2])
        return _over_white(gray, alpha)
    if color == 2:
        if trns and len(trns) >= 6:
            key = np.array(struct.unpack(">HHH", trns[:6]), np.uint16)
            alpha = np.where((band == key.astype(np.uint8)).all(axis=2) & (key <= 255).all(), 0, 255)
            return _over_white(band, alpha.astype(np.uint8))[:, :, ::-1]
        return band[:, :, ::-1]
    return _over_white(band[:, :, :3], band[:, :, 3])[:, :, ::-1]  # RGBA


def exif_upright(img: np.ndarray, orientation: int) -> np.ndarray:
    """The pixels turned as EXIF orientation 1-8 says (what OpenCV's decoder does)."""
    ops = {2: lambda a: cv2.flip(a, 1), 3: lambda a: cv2.rotate(a, cv2.ROTATE_180), 4: lambda a: cv2.flip(a, 0),
           5: cv2.transpose, 6: lambda a: cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE),
           7: lambda a: cv2.rotate(cv2.transpose(a), cv2.ROTATE_180),
           8: lambda a: cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE)}
    return ops[orientation](img) if orientation in ops else img


def _area_table(size: int, out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """OpenCV's INTER_AREA weights along one axis (computeResizeAreaTab): for each entry the
    output row, the input row and its weight, in OpenCV's order; and each output row's last
    input row."""
    scale = 1.0 / (out / size)
    dst: list[int] = []
    src: list[int] = []
    weight: list[float] = []
    for d in range(out):
        f1 = d * scale
        f2 = f1 + scale
        cell = min(scale, size - f1)
        s2 = min(math.floor(f2), size - 1)
        s1 = min(math.ceil(f1), s2)
        entries = [(s1 - 1, (s1 - f1) / cell)] if s1 - f1 > 1e-3 else []
        entries += [(i, 1.0 / cell) for i in range(s1, s2)]
        if f2 - s2 > 1e-3:
            entries.append((s2, min(min(f2 - s2, 1.0), cell) / cell))
        for i, w in entries:
            dst.append(d)
            src.append(i)
            weight.append(w)
    d_arr, s_arr = np.array(dst, np.int64), np.array(src, np.int64)
    last = np.full(out, -1, np.int64)
    np.maximum.at(last, d_arr, s_arr)
    return d_arr, s_arr, np.array(weight, np.float32), last


def _sum_down(band: np.ndarray, s0: int, out_w: int, table: tuple[np.ndarray, ...],
              carry: tuple[int, np.ndarray] | None) -> tuple[np.ndarray, int, tuple[int, np.ndarray] | None]:
    """One band of input rows (from row `s0`) averaged across by OpenCV in float and summed
    down into its output rows with `_area_table`'s weights, in OpenCV's order. Returns the
    output rows it completes, the first one's index, and the row left open for the next
    band (with its partial sums) or None."""
    dst, src, weight, last = table
    s1 = s0 + len(band)
    across = cv2.resize(band.astype(np.float32), (out_w, len(band)), interpolation=cv2.INTER_AREA)
    if across.ndim == 2:
        across = across[:, :, None]
    i0, i1 = np.searchsorted(src, s0, "left"), np.searchsorted(src, s1, "left")
    d, first = dst[i0:i1], int(dst[i0])
    sums = np.zeros((int(d[-1]) - first + 1, out_w, across.shape[2]), np.float32)
    if carry is not None:
        sums[carry[0] - first] = carry[1]
    # Each output row's entries in OpenCV's order: its first in the band, second, third.
    rank = np.arange(i1 - i0) - np.searchsorted(d, d, "left")
    for k in range(int(rank.max()) + 1):
        pick = np.flatnonzero(rank == k)
        sums[d[pick] - first] += across[src[i0 + pick] - s0] * weight[i0 + pick, None, None]
    done = int(np.searchsorted(last, s1, "left"))  # output rows whose last input row is in
    rows = np.clip(np.rint(sums[:done - first]), 0, 255).astype(np.uint8)
    return (rows[:, :, 0] if band.ndim == 2 else rows), first, \
        ((done, sums[done - first]) if done <= int(d[-1]) else None)


def fit_in_bands(next_band: Callable[[int], np.ndarray], height: int, row_bytes: int, out_w: int,
                 out_h: int) -> np.ndarray:
    """An image `height` rows tall, handed out a band at a time by `next_band(rows)`,
    area-averaged to out_w × out_h: the same pixels as one `cv2.resize(INTER_AREA)` of the
    whole image (`_sum_down`), while the full-size image never has to exist at once, or its
    rows can be let go as they pass. Bands already at the output size pass as they are."""
    per_band = max(1, AREA_BAND_BYTES // row_bytes)  # input rows per band
    table: tuple[np.ndarray, ...] | None = None
    out: np.ndarray | None = None
    carry: tuple[int, np.ndarray] | None = None  # (output row, its partial sums) left open
    for s0 in range(0, height, per_band):
        band = next_band(min(height, s0 + per_band) - s0)
        if out_h == height and band.shape[1] == out_w:
            rows, lo = band, s0
        else:
            table = table or _area_table(height, out_h)
            rows, lo, carry = _sum_down(band, s0, out_w, table, carry)
        if out is None:
            out = np.empty((out_h, out_w, *rows.shape[2:]), np.uint8)
        out[lo:lo + len(rows)] = rows
        del band, rows
    assert out is not None
    return out


def _fit_bands(layout: PngLayout, rows: _Rows, out_w: int, out_h: int) -> np.ndarray:
    """The PNG's rows unfiltered band by band, each averaged into its output rows."""
    seed: bytes | None = None

    def next_band(n: int) -> np.ndarray:
        nonlocal seed
        band, seed = _unfilter(layout, rows.read(n), seed)
        return _pixels(layout, band)

    return fit_in_bands(next_band, layout.height, rows.stride, out_w, out_h)


def decode_png(data: bytes, scale: float, layout: PngLayout | None = None) -> tuple[np.ndarray, tuple[int, int]] | None:
    """(BGR image area-averaged to `scale` × the full size, upright (width, height) of the
    full image), or None when this PNG cannot be streamed. Raises PngError if damaged."""
    layout = layout or parse(data)
    if layout is None or not layout.streamable or layout.width < 1 or layout.height < 1:
        return None
    w, h = layout.width, layout.height
    out_w, out_h = max(1, int(w * scale)), max(1, int(h * scale))  # floor: never over the cap
    rows = _Rows(data, layout)
    k = int(1.0 / scale) if scale <= 0.5 else 1
    if k > 1 and w >= k and h >= k:
        # Whole k×k blocks first (OpenCV's fast integer area path), then the fractional rest
        # on an image at most (k+1)²/k² ≤ 2.25× the work size.
        inner_w, inner_h = w // k, h // k
        per_band = max(k, BAND_BYTES // rows.stride // k * k)
        inner: np.ndarray | None = None
        seed: bytes | None = None
        for y in range(0, inner_h * k, per_band):
            n = min(per_band, inner_h * k - y)
            band, seed = _unfilter(layout, rows.read(n), seed)
            small = cv2.resize(_pixels(layout, band)[:, :inner_w * k], (inner_w, n // k), interpolation=cv2.INTER_AREA)
            if inner is None:
                inner = np.empty((inner_h, inner_w, *small.shape[2:]), np.uint8)
            inner[y // k:y // k + n // k] = small
            del band, small
        assert inner is not None
        out = cv2.resize(inner, (out_w, out_h), interpolation=cv2.INTER_AREA)
        del inner
    else:
        out = _fit_bands(layout, rows, out_w, out_h)
    assert out is not None
    if out.ndim == 2:
        out = cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)
    orientation = layout.orientation()
    full = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    return np.ascontiguousarray(exif_upright(out, orientation)), full


def fits(width: int, height: int, max_pixels: int, max_side: int) -> float:
    """The scale that brings (width, height) within the pixel and side caps (≤ 1)."""
    return min(1.0, math.sqrt(max_pixels / float(width * height)), max_side / max(width, height))

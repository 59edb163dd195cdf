"""Seeded fuzzing of the decoder and the engine with random and mutated image bytes.

Contract under test: `load.decode` either returns a sane LoadedImage or raises
ImageLoadError; `Engine.run` never raises and returns either a valid result or one with
`.error` set. Every case is reproducible from (seed, index) printed on failure.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from ocr_app.engine.load import MAX_SIDE, MAX_WORK_PIXELS, ImageLoadError, LoadedImage, decode
from tests.imagegen import render_lines, to_bytes

# Pillow warns about the corrupt EXIF/TIFF tags we feed it on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")

SEED = 20241126
DECODE_CASES = 600
ENGINE_CASES = 150


def _seeds() -> list[bytes]:
    """Small valid files of every format we accept, each carrying text. Near-square, because
    the detector upsizes the short side: a wide strip would cost several times more."""
    img = render_lines(["FUZZ 42", "测试 7"], size=24, margin=12)
    frames = [img, render_lines(["NEXT"], size=24, margin=12)]
    exif = Image.Exif()
    exif[0x0112] = 6
    return [
        to_bytes(img, "PNG"),
        to_bytes(img.convert("P"), "PNG", transparency=3),
        to_bytes(img.convert("LA"), "PNG"),
        to_bytes(img, "JPEG", quality=80),
        to_bytes(img, "JPEG", quality=80, progressive=True, exif=exif.tobytes()),
        to_bytes(img.convert("CMYK"), "JPEG"),
        to_bytes(img, "GIF", save_all=True, append_images=frames[1:]),
        to_bytes(img, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw"),
        to_bytes(img, "BMP"),
        to_bytes(img, "WEBP", quality=80),
    ]


def _flip_bits(rng: np.random.Generator, data: bytes, _seeds: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(int(rng.integers(1, 24))):
        pos = int(rng.integers(0, len(buf)))
        buf[pos] ^= 1 << int(rng.integers(0, 8))
    return bytes(buf)


def _flip_header(rng: np.random.Generator, data: bytes, _seeds: list[bytes]) -> bytes:
    """Bit flips concentrated in the first 64 bytes, where sizes and modes live."""
    buf = bytearray(data)
    for _ in range(int(rng.integers(1, 6))):
        pos = int(rng.integers(0, min(64, len(buf))))
        buf[pos] ^= 1 << int(rng.integers(0, 8))
    return bytes(buf)


def _truncate(rng: np.random.Generator, data: bytes, _seeds: list[bytes]) -> bytes:
    return data[: int(rng.integers(0, len(data)))]


def _splice(rng: np.random.Generator, data: bytes, seeds: list[bytes]) -> bytes:
    other = seeds[int(rng.integers(0, len(seeds)))]
    return data[: int(rng.integers(0, len(data)))] + other[int(rng.integers(0, len(other))):]


def _overwrite_run(rng: np.random.Generator, data: bytes, _seeds: list[bytes]) -> bytes:
    buf = bytearray(data)
    start = int(rng.integers(0, len(buf)))
    length = int(rng.integers(1, 256))
    buf[start:start + length] = rng.bytes(min(length, len(buf) - start))
    return bytes(buf)


def _insert_delete(rng: np.random.Generator, data: bytes, _seeds: list[bytes]) -> bytes:
    pos = int(rng.integers(0, len(data)))
    if rng.random() < 0.5:
        return data[:pos] + rng.bytes(int(rng.integers(1, 64))) + data[pos:]
    return data[:pos] + data[pos + int(rng.integers(1, 64)):]


def _png_resize_header(rng: np.random.Generator, _data: bytes, seeds: list[bytes]) -> bytes:
    """A PNG whose IHDR claims another size (with a valid CRC, so only the size lies)."""
    png = seeds[0]
    width = int(rng.choice([0, 1, 7, 4000, 65_535, 1 << 20, 2**31 - 1]))
    height = int(rng.choice([0, 1, 9, 3000, 11_000, 1 << 16, 2**31 - 1]))
    body = struct.pack(">II", width, height) + png[24:29]
    ihdr = b"IHDR" + body
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


def _random_bytes(rng: np.random.Generator, _data: bytes, _seeds: list[bytes]) -> bytes:
    return rng.bytes(int(rng.integers(0, 4096)))


def _magic_then_noise(rng: np.random.Generator, data: bytes, _seeds: list[bytes]) -> bytes:
    return data[: int(rng.integers(2, 40))] + rng.bytes(int(rng.integers(0, 2048)))


MUTATORS: list[Callable[[np.random.Generator, bytes, list[bytes]], bytes]] = [
    _flip_bits, _flip_header, _truncate, _splice, _overwrite_run, _insert_delete,
    _png_resize_header, _random_bytes, _magic_then_noise,
]


def fuzz_cases(seed: int, count: int) -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(seed)
    seeds = _seeds()
    cases = []
    for i in range(count):
        mutate = MUTATORS[i % len(MUTATORS)]
        data = mutate(rng, seeds[int(rng.integers(0, len(seeds)))], seeds)
        cases.append((f"seed={seed} case={i} {mutate.__name__}", data))
    return cases


@pytest.fixture(scope="module")
def decode_cases() -> list[tuple[str, bytes]]:
    return fuzz_cases(SEED, DECODE_CASES)


def _check_loaded(loaded: LoadedImage, label: str) -> None:
    img = loaded.image
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8, label
    assert img.ndim == 3 and img.shape[2] == 3 and img.shape[0] >= 1 and img.shape[1] >= 1, (label, img.shape)
    assert img.flags["C_CONTIGUOUS"], label
    assert img.shape[0] * img.shape[1] <= MAX_WORK_PIXELS * 1.01 and max(img.shape[:2]) <= MAX_SIDE, label
    assert 0 < loaded.scale <= 1.0, label
    assert min(loaded.original_size) >= 1, label


@pytest.mark.timeout(300)
def test_decode_never_raises_anything_but_image_load_error(decode_cases):
    outcomes = {"ok": 0, "error": 0}
    for label, data in decode_cases:
        try:
            loaded = decode(data)
        except ImageLoadError as exc:
            assert str(exc), label
            outcomes["error"] += 1
            continue
        except Exception as exc:  # the bug this test exists to find
            pytest.fail(f"{label}: decode raised {type(exc).__name__}: {exc}")
        _check_loaded(loaded, label)
        outcomes["ok"] += 1
    # The corpus must exercise both paths, or the mutators have stopped doing their job.
    assert outcomes["ok"] >= 30 and outcomes["error"] >= 100, outcomes


def test_fuzz_cases_are_reproducible():
    assert fuzz_cases(SEED, 40) == fuzz_cases(SEED, 40)
    assert fuzz_cases(SEED, 40) != fuzz_cases(SEED + 1, 40)


@pytest.mark.timeout(600)
def test_engine_run_returns_result_or_error_for_fuzzed_bytes(engine):
    ok = 0
    for i, (label, data) in enumerate(fuzz_cases(SEED + 1, ENGINE_CASES)):
        try:
            res = engine.run(data, name="fuzz.bin", use_cache=False)
        except Exception as exc:
            pytest.fail(f"{label}: engine.run raised {type(exc).__name__}: {exc}")
        if i % 4 == 0:  # every 4th case also asks for the previews, as the window does
            try:
                engine.preview(data)
            except ImageLoadError as exc:
                assert res.error is not None and exc.kind == res.error_kind, label
            except Exception as exc:
                pytest.fail(f"{label}: preview raised {type(exc).__name__}: {exc}")
        if res.error is not None:
            assert res.error_kind is not None, label
        if res.error is not None:
            assert isinstance(res.error, str) and res.error and res.lines == [], label
            continue
        ok += 1
        assert min(res.image_size) >= 1, label
        for line in res.lines:
            box = np.asarray(line.box, dtype=np.float64)
            assert box.shape == (4, 2) and np.isfinite(box).all(), label
            assert 0.0 <= line.confidence <= 1.0 and line.text.strip(), label
            assert len(line.char_confidences) == len(line.text), label
        res.to_dict()  # serialisable result
    assert ok >= 10, ok


@pytest.mark.timeout(300)
def test_engine_run_on_fuzzed_arrays(engine):
    """Random arrays of any shape/dtype the API accepts: result or error, never a raise."""
    rng = np.random.default_rng(SEED + 2)
    dtypes = [np.uint8, np.uint16, np.int32, np.float32, np.float64, np.bool_, np.int8]
    for i in range(60):
        ndim = int(rng.integers(1, 5))
        shape = tuple(int(rng.integers(0, 64)) for _ in range(ndim))
        dtype = dtypes[i % len(dtypes)]
        arr = (rng.random(shape) * 300 - 20).astype(dtype)
        try:
            res = engine.run(arr, use_cache=False)
        except Exception as exc:
            pytest.fail(f"case {i} shape={shape} dtype={np.dtype(dtype)}: {type(exc).__name__}: {exc}")
        assert res.error is not None or min(res.image_size) >= 1

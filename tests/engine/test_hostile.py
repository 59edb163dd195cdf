"""Hostile and odd inputs: each gets a clear per-item error or a correct result, never a crash.

The corpus is generated at test time (no binary fixtures in the repo). Every input goes
through the real shared engine; bad ones must come back with `result.error` set to a
user-facing reason, odd-but-valid ones with the text that was drawn on them.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr_app.engine.load import ImageLoadError
from tests.imagegen import cer, font, render_lines, save, to_bytes

TEXT = ["HOSTILE INPUT 2024", "Total 38.90"]
JOINED = "\n".join(TEXT)


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of any size whose IDAT is all zeros: a few KB on disk, huge decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\0" * (1 + (width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def exif_rotated_jpeg(upright: Image.Image, orientation: int) -> bytes:
    """JPEG whose stored pixels are rotated and whose EXIF Orientation says how to undo it."""
    stored = {3: upright.rotate(180), 6: upright.rotate(90, expand=True), 8: upright.rotate(270, expand=True)}[
        orientation
    ]
    exif = Image.Exif()
    exif[0x0112] = orientation
    return to_bytes(stored, "JPEG", quality=95, exif=exif.tobytes())


def sixteen_bit_png(img: Image.Image) -> bytes:
    gray16 = np.asarray(img.convert("L")).astype(np.uint16) * 257
    ok, buf = cv2.imencode(".png", gray16)
    assert ok
    return buf.tobytes()


@pytest.fixture(scope="session")
def text_img() -> Image.Image:
    return render_lines(TEXT)


@pytest.fixture(scope="session")
def bad_corpus(tmp_path_factory, text_img) -> dict[str, tuple[Path, str]]:
    """name → (path, substring the error must contain)."""
    root = tmp_path_factory.mktemp("hostile bad")
    png, jpg = to_bytes(text_img), to_bytes(text_img, "JPEG")
    files = {
        "zero.png": (b"", "empty file"),
        "truncated.jpg": (jpg[: len(jpg) // 2], "damaged or truncated"),
        "truncated.png": (png[: len(png) // 2], "damaged or truncated"),
        "header-only.png": (png[:40], "looks like PNG"),
        "text renamed.png": (b"This is a plain text file, not a picture.\n" * 10, "not an image"),
        "random.jpg": (np.random.default_rng(7).bytes(20_000), "not an image"),
        "bomb.png": (png_bomb(20_000, 20_000), "too large"),
        "wide bomb.png": (png_bomb(200_000, 1_000), "too large"),
    }
    out = {}
    for name, (data, expected) in files.items():
        path = root / name
        path.write_bytes(data)
        out[name] = (path, expected)
    sparse = root / "huge sparse.png"  # 300 MB on paper, no disk used: refused from its size
    with sparse.open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)
    out["huge sparse.png"] = (sparse, "file too large")
    loop = root / "loop.png"
    loop.symlink_to(loop)
    out["loop.png"] = (loop, "cannot open")
    folder = root / "folder.png"
    folder.mkdir()
    out["folder.png"] = (folder, "folder")
    out["missing.png"] = (root / "missing.png", "cannot open")
    return out


def test_bad_inputs_get_clear_errors(engine, bad_corpus):
    for name, (path, expected) in bad_corpus.items():
        res = engine.run(path, use_cache=False)
        assert res.error is not None, f"{name}: expected an error, got text {res.text!r}"
        assert expected in res.error, f"{name}: {res.error!r}"
        assert res.source == path.name
        assert res.lines == []
        assert res.to_dict()["error"] == res.error


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_bomb_refused_from_header_without_decoding():
    """The bomb is refused before any pixel is decoded: decode() raises, and the
    error names the limit instead of running out of memory."""
    from ocr_app.engine.load import ImageLoadError, decode

    with pytest.raises(ImageLoadError, match="too large to open safely"):
        decode(png_bomb(20_000, 20_000))
    # Just above our own limit but below Pillow's bomb threshold: refused by our header check.
    with pytest.raises(ImageLoadError, match=r"12000×11000 pixels"):
        decode(png_bomb(12_000, 11_000))


def test_truncated_png_header_read_without_decoding(bad_corpus, text_img):
    """The size check must come from the header alone: reading it may not decode pixels
    (Pillow's PNG getexif() would). A truncated PNG therefore fails in the pixel decode,
    with the plain 'damaged' message, not the 'header unreadable' one."""
    from unittest import mock

    from PIL import PngImagePlugin

    from ocr_app.engine.load import _header, decode

    with mock.patch.object(PngImagePlugin.PngImageFile, "load", side_effect=AssertionError("pixels decoded")):
        assert _header(to_bytes(text_img))[0] == text_img.size
    path, _ = bad_corpus["truncated.png"]
    with pytest.raises(ImageLoadError) as info:
        decode(path.read_bytes())
    assert str(info.value) == "damaged or truncated image"


def test_batch_carries_on_past_bad_items(engine, bad_corpus, tmp_path, text_img):
    good = save(text_img, tmp_path / "good.png")
    batch = [p for p, _ in bad_corpus.values()]
    batch.insert(len(batch) // 2, good)
    batch.append(good)
    results = [engine.run(p) for p in batch]
    assert len(results) == len(batch)
    good_results = [r for p, r in zip(batch, results, strict=True) if p == good]
    assert [r.ok for r in good_results] == [True, True]
    assert all(cer(JOINED, r.text) < 0.1 for r in good_results), [r.text for r in good_results]
    assert sum(not r.ok for r in results) == len(bad_corpus)


def _rgba_text(img: Image.Image) -> bytes:
    """Dark text on a fully transparent background (typical of exported graphics)."""
    gray = np.asarray(img.convert("L"))
    rgba = np.zeros((*gray.shape, 4), np.uint8)
    rgba[..., 3] = 255 - gray  # ink opaque, paper transparent
    return to_bytes(Image.fromarray(rgba, "RGBA"))


def _palette_transparent_paper(img: Image.Image) -> bytes:
    """Palette PNG whose paper colour index is the transparent one (tRNS chunk)."""
    pal = img.convert("P")
    data = to_bytes(pal, transparency=pal.getpixel((0, 0)))
    assert Image.open(io.BytesIO(data)).info.get("transparency") is not None
    return data


def _animated_gif() -> bytes:
    frames = [render_lines(TEXT), render_lines(["SECOND FRAME ONLY"]), render_lines(["THIRD"])]
    return to_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)


def _multipage_tiff() -> bytes:
    pages = [render_lines(TEXT), render_lines(["PAGE TWO TEXT"])]
    return to_bytes(pages[0], "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")


VARIANTS = {
    "png16.png": lambda img: sixteen_bit_png(img),
    "cmyk.jpg": lambda img: to_bytes(img.convert("CMYK"), "JPEG", quality=95),
    "gray-alpha.png": lambda img: to_bytes(img.convert("LA")),
    "palette.png": lambda img: to_bytes(img.convert("P")),
    "palette-transparent.png": lambda img: _palette_transparent_paper(img),
    "rgba-transparent-bg.png": _rgba_text,
    "animated.gif": lambda img: _animated_gif(),
    "multipage.tif": lambda img: _multipage_tiff(),
    "exif-3.jpg": lambda img: exif_rotated_jpeg(img, 3),
    "exif-6.jpg": lambda img: exif_rotated_jpeg(img, 6),
    "exif-8.jpg": lambda img: exif_rotated_jpeg(img, 8),
    "grayscale.bmp": lambda img: to_bytes(img.convert("L"), "BMP"),
    "lossless.webp": lambda img: to_bytes(img, "WEBP", lossless=True),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_odd_but_valid_encodings_give_text(engine, tmp_path, text_img, name):
    """Each encoding decodes to the drawn text; GIF/TIFF give the first frame/page,
    EXIF-rotated JPEGs come out upright."""
    path = tmp_path / name
    path.write_bytes(VARIANTS[name](text_img))
    res = engine.run(path, use_cache=False)
    assert res.error is None, res.error
    assert cer(JOINED, res.text) < 0.1, f"{name}: {res.text!r}"
    assert res.image_size == text_img.size  # EXIF rotation undone, first frame's size


def test_exif_rotation_box_coordinates_are_upright(engine, text_img):
    """Boxes refer to the upright image: the first line is near the top-left, wider than tall."""
    res = engine.run(exif_rotated_jpeg(text_img, 6), use_cache=False)
    assert res.ok and res.lines
    box = np.array(res.lines[0].box)
    width, height = np.ptp(box[:, 0]), np.ptp(box[:, 1])
    assert width > 3 * height
    assert box[:, 1].max() < text_img.height / 2


@pytest.mark.parametrize("size", [(1, 1), (3, 5000), (5000, 3), (2, 2)])
def test_tiny_and_sliver_images_are_empty_not_errors(engine, size):
    data = to_bytes(Image.new("RGB", size, "white"))
    res = engine.run(data, use_cache=False)
    assert res.error is None
    assert res.lines == []
    assert res.image_size == size
    shown = engine.preview(data)
    assert shown and all(img.shape[:2] == (size[1], size[0]) for img in shown.values())


def test_image_without_text_is_empty_result(engine):
    """A photo-like picture (gradient sky, soft blurred blobs) and nothing to read."""
    sky = np.asarray(Image.linear_gradient("L").resize((900, 600)).convert("RGB")).astype(np.float32)
    blobs = np.zeros_like(sky)
    rng = np.random.default_rng(3)
    for _ in range(6):
        x, y, r = int(rng.integers(100, 800)), int(rng.integers(100, 500)), int(rng.integers(40, 120))
        cv2.circle(blobs, (x, y), r, tuple(float(c) for c in rng.integers(40, 200, 3)), -1)
    img = np.clip(sky * 0.6 + cv2.GaussianBlur(blobs, (0, 0), 25), 0, 255).astype(np.uint8)
    res = engine.run(img, name="no-text.png", use_cache=False)
    assert res.error is None
    assert res.text == ""
    assert engine.run(to_bytes(Image.new("RGB", (640, 480), "white")), use_cache=False).lines == []


def test_large_legit_image_is_downscaled_not_refused(engine):
    """9000×7000 is big but real (a 600 dpi scan): OCR it at reduced size, report boxes
    in the original pixel coordinates."""
    img = Image.new("L", (9000, 7000), 255)
    ImageDraw.Draw(img).text((600, 3000), "LARGE SCAN 9000 PIXELS", font=font(size=200), fill=0)
    res = engine.run(to_bytes(img, "PNG", compress_level=1), name="big.png", use_cache=False)
    assert res.error is None, res.error
    assert cer("LARGE SCAN 9000 PIXELS", res.text) < 0.1, res.text
    assert res.image_size == (9000, 7000)
    box = np.array(res.lines[0].box)
    assert 400 < box[:, 0].min() < 800 and 2800 < box[:, 1].min() < 3200  # original coordinates


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_huge_exif_rotated_jpeg(engine):
    """A 96 MP phone photo stored sideways (EXIF 6): decoded at reduced scale by libjpeg,
    text upright, size and boxes reported in the upright original's pixels."""
    upright = Image.new("L", (12000, 8000), 255)
    ImageDraw.Draw(upright).text((1000, 1000), "BIG ROTATED PHOTO", font=font(size=260), fill=0)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = to_bytes(upright.rotate(90, expand=True), "JPEG", quality=85, exif=exif.tobytes())
    del upright
    res = engine.run(data, name="phone.jpg", use_cache=False)
    assert res.error is None, res.error
    assert res.image_size == (12000, 8000)
    assert cer("BIG ROTATED PHOTO", res.text) < 0.1, res.text
    box = np.array(res.lines[0].box)
    assert 850 < box[:, 0].min() < 1150 and 900 < box[:, 1].min() < 1200, box


def _decode_traced(data: bytes):
    """decode(data) and the peak of the NumPy allocations it made (tracemalloc traces
    NumPy's buffers, not OpenCV's or Pillow's own)."""
    import tracemalloc

    from ocr_app.engine.load import decode

    tracemalloc.start()
    try:
        loaded = decode(data)
        return loaded, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _one_line_scan(size: tuple[int, int], text: str, at: tuple[int, int], font_size: int, fmt: str,
                   **save) -> bytes:
    """A huge white gray-scale page with one dark line of text, encoded; the page itself
    is freed before decoding, so only the decoder's memory is traced."""
    page = Image.new("L", size, 255)
    ImageDraw.Draw(page).text(at, text, font=font(size=font_size), fill=0)
    return to_bytes(page, fmt, **save)


def test_large_transparent_png_is_downscaled_before_compositing():
    """A 24 MP gray+alpha PNG: downscaled in Pillow first, so the float compositing works on
    the 16 MP work image. numpy allocations are traced by tracemalloc; compositing at full
    size (the old path) peaked at ~1.2 GB here, the lean path at ~0.2 GB."""
    from ocr_app.engine.load import MAX_WORK_PIXELS

    img = Image.new("LA", (6000, 4000), (0, 0))
    ImageDraw.Draw(img).text((500, 500), "TRANSPARENT", font=font(size=200), fill=(0, 255))
    data = to_bytes(img, "PNG", compress_level=1)
    del img
    loaded, peak = _decode_traced(data)
    assert peak < 450 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert loaded.original_size == (6000, 4000)
    h, w = loaded.image.shape[:2]
    assert h * w <= MAX_WORK_PIXELS
    ys, xs = np.nonzero(loaded.image[:, :, 0] < 128)  # ink composited dark on white
    assert 450 < xs.min() / loaded.scale < 560 and 450 < ys.min() / loaded.scale < 600
    assert loaded.image[0, 0].tolist() == [255, 255, 255]  # transparent paper became white


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_48_mp_photo_is_decoded_at_half_size():
    """A 48 MP JPEG (a phone's full-resolution mode): libjpeg decodes it at half size, 12 MP,
    so neither a 144 MB full-size decode nor its NumPy copy is ever made."""
    loaded, peak = _decode_traced(_one_line_scan((8000, 6000), "PHONE PHOTO", (1000, 1200), 240, "JPEG", quality=85))
    assert peak < 60 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert loaded.original_size == (8000, 6000)
    assert loaded.image.shape[:2] == (3000, 4000) and loaded.scale == 0.5
    ys, xs = np.nonzero(loaded.image[:, :, 0] < 128)
    assert 980 < xs.min() / loaded.scale < 1100 and 1200 < ys.min() / loaded.scale < 1350


def _long_name(suffix: str) -> str:
    """A file name just under the 255-byte limit, mixing ASCII and 3-byte UTF-8 characters."""
    stem = "长" * 40 + " long name "
    budget = 250 - len(suffix.encode())
    while len(stem.encode()) < budget:
        stem += "x"
    return stem[: budget - len(stem.encode()) + len(stem)] + suffix


@pytest.mark.parametrize("name", ["with spaces in name.png", "中文 文件名 测试.jpg", "long"])
def test_unusual_paths(engine, tmp_path, text_img, name):
    if name == "long":
        name = _long_name(".png")
        assert 240 < len(name.encode()) <= 255
    folder = tmp_path / "目录 with space"
    path = save(text_img, folder / name)
    res = engine.run(path, use_cache=False)
    assert res.error is None, res.error
    assert res.source == name
    assert cer(JOINED, res.text) < 0.1, res.text
    # str paths behave like Path objects
    assert engine.run(str(path), use_cache=False).text == res.text


def test_name_over_filesystem_limit_is_an_error_not_a_crash(engine, tmp_path):
    res = engine.run(tmp_path / ("x" * 300 + ".png"))
    assert res.error is not None and "cannot open" in res.error


def test_path_with_nul_byte_is_an_error(engine):
    res = engine.run("bad\0name.png")
    assert res.error is not None and "cannot open" in res.error


def test_same_file_twice_gives_same_answer(engine, tmp_path, text_img):
    path = save(text_img, tmp_path / "twice.png")
    engine.cache.clear()
    first, second = engine.run(path), engine.run(path)
    assert first.ok and second.ok
    assert not first.cached and second.cached
    assert second.text == first.text and cer(JOINED, first.text) < 0.1
    assert [ln.box for ln in second.lines] == [ln.box for ln in first.lines]


def test_same_bytes_under_two_names_keep_their_own_names(engine, tmp_path, text_img):
    a = save(text_img, tmp_path / "a.png")
    b = tmp_path / "b.png"
    b.write_bytes(a.read_bytes())
    ra, rb = engine.run(a), engine.run(b)
    assert (ra.source, rb.source) == ("a.png", "b.png")
    assert ra.text == rb.text


def test_fifo_is_refused_without_blocking(engine, tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    res = engine.run(fifo)
    assert res.error is not None and "not a regular file" in res.error


def test_bad_arrays_are_errors(engine):
    for arr in (np.zeros((0, 5, 3), np.uint8), np.zeros(10, np.uint8), np.zeros((4, 4, 7), np.uint8),
                np.zeros((4, 4), complex), np.zeros((2, 2, 3, 2), np.uint8)):
        res = engine.run(arr, use_cache=False)
        assert res.error is not None, arr.shape


def test_odd_array_dtypes_are_accepted(engine, text_img):
    gray = np.asarray(text_img.convert("L"))
    for arr in (gray.astype(np.float32) / 255.0, gray.astype(np.uint16) * 257, gray.astype(np.int64),
                gray[:, :, None], gray > 128):
        res = engine.run(arr, use_cache=False)
        assert res.error is None, (arr.dtype, arr.shape, res.error)
        assert cer(JOINED, res.text) < 0.15, (arr.dtype, res.text)
    nan = gray.astype(np.float64)
    nan[0, 0] = np.nan
    assert engine.run(nan, use_cache=False).error is None


def test_unreadable_file(engine, tmp_path, text_img):
    """chmod 000 must give 'cannot read', not a crash. Root bypasses permission bits
    (CAP_DAC_OVERRIDE), so as root the file IS readable: we check that honestly here and
    test the error path in test_unreadable_file_without_dac_capabilities."""
    path = save(text_img, tmp_path / "locked.png")
    path.chmod(0)
    try:
        res = engine.run(path, use_cache=False)
    finally:
        path.chmod(0o644)
    if os.geteuid() == 0:
        assert res.error is None and cer(JOINED, res.text) < 0.1
    else:
        assert res.error is not None and "Permission denied" in res.error


def test_unreadable_file_without_dac_capabilities(tmp_path, text_img):
    """As root, run the engine in a child that dropped CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH
    (util-linux setpriv), so permission bits apply: a mode-000 file and a file inside a
    mode-000 folder give 'Permission denied' errors while the readable file in the same
    batch is still recognised."""
    import json
    import shutil
    import subprocess
    import sys

    if os.geteuid() != 0:
        pytest.skip("not root: test_unreadable_file already covers the error path")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and util-linux setpriv is missing: cannot make a file unreadable")
    locked = save(text_img, tmp_path / "locked.png")
    sealed = tmp_path / "sealed"
    inside = save(text_img, sealed / "inside.png")
    readable = save(text_img, tmp_path / "open.png")
    script = (
        "import json, sys\n"
        "from ocr_app.engine import Engine, EngineConfig\n"
        "e = Engine(EngineConfig(threads=1))\n"
        "print(json.dumps([[r.error, r.text] for r in (e.run(p) for p in sys.argv[1:])]))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    locked.chmod(0)
    sealed.chmod(0)
    try:
        proc = subprocess.run(
            [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps=-all",
             sys.executable, "-c", script, str(locked), str(inside), str(readable)],
            cwd=repo, capture_output=True, text=True, timeout=180,
        )
    finally:
        sealed.chmod(0o755)
        locked.chmod(0o644)
    if proc.returncode != 0 and "setpriv" in proc.stderr:
        pytest.skip(f"cannot drop capabilities here: {proc.stderr.strip()[-200:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (locked_err, _), (inside_err, _), (open_err, open_text) = json.loads(proc.stdout.strip().splitlines()[-1])
    assert locked_err and "Permission denied" in locked_err
    assert inside_err and "Permission denied" in inside_err
    assert open_err is None and cer(JOINED, open_text) < 0.1


def test_decode_api_on_bytes_like(text_img):
    """`load` accepts bytes, bytearray and memoryview alike."""
    from ocr_app.engine.load import load

    data = to_bytes(text_img)
    shapes = {load(x).image.shape for x in (data, bytearray(data), memoryview(data), io.BytesIO(data).getvalue())}
    assert shapes == {(text_img.height, text_img.width, 3)}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_huge_png_is_halved_while_decoding():
    """A 66 MP PNG scan: OpenCV halves it inside the decoder, so the copy its Python binding
    hands to NumPy is a quarter of the full page (traced NumPy peak ~200 MB before)."""
    from ocr_app.engine.load import MAX_WORK_PIXELS

    loaded, peak = _decode_traced(_one_line_scan((8200, 8000), "HUGE SCAN", (800, 900), 300, "PNG", compress_level=1))
    assert peak < 130 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert loaded.original_size == (8200, 8000)
    h, w = loaded.image.shape[:2]
    assert h * w <= MAX_WORK_PIXELS * 1.01 and abs(w / h - 8200 / 8000) < 0.01  # 1 %: rounding to whole pixels
    assert loaded.scale == pytest.approx(w / 8200, rel=1e-3)
    ys, xs = np.nonzero(loaded.image[:, :, 0] < 128)  # the ink, at its place in original pixels
    assert 780 < xs.min() / loaded.scale < 900 and 900 < ys.min() / loaded.scale < 1100

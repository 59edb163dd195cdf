"""Page dewarping (engine/dewarp.py, the optional `dewarp` pack): the grid's maps both ways,
strip-wise resampling, and a curled page photo read unbent with its boxes on the photo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_app.bench import curled_pages
from ocr_app.engine import Engine, EngineConfig, ModelError, dewarp_installed
from ocr_app.engine.dewarp import PageGrid

needs_pack = pytest.mark.skipif(not dewarp_installed(), reason="run `python main.py provision --pack dewarp` first")


def bent_grid(w: int = 400, h: int = 600, gw: int = 31, gh: int = 45) -> PageGrid:
    """A page whose rows sag in the middle and whose right edge leans, on a 500 × 700 photo."""
    u, v = np.meshgrid(np.linspace(0, 1, gw), np.linspace(0, 1, gh))
    x = 40 + u * w + 30 * v * u
    y = 50 + v * h + 25 * np.sin(np.pi * u)
    return PageGrid(np.stack([x, y]), (w, h))


def test_points_map_to_the_photo_and_back():
    grid = bent_grid()
    pts = np.array([[0, 0], [399, 599], [200, 300], [17.5, 420.25], [350, 12]], np.float32)
    on_photo = grid.to_photo(pts)
    assert np.allclose(on_photo[0], (40, 50), atol=1e-3)  # the page's corner is the first node
    assert np.allclose(on_photo[2, 1], 50 + 300 + 25, atol=1.0)  # the middle of a row sags by the bend
    assert np.abs(grid.to_page(on_photo) - pts).max() < 0.05


def test_identity_grid_gives_the_photo_back_and_strips_join_seamlessly():
    rng = np.random.default_rng(3)
    photo = rng.integers(0, 255, (700, 500, 3), np.uint8)
    u, v = np.meshgrid(np.linspace(0, 499, 31), np.linspace(0, 699, 45))
    same = PageGrid(np.stack([u, v]), (500, 700))
    assert np.abs(same.unbend(photo).astype(int) - photo).max() <= 1
    grid = bent_grid()
    whole = grid.to_photo(np.stack(np.meshgrid(np.arange(400), np.arange(600)), -1).reshape(-1, 2))
    maps = whole.reshape(600, 400, 2)
    expected = cv2.remap(photo, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    assert np.abs(grid.unbend(photo).astype(int) - expected).max() <= 1


def _photo(curl: float, seed: int) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    jpeg, lines = curled_pages.photo(curled_pages.flat_page(seed, cjk=False, receipt=False), curl, seed)
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), lines


def _order_error(result, truth: list[tuple[np.ndarray, str]]) -> float:
    from ocr_app.bench.metrics import edit_distance

    read = "".join(line.text for line in result.lines).replace(" ", "")
    want = "".join(text for _, text in truth).replace(" ", "")
    return edit_distance(read, want) / len(want)


@needs_pack
def test_a_curled_page_is_read_unbent_with_its_boxes_on_the_photo():
    photo, truth = _photo(curled_pages.CURLS["strong"], seed=2)
    plain = Engine(EngineConfig(threads=2)).run(photo, use_cache=False)
    engine = Engine(EngineConfig(threads=2, dewarp_pages=True))
    unbent = engine.run(photo, use_cache=False)
    assert engine.info()["dewarp"] is True and "dewarp" in unbent.timings
    # Bent lines no longer cross: the text in output order is far closer to the truth's.
    assert _order_error(unbent, truth) < 0.05 and _order_error(plain, truth) > 0.3
    # Every box is back on the photo, over the same text the detector boxes on the photo itself.
    h, w = photo.shape[:2]
    assert all(0 <= x <= w and 0 <= y <= h for line in unbent.lines for x, y in line.box)
    on_photo = {line.text: np.asarray(line.box) for line in plain.lines}
    same = [_iou(np.asarray(line.box), on_photo[line.text]) for line in unbent.lines if line.text in on_photo]
    assert len(same) >= 5 and np.median(same) > 0.7


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    (ax0, ay0), (ax1, ay1) = a.min(axis=0), a.max(axis=0)
    (bx0, by0), (bx1, by1) = b.min(axis=0), b.max(axis=0)
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    return inter / ((ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter)


def test_dewarping_without_the_pack_says_how_to_add_it(tmp_path, monkeypatch):
    from tests.tooling.model_dirs import int8_only

    monkeypatch.setenv("OCR_DESK_MODELS", str(int8_only(tmp_path / "models")))
    assert not dewarp_installed()
    with pytest.raises(ModelError, match=r"dewarp pack.*provision --pack dewarp"):
        Engine(EngineConfig(threads=1, dewarp_pages=True))


@needs_pack
def test_the_compare_views_flattened_stage_is_the_unbent_page_while_dewarping(tmp_path):
    from ocr_app import jobs

    photo, _ = _photo(curled_pages.CURLS["mild"], seed=2)
    path = tmp_path / "curled.png"
    cv2.imwrite(str(path), photo)
    source = jobs.Source.from_path(path)
    engine = Engine(EngineConfig(threads=2, dewarp_pages=True))
    assert Engine(EngineConfig(threads=1)).unbent(photo) is None
    unbent = engine.unbent(photo)
    plain = jobs.preview(source)
    views = jobs.preview(source, unbend=engine.unbent)
    assert np.array_equal(views["original"], plain["original"]) and np.array_equal(views["binary"], plain["binary"])
    assert np.array_equal(views["flattened"], unbent) and unbent.shape != photo.shape


def test_the_unbent_page_keeps_its_grids_shape_and_never_has_more_pixels_than_the_photo():
    from ocr_app.engine.dewarp import _page_size

    assert bent_grid().size == (400, 600)
    u, v = np.meshgrid(np.linspace(40, 440, 31), np.linspace(50, 650, 45))
    assert _page_size(np.stack([u, v]), (700, 500)) == (400, 600)  # a page inside its photo: its own size
    u, v = np.meshgrid(np.linspace(0, 3000, 31), np.linspace(0, 500, 45))  # a runaway grid
    w, h = _page_size(np.stack([u, v]), (700, 500))
    assert w * h <= 700 * 500 and abs(w / h - 6.0) < 0.05


@needs_pack
def test_the_grid_keeps_a_margin_around_the_page_it_finds():
    """Lines that run to the paper's edge keep their first and last characters: the grid goes one
    step beyond the page edge UVDoc finds, straight on."""
    photo, _ = _photo(curled_pages.CURLS["mild"], seed=2)
    engine = Engine(EngineConfig(threads=2, dewarp_pages=True))
    nodes = engine.dewarper.grid(photo).nodes
    assert nodes.shape == (2, 47, 33)
    step = nodes[:, :, 2] - nodes[:, :, 1]
    assert np.allclose(nodes[:, :, 0], nodes[:, :, 1] - step)  # the left ring continues the first column
    assert (nodes[0, :, 0] < nodes[0, :, 1]).all() and (nodes[1, 0] < nodes[1, 1]).all()


@needs_pack
def test_tiny_thin_and_gray_images_are_read_without_error_while_dewarping():
    engine = Engine(EngineConfig(threads=2, dewarp_pages=True))
    for shape in [(1, 1, 3), (2, 3000, 3), (3000, 2, 3), (40, 40, 3), (5, 5)]:
        result = engine.run(np.full(shape, 255, np.uint8), use_cache=False)
        assert result.error is None and result.lines == [], shape

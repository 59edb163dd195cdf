"""Load: ~100 generated images added to the real window at once, run through its QThreadPool.

Why: a desktop batch must end with one answer per file (text, or a failure with a reason)
and the window must not keep growing once it is warm (thumbnails, results, Qt objects).
"""

from __future__ import annotations

import pytest

from ocr_app.gui.items import Status
from scripts.load_batch import check, drive_window, make_images

COUNT = 100


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_hundred_images_through_window_pool(window, tmp_path):
    items = make_images(tmp_path / "images", COUNT, seed=7, bad_every=25)
    route = drive_window(window, items, timeout=800)
    summary = check(route, items)
    assert not route.problems, route.problems
    assert summary["results"] == COUNT and summary["errors"] == COUNT // 25
    statuses = {it.name: it.status for it in window.model.items}
    assert len(statuses) == COUNT
    assert all(s in (Status.DONE, Status.FAILED) for s in statuses.values())
    failed = [it for it in window.model.items if it.status is Status.FAILED]
    assert all(it.error for it in failed)
    assert summary["mean_cer"] < 0.1
    assert window.progress.value() == window.progress.maximum() == COUNT
    # warm from the middle on: whatever the window keeps per item must stay small
    assert route.rss["end"] <= 1.25 * route.rss["middle"], (route.rss, route.peak)

"""Many threads sharing one engine get exactly what a sequential run gets.

The app, CLI and server all share a single Engine (one copy of the ONNX sessions) across
worker threads; any per-call state leaking onto the instance would show up here as
swapped or mixed-up results.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.imagegen import render_lines, to_bytes

TEXTS = [
    ["ALPHA 101", "first page"],
    ["BRAVO 202", "second page"],
    ["发票号码 3303", "金额 44.00"],
    ["DELTA 404", "Total 5.55"],
    ["ECHO 505", "收款人 王五"],
    ["FOXTROT 606", "Due 2024-06-06"],
    ["GOLF 707", "Item x7"],
    ["酒店 住宿 808", "HOTEL 808"],
]


def _snapshot(res) -> tuple:
    return (res.error, res.image_size, [(ln.text, ln.box, ln.confidence) for ln in res.lines])


@pytest.fixture(scope="module")
def images() -> list[bytes]:
    return [to_bytes(render_lines(lines, size=28, margin=24)) for lines in TEXTS]


@pytest.fixture(scope="module")
def sequential(engine, images) -> list[tuple]:
    return [_snapshot(engine.run(data, name=f"img{i}.png", use_cache=False)) for i, data in enumerate(images)]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("workers", [4, 8])
def test_threads_match_sequential_run(engine, images, sequential, workers):
    assert all(err is None for err, _, lines in sequential) and all(lines for _, _, lines in sequential)
    barrier = threading.Barrier(workers)

    def job(i: int) -> tuple[int, tuple]:
        if i < workers:
            barrier.wait(timeout=60)  # start the first wave together to maximise overlap
        return i, _snapshot(engine.run(images[i % len(images)], name=f"img{i}.png", use_cache=False))

    jobs = 2 * len(images)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        got = dict(pool.map(job, range(jobs)))
    assert len(got) == jobs
    for i in range(jobs):
        assert got[i] == sequential[i % len(images)], f"job {i} differs from the sequential run"


@pytest.mark.timeout(600)
def test_threads_sharing_the_cache_agree(engine, images, sequential):
    """Same bytes from many threads with the cache on: one answer, names kept per call."""
    engine.cache.clear()
    workers = 6
    barrier = threading.Barrier(workers)

    def job(i: int):
        barrier.wait(timeout=60)
        return engine.run(images[0], name=f"copy{i}.png")

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(job, range(workers)))
    assert sorted(r.source for r in results) == sorted(f"copy{i}.png" for i in range(workers))
    for res in results:
        assert _snapshot(res)[2] == sequential[0][2]
    stats = engine.cache.stats()
    assert stats["hits"] + stats["misses"] == workers and stats["items"] == 1


@pytest.mark.timeout(600)
def test_bad_and_good_inputs_mixed_across_threads(engine, images, sequential):
    """Errors in one thread do not disturb another thread's result."""
    bad = [b"", b"not an image", images[0][:100], b"\x89PNG\r\n\x1a\n" + b"\0" * 50]
    work = [(i, images[i % len(images)]) if i % 2 == 0 else (i, bad[i % len(bad)]) for i in range(24)]

    def job(item):
        i, data = item
        return i, engine.run(data, use_cache=False)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = dict(pool.map(job, work))
    for i, res in results.items():
        if i % 2 == 0:
            assert _snapshot(res)[2] == sequential[i % len(images)][2], i
        else:
            assert res.error, i

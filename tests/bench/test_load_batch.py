"""A smaller run of scripts/load_batch.py: every file gets one result, memory stays flat.

Slow (a few minutes on two cores): `python -m pytest -m slow tests/bench/test_load_batch.py`.
The full 1000-image figures come from running the script itself.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

COUNT = 150
BAD_EVERY = 50
# RSS may wobble by allocator noise, but must not keep climbing once the engine is warm.
DRIFT_MB = 60.0
DRIFT_RATIO = 0.10


def _load_script():
    path = Path(__file__).resolve().parents[2] / "scripts" / "load_batch.py"
    spec = importlib.util.spec_from_file_location("load_batch", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    lb = _load_script()
    items = lb.make_images(tmp_path_factory.mktemp("load batch"), COUNT, seed=1, bad_every=BAD_EVERY)
    return lb, items


def _assert_complete_and_flat(lb, route, items) -> None:
    summary = lb.check(route, items)
    assert route.problems == [], route.problems
    assert summary["results"] == COUNT
    assert summary["errors"] == COUNT // BAD_EVERY
    assert summary["mean_cer"] < 0.05, summary
    middle, end = route.peak["middle"], route.peak["end"]
    assert end - middle <= max(DRIFT_MB, DRIFT_RATIO * middle), (route.name, route.rss, route.peak)


def test_engine_batch_complete_and_memory_flat(batch):
    lb, items = batch
    route = lb.run_engine(items, threads=2)
    _assert_complete_and_flat(lb, route, items)


def test_cli_batch_complete_and_memory_flat(batch, tmp_path):
    lb, items = batch
    route = lb.run_cli(items, threads=2, jsonl=tmp_path / "out.jsonl")
    assert route.exit_code == 1  # some files are damaged on purpose
    _assert_complete_and_flat(lb, route, items)

"""Seeded fuzzing of multi-page inputs (TIFF, GIF, PDF) through the job runner.

Contract (agreed interface): a file that cannot be opened raises DocumentError, a bad page
gives a per-page error result; nothing else may escape, or the CLI/server/GUI batch that
called it loses the remaining files.
"""

from __future__ import annotations

import numpy as np
import pytest

from ocr_app.jobs import Source, run_all
from tests.engine.test_fuzz import MUTATORS
from tests.imagegen import render_lines, to_bytes

documents = pytest.importorskip("ocr_app.documents")

SEED = 99
PER_FORMAT = 40
pytestmark = [pytest.mark.timeout(900), pytest.mark.filterwarnings("ignore::UserWarning:PIL")]


def _seeds() -> dict[str, bytes]:
    a = render_lines(["PAGE ONE"], size=20, margin=10)
    b = render_lines(["PAGE TWO"], size=20, margin=10)
    return {ext: to_bytes(a, fmt, save_all=True, append_images=[b])
            for ext, fmt in ((".tif", "TIFF"), (".gif", "GIF"), (".pdf", "PDF"))}


def test_job_runner_never_raises_on_damaged_documents(engine, tmp_path):
    seeds = _seeds()
    rng = np.random.default_rng(SEED)
    escaped, outcomes = [], {"ok": 0, "page errors": 0, "file errors": 0}
    for ext, seed in seeds.items():
        for i in range(PER_FORMAT):
            mutate = MUTATORS[i % len(MUTATORS)]
            path = tmp_path / f"case{i}{ext}"
            path.write_bytes(mutate(rng, seed, list(seeds.values())))
            try:
                results = run_all(engine, Source.from_path(path))
            except Exception as exc:
                escaped.append(f"{ext} case {i} {mutate.__name__}: {type(exc).__name__}: {exc}")
                continue
            assert results, path.name
            assert all((r.error is None) == (r.error_kind is None) for r in results), path.name
            if len(results) == 1 and results[0].page is None and results[0].error:
                outcomes["file errors"] += 1
            else:
                outcomes["ok" if all(r.error is None for r in results) else "page errors"] += 1
    assert not escaped, escaped
    assert outcomes["ok"] >= 10 and outcomes["file errors"] >= 10, outcomes  # both paths exercised

"""`main.py ocr` keeps what it reads in the history unless --no-history, and
`main.py history search` finds it (a separate store per test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "sample" / "sample.png"


def _main(*args: str, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OCR_DESK_DATA": str(data)})


def test_ocr_keeps_history_and_search_finds_it(tmp_path):
    data = tmp_path / "data"
    assert _main("ocr", "-q", "--no-history", str(SAMPLE), data=data).returncode == 0
    assert not (data / "history.sqlite3").exists()
    assert _main("ocr", "-q", str(SAMPLE), data=data).returncode == 0
    found = _main("history", "search", "识别", data=data)
    assert found.returncode == 0 and str(SAMPLE) in found.stdout and "[识别]" in found.stdout
    assert _main("history", "search", "invoice", "48213", data=data).returncode == 0
    assert _main("history", "search", "nowhere-at-all", data=data).returncode == 1
    assert _main("history", "forget-all", data=data).returncode == 0
    assert _main("history", "search", "识别", data=data).returncode == 1

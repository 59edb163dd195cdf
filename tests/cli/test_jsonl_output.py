"""`--jsonl OUT` and export targets: checked before any OCR work, written atomically, and a
run that fails or is interrupted leaves the previous OUT as it was."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.imagegen import render_lines, save

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("jsonl")
    for i in range(4):
        save(render_lines([f"Receipt line {i} total 12.50"] * 8), root / f"img{i}.png")
    return root


def _ocr(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "ocr", "-q", *argv], cwd=REPO, capture_output=True,
                          text=True, timeout=300, **kw)


def test_special_file_targets_are_refused_before_any_work(folder, tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/full", str(tmp_path)):
        started = time.perf_counter()
        proc = _ocr(str(folder), "--jsonl", target)
        assert proc.returncode == 2, proc.stderr
        assert "not a regular file" in proc.stderr or "folder" in proc.stderr or "device" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert time.perf_counter() - started < 10  # no models loaded, no OCR run
    assert fifo.exists() and not fifo.is_file()


def test_a_write_error_keeps_the_previous_output_and_says_why(folder, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")

    def small_disk() -> None:  # a full disk, as a file-size limit: writes fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1500, 1500))

    proc = _ocr(str(folder), "--jsonl", str(out), preexec_fn=small_disk)
    assert proc.returncode == 1 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temp file left


def test_an_interrupted_run_keeps_the_previous_output(folder, tmp_path):
    many = tmp_path / "many"  # long enough a run that the interrupt lands inside it on a loaded machine
    many.mkdir()
    for k in range(60):  # all different: identical pages would be answered from the cache at once
        save(render_lines([f"Page {k} of the interrupted run", f"total {k}.50"] * 4), many / f"p{k}.png")
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    # Ctrl+C as a terminal sends it. A child inherits an ignored SIGINT (the full suite's
    # process ends up ignoring it), so the child gets the default back, as a shell gives it.
    proc = subprocess.Popen([sys.executable, "main.py", "ocr", "-q", str(many), "--jsonl", str(out)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] and time.monotonic() < deadline:
        time.sleep(0.02)  # the temp file appears once the models are loaded and OCR starts
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many", "out.jsonl"]


def test_a_complete_run_replaces_the_output(folder, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    proc = _ocr(str(folder), "--jsonl", str(out))
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text().splitlines()) == 4

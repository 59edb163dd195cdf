"""`main.py bulk` on a real local Ray cluster (num_cpus=2, started once for this module)
with the real engine: one record per page, error records for broken files, the CLI's text,
idempotent re-runs, a killed run resumed without doing a page twice, a killed worker replaced."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from ocr_app.bulk import main as bulk_main
from ocr_app.cli import main as ocr_main
from tests.documents.test_documents import scanned_pdf
from tests.imagegen import render_lines, save

ray = pytest.importorskip("ray")
REPO = Path(__file__).resolve().parents[2]
WORDS = ["Invoice", "Receipt", "Delivery", "Payment", "Customer", "Account", "Balance", "Order"]


@pytest.fixture(scope="module")
def cluster():
    """The local cluster every run here joins: in-process runs reuse the connection,
    subprocess runs join its address."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="error")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def _images(folder: Path, count: int, start: int = 0) -> list[Path]:
    return [save(render_lines([f"{WORDS[i % len(WORDS)]} {100 + i}"], size=30), folder / f"p{i:03d}.png")
            for i in range(start, start + count)]


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for shard in sorted((out / "shards").glob("part-*.jsonl"))
            for line in shard.read_text(encoding="utf-8").splitlines()]


def _summary(stderr: str) -> tuple[int, int, int]:
    done, skipped, failed = re.findall(r"^(\d+) done, (\d+) skipped, (\d+) failed$", stderr, re.M)[-1]
    return int(done), int(skipped), int(failed)


def _text(record: dict) -> str:
    return "\n".join(line["text"] for line in record["lines"])


def test_folder_pdf_broken_file_list_and_url(cluster, tmp_path, capsys):
    data = tmp_path / "data"
    _images(data, 3)
    _images(data / "sub", 2, start=3)
    scanned_pdf(data / "report.pdf", [["Quarterly report"], ["Costs and rent"], ["Closing remarks"]])
    (data / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a PDF at all")
    remote = _images(tmp_path / "remote", 2, start=5)  # read through fsspec, bytes shipped via the object store
    listed = _images(tmp_path / "listed", 1, start=7)
    (tmp_path / "list.txt").write_text(f"{listed[0]}\n", encoding="utf-8")
    out = tmp_path / "out"
    srcs = [str(data), f"@{tmp_path / 'list.txt'}", f"file://{remote[0].parent}"]

    assert bulk_main([*srcs, "--out", str(out), "--workers", "2", "--export", "txt", "-q"]) == 1  # broken.pdf
    assert _summary(capsys.readouterr().err) == (11, 0, 1)
    records = _records(out)
    assert len(records) == 12 and len({r["key"] for r in records}) == 12
    pages = Counter(Path(r["source"]).name for r in records)
    assert pages["report.pdf"] == 3 and pages["broken.pdf"] == 1 and len(pages) == 10
    broken = next(r for r in records if r["source"].endswith("broken.pdf"))
    assert broken["error_kind"] == "damaged" and broken["page"] is None and broken["lines"] == []
    assert {r["page"] for r in records if r["source"].endswith("report.pdf")} == {1, 2, 3}
    assert sum(r["source"].startswith("file://") for r in records) == 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["records"] == 12 and manifest["failed"] == 1
    assert (out / "exports").is_dir() and len(list((out / "exports").glob("*.txt"))) == 9  # not broken.pdf

    # the same text as `main.py ocr` for every page
    cli_out = tmp_path / "cli.jsonl"
    ocr_main(["-q", "--jsonl", str(cli_out), str(data), str(listed[0]), *map(str, remote)])
    cli = {(r["image"], r.get("page")): _text(r) for r in map(json.loads, cli_out.read_text().splitlines())}
    assert {(r["image"], r["page"]): _text(r) for r in records} == cli
    assert cli[("p000.png", None)] == "Invoice 100" and cli[("report.pdf", 2)] == "Costs and rent"

    # a second run does nothing and writes nothing
    assert bulk_main([*srcs, "--out", str(out), "--workers", "2", "-q"]) == 0
    assert _summary(capsys.readouterr().err) == (0, 12, 0)
    assert len(_records(out)) == 12


def _bulk_process(srcs: list[str], out: Path, address: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "main.py", "bulk", *srcs, "--out", str(out), "--address", address,
                             "--workers", "2", "--shard-records", "2", "-q", *extra],
                            cwd=REPO, stderr=subprocess.PIPE, text=True)


def _written(out: Path) -> int:
    """Records on disk so far, in complete and unfinished shards."""
    return sum(len(p.read_bytes().splitlines()) for p in (out / "shards").glob("*part-*"))


def _wait(proc: subprocess.Popen, until, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "bulk run made no progress"
        time.sleep(0.05)


def _unfinished(out: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in (out / "shards").glob(".part-*.tmp"))


def test_killed_run_resumes_with_each_page_once(cluster, tmp_path, capsys):
    total = 16
    _images(tmp_path / "data", total)
    out = tmp_path / "out"
    proc = _bulk_process([str(tmp_path / "data")], out, cluster, "--shard-records", "3")
    try:  # killed with records both in complete shards and in the unfinished one
        _wait(proc, lambda: _written(out) >= total // 2 and _unfinished(out) > 0)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    before, unfinished = _written(out), _unfinished(out)
    assert total // 2 <= before < total, before
    assert len(_records(out)) == before - unfinished  # a reader sees only complete shards

    assert bulk_main([str(tmp_path / "data"), "--out", str(out), "--workers", "2", "-q"]) == 0
    err = capsys.readouterr().err
    done, skipped, failed = _summary(err)
    assert (skipped, done, failed) == (before, total - before, 0), err  # only the remaining pages
    if unfinished:
        assert f"recovered {unfinished} records" in err
    keys = Counter(r["key"] for r in _records(out))
    assert len(keys) == total and set(keys.values()) == {1}
    assert not list((out / "shards").glob(".part-*"))


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def test_a_killed_worker_is_replaced_and_its_page_retried(cluster, tmp_path):
    total = 8
    _images(tmp_path / "data", total)
    out = tmp_path / "out"
    proc = _bulk_process([str(tmp_path / "data")], out, cluster, "--shard-records", "100")
    try:
        _wait(proc, lambda: _written(out) >= 1)
        # only this module's cluster's workers (children of the raylet this process started),
        # never those of another Ray run on the same machine
        victims = [p for p in psutil.Process().children(recursive=True)
                   if any("PageWorker" in part for part in _cmdline(p))]
        assert victims
        os.kill(victims[0].pid, signal.SIGKILL)
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    records = _records(out)
    assert len(records) == total and not [r for r in records if "error" in r]

"""The headless CLI as users run it: a real process, real images, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.imagegen import cer, render_lines, save

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"image", "lines", "ms", "timings"}


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "ocr", "--threads", "2", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300, check=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    save(render_lines(["Invoice 2024 total 12.50"]), root / "a.png")
    save(render_lines(["发票 总计 人民币"]), root / "sub dir" / "b 发票.jpg")
    (root / "notes.txt").write_text("not an image")  # skipped inside folders
    return root


def test_folder_is_searched_recursively_and_text_printed(corpus: Path):
    proc = run_cli(str(corpus), "-q")
    assert proc.returncode == 0, proc.stderr
    assert "==> " in proc.stdout
    assert cer("Invoice 2024 total 12.50", proc.stdout.split("==>")[1].split("<==")[1]) < 0.1
    assert "notes.txt" not in proc.stdout + proc.stderr


def test_jsonl_schema_matches_the_scorer(corpus: Path, tmp_path: Path):
    out = tmp_path / "out.jsonl"
    proc = run_cli(str(corpus / "a.png"), str(corpus / "sub dir"), "--jsonl", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["image"] for r in rows] == ["a.png", "b 发票.jpg"]
    for row in rows:
        assert set(row) >= KEYS and "error" not in row
        assert {"load", "detect", "recognize", "total"} <= set(row["timings"])
        for line in row["lines"]:
            assert len(line["box"]) == 4 and all(len(p) == 2 for p in line["box"])
            assert isinstance(line["text"], str) and 0 <= line["confidence"] <= 1
    assert cer("发票总计人民币", "".join(ln["text"] for ln in rows[1]["lines"])) < 0.15
    assert proc.stdout == ""  # --jsonl alone keeps stdout clean


def test_some_failed_exits_1_with_summary_and_error_field(corpus: Path, tmp_path: Path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    proc = run_cli(str(corpus / "a.png"), str(bad), "--jsonl", "-", "-q")
    assert proc.returncode == 1
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows[0].get("error") is None and rows[1]["error"]
    assert "1 of 2 failed" in proc.stderr and "broken.png" in proc.stderr


def test_usage_errors_exit_2(tmp_path: Path):
    assert run_cli().returncode == 2
    assert run_cli(str(tmp_path)).returncode == 2  # empty folder: nothing to do
    assert run_cli("x.png", "--precision", "int4").returncode == 2
    assert run_cli("x.png", "--export", "txt").returncode == 2  # no --output


def test_export_writes_combined_file(corpus: Path, tmp_path: Path):
    target = tmp_path / "all.txt"
    proc = run_cli(str(corpus), "--export", "txt", "-o", str(target), "-q")
    assert proc.returncode == 0, proc.stderr
    text = target.read_text(encoding="utf-8")
    assert "a.png" in text and "b 发票.jpg" in text
    section = text.split("a.png")[1].split("b 发票.jpg")[0].replace("=", "")
    assert cer("Invoice 2024 total 12.50", section) < 0.1


def test_progress_bar_on_stderr_for_several_files(corpus: Path):
    proc = run_cli(str(corpus))
    assert proc.returncode == 0
    assert "2/2" in proc.stderr

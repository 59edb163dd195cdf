"""Hostile inputs through the real CLI (`python main.py ocr ... --jsonl OUT`) in a subprocess:
one JSONL line per input, errors listed on stderr, exit code 1, never a traceback, and
good files after a bad one still processed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.engine.test_hostile import png_bomb
from tests.imagegen import cer, render_lines, save, to_bytes

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(600)



def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "ocr", *args, "--quiet", "--threads", "2"], cwd=REPO,
                          capture_output=True, text=True, timeout=500)


def read_jsonl(path: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        obj = json.loads(raw)
        out.setdefault(obj["image"], []).append(obj)
    return out


def _text(obj: dict) -> str:
    return "\n".join(ln["text"] for ln in obj["lines"])


def test_cli_batch_with_hostile_images(tmp_path):
    good_text = "CLI GOOD 77"
    good_img = render_lines([good_text])
    png = to_bytes(good_img)
    bad = {
        "zero.png": b"",
        "truncated.png": png[: len(png) // 2],
        "renamed text.png": b"just some text\n" * 20,
        "random.jpg": np.random.default_rng(5).bytes(3000),
        "bomb.png": png_bomb(20_000, 20_000),
    }
    inputs: list[Path] = []
    for i, (name, data) in enumerate(bad.items()):
        path = tmp_path / name
        path.write_bytes(data)
        inputs.append(path)
        inputs.append(save(good_img, tmp_path / "good" / f"好 {i} with space.png"))
    missing = tmp_path / "missing file.png"
    inputs.append(missing)
    inputs.append(inputs[1])  # the same good file twice
    out = tmp_path / "out dir" / "result.jsonl"
    out.parent.mkdir()
    proc = run_cli(*map(str, inputs), "--jsonl", str(out))
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 1, proc.stderr[-2000:]
    got = read_jsonl(out)
    unique = {p.name for p in inputs}
    assert set(got) == unique
    for name in bad:
        (obj,) = got[name]
        assert obj.get("error"), name
        assert name in proc.stderr  # the failure summary names every failed file
    assert "too large" in got["bomb.png"][0]["error"]
    assert got[missing.name][0].get("error")
    for path in inputs:
        if path.parent.name == "good":
            for obj in got[path.name]:  # the duplicate may be de-duplicated or repeated: both fine
                assert "error" not in obj and cer(good_text, _text(obj)) < 0.1, obj


def test_cli_all_good_exits_zero(tmp_path):
    paths = [save(render_lines([f"PAGE {i} OK"]), tmp_path / f"p{i}.jpg") for i in range(3)]
    out = tmp_path / "out.jsonl"
    proc = run_cli(*map(str, paths), "--jsonl", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = read_jsonl(out)
    assert sorted(got) == sorted(p.name for p in paths)
    assert all(cer(f"PAGE {i} OK", _text(got[f"p{i}.jpg"][0])) < 0.1 for i in range(3))


def _damaged_documents(tmp_path: Path) -> list[Path]:
    two = to_bytes(render_lines(["A"]), "TIFF", save_all=True, append_images=[render_lines(["B"])])
    files = {"broken.pdf": b"%PDF-1.4\n" + b"garbage " * 40, "renamed text.pdf": b"hello\n" * 30,
             "truncated pages.tif": two[: len(two) // 2]}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return [tmp_path / name for name in files]


def test_cli_damaged_pdf_does_not_stop_the_batch(tmp_path):
    good = save(render_lines(["AFTER THE PDF"]), tmp_path / "after.png")
    docs = _damaged_documents(tmp_path)[:2]
    out = tmp_path / "out.jsonl"
    proc = run_cli(*map(str, docs), str(good), "--jsonl", str(out))
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    assert proc.returncode == 1
    got = read_jsonl(out)
    assert all(got[d.name][0].get("error") for d in docs)
    assert cer("AFTER THE PDF", _text(got["after.png"][0])) < 0.1


def test_cli_truncated_multipage_tiff_does_not_stop_the_batch(tmp_path):
    good = save(render_lines(["AFTER THE TIFF"]), tmp_path / "after.png")
    tif = _damaged_documents(tmp_path)[2]
    out = tmp_path / "out.jsonl"
    proc = run_cli(str(tif), str(good), "--jsonl", str(out))
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    got = read_jsonl(out)
    # Page 1 survives the cut; the lost rest of the file is reported as an error, not dropped.
    errors = [r["error"] for r in got[tif.name] if r.get("error")]
    assert errors and all("truncated" in e or "damaged" in e for e in errors), got[tif.name]
    assert cer("AFTER THE TIFF", _text(got["after.png"][0])) < 0.1


def test_cli_unwritable_jsonl_is_a_usage_error(tmp_path):
    good = save(render_lines(["X"]), tmp_path / "x.png")
    proc = run_cli(str(good), "--jsonl", str(tmp_path / "no such dir" / "out.jsonl"))
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    assert proc.returncode == 2

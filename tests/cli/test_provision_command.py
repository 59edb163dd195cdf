"""`main.py provision` and `--precision fp32` without the FP32 pack, as a user types them, on a real
models folder holding only what a bundle ships (INT8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tooling.model_dirs import fp32_wheel, int8_only

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample" / "sample.png"


def run(args: list[str], models: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env={**os.environ, "OCR_DESK_MODELS": str(models)})


def test_ocr_with_fp32_missing_is_a_usage_error_naming_the_pack_command(tmp_path):
    models = int8_only(tmp_path / "models")
    proc = run(["ocr", "--precision", "fp32", "--threads", "2", str(SAMPLE)], models)
    assert proc.returncode == 2
    assert "FP32 models are not installed" in proc.stderr
    assert "python main.py provision --pack fp32" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(not fp32_wheel().is_file(), reason="run `python -m ocr_app.tooling.provision` first")
def test_provision_pack_then_fp32_reads_the_sample(tmp_path):
    models = int8_only(tmp_path / "models")
    listed = run(["provision"], models)
    assert listed.returncode == 0 and "not installed" in listed.stdout
    added = run(["provision", "--pack", "fp32", "--wheel", str(fp32_wheel())], models)
    assert added.returncode == 0, added.stderr
    read = run(["ocr", "--precision", "fp32", "--threads", "2", str(SAMPLE)], models)
    assert read.returncode == 0, read.stderr
    assert "Invoice No. 48213" in read.stdout

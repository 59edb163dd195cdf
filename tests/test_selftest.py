"""`--self-test` from source: the same check the frozen bundle runs, so a regression shows here first.

In-process tests take the `engine` fixture so they reuse its already-created ORT sessions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_app import selftest
from tests.imagegen import render_lines, save

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "resources" / "sample"


def run_main(args: list[str], env: dict[str, str] | None = None) -> tuple[int, dict]:
    """`python main.py --self-test ... --json` in a fresh process, as a user would start it."""
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-test", *args, "--json"],
                          capture_output=True, text=True, timeout=180, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def test_source_self_test_reads_sample_at_both_precisions():
    code, report = run_main(["--threads", "2"])
    assert code == 0, report
    assert report["frozen"] is False
    assert [c["precision"] for c in report["checks"]] == ["int8", "fp32"]
    expected = (SAMPLE_DIR / "sample.txt").read_text(encoding="utf-8")
    for check in report["checks"]:
        assert check["ok"] and check["cer"] <= 0.05
        assert selftest.cer(expected, check["text"]) == check["cer"]
        assert {"detect", "recognize", "total"} <= set(check["timings"])


def test_self_test_text_matches_engine_on_sample(engine, capsys):
    assert selftest.main(["--precision", "int8", "--threads", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["checks"][0]["text"] == engine.run(SAMPLE_DIR / "sample.png", use_cache=False).text


def test_wrong_expected_text_fails_with_exit_1_and_shows_both_texts(engine, capsys):
    code = selftest.main(["--precision", "int8", "--threads", "2", "--expect", "完全不同的一句话 nothing alike"])
    out = capsys.readouterr().out
    assert code == selftest.EXIT_MISMATCH
    assert "FAIL (exit 1): sample not recognised" in out
    assert "expected: '完全不同的一句话 nothing alike'" in out and "Invoice No. 48213" in out


def test_generated_image_with_known_text_passes(engine, tmp_path, capsys):
    text = ["Packaging check 2026", "自检通过"]
    image = save(render_lines(text), tmp_path / "known.png")
    code = selftest.main(["--precision", "fp32", "--threads", "2", "--image", str(image), "--expect", "\n".join(text)])
    assert code == 0, capsys.readouterr().out


def test_missing_image_exits_3(tmp_path, capsys):
    code = selftest.main(["--image", str(tmp_path / "absent.png"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == selftest.EXIT_SAMPLE
    assert "absent.png" in report["error"]


def test_missing_models_exit_2_with_provisioning_hint(tmp_path):
    code, report = run_main([], env={"OCR_DESK_MODELS": str(tmp_path)})
    assert code == selftest.EXIT_MODELS
    assert str(tmp_path) in report["error"] and "python -m ocr_app.tooling.provision" in report["error"]


def test_qt_check_starts_headless_application(engine, capsys):
    assert selftest.main(["--precision", "int8", "--threads", "2", "--qt", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["qt"] == "ok"


def test_pdf_round_trip_reads_exported_sample_back(engine, capsys):
    assert selftest.main(["--precision", "int8", "--threads", "2", "--pdf", "--json"]) == 0
    pdf = json.loads(capsys.readouterr().out)["pdf"]
    assert pdf["ok"] and pdf["error"] is None and pdf["cer"] <= 0.05


def test_cer_ignores_case_and_whitespace_and_counts_edits():
    assert selftest.cer("Total 12", "total12") == 0.0
    assert selftest.cer("abcd", "abxd") == pytest.approx(0.25)
    assert selftest.cer("文字", "") == 1.0


def test_committed_sample_is_small_and_matches_its_generator():
    sys.path.insert(0, str(SAMPLE_DIR))
    try:
        import make_sample
    finally:
        sys.path.remove(str(SAMPLE_DIR))
    assert (SAMPLE_DIR / "sample.png").stat().st_size < 60_000
    assert (SAMPLE_DIR / "sample.txt").read_text(encoding="utf-8").splitlines() == make_sample.LINES
    assert any(ord(ch) > 0x2E80 for ch in "".join(make_sample.LINES)), "sample must exercise Chinese"


def test_both_skips_fp32_with_a_not_installed_line_when_only_int8_is_there(tmp_path):
    """A bundle ships INT8 only: the default self-test passes and says how to add FP32."""
    from tests.tooling.model_dirs import int8_only

    models = int8_only(tmp_path / "models")
    code, report = run_main(["--threads", "2"], env={"OCR_DESK_MODELS": str(models)})
    assert code == 0, report
    by_precision = {c["precision"]: c for c in report["checks"]}
    assert by_precision["int8"]["ok"] and by_precision["int8"]["skipped"] is None
    assert by_precision["fp32"]["skipped"] == "not installed; add it with: python main.py provision --pack fp32"
    text = selftest.format_report({**report, "exit_code": 0})
    assert "[fp32] not installed; add it with: python main.py provision --pack fp32" in text


def test_asking_for_fp32_without_its_pack_exits_2_naming_the_command(tmp_path):
    from tests.tooling.model_dirs import int8_only

    models = int8_only(tmp_path / "models")
    code, report = run_main(["--precision", "fp32"], env={"OCR_DESK_MODELS": str(models)})
    assert code == selftest.EXIT_MODELS
    assert "FP32 models are not installed" in report["error"]
    assert "python main.py provision --pack fp32" in report["error"]

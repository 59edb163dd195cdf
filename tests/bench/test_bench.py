"""The benchmark command on a tiny generated eval folder: it scores real OCR output, and
with --rounds the systems alternate order and each image keeps its best time."""

from __future__ import annotations

import statistics

from ocr_app.bench import compare as bench
from tests.imagegen import render_lines, save


def _folder(tmp_path):
    folder = tmp_path / "tiny-eval"
    for i, lines in enumerate([["INVOICE 2041", "TOTAL 12.50"], ["PAID BY CASH"]]):
        img = render_lines(lines)
        save(img, folder / f"{i:03d}.png")
        rows = []
        for j, text in enumerate(lines):
            y0, y1 = 40 + j * 58, 40 + j * 58 + 36
            rows.append(f"40,{y0},{img.width - 40},{y0},{img.width - 40},{y1},40,{y1},{text}")
        (folder / f"{i:03d}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_two_rounds_score_real_output_and_keep_each_images_best_time(tmp_path, capsys):
    folder = _folder(tmp_path)
    keep = tmp_path / "out"
    assert bench.main([str(folder), "--systems", "ocrdesk-int8", "--rounds", "2", "--keep", str(keep)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| ocrdesk-int8"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert float(cells[1].rstrip(" %")) < 5.0  # CER of the generated pages
    assert "Median ms of each round: ocrdesk-int8" in out
    assert (keep / "tiny-eval.ocrdesk-int8.jsonl").is_file()
    assert (keep / "tiny-eval.ocrdesk-int8.round2.jsonl").is_file()
    stages = next(line for line in out.splitlines() if line.startswith("Stage medians"))
    detect, classify, recognise = (float(stages.split(f"{name} ")[1].split()[0].rstrip(".;"))
                                   for name in ("detect", "classify", "recognize"))
    assert detect > 0 and recognise > 0 and classify >= 0
    median_page = float(cells[3])
    assert detect + recognise < median_page * 1.5  # parts of the page time, not totals
    highlight = next(line for line in out.splitlines() if line.startswith("Low-confidence highlight"))
    read = int(highlight.split(" of ")[1].split()[0])
    assert read >= len("INVOICE2041TOTAL12.50PAIDBYCASH") - 2  # every character of the pages scored


def test_interleaved_workers_report_their_stages(tmp_path, capsys):
    folder = _folder(tmp_path)
    assert bench.main([str(folder), "--systems", "ocrdesk-int8", "--interleave", "--keep", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "Stage medians, ms per page: ocrdesk-int8 detect " in out
    import json
    records = [json.loads(line) for line in (tmp_path / "o" / "tiny-eval.ocrdesk-int8.jsonl").read_text().splitlines()]
    assert all(set(r["stages"]) == {"detect", "classify", "recognize"} for r in records)


def test_combine_takes_each_images_best_round():
    first = {"ms_by_image": {"a": 10.0, "b": 30.0}, "ms": [10.0, 30.0], "cold_start_ms": 900.0,
             "peak_rss_mb": 200.0, "jsonl": "r1"}
    second = {"ms_by_image": {"a": 14.0, "b": 20.0}, "ms": [14.0, 20.0], "cold_start_ms": 800.0,
              "peak_rss_mb": 210.0, "jsonl": "r2"}
    run = bench.combine([first, second])
    assert run["ms"] == [10.0, 20.0]
    assert run["round_medians"] == [statistics.median([10.0, 30.0]), statistics.median([14.0, 20.0])]
    assert run["cold_start_ms"] == 800.0 and run["peak_rss_mb"] == 210.0
    assert run["jsonl"] == "r1"  # accuracy is scored on the first round


def test_every_table_header_names_the_cpu_the_int8_kernel_and_the_denormal_mode():
    import platform

    header = bench.cpu_header()
    assert header.startswith("CPU: ") and "OCR Desk INT8 kernel: " in header
    flushed = "yes" if platform.machine().lower() in ("x86_64", "amd64") else "no"
    assert header.endswith(f"denormal floats flushed: {flushed}")


def test_ratio_note_gives_each_ocr_desk_system_against_each_rapidocr_system():
    def run(ms: list[float]) -> dict:
        return {"ms": ms, "round_medians": [statistics.median(ms)]}

    rows = [("ocrdesk-int8", run([40.0, 60.0]), {}), ("rapidocr", run([100.0, 200.0]), {}),
            ("rapidocr:flushed", run([50.0, 150.0]), {}), ("tesseract", run([10.0]), {})]
    note = bench.ratio_note(rows)
    assert "ocrdesk-int8 / rapidocr: 0.33 × (rounds 0.33 ×)" in note
    assert "ocrdesk-int8 / rapidocr:flushed: 0.50 × (rounds 0.50 ×)" in note
    assert "tesseract /" not in note and "/ tesseract" not in note
    assert bench.ratio_note(rows[:1]) == ""

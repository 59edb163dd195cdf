"""Benchmark: `python -m ocr_app.bench DIR... [--systems ...]` prints one table per folder.

Each system runs in its own process (system_runner.py) so cold start (process start → first
result) and peak RSS are its own. Accuracy is scored with the folder's official scorer
(`score.py` next to the folders, or --scorer) when present, else with ocr_app.bench.metrics,
which implements the same definitions. Peers run when installed: RapidOCR from a venv
given by --rapidocr-python (its dependencies clash with ours), Tesseract from PATH.

With --rounds N every system reads the folder N times, the order of the systems reversed
every other round, so a machine that speeds up or slows down during the run favours no
one. Each image's time is its best of the N rounds (as `timeit` takes the best of its
repeats), cold start the best round, peak RSS the worst; accuracy is from the first round.

With --interleave every system is started once per folder as a warm worker, and the
workers take turns image by image (the order reversed on every other image and round), so
machine noise lands on all systems alike; each image's time is again its best round.
Every table is headed by the CPU it ran on: model, logical CPUs, the SIMD flags that
decide ONNX Runtime's kernels, and the INT8 kernel OCR Desk chose (engine/cpu_features).
With --mask-cpu avx2 every process of the run sees this CPU without AVX-512 and VNNI
(bench/cpu_mask.py), for the AVX2-only figures on a machine that has them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import cpu_mask
from .metrics import score_folder
from .system_info import cpu_header

RUNNER = Path(__file__).with_name("system_runner.py")
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
DEFAULT_SYSTEMS = ["ocrdesk-int8", "ocrdesk-fp32", "rapidocr", "tesseract"]


def _find_scorer(folder: Path, explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    candidate = folder.parent / "score.py"
    return candidate if candidate.is_file() else None


def _score(folder: Path, jsonl: Path, scorer: Path | None) -> dict:
    if scorer is not None:
        out = subprocess.run([sys.executable, str(scorer), str(folder), str(jsonl), "--json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)
    return score_folder(folder, jsonl)


def _is_chinese(folder: Path) -> bool:
    for csv in sorted(folder.glob("*.csv"))[:5]:
        if any("\u4e00" <= ch <= "\u9fff" for ch in csv.read_text(encoding="utf-8-sig")):
            return True
    return False


def run_system(system: str, folder: Path, threads: int, python: str, workdir: Path,
               limit: int, round_no: int = 1) -> dict | None:
    suffix = "" if round_no == 1 else f".round{round_no}"
    out = workdir / f"{folder.name}.{system}{suffix}.jsonl"
    cmd = [python, str(RUNNER), system, str(folder), str(out), "--threads", str(threads),
           "--spawned-at", repr(time.time())]
    if limit:
        cmd += ["--limit", str(limit)]
    if system == "tesseract":
        cmd += ["--tess-lang", "chi_sim+eng" if _is_chinese(folder) else "eng"]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        print(f"  {system}: failed ({proc.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return None
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    summary["jsonl"] = out
    summary["ms"] = sorted(r["ms"] for r in records)
    summary["ms_by_image"] = {r["image"]: r["ms"] for r in records}
    summary["stages"] = [r.get("stages", {}) for r in records]
    return summary


def available(system: str, rapidocr_python: str | None) -> str | None:
    """The interpreter to run `system` with, or None when it is not installed."""
    if system.startswith("ocrdesk"):
        return sys.executable
    if system == "tesseract":
        return sys.executable if shutil.which("tesseract") else None
    if system in ("rapidocr", "rapidocr:flushed"):
        py = rapidocr_python or sys.executable
        ok = subprocess.run([py, "-c", "import rapidocr"], capture_output=True, check=False).returncode == 0
        return py if ok else None
    return None


def combine(runs: list[dict]) -> dict:
    """One summary from several rounds of the same system (see the module docstring)."""
    first = runs[0]
    per_image = [run["ms_by_image"] for run in runs]
    best = {name: min(r[name] for r in per_image if name in r) for name in per_image[0]}
    return {**first, "ms": sorted(best.values()),
            "stages": [stages for run in runs for stages in run.get("stages", [])],
            "round_medians": [statistics.median(run["ms"]) for run in runs],
            "cold_start_ms": min(run["cold_start_ms"] for run in runs),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in runs)}


def run_interleaved(systems: list[tuple[str, str]], folder: Path, threads: int, workdir: Path,
                    limit: int, rounds: int) -> dict[str, list[dict]]:
    """Each system a warm worker; image by image, the order alternating (module docstring)."""
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS)[: limit or None]
    procs: dict[str, subprocess.Popen] = {}
    for system, python in systems:
        cmd = [python, str(RUNNER), system, "-", "-", "--serve", "--threads", str(threads),
               "--spawned-at", repr(time.time())]
        if system == "tesseract":
            cmd += ["--tess-lang", "chi_sim+eng" if _is_chinese(folder) else "eng"]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                env={**os.environ, "OMP_NUM_THREADS": str(threads)})
        if json.loads(proc.stdout.readline() or "{}").get("ready"):
            procs[system] = proc
        else:
            print(f"  {system}: failed to start", file=sys.stderr)
    records: dict[str, list[list[dict]]] = {s: [[] for _ in range(rounds)] for s in procs}
    names = list(procs)
    for round_no in range(rounds):
        print(f"  {folder.name}: round {round_no + 1}, {len(images)} images, interleaved ...", file=sys.stderr)
        for i, path in enumerate(images):
            for system in (names if (i + round_no) % 2 == 0 else names[::-1]):
                proc = procs[system]
                proc.stdin.write(f"{path}\n")
                proc.stdin.flush()
                records[system][round_no].append(json.loads(proc.stdout.readline()))
    runs: dict[str, list[dict]] = {}
    for system, proc in procs.items():
        proc.stdin.close()
        summary = json.loads(proc.stdout.read().strip().splitlines()[-1])
        proc.wait()
        for round_no, recs in enumerate(records[system]):
            out = workdir / f"{folder.name}.{system}{'' if round_no == 0 else f'.round{round_no + 1}'}.jsonl"
            out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
            runs.setdefault(system, []).append({**summary, "images": len(recs), "jsonl": out,
                                                "ms": sorted(r["ms"] for r in recs),
                                                "ms_by_image": {r["image"]: r["ms"] for r in recs},
                                                "stages": [r.get("stages", {}) for r in recs]})
    return runs


def ratio_note(rows: list[tuple[str, dict, dict]]) -> str:
    """Median ratios of each OCR Desk system to each RapidOCR system, overall and per round."""
    parts = []
    for peer, base, _ in rows:
        if not peer.startswith("rapidocr"):
            continue
        for system, run, _ in rows:
            if not system.startswith("ocrdesk"):
                continue
            ratio = statistics.median(run["ms"]) / statistics.median(base["ms"])
            per_round = [f"{a / b:.2f} ×" for a, b in zip(run.get("round_medians", []),
                                                          base.get("round_medians", []), strict=False)]
            parts.append(f"{system} / {peer}: {ratio:.2f} ×"
                         + (f" (rounds {', '.join(per_round)})" if per_round else ""))
    return "Median ratio: " + "; ".join(parts) + ".\n" if parts else ""


def stage_note(rows: list[tuple[str, dict, dict]]) -> str:
    """Median ms per page of each stage the systems report (detect, classify, recognise):
    where a system's time goes beside the peer's, from the same run."""
    parts = []
    for system, run, _ in rows:
        pages = [s for s in run.get("stages", []) if s]
        if pages:
            medians = " · ".join(f"{name} {statistics.median(p.get(name, 0.0) for p in pages):.0f}"
                                 for name in pages[0])
            parts.append(f"{system} {medians}")
    return "Stage medians, ms per page: " + "; ".join(parts) + ".\n" if parts else ""


def highlight_note(folder: Path, rows: list[tuple[str, dict, dict]]) -> str:
    """The low-confidence highlight as the window draws it (doubt >= DOUBTFUL), scored
    against the truth (bench/calibration.py): is a mark worth a look, is the rest trustworthy."""
    from ocr_app.engine import DOUBTFUL

    from .calibration import calibrate

    parts = []
    for system, run, _ in rows:
        if not system.startswith("ocrdesk"):
            continue
        cal = calibrate(folder, run["jsonl"], (DOUBTFUL,))
        if cal.chars:
            marked = cal.marked["doubt"][DOUBTFUL][0]
            parts.append(f"{system} marks {marked} of {cal.chars} characters (doubt ≥ {DOUBTFUL}): precision "
                         f"{cal.precision(DOUBTFUL):.2f}, recall {cal.recall(DOUBTFUL):.2f} of {cal.wrong} wrong")
    return "Low-confidence highlight: " + "; ".join(parts) + ".\n" if parts else ""


def table(folder: Path, rows: list[tuple[str, dict, dict]]) -> str:
    head = (f"### {folder.name} ({rows[0][1]['images'] if rows else 0} images)\n\n{cpu_header()}\n\n"
            "| system | CER | word F1 | median ms | p95 ms | images/s | peak RSS MB | cold start ms |\n"
            "|---|---|---|---|---|---|---|---|\n")
    body = []
    for system, run, sc in rows:
        ms = run["ms"]
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        body.append(f"| {system} | {sc['cer'] * 100:.2f} % | {sc['word_f1']:.3f} | {statistics.median(ms):.0f} | "
                    f"{p95:.0f} | {1000 * len(ms) / sum(ms):.2f} | {run['peak_rss_mb']:.0f} | "
                    f"{run['cold_start_ms']:.0f} |")
    rounds = [f"{system} {' / '.join(f'{m:.0f}' for m in run['round_medians'])}"
              for system, run, _ in rows if len(run.get("round_medians", [])) > 1]
    note = f"\nMedian ms of each round: {'; '.join(rounds)}.\n" if rounds else ""
    ratios = ratio_note(rows)
    stages = stage_note(rows)
    marks = highlight_note(folder, rows)
    return (head + "\n".join(body) + "\n" + note + (f"\n{ratios}" if ratios else "")
            + (f"\n{stages}" if stages else "") + (f"\n{marks}" if marks else ""))


def _rerun_masked(level: str, argv: list[str]) -> int:
    """The whole run again in a process (and so workers) that CPUID masking covers."""
    try:
        env = cpu_mask.environment(level)
    except cpu_mask.CpuMaskError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run([sys.executable, "-m", "ocr_app.bench", *argv], env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--systems", default=",".join(DEFAULT_SYSTEMS),
                        help="comma list: ocrdesk-int8, ocrdesk-fp32, ocrdesk-<set>-<precision>, rapidocr, "
                             "rapidocr:flushed (denormals flushed, as OCR Desk runs), tesseract")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rapidocr-python", default=os.environ.get("RAPIDOCR_PYTHON"),
                        help="python of a venv with rapidocr installed")
    parser.add_argument("--scorer", default=None, help="path to score.py (default: next to the folders)")
    parser.add_argument("--limit", type=int, default=0, help="first N images per folder")
    parser.add_argument("--keep", type=Path, default=None, help="keep the JSONL predictions here")
    parser.add_argument("--rounds", type=int, default=1,
                        help="read each folder this many times, alternating the order of the systems")
    parser.add_argument("--interleave", action="store_true",
                        help="warm workers taking turns image by image (order alternating)")
    parser.add_argument("--mask-cpu", choices=cpu_mask.LEVELS, default=None,
                        help="run every system as on a CPU without VNNI (avx512) or without AVX-512 too "
                             "(avx2), by CPUID faulting (Linux x86-64; see bench/cpu_mask.py)")
    args = parser.parse_args(argv)
    if args.mask_cpu and cpu_mask.active() != args.mask_cpu:
        return _rerun_masked(args.mask_cpu, sys.argv[1:] if argv is None else argv)
    if args.mask_cpu:
        cpu_mask.check(args.mask_cpu)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for folder in args.folders:
        if not folder.is_dir():
            print(f"bench: not a folder: {folder}", file=sys.stderr)
            return 2
        scorer = _find_scorer(folder, args.scorer)
        systems = []
        for system in args.systems.split(","):
            python = available(system, args.rapidocr_python)
            if python is None:
                print(f"  {system}: not installed, skipped", file=sys.stderr)
            else:
                systems.append((system, python))
        runs: dict[str, list[dict]] = {}
        if args.interleave:
            runs = run_interleaved(systems, folder, args.threads, workdir, args.limit, max(1, args.rounds))
        for round_no in range(1, 0 if args.interleave else max(1, args.rounds) + 1):
            order = systems if round_no % 2 else systems[::-1]
            for system, python in order:
                print(f"  {folder.name}: {system} (round {round_no}) ...", file=sys.stderr)
                run = run_system(system, folder, args.threads, python, workdir, args.limit, round_no)
                if run is not None:
                    runs.setdefault(system, []).append(run)
        rows = []
        for system, _ in systems:
            if system in runs:
                run = combine(runs[system])
                rows.append((system, run, _score(folder, run["jsonl"], scorer)))
        print(table(folder, rows))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One benchmark system over one folder, in its own process (so cold start and peak RSS
are that system's alone). Runnable as a plain script by a peer's own interpreter, hence
stdlib-only imports at the top.

usage: system_runner.py SYSTEM DIR OUT.jsonl --threads N --spawned-at EPOCH_SECONDS
       system_runner.py SYSTEM - - --serve ...   (one image path per stdin line, one JSON
       result per stdout line, the summary after stdin closes: the interleaved bench)
SYSTEM: ocrdesk-int8 | ocrdesk-fp32 | ocrdesk-<set>-<precision> | rapidocr | tesseract
        (ocrdesk-int8:fast / ocrdesk-int8:exact force the INT8 kernel, see engine/cpu_features;
        rapidocr:flushed is RapidOCR with denormal floats flushed to zero in every session, as
        OCR Desk runs: on Intel cores that alone takes about a third off its time, so it is
        the like-for-like peer for our models' speed, and plain `rapidocr` the one users run)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
# Stages whose time both engines report per page (OCR Desk's timing names); Tesseract reports none.
STAGES = ("detect", "classify", "recognize")


def _ocrdesk(system: str, threads: int):
    system, _, kernel = system.partition(":")  # ocrdesk-int8:fast / :exact force the INT8 kernel
    if kernel:
        os.environ["OCR_DESK_INT8_KERNEL"] = kernel
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from ocr_app.engine import Engine, EngineConfig
    from ocr_app.jobs import Source, run_source

    parts = system.split("-")[1:]
    precision = parts[-1]
    model_set = "-".join(parts[:-1]) or None
    engine = Engine(EngineConfig(model_set=model_set, precision=precision, threads=threads))

    def run(path: Path) -> tuple[list[dict], dict[str, float]]:
        results = list(run_source(engine, Source.from_path(path), use_cache=False))
        stages = {name: sum(res.timings.get(name, 0.0) for res in results) for name in STAGES}
        return [{"box": ln.box, "text": ln.text, "confidence": ln.confidence,
                 "char_confidences": ln.char_confidences, "char_doubt": ln.char_doubt}
                for res in results for ln in res.lines], stages

    return run


def _rapidocr(threads: int, flushed: bool = False):
    if flushed:  # every session RapidOCR makes gets ORT's flush-denormals-to-zero entry
        import onnxruntime as ort

        class FlushingOptions(ort.SessionOptions):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                self.add_session_config_entry("session.set_denormal_as_zero", "1")

        ort.SessionOptions = FlushingOptions
    from rapidocr import RapidOCR

    engine = RapidOCR(params={
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })

    def run(path: Path) -> tuple[list[dict], dict[str, float]]:
        out = engine(str(path))
        # RapidOCR reports det, cls and rec seconds in that order
        stages = dict(zip(STAGES, (1000 * float(x) for x in (getattr(out, "elapse_list", None) or ())), strict=False))
        if out.boxes is None:
            return [], stages
        return [{"box": [list(map(float, p)) for p in box], "text": txt, "confidence": float(score)}
                for box, txt, score in zip(out.boxes, out.txts, out.scores, strict=False)], stages

    return run


def _tesseract(threads: int, lang: str):
    env = {**os.environ, "OMP_THREAD_LIMIT": str(threads)}

    def run(path: Path) -> tuple[list[dict], dict[str, float]]:
        tsv = subprocess.run(["tesseract", str(path), "stdout", "-l", lang, "tsv"], capture_output=True,
                             text=True, env=env, check=False).stdout
        groups: dict[tuple, list] = {}
        for row in tsv.splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
                continue
            key = (cols[1], cols[2], cols[3], cols[4])
            groups.setdefault(key, []).append(cols)
        lines = []
        for words in groups.values():
            x0 = min(int(w[6]) for w in words)
            y0 = min(int(w[7]) for w in words)
            x1 = max(int(w[6]) + int(w[8]) for w in words)
            y1 = max(int(w[7]) + int(w[9]) for w in words)
            sep = "" if lang.startswith("chi") else " "
            lines.append({"box": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
                          "text": sep.join(w[11] for w in words), "confidence": 0.0})
        return lines, {}

    return run


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("system")
    parser.add_argument("folder")
    parser.add_argument("out")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--spawned-at", type=float, default=None)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--tess-lang", default="eng")
    parser.add_argument("--serve", action="store_true", help="read image paths from stdin, one at a time")
    args = parser.parse_args()
    spawned = args.spawned_at or time.time()
    if args.system.startswith("ocrdesk"):
        run = _ocrdesk(args.system, args.threads)
    elif args.system in ("rapidocr", "rapidocr:flushed"):
        run = _rapidocr(args.threads, flushed=args.system.endswith(":flushed"))
    elif args.system == "tesseract":
        run = _tesseract(args.threads, args.tess_lang)
    else:
        raise SystemExit(f"unknown system {args.system}")
    if args.serve:
        return _serve(run, spawned)
    images = sorted(p for p in Path(args.folder).iterdir() if p.suffix.lower() in IMAGE_EXTS)
    if args.limit:
        images = images[: args.limit]
    cold_ms = None
    with open(args.out, "w", encoding="utf-8") as fh:
        for path in images:
            t = time.perf_counter()
            lines, stages = run(path)
            ms = (time.perf_counter() - t) * 1000
            if cold_ms is None:
                cold_ms = (time.time() - spawned) * 1000
            fh.write(json.dumps(_record(path, lines, ms, stages), ensure_ascii=False) + "\n")
    rss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"cold_start_ms": round(cold_ms or 0.0, 1), "peak_rss_mb": round(rss_kb / 1024, 1),
                      "images": len(images)}))
    return 0


def _record(path: Path, lines: list[dict], ms: float, stages: dict[str, float]) -> dict:
    return {"image": path.name, "lines": lines, "ms": round(ms, 1),
            "stages": {name: round(value, 1) for name, value in stages.items()}}


def _peak_rss_mb() -> float:
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def _serve(run, spawned: float) -> int:
    """Warm worker of the interleaved bench: the parent decides which system reads next."""
    print(json.dumps({"ready": True}), flush=True)
    cold_ms = None
    for line in sys.stdin:
        path = Path(line.strip())
        t = time.perf_counter()
        lines, stages = run(path)
        ms = (time.perf_counter() - t) * 1000
        if cold_ms is None:
            cold_ms = (time.time() - spawned) * 1000
        print(json.dumps(_record(path, lines, ms, stages), ensure_ascii=False), flush=True)
    print(json.dumps({"cold_start_ms": round(cold_ms or 0.0, 1), "peak_rss_mb": round(_peak_rss_mb(), 1)}),
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

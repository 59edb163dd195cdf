"""`ocr-desk --self-test`: prove an installed copy works without a screen or a user.

It loads the bundled models, reads the bundled sample image and compares the text with
the committed expected text, so a broken bundle (missing model, missing native library,
wrong data path) fails loudly with exit code != 0 instead of a silent window that never
recognises anything. Works from source and frozen; needs no display.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import options, paths
from .bench.metrics import cer

EXIT_OK, EXIT_MISMATCH, EXIT_MODELS, EXIT_SAMPLE, EXIT_QT, EXIT_PDF = 0, 1, 2, 3, 4, 5
OPTIONAL = ("fp32",)  # precisions that come as an optional pack (`provision --pack fp32`); INT8 always ships


@dataclass
class Check:
    """One precision's outcome."""

    precision: str
    ok: bool
    cer: float = 1.0
    text: str = ""
    load_ms: float = 0.0
    run_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    error: str | None = None
    skipped: str | None = None  # why this precision was not checked (its optional pack is not installed)


def sample_paths() -> tuple[Path, Path]:
    folder = paths.resources_dir() / "sample"
    return folder / "sample.png", folder / "sample.txt"


def process_age_s() -> float | None:
    """Seconds since this process was created (includes the frozen bootloader's unpacking)."""
    try:
        import psutil

        return time.time() - psutil.Process().create_time()
    except Exception:  # psutil missing or no permission: the number is informative only
        return None


def run_check(precision: str, image: Path, expected: str, max_cer: float, threads: int, set_name: str | None,
              dewarp: bool = False) -> Check:
    from .engine import Engine, EngineConfig

    started = time.perf_counter()
    engine = Engine(EngineConfig(model_set=set_name, precision=precision, threads=threads, dewarp_pages=dewarp))
    load_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    result = engine.run(image, use_cache=False)
    run_ms = (time.perf_counter() - started) * 1000
    if not result.ok:
        return Check(precision, False, load_ms=load_ms, run_ms=run_ms, models=engine.info(), error=result.error)
    score = cer(expected, result.text)
    return Check(precision, score <= max_cer, cer=score, text=result.text, load_ms=load_ms, run_ms=run_ms,
                 timings=result.timings, models=engine.info())


def check_dewarp(image: Path, expected: str, max_cer: float, threads: int, set_name: str | None) -> dict:
    """The optional dewarp pack, when installed: the sample read unbent must still match (a damaged
    weights file fails here, not on a user's first curled page)."""
    from .engine import dewarp_installed, pack_command

    if not dewarp_installed():
        return {"ok": True, "skipped": f"not installed; add it with: {pack_command('dewarp')}"}
    check = run_check("int8", image, expected, max_cer, threads, set_name, dewarp=True)
    return {"ok": check.ok, "cer": check.cer, "ms": round(check.timings.get("dewarp", 0.0), 1), "error": check.error}


def check_qt() -> str | None:
    """Start a headless QApplication: catches a bundle missing Qt plugins or libraries.

    Returns an error message or None.
    """
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtWidgets import QApplication, QLabel

        app = QApplication.instance() or QApplication(["ocr-desk-selftest"])
        label = QLabel("OCR Desk")
        label.adjustSize()
        app.processEvents()
        return None if label.width() > 0 else "Qt label has zero width"
    except Exception as exc:
        return f"Qt failed to start: {exc}"


def check_pdf(image: Path, expected: str, max_cer: float, threads: int, set_name: str | None) -> dict:
    """Export the sample as a searchable PDF, then OCR the rendered page: exercises the export
    writer, pdfium rendering and the engine together, as a frozen bundle must ship them."""
    import tempfile

    from .engine import Engine, EngineConfig
    from .export import ExportDoc, export_docs
    from .jobs import Source, run_all

    engine = Engine(EngineConfig(model_set=set_name, threads=threads))
    first = engine.run(image, use_cache=False)
    with tempfile.TemporaryDirectory(prefix="ocr-desk-selftest-") as tmp:
        pdf = Path(tmp) / "sample.pdf"
        export_docs([ExportDoc(name=image.name, pages=[first], images=[image])], "pdf", pdf)
        pages = run_all(engine, Source.from_path(pdf), use_text_layer=False)
    text = pages[0].text if pages else ""
    error = pages[0].error if pages else "no pages"
    score = cer(expected, text)
    return {"ok": error is None and score <= max_cer, "cer": score, "text": text, "error": error}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ocr-desk --self-test", description=__doc__.split("\n")[0])
    parser.add_argument("--precision", choices=(*options.PRECISIONS, "both"), default="both",
                        help="model precision(s) to check (default: both, skipping one that is not installed)")
    parser.add_argument("--max-cer", type=float, default=0.05, help="highest character error rate that passes")
    options.add_arguments(parser, options.CLI, names=("threads", "model_set"))
    parser.add_argument("--image", type=Path, default=None, help="image to read instead of the bundled sample")
    parser.add_argument("--expect", default=None, help="expected text instead of the bundled sample's")
    parser.add_argument("--qt", action="store_true", help="also start a headless Qt application")
    parser.add_argument("--pdf", action="store_true", help="also export the sample to PDF and read it back")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    return parser.parse_args(argv)


def say(text: str) -> None:
    """Print if there is a console (a windowed Windows build has sys.stdout = None)."""
    if sys.stdout is not None:
        print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    image, expected_file = sample_paths()
    image = args.image or image
    report: dict = {"frozen": paths.is_frozen(), "app_root": str(paths.app_root()),
                    "models_dir": str(paths.models_dir()), "image": str(image), "checks": []}
    try:
        expected = args.expect if args.expect is not None else expected_file.read_text(encoding="utf-8")
        if not image.is_file():
            raise FileNotFoundError(image)
    except OSError as exc:
        return finish(report, args, EXIT_SAMPLE, f"sample missing or unreadable: {exc}")
    report["expected"] = expected.strip()

    from .engine import ModelError, installed_precisions, pack_command

    precisions = options.PRECISIONS if args.precision == "both" else (args.precision,)
    try:
        installed = installed_precisions(args.model_set or None)
    except ModelError as exc:
        return finish(report, args, EXIT_MODELS, f"models not usable: {exc}")
    for precision in precisions:
        if args.precision == "both" and installed and precision in OPTIONAL and precision not in installed:
            # "both" checks what is installed: a bundle ships INT8 and FP32 is an optional pack, so its
            # absence is reported, not failed (asking for --precision fp32 fails when it is absent).
            report["checks"].append(Check(precision, True, skipped=f"not installed; add it with: "
                                          f"{pack_command(precision)}").__dict__)
            continue
        try:
            check = run_check(precision, image, expected, args.max_cer, args.threads, args.model_set or None)
        except ModelError as exc:
            return finish(report, args, EXIT_MODELS, f"models not usable ({precision}): {exc}")
        report["checks"].append(check.__dict__)
        if "first_result_s" not in report:
            report["first_result_s"] = process_age_s()
    if args.qt:
        qt_error = check_qt()
        report["qt"] = qt_error or "ok"
        if qt_error:
            return finish(report, args, EXIT_QT, qt_error)
    if args.pdf:
        try:
            report["pdf"] = check_pdf(image, expected, args.max_cer, args.threads, args.model_set or None)
        except Exception as exc:  # any failure here means the bundle lacks export/pdf support
            report["pdf"] = {"ok": False, "cer": 1.0, "text": "", "error": f"{type(exc).__name__}: {exc}"}
        if not report["pdf"]["ok"]:
            why = report["pdf"]["error"] or f"CER {report['pdf']['cer']:.3f} > {args.max_cer}"
            return finish(report, args, EXIT_PDF, f"PDF round trip failed: {why}")
    failed = [c for c in report["checks"] if not c["ok"]]
    if failed:
        worst = failed[0]
        why = worst["error"] or f"CER {worst['cer']:.3f} > {args.max_cer} ({worst['precision']})"
        return finish(report, args, EXIT_MISMATCH, f"sample not recognised: {why}")
    try:
        report["dewarp"] = check_dewarp(image, expected, args.max_cer, args.threads, args.model_set or None)
    except ModelError as exc:
        return finish(report, args, EXIT_MODELS, f"dewarp pack not usable: {exc}")
    if not report["dewarp"]["ok"]:
        why = report["dewarp"]["error"] or f"CER {report['dewarp']['cer']:.3f} > {args.max_cer}"
        return finish(report, args, EXIT_MISMATCH, f"sample not recognised unbent: {why}")
    return finish(report, args, EXIT_OK, None)


def finish(report: dict, args: argparse.Namespace, code: int, error: str | None) -> int:
    report["exit_code"], report["error"] = code, error
    report["process_s"] = process_age_s()
    if args.json:
        say(json.dumps(report, ensure_ascii=False, default=str))
    else:
        say(format_report(report))
    if error and sys.stdout is None and sys.stderr is not None:
        print(f"self-test FAILED: {error}", file=sys.stderr)
    return code


def format_report(report: dict) -> str:
    out = ["OCR Desk self-test",
           f"  frozen: {'yes' if report['frozen'] else 'no'}   app root: {report['app_root']}",
           f"  models: {report['models_dir']}", f"  image:  {report['image']}"]
    for c in report["checks"]:
        if c.get("skipped"):
            out.append(f"  [{c['precision']}] {c['skipped']}")
            continue
        t = c["timings"]
        stages = ", ".join(f"{k} {t[k]:.0f}" for k in ("detect", "classify", "recognize") if k in t)
        model = c["models"]
        out.append(f"  [{c['precision']}] {model.get('set')} ({model.get('det')}, {model.get('rec')}): "
                   f"load {c['load_ms']:.0f} ms, recognise {c['run_ms']:.0f} ms ({stages}), "
                   f"CER {c['cer']:.3f} {'OK' if c['ok'] else 'FAIL'}")
        if model.get("int8_kernel"):
            out.append(f"      INT8 kernel: {model['int8_kernel']}")
        if model.get("denormals_flushed") is not None:
            out.append("      Denormal floats: " + ("flushed to zero" if model["denormals_flushed"]
                                                   else "not flushed (not an x86 CPU, or an unknown C library)"))
        if "zh_words" in model:
            words = f"{model['zh_words']:,}" if model["zh_words"] else "none (run provisioning)"
            out.append(f"      Chinese words for the highlight: {words}")
        if not c["ok"]:
            out.append(f"      expected: {report.get('expected', '')!r}")
            out.append(f"      got:      {c['text']!r}" + (f" error: {c['error']}" if c["error"] else ""))
    if "dewarp" in report:
        dw = report["dewarp"]
        out.append(f"  dewarp pack: {dw['skipped']}" if dw.get("skipped") else
                   f"  dewarp pack: unbend {dw['ms']:.0f} ms, CER {dw['cer']:.3f} {'OK' if dw['ok'] else 'FAIL'}")
    if report.get("first_result_s") is not None:
        out.append(f"  process start → first recognised sample: {report['first_result_s']:.2f} s")
    if "qt" in report:
        out.append(f"  qt: {report['qt']}")
    if "pdf" in report:
        out.append(f"  pdf round trip: CER {report['pdf']['cer']:.3f} {'OK' if report['pdf']['ok'] else 'FAIL'}")
    out.append("PASS" if report["exit_code"] == EXIT_OK else f"FAIL (exit {report['exit_code']}): {report['error']}")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())

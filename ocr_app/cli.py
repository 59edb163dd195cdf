"""Headless CLI: `python main.py ocr PATH... [--jsonl OUT]`.

Exit codes: 0 every image succeeded, 1 some failed (summary on stderr), 2 usage error.
The JSONL schema is the one ../shared/eval/score.py reads, one object per image (per page
for multi-page documents).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from .engine import Engine, EngineConfig, ModelError, OcrResult
from .engine.models import PRECISIONS
from .inputs import expand


class _Usage(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 already; keep its message short
        self.print_usage(sys.stderr)
        print(f"ocr: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Usage(prog="ocr-desk ocr", description="Recognise text in images, folders and PDFs.")
    p.add_argument("paths", nargs="+", help="image files, PDFs or folders (searched recursively)")
    p.add_argument("--jsonl", metavar="OUT", help="write one JSON object per image to OUT ('-' = stdout)")
    p.add_argument("--txt", action="store_true", help="print plain text to stdout even with --jsonl")
    p.add_argument("--threads", type=int, default=0, help="ONNX Runtime threads (default: physical cores)")
    p.add_argument("--model", default=None, help="model set (default from models/manifest.json)")
    p.add_argument("--precision", choices=PRECISIONS, default="int8")
    p.add_argument("--no-cls", action="store_true", help="skip the upside-down line classifier")
    p.add_argument("--codes", action="store_true", help="also decode QR codes and barcodes")
    p.add_argument("--no-text-layer", action="store_true", help="OCR PDF pages even if they carry text")
    p.add_argument("--export", metavar="FMT", choices=("txt", "md", "json", "csv", "pdf"),
                   help="also export to txt, md, json, csv or pdf (searchable) at --output")
    p.add_argument("--output", "-o", metavar="PATH", help="export target: a file, or a folder with --separate")
    p.add_argument("--separate", action="store_true", help="one export file per input, into the --output folder")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return p


def _results(engine: Engine, path: Path, use_text_layer: bool) -> Iterator[OcrResult]:
    """One result per page; a document that cannot be opened or read becomes one error
    result, so the rest of the batch carries on."""
    from .documents import DocumentError, is_document, ocr_document

    if not is_document(path):
        yield engine.run(path)
        return
    try:
        results = ocr_document(engine, path, use_text_layer=use_text_layer)
    except DocumentError as exc:
        results = [OcrResult(source=path.name, error=str(exc))]
    except Exception as exc:  # a damaged file the document reader did not anticipate
        results = [OcrResult(source=path.name, error=f"cannot read document ({type(exc).__name__}: {exc})")]
    yield from results


class Progress:
    """A one-line progress bar on stderr (only when more than one file)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.start = total, enabled and total > 1, time.perf_counter()

    def update(self, done: int, name: str) -> None:
        if not self.enabled:
            return
        width = 28
        filled = int(width * done / self.total)
        rate = done / max(1e-6, time.perf_counter() - self.start)
        eta = (self.total - done) / rate if rate else 0
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} "
                         f"{rate:4.1f}/s eta {eta:4.0f}s {name[:30]:<30}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.export and not args.output:
        parser.error("--export needs --output PATH")
    files = expand(args.paths)
    if not files:
        print("ocr: no files found", file=sys.stderr)
        return 2
    try:
        engine = Engine(EngineConfig(model_set=args.model, precision=args.precision, threads=args.threads,
                                     use_cls=not args.no_cls, detect_codes=args.codes))
    except ModelError as exc:
        print(f"ocr: {exc}", file=sys.stderr)
        return 2
    to_stdout = args.jsonl == "-"
    print_text = args.txt or not args.jsonl
    failed: list[OcrResult] = []
    done: dict[Path, list[OcrResult]] = {}
    progress = Progress(len(files), not args.quiet)
    multi = len(files) > 1
    with ExitStack() as stack:
        sink = None
        if args.jsonl:
            try:
                sink = sys.stdout if to_stdout else stack.enter_context(open(args.jsonl, "w", encoding="utf-8"))
            except OSError as exc:
                print(f"ocr: cannot write {args.jsonl}: {exc.strerror or exc}", file=sys.stderr)
                return 2
        code = _run_all(engine, files, args, sink, print_text, multi, progress, failed, done)
    if code:
        return code
    progress.close()
    if args.export and not _export(done, args):
        return 1
    if failed:
        print(f"ocr: {len(failed)} of {len(files)} failed:", file=sys.stderr)
        for res in failed:
            page = f" page {res.page}" if res.page else ""
            print(f"  {res.source}{page}: {res.error}", file=sys.stderr)
        return 1
    return 0


def _export(done: dict[Path, list[OcrResult]], args: argparse.Namespace) -> bool:
    from .export import ExportDoc, ExportError, export_docs

    docs = [ExportDoc(path.name, pages, images=[path] * len(pages)) for path, pages in done.items()
            if any(p.ok for p in pages)]
    try:
        written = export_docs(docs, args.export, Path(args.output), combined=not args.separate)
    except ExportError as exc:
        print(f"ocr: export failed: {exc}", file=sys.stderr)
        return False
    for path in written:
        print(f"ocr: wrote {path}", file=sys.stderr)
    return True


def _run_all(engine: Engine, files: list[Path], args: argparse.Namespace, sink, print_text: bool, multi: bool,
             progress: Progress, failed: list[OcrResult], done: dict[Path, list[OcrResult]]) -> int:
    try:
        for i, path in enumerate(files, 1):
            for res in _results(engine, path, not args.no_text_layer):
                done.setdefault(path, []).append(res)
                if res.error:
                    failed.append(res)
                if sink is not None:
                    sink.write(json.dumps(res.to_dict(), ensure_ascii=False) + "\n")
                    sink.flush()
                if print_text and not res.error:
                    if multi or res.page:
                        page = f" (page {res.page})" if res.page else ""
                        print(f"==> {path}{page} <==")
                    print(res.text)
            progress.update(i, path.name)
    except KeyboardInterrupt:
        progress.close()
        print("ocr: interrupted", file=sys.stderr)
        return 1
    return 0

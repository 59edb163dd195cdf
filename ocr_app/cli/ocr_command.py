"""Headless CLI: `python main.py ocr PATH... [--jsonl OUT]`.

Exit codes: 0 every image succeeded, 1 some failed (summary on stderr), 2 usage error.
The JSONL schema is the one ../shared/eval/score.py reads, one object per image (per page
for multi-page documents). Outputs are checked before any OCR work (a folder, device, FIFO
or unwritable place is a usage error) and written atomically: `--jsonl OUT` replaces OUT
only when the run completes, so an interrupted or failed run leaves the previous OUT intact.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from .. import options
from ..engine import Engine, ModelError, OcrResult
from ..export import FORMATS as EXPORT_FORMATS
from ..export import ExportError, atomic_file
from ..export.atomic import resolve_target
from ..input_files import expand
from ..jobs import Source, run_source
from .progress_bar import ProgressBar


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
    options.add_arguments(p, options.CLI)
    options.add_arguments(p, options.GUI, ("keep_history",))  # --no-history: nothing goes to the local history
    p.add_argument("--export", metavar="FMT", choices=EXPORT_FORMATS,
                   help=f"also export to {', '.join(EXPORT_FORMATS)} (pdf: searchable) at --output")
    p.add_argument("--output", "-o", metavar="PATH", help="export target: a file, or a folder with --separate")
    p.add_argument("--separate", action="store_true", help="one export file per input, into the --output folder")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return p


def _results(engine: Engine, path: Path, use_text_layer: bool) -> Iterator[OcrResult]:
    """One result per page (one for an image); never raises for a bad file."""
    yield from run_source(engine, Source.from_path(path), use_text_layer=use_text_layer)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # while the models load: nothing written yet
        print("ocr: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.export and not args.output:
        parser.error("--export needs --output PATH")
    problem = _check_targets(args)
    if problem:
        print(f"ocr: {problem}", file=sys.stderr)
        return 2
    files = expand(args.paths)
    if not files:
        print("ocr: no files found", file=sys.stderr)
        return 2
    try:
        engine = Engine(options.engine_config(options.values_from_args(args)))
    except ModelError as exc:
        print(f"ocr: {exc}", file=sys.stderr)
        return 2
    print_text = args.txt or not args.jsonl
    failed: list[OcrResult] = []
    done: dict[Path, list[OcrResult]] = {}
    progress = ProgressBar(len(files), not args.quiet)
    multi = len(files) > 1
    try:
        with ExitStack() as stack:
            sink = None
            if args.jsonl == "-":
                sink = sys.stdout
            elif args.jsonl:  # replaced only when the run completes: an interrupted run keeps the old file
                sink = io.TextIOWrapper(stack.enter_context(atomic_file(args.jsonl)), encoding="utf-8")
                stack.callback(sink.detach)
            code = _run_all(engine, files, args, sink, print_text, multi, progress, failed, done)
            if sink is not None:
                sink.flush()
    except ExportError as exc:
        progress.close()
        print(f"ocr: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        progress.close()
        print("ocr: interrupted" + (f"; {args.jsonl} left as it was" if args.jsonl not in (None, "-") else ""),
              file=sys.stderr)
        return 130
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


def _check_targets(args: argparse.Namespace) -> str | None:
    """Why an output cannot be written, found before any OCR work is done."""
    targets = [(Path(args.jsonl), False)] if args.jsonl not in (None, "-") else []
    if args.export and not args.separate:
        targets.append((Path(args.output), True))  # an export makes its folders, as the window's does
    for target, make_folders in targets:
        try:
            real = resolve_target(target)
        except ExportError as exc:
            return str(exc)
        folder = real.parent
        if not folder.is_dir() and not make_folders:
            return f"cannot write {target}: no folder {folder}"
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"cannot write {target}: folder {folder} is not writable"
    if args.export and args.separate:
        out = Path(args.output)
        if out.exists() and not out.is_dir():
            return f"cannot write into {out}: --separate needs a folder"
    return None


def _export(done: dict[Path, list[OcrResult]], args: argparse.Namespace) -> bool:
    from ..export import ExportDoc, export_docs

    docs = [ExportDoc(path.name, pages, images=[path] * len(pages), layout=args.layout) for path, pages in done.items()
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
             progress: ProgressBar, failed: list[OcrResult], done: dict[Path, list[OcrResult]]) -> int:
    history = _History(engine) if args.keep_history else None
    for i, path in enumerate(files, 1):
        for res in _results(engine, path, args.use_text_layer):
            done.setdefault(path, []).append(res)
            if history is not None:
                history.page(path, res)
            if res.error:
                failed.append(res)
            if sink is not None:
                sink.write(json.dumps(res.to_dict(), ensure_ascii=False) + "\n")
                if sink is sys.stdout:
                    sink.flush()
            if print_text and not res.error:
                if multi or res.page:
                    page = f" (page {res.page})" if res.page else ""
                    print(f"==> {path}{page} <==")
                print(res.text_as(args.layout))
        progress.update(i, path.name)
        if history is not None:
            history.item_done(path, done.get(path, []))
    if history is not None:
        history.close()
    return 0


class _History:
    """Pages read go to the local history store (ocr_app/store) as they finish, as in the
    window, unless --no-history; a store that cannot be opened only costs a warning."""

    def __init__(self, engine: Engine):
        import uuid

        from ..store import StoreWriter

        self.writer = StoreWriter()
        self.fingerprint = engine.config.fingerprint()
        self.uids: dict[Path, str] = {}
        self._uuid = uuid.uuid4
        if self.writer.error:
            print(f"ocr: history off: {self.writer.error}", file=sys.stderr)

    def page(self, path: Path, res: OcrResult) -> None:
        uid = self.uids.get(path)
        if uid is None:
            uid = self.uids[path] = self._uuid().hex
            self.writer.submit("add_item", uid, path.name, str(path.resolve()), None, res.page is not None, False,
                               None, "running")
        index = 0 if res.page is None else res.page - 1
        self.writer.submit("put_page", uid, index, res.to_dict(), res.text, self.fingerprint)

    def item_done(self, path: Path, pages: list[OcrResult]) -> None:
        uid = self.uids.get(path)
        if uid is not None:
            failed = [p for p in pages if p.error]
            status = "failed" if pages and len(failed) == len(pages) else "done"
            self.writer.submit("set_status", uid, status, failed[0].error if failed else None,
                               failed[0].error_kind.value if failed and failed[0].error_kind else None)

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()

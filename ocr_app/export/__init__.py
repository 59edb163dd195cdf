"""Export recognised text: TXT, Markdown, JSON, CSV and searchable PDF (Qt-free).

`export_docs(docs, fmt, target, combined=True)` writes every doc into one file at
`target`; with `combined=False` it writes `<stem>.<fmt>` per doc into the folder `target`
(a second doc with the same stem gets "<stem> (2).<fmt>"). Writes are atomic: a failure
leaves any previous file untouched and raises ExportError with a user-facing message.
Per-page line edits (`ExportDoc.edits`, see edits.py) replace the recognised lines in every format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .atomic import atomic_file, atomic_write_bytes, atomic_write_text
from .csvfmt import to_csv
from .export_doc import ExportDoc, ExportError
from .jsonfmt import to_json
from .pdf import write_pdf
from .text import to_md, to_txt

FORMATS = ("txt", "md", "json", "csv", "pdf")

_TEXT_WRITERS: dict[str, Callable[[list[ExportDoc]], str]] = {
    "txt": to_txt, "md": to_md, "json": to_json, "csv": to_csv,
}

__all__ = ["FORMATS", "ExportDoc", "ExportError", "atomic_file", "atomic_write_bytes", "atomic_write_text",
           "export_docs", "render"]


def normalize_format(fmt: str) -> str:
    key = fmt.lower().lstrip(".")
    key = {"markdown": "md", "text": "txt"}.get(key, key)
    if key not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose one of {', '.join(FORMATS)})")
    return key


def render(docs: list[ExportDoc], fmt: str) -> str:
    """The text of a txt/md/json/csv export, e.g. for a clipboard or an HTTP response."""
    key = normalize_format(fmt)
    if key == "pdf":
        raise ExportError("PDF is a binary format; use export_docs")
    return _TEXT_WRITERS[key](docs)


def _write(docs: list[ExportDoc], fmt: str, path: Path) -> Path:
    if fmt == "pdf":
        with atomic_file(path) as fh:
            write_pdf(docs, fh)
        return path
    return atomic_write_text(path, _TEXT_WRITERS[fmt](docs))


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_stem(name: str) -> str:
    """A file stem valid on Windows, macOS and Linux."""
    stem = _UNSAFE.sub("_", Path(name).stem if name else "").strip(" .")
    return stem[:150] or "document"


def export_docs(docs: list[ExportDoc], fmt: str, target: Path, combined: bool = True) -> list[Path]:
    """Write `docs` as `fmt`; returns the files written."""
    key = normalize_format(fmt)
    if not docs:
        raise ExportError("nothing to export")
    target = Path(target)
    if combined:
        return [_write(docs, key, target)]
    if target.exists() and not target.is_dir():
        raise ExportError(f"cannot export into {target}: it is a file, not a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create folder {target}: {exc.strerror or exc}") from exc
    used: set[str] = set()
    written = []
    for doc in docs:
        stem = safe_stem(doc.name)
        name, n = f"{stem}.{key}", 1
        while name.casefold() in used:
            n += 1
            name = f"{stem} ({n}).{key}"
        used.add(name.casefold())
        written.append(_write([doc], key, target / name))
    return written

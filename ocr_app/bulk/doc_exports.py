"""Per-document exports (`--export txt|md|json|csv|pdf`): written atomically into
OUT/exports once a document's last page is in a record, from this run or an earlier one.

A document's pages from earlier runs are read back from the shards, so only the pages of
documents still open are held in memory. The file name carries the content hash
(`<stem>-<hash8>.<fmt>`), so two files called "scan.pdf" in different folders never
overwrite each other and a restarted run finds what it already wrote.
"""

from __future__ import annotations

import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from ..engine import OcrResult
from ..export import ExportDoc, ExportError, export_docs, safe_stem
from .locate import open_binary
from .plan import Doc, local_copy
from .shards import Loc, read_record


class DocExporter:
    def __init__(self, out: Path, fmt: str, shards: Path, done: dict[str, Loc], layout: str = "lines"):
        self.folder = out / "exports"
        self.fmt = fmt
        self.layout = layout  # the text's layout mode in TXT/Markdown exports
        self.shards = shards
        self.done = done
        self.written = self.failed = 0
        self._docs: dict[int, tuple[Doc, dict[str, dict[str, Any]]]] = {}
        self._by_key: dict[str, list[int]] = {}
        self._lock = threading.Lock()  # the planner expects documents while the driver adds records

    def target(self, doc: Doc) -> Path:
        return self.folder / f"{safe_stem(doc.item.name)}-{doc.sha[:8]}.{self.fmt}"

    def expect(self, doc: Doc) -> None:
        """Watch a probed document; export it now if every page was done before."""
        if not doc.sha or self.target(doc).exists():
            return
        with self._lock:
            ident = id(doc)
            self._docs[ident] = (doc, {})
            for key in doc.keys:
                self._by_key.setdefault(key, []).append(ident)
            self._check(ident)

    def add(self, record: dict[str, Any]) -> None:
        with self._lock:
            for ident in list(self._by_key.get(record["key"], [])):
                if ident in self._docs:
                    self._docs[ident][1][record["key"]] = record
                    self._check(ident)

    def _check(self, ident: int) -> None:
        doc, have = self._docs[ident]
        if all(k in have or k in self.done for k in doc.keys):
            del self._docs[ident]
            for key in doc.keys:
                owners = self._by_key.get(key, [])
                if ident in owners:
                    owners.remove(ident)
                if not owners:
                    self._by_key.pop(key, None)
            self._export(doc, [have[k] if k in have else read_record(self.shards, self.done[k]) for k in doc.keys])

    def _export(self, doc: Doc, records: list[dict[str, Any]]) -> None:
        pages = [OcrResult.from_dict(r) for r in records]
        if not any(p.ok for p in pages):
            return  # nothing to export, as `main.py ocr --export` skips it
        try:
            with ExitStack() as stack:
                image: Path | None = None
                if self.fmt == "pdf":  # the page images come from the file itself
                    if doc.item.local:
                        image = Path(doc.item.uri)
                    else:
                        with open_binary(doc.item.uri) as fh:
                            data = fh.read()
                        image = stack.enter_context(local_copy(data, doc.item.name))
                export = ExportDoc(doc.item.name, pages, images=[image] * len(pages) if image else None,
                                   layout=self.layout)
                export_docs([export], self.fmt, self.target(doc))
            self.written += 1
        except (ExportError, OSError) as exc:
            self.failed += 1
            print(f"bulk: export of {doc.item.uri} failed: {exc}", file=sys.stderr)

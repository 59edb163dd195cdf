"""Files → page tasks: hash each file, count its pages, skip the keys already done.

Probing runs on the driver a few files ahead of the workers (bounded, so a million files
never sit in memory or in the object store at once). A file that cannot be read or opened
still gives one task: the worker turns it into the same error record `main.py ocr` writes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..jobs import Source, is_multipage, page_count
from .keys import bytes_hash, content_hash, page_key, unreadable_key
from .locate import Item, open_binary

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Task:
    """One page to read; `data` is [ObjectRef of the file's bytes] when the workers cannot
    read `uri` themselves (a URL, or a local file on a cluster joined with --address).
    It is wrapped in a list so Ray does not fetch it before the worker checks its cache."""

    key: str
    uri: str
    name: str
    number: int | None  # 1-based page of a document; None for a plain image
    sha: str = ""
    data: list[Any] | None = None


@dataclass
class Doc:
    """A probed file: its pages in order (numbers and keys) and its content hash."""

    item: Item
    sha: str
    numbers: list[int | None]
    keys: list[str] = field(default_factory=list)


@contextmanager
def local_copy(data: bytes, name: str) -> Iterator[Path]:
    """Bytes as a temporary file with the name's suffix (documents are read from files and
    recognised by extension, as for local paths)."""
    fd, tmp = tempfile.mkstemp(suffix=Path(name).suffix.lower(), prefix="ocrdesk-bulk-")
    path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _numbers(path: Path, name: str) -> list[int | None]:
    """[None] for a plain image (or a document that cannot be opened: one error record),
    else 1..pages."""
    source = Source(name=name, path=path)
    if not is_multipage(source):
        return [None]
    try:
        return list(range(1, page_count(source) + 1))
    except Exception:  # damaged, password: the worker writes the CLI's error record for it
        return [None]


def probe(item: Item, settings: str, ship: bool) -> tuple[Doc, bytes | None]:
    """(the file's pages and keys, its bytes when they must be shipped to the workers)."""
    data: bytes | None = None
    try:
        if ship:
            with open_binary(item.uri) as fh:
                data = fh.read()
            sha = bytes_hash(data)
        else:
            with open_binary(item.uri) as fh:
                sha = content_hash(fh)
    except OSError:
        return Doc(item, "", [None], [unreadable_key(item.uri, settings)]), None
    if data is None:
        numbers = _numbers(Path(item.uri), item.name)
    else:
        with local_copy(data, item.name) as path:
            numbers = _numbers(path, item.name)
    return Doc(item, sha, numbers, [page_key(sha, n, settings) for n in numbers]), data


def bounded_map(fn: Callable[[T], R], items: Iterable[T], ahead: int, threads: int) -> Iterator[R]:
    """`fn` over items on a few threads, in order, at most `ahead` results pending."""
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bulk-probe") as pool:
        pending: list[Future[R]] = []
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= ahead:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()

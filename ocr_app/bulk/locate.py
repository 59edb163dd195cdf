"""SRC arguments → the files to read: local folders (recursive), local files, `@list`
files (one SRC a line) and URLs (`file://`, `s3://`, ... through fsspec).

Local paths go through `input_files.expand`, as `main.py ocr` does; URLs through fsspec's
file systems, so an object store and the local disk share one code path (`file://`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..input_files import expand, is_supported

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


@dataclass(frozen=True)
class Item:
    """One file to read: `uri` is an absolute local path or a URL; `name` is the file name
    (the CLI record's "image")."""

    uri: str
    name: str

    @property
    def local(self) -> bool:
        return not is_url(self.uri)


class SourceError(ValueError):
    """A SRC that names nothing readable (a missing list file, an unknown URL scheme)."""


def _url_fs(url: str):
    try:
        import fsspec
    except ImportError as exc:
        raise SourceError(f"{url}: URLs need fsspec (pip install -r requirements-cluster.txt)") from exc
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # no such protocol, or its package is missing (s3fs, gcsfs)
        raise SourceError(f"{url}: {exc}") from exc


def _expand_url(url: str) -> list[Item]:
    fs, root = _url_fs(url)
    try:
        if fs.isdir(root):
            found = sorted(p for p in fs.find(root) if is_supported(p))
            return [Item(fs.unstrip_protocol(p), PurePosixPath(p).name) for p in found]
    except OSError as exc:
        raise SourceError(f"{url}: {exc}") from exc
    return [Item(url, PurePosixPath(root).name or url)]  # a file, or a missing one (an error record later)


def _list_entries(spec: str) -> list[str]:
    """The SRCs in a list file: one a line, blank lines and '#' comments skipped."""
    target = spec[1:]
    try:
        with open_binary(target) as fh:
            text = fh.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read list {target}: {exc}") from exc
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def expand_sources(specs: Iterable[str], _depth: int = 0) -> list[Item]:
    """Every file the SRCs name, each once (by local real path or URL), in order given."""
    items: list[Item] = []
    seen: set[str] = set()

    def add(item: Item) -> None:
        if item.uri not in seen:
            seen.add(item.uri)
            items.append(item)

    local: list[str] = []

    def flush_local() -> None:
        for path in expand(local):
            add(Item(str(Path(path).absolute()), path.name))
        local.clear()

    for spec in specs:
        if spec.startswith("@") and _depth < 4:
            flush_local()
            for item in expand_sources(_list_entries(spec), _depth + 1):
                add(item)
        elif is_url(spec):
            flush_local()
            for item in _expand_url(spec):
                add(item)
        else:
            local.append(spec)
    flush_local()
    return items


@contextmanager
def open_binary(uri: str) -> Iterator[BinaryIO]:
    """A local path or a URL opened for reading (OSError when it cannot be)."""
    if not is_url(uri):
        with open(uri, "rb") as fh:
            yield fh
        return
    fs, path = _url_fs(uri)
    try:
        fh = fs.open(path, "rb")
    except OSError:
        raise
    except Exception as exc:  # object stores raise their own errors (auth, bucket missing)
        raise OSError(f"{uri}: {exc}") from exc
    with fh:
        yield fh

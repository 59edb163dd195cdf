"""Record keys: what makes a page "done" across runs, independent of where the file lives.

key = content hash of the file · page number (0 for a plain image) · settings id. Moving or
renaming files does not redo them; changing a setting that changes results does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, BinaryIO

from .. import options

CHUNK = 1 << 20


def content_hash(fh: BinaryIO) -> str:
    """SHA-256 of a stream, read in 1 MB chunks (memory stays flat for big PDFs)."""
    digest = hashlib.sha256()
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settings_id(values: Mapping[str, Any]) -> str:
    """Short hash of everything that changes a record: the engine's fingerprint plus the
    CLI's settings outside the engine (PDF text layers, text layout), which it does not see."""
    fingerprint = options.engine_config(values).fingerprint()
    outside = sorted((o.name, o.coerce(values[o.name]) if o.name in values else o.default_value())
                     for o in options.OPTIONS if options.CLI in o.scopes and o.group != "engine")
    return hashlib.sha256(f"{fingerprint}|{outside!r}".encode()).hexdigest()[:16]


def page_key(sha: str, page: int | None, settings: str) -> str:
    return f"{sha[:32]}:{page or 0}:{settings}"


def unreadable_key(uri: str, settings: str) -> str:
    """Key of a file that could not be read for hashing: by name, so it is retried only
    once its content can be read (then its content key is new)."""
    return f"name-{hashlib.sha256(uri.encode()).hexdigest()[:27]}:0:{settings}"

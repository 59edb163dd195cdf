"""Atomic file writes: a temp file in the target's folder, then `os.replace`.

Why: an export interrupted half-way (crash, full disk, exception in a writer) must leave
the previous file exactly as it was, never a truncated one. The temp file lives in the
same folder so the final rename never crosses file systems.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .model import ExportError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[BinaryIO]:
    """Binary handle whose content replaces `target` only if the block finishes normally.

    OSErrors become ExportError with a user-facing message; any other exception is
    re-raised after the temp file is removed (the old `target` is untouched either way).
    """
    target = Path(target)
    if target.is_dir():
        raise ExportError(f"cannot write {target}: it is a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {_describe(exc)}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {target}: {_describe(exc)}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_file(target) as fh:
        fh.write(data)
    return Path(target)


def atomic_write_text(target: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Text with "\\n" line ends on every OS (what editors and diff tools expect)."""
    return atomic_write_bytes(target, text.encode(encoding))

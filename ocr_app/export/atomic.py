"""Atomic file writes: a temp file in the target's folder, then `os.replace`.

Why: an export interrupted half-way (crash, full disk, exception in a writer) must leave
the previous file exactly as it was, never a truncated one. The temp file lives in the
same folder so the final rename never crosses file systems.

What a target may be: a new path or an existing regular file. A rename replaces whatever
directory entry has the target's name, so an existing folder, device node, FIFO or socket
is refused (as root, `-o /dev/null` would otherwise replace the system's /dev/null). A
symlink is followed: when it points to a regular file, that file is replaced (the link
stays a link); a dangling link, or one to a special file, is refused.

Temp files are named `.<name>.ocrdesk-<random>.tmp`. A process killed mid-export (SIGKILL,
power loss) cannot remove its own, so each export first deletes such files left in the
target's folder: only those older than ORPHAN_AGE and, where the OS has flock(), not locked
(a running export holds a lock on its temp file for as long as it writes it).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .export_doc import ExportError

try:
    import fcntl
except ImportError:  # Windows: the age alone decides
    fcntl = None  # type: ignore[assignment]

TEMP_TAG = ".ocrdesk-"
TEMP_SUFFIX = ".tmp"
ORPHAN_AGE = 3600.0  # seconds; far longer than any export takes
_ORPHAN = re.compile(r"^\..*" + re.escape(TEMP_TAG) + r"[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$", re.DOTALL)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _special(mode: int) -> str | None:
    """Why a file of this mode must not be replaced, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a regular file"
    if stat.S_ISFIFO(mode):
        return "it is a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    return "it is not a regular file"


def resolve_target(target: str | Path) -> Path:
    """The path the export will replace: `target` itself, or the regular file a symlink
    points to. ExportError for folders, special files and dangling links."""
    target = Path(target)
    try:
        lst = os.lstat(target)
    except FileNotFoundError:
        return target  # a new file
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot write {target}: {getattr(exc, 'strerror', None) or exc}") from exc
    if not stat.S_ISLNK(lst.st_mode):
        why = _special(lst.st_mode)
        if why:
            raise ExportError(f"cannot write {target}: {why}")
        return target
    try:
        st = os.stat(target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: it is a symbolic link to a missing file") from exc
    why = _special(st.st_mode)
    if why:
        raise ExportError(f"cannot write {target}: it is a symbolic link, and {why.replace('it is', 'its target is')}")
    return Path(os.path.realpath(target))


def _lock(fd: int, wait: bool) -> bool:
    """Exclusive advisory lock on `fd`; False if another process holds one."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _in_use(path: str) -> bool:
    """Whether a live export holds the lock on this temp file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return True  # cannot tell: leave it
    try:
        return not _lock(fd, wait=False)
    finally:
        os.close(fd)


def clean_orphans(folder: Path, max_age: float = ORPHAN_AGE) -> int:
    """Delete this module's temp files in `folder` older than `max_age` seconds; how many.
    Only regular files with our name pattern, never anything else; errors are ignored."""
    removed = 0
    cutoff = time.time() - max_age
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not _ORPHAN.match(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff and not _in_use(entry.path):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[BinaryIO]:
    """Binary handle whose content replaces `target` only if the block finishes normally.

    OSErrors become ExportError with a user-facing message; any other exception is
    re-raised after the temp file is removed (the old `target` is untouched either way).
    """
    shown = Path(target)
    target = resolve_target(shown)  # refuse special files before any work
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_orphans(target.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}{TEMP_TAG}", suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {shown}: {_describe(exc)}") from exc
    tmp = Path(tmp_name)
    _lock(fd, wait=True)  # released when fd closes, or when this process dies
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if resolve_target(shown) != target:  # swapped for a link or special file meanwhile
            raise ExportError(f"cannot write {shown}: it changed while the export was written")
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {shown}: {_describe(exc)}") from exc
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

"""Open a user-given path for reading without ever blocking on it.

Why: `open()` on a FIFO blocks until a writer appears, and reading a device node can
block or never end, so one such file named `*.gif` in a scanned folder used to stall a
whole batch. Every user-given path is therefore opened here once, with O_NONBLOCK (a
FIFO opens at once) and O_NOCTTY (a terminal never becomes ours), and the *opened
descriptor* is checked with fstat: whatever the name points to when we read it is a
regular file, with no window between a check and the open. Callers then read from the
returned file object (Pillow and pdfium take file objects), never from the path again.

A cheap stat() before opening refuses obvious special files without opening them at all
(opening some devices has side effects); it is only a shortcut, the fstat is the check.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["NotRegularFileError", "open_regular", "reason"]

_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))


class NotRegularFileError(OSError):
    """The path is a folder, FIFO, socket or device; str() is the user-facing reason."""


def _kind(mode: int) -> str | None:
    """User-facing reason a file of this mode is refused, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    return "not a regular file (a FIFO, socket or device)"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """The regular file at `path`, open for binary reading (symlinks are followed).

    Raises NotRegularFileError for folders and special files, other OSErrors as the OS
    reports them (FileNotFoundError, PermissionError…), ValueError for a NUL in the path."""
    path = Path(path)
    reason_ = _kind(os.stat(path).st_mode)
    if reason_ is not None:
        raise NotRegularFileError(reason_)
    fd = os.open(path, _FLAGS)
    try:
        reason_ = _kind(os.fstat(fd).st_mode)
        if reason_ is not None:
            raise NotRegularFileError(reason_)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # no effect on regular files; keeps later reads ordinary
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def reason(exc: BaseException) -> str:
    """Short user-facing text for an error raised by open_regular."""
    if isinstance(exc, NotRegularFileError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return "cannot open file: file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, OSError):
        return f"cannot open file: {exc.strerror or exc}"
    return f"cannot open file: {exc}"  # ValueError: NUL byte in the path

"""Hand freed heap memory back to the operating system between pages.

Every page allocates and frees tens of MB of differently sized arrays (decoded image,
crops, recogniser batches). glibc keeps freed memory in its heap for reuse, so RSS creeps
up page after page. `malloc_trim` returns the
free pages; it costs well under a millisecond. A no-op where glibc is not the allocator.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys


def _trimmer():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_malloc_trim = _trimmer()


def release_free_memory() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)

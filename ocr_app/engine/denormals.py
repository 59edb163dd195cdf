"""Flush denormal floats to zero on the thread that calls ONNX Runtime.

Intel cores compute denormal floats in microcode, and the detector's deep layers make many:
there the detector runs 2-3 × slower unless the CPU flushes them to zero (AMD cores pay
nothing; no reading changes either way: docs/benchmarks.md, "Denormal floats"). ORT's
`session.set_denormal_as_zero` sets the flags on its own pool threads, but on the calling
thread only once per process, on the thread that made the first session. A page read on any
other thread (the window's worker pool, the server's threads) would do its share of every
run at microcode speed, so each reading thread sets the flags itself, here.

x86 only (MXCSR's FTZ and DAZ bits), through the C library's floating-point environment:
glibc and macOS keep MXCSR in `fenv_t`, the Microsoft C runtime sets it with `_controlfp`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import struct
import sys
import threading
from functools import lru_cache

_FTZ_DAZ = 0x8040  # MXCSR: flush to zero (bit 15), denormals are zero (bit 6)
# Where MXCSR sits in the C library's fenv_t (x86-64): glibc after the 28-byte x87 block,
# macOS after its two 16-bit x87 words.
_MXCSR_OFFSET = {"linux": 28, "darwin": 4}
_DN_FLUSH, _MCW_DN = 0x01000000, 0x03000000  # Microsoft C runtime: flush denormals (SSE2)

_done = threading.local()


def flushes() -> bool:
    """Whether this thread's float unit turns a denormal result into zero."""
    import numpy as np

    tiny = np.finfo(np.float32).tiny  # the smallest normal float32: half of it is denormal
    return bool(tiny * np.float32(0.5) == 0)


def flush_here() -> bool:
    """Make this thread flush denormals to zero (once per thread); True when it does."""
    if getattr(_done, "result", None) is None:
        _done.result = _set_flags() and flushes()
    return _done.result


def _set_flags() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "x86"):
        return False
    try:
        if sys.platform == "win32":
            return _windows()
        offset = next((o for name, o in _MXCSR_OFFSET.items() if sys.platform.startswith(name)), None)
        return offset is not None and ctypes.sizeof(ctypes.c_void_p) == 8 and _fenv(offset)
    except (OSError, AttributeError, ValueError):  # no such C library or function: leave it
        return False


@lru_cache(maxsize=1)
def _libm() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("m") or ctypes.util.find_library("c"))


def _fenv(offset: int) -> bool:
    libm = _libm()
    env = ctypes.create_string_buffer(64)  # larger than fenv_t on every x86-64 C library
    if libm.fegetenv(env) != 0:
        return False
    (mxcsr,) = struct.unpack_from("<I", env.raw, offset)
    struct.pack_into("<I", env, offset, mxcsr | _FTZ_DAZ)
    return libm.fesetenv(env) == 0


def _windows() -> bool:
    crt = ctypes.CDLL("ucrtbase")
    crt._controlfp.restype = ctypes.c_uint
    crt._controlfp.argtypes = [ctypes.c_uint, ctypes.c_uint]
    crt._controlfp(_DN_FLUSH, _MCW_DN)
    return True

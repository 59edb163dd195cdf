"""Work-around for a PySide6 reference-count bug: `SignalInstance.emit()` in PySide6 6.12.0
hands back `True` without owning a reference, so on Python < 3.12 (no immortal objects)
every emit takes one reference from `True` until the interpreter aborts with
"Fatal Python error: bool_dealloc". All emits in the GUI go through `emit()`, which
returns the reference. An extra reference to `True` is harmless where the bug is absent.
"""

from __future__ import annotations

import ctypes
import sys

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None
_NEEDED = sys.version_info < (3, 12)


def emit(signal, *args) -> None:
    signal.emit(*args)
    if _NEEDED:
        _incref(True)

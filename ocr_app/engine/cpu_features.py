"""What this CPU's INT8 matrix kernel does, asked of ONNX Runtime itself, and the recogniser
variant that follows from it.

ONNX Runtime multiplies u8 activations by s8 weights. With VNNI (AVX-512 VNNI, AVX-VNNI,
AMX, Arm dot product) the products are added exactly in 32 bits. Without it (SSE4.1, AVX2,
AVX-512 without VNNI) `vpmaddubsw` adds each *pair* of products in 16 bits first and
saturates: 255·127 + 255·127 = 64770 becomes 32767. Reading CPU flags would need a table
of which kernel ORT picks for which flags on each OS; a 128-byte MatMulInteger graph run
once answers the question on every platform, in under a millisecond.

On a saturating CPU the INT8 recogniser reads differently from the VNNI reference; ORT's
`session.x64quantprecision` then runs the same file through its exact u8×u8 kernel
(docs/benchmarks.md, "AVX2-only CPUs").
"""

from __future__ import annotations

import base64
import importlib
import os
from functools import lru_cache

# MatMulInteger(a: u8[1, 32], b: s8[32, 1] = 127 everywhere) -> y: i32[1, 1], opset 13.
# Made by tests/engine/test_cpu_features.py::test_probe_is_the_documented_graph (needs onnx).
_PROBE = base64.b64decode(
    "CAgSADp0ChgKAWEKAWISAXkiDU1hdE11bEludGVnZXISAXAqKwggCAEQA0IBYkogf39/f39/f39/f39/f39/f39/"
    "f39/f39/f39/f39/f39aEwoBYRIOCgwIAhIICgIIAQoCCCBiEwoBeRIOCgwIBhIICgIIAQoCCAFCBAoAEA0=")
PROBE_K = 32
EXACT = "exact"
SATURATING = "saturating"
# Session config entry that makes ORT run s8 weights through its exact u8×u8 kernel on
# CPUs without VNNI (it does nothing where the u8×s8 kernel is already exact).
X64_PRECISION = "session.x64quantprecision"
# Session config entry that flushes denormal floats to zero in ORT's threads. ORT applies it
# to the calling thread only once per process, from the first session made, so every
# session (the probe too) sets it. Intel cores compute denormals in microcode: the
# detector's deep layers make them, and run 2.7 × slower without it (docs/benchmarks.md,
# "Denormal floats"); AMD cores pay nothing, and no reading changes.
DENORMALS_AS_ZERO = "session.set_denormal_as_zero"
ENV_OVERRIDE = "OCR_DESK_INT8_KERNEL"  # "exact" / "fast": force a variant (benchmarks, bug reports)


def probe(precise: bool = False) -> int:
    """The probe's product as this CPU's ORT kernel computes it (exact: 255·127·32)."""
    import numpy as np
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = 1
    opts.add_session_config_entry(DENORMALS_AS_ZERO, "1")
    if precise:
        opts.add_session_config_entry(X64_PRECISION, "1")
    session = ort.InferenceSession(_PROBE, opts, providers=["CPUExecutionProvider"])
    return int(session.run(None, {"a": np.full((1, PROBE_K), 255, np.uint8)})[0][0, 0])


@lru_cache(maxsize=1)
def int8_kernel() -> str:
    """EXACT when ORT's u8×s8 kernel adds exactly on this CPU, SATURATING when it does not."""
    try:
        return EXACT if probe() == 255 * 127 * PROBE_K else SATURATING
    except Exception:  # no runtime or a foreign build: assume the common fast kernel
        return EXACT


def use_x64_precision() -> bool:
    """Whether INT8 sessions run through ORT's exact u8×u8 kernel: on saturating CPUs, unless
    `OCR_DESK_INT8_KERNEL=fast` asks for the saturating u8×s8 kernel."""
    forced = os.environ.get(ENV_OVERRIDE, "").strip().lower()
    if forced in ("fast", "u8s8"):
        return False
    if forced in ("exact", "u8u8"):
        return True
    return int8_kernel() == SATURATING


def int8_variant() -> str:
    """The INT8 kernel sessions run with, as shown in Engine.info() and the self-test."""
    if int8_kernel() == EXACT and not os.environ.get(ENV_OVERRIDE):
        return "u8s8 (exact: VNNI)"
    if use_x64_precision():
        return "u8u8 (exact: no VNNI, x64quantprecision)"
    return "u8s8 (saturating: no VNNI)" if int8_kernel() == SATURATING else "u8s8 (exact: VNNI)"


@lru_cache(maxsize=1)
def runtime_features() -> frozenset[str]:
    """The instruction-set features this process's CPUID and XGETBV report, as NumPy read
    them at import (its names: "AVX2", "AVX512F", "AVX512VNNI", …): what ONNX Runtime picks
    its kernels by, which a hypervisor or CPUID masking can narrow below /proc/cpuinfo's.
    Empty where NumPy keeps the table elsewhere."""
    for where in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):  # NumPy 2, 1
        try:
            table = importlib.import_module(where).__cpu_features__
        except (ImportError, AttributeError):
            continue
        return frozenset(name for name, on in table.items() if on)
    return frozenset()

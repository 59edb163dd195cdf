"""The CPU every benchmark table is printed with: kernels, and so ratios, differ by CPU."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from . import cpu_mask

ISA_FLAGS = ("sse4_1", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni",
             "avx512_bf16", "amx_int8", "asimddp", "i8mm")


def cpu_header() -> str:
    """One line naming this CPU, the instruction sets ORT picks its kernels by (as this
    process sees them: --mask-cpu hides some), the INT8 kernel OCR Desk chose and whether
    denormal floats are flushed."""
    model, flags, cpus = platform.processor() or platform.machine(), set(), os.cpu_count() or 0
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model in ("", platform.machine(), platform.processor()):
                    model = value.strip()
                elif key in ("flags", "Features") and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    masked = cpu_mask.active()
    if masked:
        flags -= cpu_mask.HIDDEN[masked]
    shown = " ".join(f for f in ISA_FLAGS if f in flags) or "unknown"
    missing = " ".join(f"no {f}" for f in ("avx512f", "avx512_vnni", "avx_vnni") if flags and f not in flags)
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from ocr_app.engine import denormals
        from ocr_app.engine.cpu_features import int8_variant

        kernel = int8_variant()
        flushed = "yes" if denormals.flush_here() else "no"
    except Exception:  # informative only
        kernel = flushed = "unknown"
    mask_note = ""
    if masked:
        hidden = ", ".join(f for f in ISA_FLAGS if f in cpu_mask.HIDDEN[masked])
        mask_note = f" (masked with --mask-cpu {masked}: CPUID hides {hidden} from every system)"
    return (f"CPU: {model}, {cpus} logical CPUs; flags: {shown}" + (f" ({missing})" if missing else "") + mask_note
            + f"; OCR Desk INT8 kernel: {kernel}; denormal floats flushed: {flushed}")

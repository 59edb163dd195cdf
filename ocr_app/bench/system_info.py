"""The CPU every benchmark table is printed with: kernels, and so ratios, differ by CPU."""

from __future__ import annotations

import os
import platform
from pathlib import Path

FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def cpu_line() -> str:
    """e.g. "CPU: AMD EPYC, 2 logical cores; avx2 fma (no avx512f, avx512_vnni, ...)"."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model in ("", platform.machine(), platform.processor()):
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        pass
    have = [f for f in FLAGS if f in flags]
    missing = [f for f in FLAGS if f not in flags]
    detail = " ".join(have) + (f" (no {', '.join(missing)})" if missing and flags else "")
    return f"CPU: {model}, {os.cpu_count()} logical cores; {detail or 'flags unknown'}"

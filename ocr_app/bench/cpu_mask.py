"""`--mask-cpu avx2|avx512`: benchmark as on a CPU without VNNI (or without AVX-512 at
all) on a machine that has them, since kernels, and so ratios, differ by CPU.

Linux can make the CPUID instruction trap (the `cpuid_fault` CPU flag). cpu_mask.c,
compiled here with the system's C compiler and preloaded into every process of the run,
answers CPUID without the hidden features, so ONNX Runtime, NumPy and OpenCV choose the
kernels they would choose on that CPU:
- `avx2`: no AVX-512 and no VNNI (Intel Core 6th-10th generation, AMD Zen 2/3);
- `avx512`: AVX-512 without VNNI or later extensions (Skylake-SP).
The cores stay this machine's (caches, clocks, how they treat denormal floats), so a
masked run stands for an AVX2-only CPU of this make, not for every AVX2 CPU.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

ENV = "OCR_DESK_CPU_MASK"
LEVELS = ("avx2", "avx512")
SOURCE = Path(__file__).with_name("cpu_mask.c")
# /proc/cpuinfo names of what each level hides (the header prints the flags minus these).
_NEWER_THAN_SKYLAKE_SP = {"avx512ifma", "avx512vbmi", "avx512_vbmi2", "avx512_vnni", "avx512_bitalg",
                          "avx512_vpopcntdq", "avx512_vp2intersect", "avx512_fp16", "avx512_bf16",
                          "avx_vnni", "amx_bf16", "amx_tile", "amx_int8", "avx512_4vnniw", "avx512_4fmaps"}
HIDDEN = {"avx512": _NEWER_THAN_SKYLAKE_SP,
          "avx2": _NEWER_THAN_SKYLAKE_SP | {"avx512f", "avx512dq", "avx512pf", "avx512er", "avx512cd",
                                            "avx512bw", "avx512vl"}}
# glibc picks its string functions before our constructor runs; its tunable hides them there.
_GLIBC_HIDDEN = {"avx2": "-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD", "avx512": ""}
# NumPy's name of one feature each level must hide, to check that masking took effect.
_PROBE = {"avx2": "AVX512F", "avx512": "AVX512VNNI"}


class CpuMaskError(RuntimeError):
    """Masking is impossible here; the message says why."""


def active() -> str | None:
    """The level this process runs masked at, or None."""
    level = os.environ.get(ENV, "")
    return level if level in LEVELS else None


def unavailable() -> str | None:
    """Why masking cannot work on this machine, or None when it can."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        return "needs Linux on x86-64"
    try:
        flags = next((line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), "")
    except OSError:
        flags = ""
    if "cpuid_fault" not in flags.split():
        return "this CPU (or its hypervisor) does not offer CPUID faulting (no cpuid_fault flag)"
    if not (shutil.which("cc") or shutil.which("gcc")):
        return "needs a C compiler (cc) to build cpu_mask.c"
    return None


def build(folder: Path | None = None) -> Path:
    """Compile cpu_mask.c into a shared library (once per source version) and return it."""
    reason = unavailable()
    if reason:
        raise CpuMaskError(f"--mask-cpu {reason}")
    source = SOURCE.read_bytes()
    folder = folder or Path(tempfile.gettempdir())
    out = folder / f"ocr-desk-cpu-mask-{hashlib.blake2b(source, digest_size=6).hexdigest()}.so"
    if not out.is_file():
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        proc = subprocess.run([shutil.which("cc") or "gcc", "-O2", "-shared", "-fPIC", "-o", str(tmp), str(SOURCE)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise CpuMaskError(f"--mask-cpu: cpu_mask.c did not compile: {proc.stderr.strip()}")
        os.replace(tmp, out)
    return out


def environment(level: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's) with the mask preloaded at `level`."""
    if level not in LEVELS:
        raise CpuMaskError(f"--mask-cpu must be one of {', '.join(LEVELS)}, not {level!r}")
    env = dict(os.environ if base is None else base)
    preload = env.get("LD_PRELOAD", "")
    env["LD_PRELOAD"] = f"{build()}{' ' + preload if preload else ''}"
    env[ENV] = level
    if _GLIBC_HIDDEN[level]:
        tunable = f"glibc.cpu.hwcaps={_GLIBC_HIDDEN[level]}"
        env["GLIBC_TUNABLES"] = f"{env['GLIBC_TUNABLES']}:{tunable}" if env.get("GLIBC_TUNABLES") else tunable
    return env


def check(level: str) -> None:
    """Raise unless this process really sees the CPU without `level`'s hidden features."""
    from ocr_app.engine.cpu_features import runtime_features

    if _PROBE[level] in runtime_features():
        raise CpuMaskError(f"--mask-cpu {level}: CPUID still reports {_PROBE[level]}; masking did not take effect")

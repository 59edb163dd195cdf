"""`--mask-cpu`: processes under the preloaded CPUID mask see the CPU without the hidden
features, choose the kernels of that CPU, say so in the bench header, and a graph cached
for the unmasked CPU is not reused for the masked one (its NCHWc blocks would not fit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ocr_app.bench import cpu_mask
from tests.imagegen import render_lines, save

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(cpu_mask.unavailable() is not None, reason=str(cpu_mask.unavailable()))


def _run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_masked_processes_see_neither_avx512_nor_vnni_and_pick_the_avx2_int8_kernel():
    out = json.loads(_run("""
        import json
        from numpy._core._multiarray_umath import __cpu_features__ as seen
        from ocr_app.bench import cpu_mask
        from ocr_app.bench.system_info import cpu_header
        cpu_mask.check("avx2")
        print(json.dumps({"seen": [k for k, v in seen.items() if v], "header": cpu_header()}))
    """, cpu_mask.environment("avx2")))
    assert "AVX2" in out["seen"]
    assert not {"AVX512F", "AVX512VNNI", "AVX512_SPR"} & set(out["seen"])
    header = out["header"]
    assert "masked with --mask-cpu avx2" in header and "OCR Desk INT8 kernel: u8u8 (exact: no VNNI" in header
    flags = header.split("flags: ", 1)[1].split(" (", 1)[0].split()
    assert "avx2" in flags and not {"avx512f", "avx512_vnni", "avx_vnni", "amx_int8"} & set(flags)


def test_the_avx512_level_keeps_avx512_but_hides_vnni():
    code = """
        from numpy._core._multiarray_umath import __cpu_features__ as seen
        print(seen["AVX512F"], seen["AVX512VNNI"])
    """
    full = _run(code, dict(os.environ)).split()
    masked = _run(code, cpu_mask.environment("avx512")).split()
    assert masked == [full[0], "False"]


def test_a_graph_cached_on_the_full_cpu_is_not_reused_under_the_mask(tmp_path):
    image = save(render_lines(["Invoice 48213 Total 129.50", "Thank you"]), tmp_path / "page.png")
    code = f"""
        from ocr_app.engine import Engine, EngineConfig
        result = Engine(EngineConfig(threads=1)).run({str(image)!r}, use_cache=False)
        print(result.error or result.text.replace(chr(10), " | "))
    """
    env = {**cpu_mask.environment("avx2"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    full = {k: v for k, v in env.items() if k not in ("LD_PRELOAD", cpu_mask.ENV, "GLIBC_TUNABLES")}
    first = _run(code, full)
    assert any((tmp_path / "cache" / "ocr-desk" / "ort-graphs").iterdir())
    masked = _run(code, env)
    assert "48213" in first and masked == first, (first, masked)


def test_the_bench_refuses_an_unknown_level():
    with pytest.raises(cpu_mask.CpuMaskError):
        cpu_mask.environment("sse2")

"""Rebuild Qt's ICU data library with only what the app can reach (Linux builds only).

Why: `libicudata.so.NN` is one 32 MB array of CLDR data for ~800 locales; Qt reads it for collation
(QCollator), locale-aware case mapping, time-zone names and legacy codecs (QStringConverter: GBK, Big5, ...).
The only ICU functions the bundled Qt libraries import are ucol_*, ucal_*, ucnv_* and u_strToUpper/Lower
(`nm -D --undefined-only`; test_packaging re-checks it). So ICU's own `icupkg` (Debian: icu-devtools), which
refuses to remove anything a kept item depends on, drops:
- locale data for languages other than the UI's English and Simplified Chinese;
- transliteration and the break-iterator rules and dictionaries (`brkitr/`, 3.4 MB, 2 MB of it the CJK word
  dictionary): Qt breaks text with its own Unicode tables and never opens an ICU break iterator.
Everything else stays: root collation (UCA), normalisation, every converter, time zones. Other locales fall
back to root (e.g. QCollator("fr") sorts by the Unicode default order), the same as ICU does for unknown
locales. Result: 32 MB -> 10 MB; byte-identical QCollator/QLocale/QStringDecoder/QTimeZone results for en and zh.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from toc_swap import swap_sources

KEEP_LANGS = ("en", "zh")
_LOCALE_ITEM = re.compile(r"^(?:\w+/)?([a-z]{2,3})(?:_[A-Za-z0-9_]+)?\.res$")


def available() -> bool:
    return all(shutil.which(tool) for tool in ("icupkg", "cc", "readelf"))


def _unwanted(item: str, keep_langs: tuple[str, ...]) -> bool:
    name = item.rsplit("/", 1)[-1]
    if item.startswith(("translit/", "brkitr/")):
        return True
    m = _LOCALE_ITEM.match(item)
    return bool(m) and name != "res_index.res" and m.group(1) not in keep_langs


def _extract(lib: Path, out: Path) -> str:
    """Write the library's ICU common data to `out`; returns the symbol name (e.g. icudt73_dat)."""
    syms = subprocess.run(["readelf", "--dyn-syms", "-W", str(lib)], capture_output=True, text=True,
                          check=True).stdout
    m = re.search(r"\s([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+(\d+)\s+(icudt\d+_dat)\b", syms)
    if not m:
        raise ValueError(f"no icudtNN_dat symbol in {lib}")
    addr, size, index, symbol = int(m.group(1), 16), int(m.group(2), 0), int(m.group(3)), m.group(4)
    sections = subprocess.run(["readelf", "-S", "-W", str(lib)], capture_output=True, text=True, check=True).stdout
    sec = re.search(rf"\[\s*{index}\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    if not sec:
        raise ValueError(f"section {index} not found in {lib}")
    offset = addr - int(sec.group(1), 16) + int(sec.group(2), 16)
    with lib.open("rb") as f:
        f.seek(offset)
        out.write_bytes(f.read(size))
    return symbol


def build(lib: Path, work: Path, keep_langs: tuple[str, ...] = KEEP_LANGS) -> Path:
    """A reduced copy of `lib` (same file name and SONAME) in work/; raises on any failure."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "full").mkdir(exist_ok=True)
    extracted = work / "full" / "data.dat"
    symbol = _extract(lib, extracted)
    package = symbol[: -len("_dat")] + "l"  # items inside are named icudt73l/...; icupkg wants that file name
    full = extracted.replace(extracted.with_name(f"{package}.dat"))
    items = subprocess.run(["icupkg", "-l", str(full)], capture_output=True, text=True, check=True).stdout.split()
    remove = {item for item in items if _unwanted(item, keep_langs)}
    reduced_dir = work / "reduced"
    reduced_dir.mkdir(exist_ok=True)
    reduced = reduced_dir / f"{package}.dat"
    for _ in range(10):  # icupkg names what kept items still need; keep those and retry
        (work / "remove.txt").write_text("\n".join(sorted(remove)) + "\n", encoding="utf-8")
        reduced.unlink(missing_ok=True)
        run = subprocess.run(["icupkg", "-r", str(work / "remove.txt"), str(full), str(reduced)],
                             capture_output=True, text=True, check=False)
        needed = set(re.findall(r"depends on missing item (\S+)", run.stdout + run.stderr))
        if not needed and run.returncode == 0 and reduced.is_file():
            break
        if not needed:
            raise RuntimeError(f"icupkg failed: {run.stderr.strip()}")
        remove -= needed
    else:
        raise RuntimeError("icupkg kept reporting missing items")
    dyn = subprocess.run(["readelf", "-d", "-W", str(lib)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\(SONAME\)\s+Library soname: \[(.+?)\]", dyn)
    soname = found.group(1) if found else lib.name
    asm = work / "icudata.S"
    asm.write_text("\n".join([
        "    .section .rodata",
        f"    .globl {symbol}",
        f"    .type {symbol}, @object",
        "    .balign 16",
        f"{symbol}:",
        f'    .incbin "{reduced.as_posix()}"',
        f"    .size {symbol}, . - {symbol}",
        '    .section .note.GNU-stack,"",@progbits',
        "",
    ]), encoding="utf-8")
    target = work / lib.name
    subprocess.run(["cc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(target), str(asm)],
                   check=True, capture_output=True, text=True)
    full.unlink()
    return target


def reduce_binaries(binaries: list, work: Path) -> tuple[list, int]:
    """Swap libicudata in a PyInstaller TOC for the reduced build; returns (new TOC, bytes saved)."""
    if not available():
        print("icu_data: icupkg (icu-devtools), cc or readelf missing, keeping the full ICU data")
        return binaries, 0

    def reduced(dest: str, src: Path) -> Path | None:
        if not re.match(r"libicudata\.so\.\d+$", Path(dest).name):
            return None
        try:
            return build(src, work)
        except (OSError, ValueError, RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"icu_data: keeping the full ICU data ({exc})")
            return None

    return swap_sources(binaries, reduced)

"""Replace bundled shared libraries the app never calls with tiny stand-ins (Linux builds only).

Why: libraries are bundled because something links them, not because anything calls them:
- OpenCV's wheel links FFmpeg (video I/O), libavif and OpenBLAS into `cv2.abi3.so` (~80 MB with their own
  dependencies; only when the wheel's cv2 is bundled, see opencv_minimal.py), yet OCR Desk decodes still
  images and only solves 8x8 systems (OpenCV handles small matrices itself);
- Pillow's `_imaging` links libxcb (with libXau, 2.3 MB) for `ImageGrab`, which the app never uses (capture
  goes through Qt and the desktop portal);
- QtNetwork links GSSAPI/Kerberos (1.5 MB with libkrb5) for HTTP "Negotiate" logins; the app uses only
  QLocalServer/QLocalSocket;
- Debian's libdbus links libsystemd (2.5 MB with libgcrypt, lz4, libcap) for `sd_listen_fds`/`sd_is_socket`,
  which only a bus *daemon* started by systemd calls; as a stub they answer 0 ("no sockets passed").
The dynamic loader still insists on every DT_NEEDED file and on every symbol (Python loads extensions with
RTLD_NOW), so each dropped library becomes a stub with the same SONAME, the same exported names and symbol
versions: functions that, if ever called, print which library is missing and abort (or return 0 where that
is a safe "no" answer), and zero-filled data objects of the original sizes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from toc_swap import swap_sources

# bundle-path prefix -> what a call does: "abort" (loud: never expected) or "zero" (return 0 = "not handled")
STUBS: dict[str, str] = {
    "opencv_python_headless.libs/libavcodec": "abort",
    "opencv_python_headless.libs/libavformat": "abort",
    "opencv_python_headless.libs/libavutil": "abort",
    "opencv_python_headless.libs/libswscale": "abort",
    "opencv_python_headless.libs/libswresample": "abort",
    "opencv_python_headless.libs/libavif": "zero",
    "opencv_python_headless.libs/libopenblas": "abort",
    "pillow.libs/libxcb-": "abort",
    "libgssapi_krb5.so": "abort",
    "libsystemd.so": "zero",
}

_LINKER_SYMBOLS = {"_init", "_fini", "_edata", "_end", "__bss_start", "_DYNAMIC", "_GLOBAL_OFFSET_TABLE_"}
_SYM = re.compile(r"^\s*\d+:\s+[0-9a-f]+\s+(\d+)\s+(FUNC|OBJECT|IFUNC)\s+(GLOBAL|WEAK)\s+\S+\s+(\S+)\s+(\S+)")


def available() -> bool:
    """A C compiler and readelf are needed; without them the real libraries stay."""
    return all(shutil.which(tool) for tool in ("cc", "readelf"))


def policy(dest: str) -> str | None:
    """Stub policy for a bundle path, or None to keep the real library."""
    path = dest.replace("\\", "/")
    return next((mode for prefix, mode in STUBS.items() if path.startswith(prefix)), None)


def _exports(lib: Path) -> tuple[str, list[tuple[str, str, int, str | None]]]:
    """(soname, [(name, kind, size, version)]) of the library's defined dynamic symbols."""
    dyn = subprocess.run(["readelf", "-d", "-W", str(lib)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\(SONAME\)\s+Library soname: \[(.+?)\]", dyn)
    soname = found.group(1) if found else lib.name
    syms = subprocess.run(["readelf", "--dyn-syms", "-W", str(lib)], capture_output=True, text=True,
                          check=True).stdout
    out, seen = [], set()
    for line in syms.splitlines():
        m = _SYM.match(line)
        if not m or m.group(4) in ("UND", "ABS"):
            continue
        size, kind, full = int(m.group(1)), m.group(2), m.group(5)
        if "@@" in full:
            name, version = full.split("@@", 1)
        elif "@" in full:  # non-default (old) version: consumers built against this wheel do not use it
            continue
        else:
            name, version = full, None
        if name in seen or name == version or name in _LINKER_SYMBOLS:
            continue
        seen.add(name)
        out.append((name, "OBJECT" if kind == "OBJECT" else "FUNC", size, version))
    return soname, out


def build_stub(real: Path, out_dir: Path, mode: str) -> Path:
    """Compile a stub of `real` into out_dir (same file name and SONAME); returns its path."""
    soname, symbols = _exports(real)
    label = re.sub(r"[^\w.+-]", "_", real.name)
    handler = "ocr_desk_stub_zero" if mode == "zero" else "ocr_desk_stub_fail"
    asm = []
    for name, kind, size, _version in symbols:
        if kind == "OBJECT":
            asm.append(f'".bss\\n.globl {name}\\n.type {name},@object\\n.size {name},{max(size, 1)}\\n'
                       f'.balign 16\\n{name}:\\n.zero {max(size, 1)}\\n"')
        else:
            asm.append(f'".text\\n.globl {name}\\n.type {name},@function\\n.set {name},{handler}\\n"')
    c_src = "\n".join([
        "#include <stdio.h>",
        "#include <stdlib.h>",
        "void ocr_desk_stub_fail(void) {",
        f'    fputs("OCR Desk: {label} is not bundled (this build left it out as unused)\\n", stderr);',
        "    abort();",
        "}",
        "long ocr_desk_stub_zero(void) { return 0; }",
        *[f"__asm__({chunk});" for chunk in asm],
        "",
    ])
    versions: dict[str | None, list[str]] = {}
    for name, _kind, _size, version in symbols:
        versions.setdefault(version, []).append(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    src = out_dir / f"{label}.c"
    src.write_text(c_src, encoding="utf-8")
    target = out_dir / real.name
    cmd = ["cc", "-shared", "-fPIC", "-O1", "-s", f"-Wl,-soname,{soname}", "-o", str(target), str(src)]
    named = [v for v in versions if v is not None]
    if named:
        plain = versions.get(None, [])
        nodes = []
        for i, version in enumerate(named):
            names = versions[version] + (plain if i == 0 else [])
            nodes.append(f"{version} {{ global: {'; '.join(names)}; {'local: *; ' if i == 0 else ''}}};")
        script = out_dir / f"{label}.map"
        script.write_text("\n".join(nodes) + "\n", encoding="utf-8")
        cmd.insert(1, f"-Wl,--version-script={script}")
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return target


def stub_binaries(binaries: list, out_dir: Path) -> tuple[list, int]:
    """Swap the sources of stubbed entries in a PyInstaller TOC; returns (new TOC, bytes saved)."""
    if not available():
        print("stub_libs: no C compiler/readelf, keeping the real libraries")
        return binaries, 0

    def stubbed(dest: str, src: Path) -> Path | None:
        mode = policy(dest)
        return None if mode is None else build_stub(src, out_dir, mode)

    return swap_sources(binaries, stubbed)

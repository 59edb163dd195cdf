"""Size of a built onedir bundle by component, the way docs/benchmarks.md ("Bundle") reports it.

    python build_spec/bundle_size.py dist/ocr-desk [--archive]     # decimal MB; --archive also packs it

Why: the issue's ceiling is on the unpacked folder (what users keep on disk), so sizes are the sum of
the regular files (symlinks not counted twice), grouped by what put them there. `--archive` measures
the download: tar.gz (gzip -9) and tar.xz (xz -9e), made in a temp dir and deleted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

# (label, path prefixes under _internal/), first match wins; anything else is "other"
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("OpenCV (cv2 + vendored libs)", ("cv2/", "opencv_python_headless.libs/")),
    ("Qt / PySide6 (+shiboken6)", ("PySide6/", "shiboken6/")),
    ("numpy (+OpenBLAS)", ("numpy/", "numpy.libs/", "numpy-")),
    ("ONNX Runtime", ("onnxruntime/", "onnxruntime-")),
    ("models", ("models/",)),
    ("Pillow", ("PIL/", "pillow.libs/", "pillow-")),
    ("pdfium", ("pypdfium2_raw/", "pypdfium2/", "pypdfium2-")),
    ("OpenCC", ("opencc/",)),
    ("Python (libpython, stdlib, app code)", ("libpython", "python3.", "base_library.zip", "ocr_app/")),
    ("licenses", ("licenses/",)),
]


def group_of(rel: str) -> str:
    if "/" not in rel.removeprefix("_internal/") and not rel.startswith("_internal/"):
        return "executable and files beside it"
    inner = rel.removeprefix("_internal/")
    for label, prefixes in GROUPS:
        if inner.startswith(prefixes):
            return label
    if "/" not in inner and ".so" in inner:
        return "system libraries (X11, GLib, ...)"
    return "other"


def measure(bundle: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            label = group_of(path.relative_to(bundle).as_posix())
            sizes[label] = sizes.get(label, 0) + path.stat().st_size
    return sizes


def total_bytes(bundle: Path) -> int:
    return sum(measure(bundle).values())


def archive_sizes(bundle: Path) -> dict[str, int]:
    out = {}
    with tempfile.TemporaryDirectory(prefix="ocr-desk-archive-") as tmp:
        for name, program in (("tar.gz", "gzip -9"), ("tar.xz", "xz -9e -T0")):
            target = Path(tmp) / f"{bundle.name}.{name}"
            subprocess.run(["tar", "-I", program, "-cf", str(target), "-C", str(bundle.parent), bundle.name],
                           check=True)
            out[name] = target.stat().st_size
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--archive", action="store_true", help="also measure tar.gz and tar.xz")
    args = parser.parse_args(argv)
    sizes = measure(args.bundle)
    for label, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"{size / 1e6:8.1f}  {label}")
    total = sum(sizes.values())
    print(f"{total / 1e6:8.1f}  total ({total / 2**20:.1f} MiB)")
    if args.archive:
        for name, size in archive_sizes(args.bundle).items():
            print(f"{size / 1e6:8.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

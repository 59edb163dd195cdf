"""OpenCV with only the modules OCR Desk calls, for the Linux bundle.

Why: the PyPI wheel's `cv2.abi3.so` is one 82 MB file holding every OpenCV module and IPP, and it names
FFmpeg, AVIF and OpenBLAS libraries (stubbed by stub_libs.py). The app calls core, imgproc, imgcodecs and
objdetect (QR codes, barcodes). The same version's own source (the wheel's sdist on PyPI) compiled with
those modules, their image codecs built in and nothing else is 27 MB and needs only libc and libstdc++.

The compile takes about 30 CPU-minutes on 2 cores, more than a CI run can pay, so its result for the
pinned version is kept in build_spec/vendor/ (xz-compressed, checked by the sha256 in the manifest beside
it). `python build_spec/opencv_minimal.py build` reproduces it from PyPI's sdist and rewrites both files.
The spec swaps it in only when the installed opencv-python-headless is exactly the vendored version and the
manifest's options are the ones below; otherwise it keeps the wheel's library and says why. The wheel's
Python loader files (cv2/__init__.py, config) stay as they are: they load whatever `cv2.abi3.so` is there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from toc_swap import swap_sources

DIST = "opencv-python-headless"
VENDOR = Path(__file__).resolve().parent / "vendor"
MANIFEST = VENDOR / "opencv-minimal.json"
SO_NAME = "cv2.abi3.so"
MODULES = "core,imgproc,imgcodecs,objdetect,python3,python_bindings_generator"
# Everything not asked for is off; codecs are compiled in (no system libraries to ship), libjpeg-turbo
# with its SIMD (nasm), and the CPU-dispatched kernels up to AVX2 (baseline SSE3 as in the wheel).
CMAKE_OPTIONS = [
    "-DCMAKE_BUILD_TYPE=Release", f"-DBUILD_LIST={MODULES}", "-DBUILD_SHARED_LIBS=OFF",
    "-DBUILD_TESTS=OFF", "-DBUILD_PERF_TESTS=OFF", "-DBUILD_EXAMPLES=OFF", "-DBUILD_opencv_apps=OFF",
    "-DBUILD_DOCS=OFF", "-DBUILD_JAVA=OFF",
    "-DWITH_IPP=OFF", "-DWITH_ITT=OFF", "-DWITH_OPENCL=OFF", "-DWITH_FFMPEG=OFF", "-DWITH_GSTREAMER=OFF",
    "-DWITH_GTK=OFF", "-DWITH_QT=OFF", "-DWITH_LAPACK=OFF", "-DWITH_EIGEN=OFF", "-DWITH_PROTOBUF=OFF",
    "-DWITH_OPENEXR=OFF", "-DWITH_JASPER=OFF", "-DWITH_AVIF=OFF", "-DWITH_V4L=OFF", "-DWITH_1394=OFF",
    "-DWITH_VA=OFF", "-DWITH_VA_INTEL=OFF", "-DWITH_CUDA=OFF", "-DWITH_ADE=OFF", "-DWITH_OPENVX=OFF",
    "-DWITH_TBB=OFF", "-DWITH_OPENMP=OFF", "-DWITH_VTK=OFF", "-DWITH_HARFBUZZ=OFF",
    "-DBUILD_ZLIB=ON", "-DBUILD_PNG=ON", "-DBUILD_JPEG=ON", "-DBUILD_TIFF=ON", "-DBUILD_WEBP=ON",
    "-DBUILD_OPENJPEG=ON", "-DOPENCV_FORCE_3RDPARTY_BUILD=ON",
    "-DCPU_BASELINE=SSE3", "-DCPU_DISPATCH=SSE4_1;SSE4_2;AVX;AVX2",
    "-DPYTHON3_LIMITED_API=ON",
]


def options_digest() -> str:
    return hashlib.sha256("\n".join(CMAKE_OPTIONS).encode()).hexdigest()[:16]


def installed_version() -> str | None:
    try:
        return metadata.version(DIST)
    except metadata.PackageNotFoundError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def vendored_library(work: Path) -> tuple[Path | None, str]:
    """(the unpacked minimal library, "") when it matches the installed wheel, else (None, why not)."""
    if not MANIFEST.is_file():
        return None, "no vendored build"
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    if manifest.get("platform") != sysconfig.get_platform():
        return None, f"vendored build is for {manifest.get('platform')}, this is {sysconfig.get_platform()}"
    version = installed_version()
    if manifest["version"] != version:
        return None, f"vendored build is for {DIST} {manifest['version']}, installed is {version}"
    if manifest["options"] != options_digest():
        return None, "CMAKE_OPTIONS changed since the vendored build (run: python build_spec/opencv_minimal.py build)"
    packed = VENDOR / manifest["file"]
    if not packed.is_file() or _sha256(packed) != manifest["sha256_xz"]:
        return None, f"{packed.name} is missing or does not match its sha256"
    work.mkdir(parents=True, exist_ok=True)
    out = work / SO_NAME
    if not out.is_file() or _sha256(out) != manifest["sha256"]:
        with lzma.open(packed) as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        if _sha256(out) != manifest["sha256"]:
            return None, "unpacked library does not match its sha256"
    return out, ""


def swap_binaries(binaries: list, work: Path) -> tuple[list, int]:
    """Bundle the minimal cv2 instead of the wheel's; the wheel's vendored libraries (FFmpeg, OpenBLAS, ...)
    are then needed by nothing and the spec's orphan pruning drops them. Returns (new TOC, bytes saved)."""
    library, why = vendored_library(work)
    if library is None:
        print(f"opencv_minimal: keeping the wheel's OpenCV ({why})")
        return binaries, 0

    def minimal(dest: str, _src: Path) -> Path | None:
        return library if dest.replace("\\", "/") == f"cv2/{SO_NAME}" else None

    return swap_sources(binaries, minimal)


def _python_args() -> list[str]:
    import numpy

    paths = sysconfig.get_paths()
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    ldlib = sysconfig.get_config_var("LDLIBRARY") or ""
    return [f"-DPYTHON3_EXECUTABLE={sys.executable}", f"-DPYTHON3_INCLUDE_DIR={paths['include']}",
            f"-DPYTHON3_LIBRARY={Path(libdir) / ldlib}", f"-DPYTHON3_NUMPY_INCLUDE_DIRS={numpy.get_include()}"]


def build(jobs: int) -> Path:
    """Compile the installed version's sdist with CMAKE_OPTIONS; write the vendored file and manifest."""
    version = installed_version()
    if version is None:
        raise SystemExit(f"{DIST} is not installed")
    for tool in ("cmake", "ninja", "nasm", "strip", "c++"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found (Debian: apt-get install cmake ninja-build nasm g++ binutils)")
    with tempfile.TemporaryDirectory(prefix="opencv-minimal-") as tmp:
        tmpdir = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", DIST,
                        f"{DIST}=={version}", "-d", str(tmpdir)], check=True)
        sdist = next(tmpdir.glob("*.tar.gz"))
        with tarfile.open(sdist) as tar:
            tar.extractall(tmpdir, filter="data")
        source = next(tmpdir.glob("opencv*python*/opencv"))
        build_dir = tmpdir / "build"
        subprocess.run(["cmake", "-G", "Ninja", "-S", str(source), "-B", str(build_dir), *CMAKE_OPTIONS,
                        *_python_args()], check=True)
        subprocess.run(["ninja", "-C", str(build_dir), f"-j{jobs}", "opencv_python3"], check=True)
        built = build_dir / "lib" / "python3" / SO_NAME
        stripped = tmpdir / SO_NAME
        subprocess.run(["strip", "--strip-unneeded", "-o", str(stripped), str(built)], check=True)
        VENDOR.mkdir(exist_ok=True)
        packed_name = f"cv2-{version}-minimal-{sysconfig.get_platform()}.abi3.so.xz"
        for old in VENDOR.glob("cv2-*-minimal-*.xz"):
            old.unlink()
        packed = VENDOR / packed_name
        with stripped.open("rb") as src, lzma.open(packed, "wb", preset=9 | lzma.PRESET_EXTREME) as dst:
            shutil.copyfileobj(src, dst)
        manifest = {"version": version, "platform": sysconfig.get_platform(), "file": packed_name,
                    "options": options_digest(),
                    "sha256": _sha256(stripped), "sha256_xz": _sha256(packed), "size": stripped.stat().st_size,
                    "modules": MODULES, "built_with": platform_note()}
        MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        print(f"{packed} ({packed.stat().st_size / 1e6:.1f} MB; library {stripped.stat().st_size / 1e6:.1f} MB)")
        return packed


def platform_note() -> str:
    libc = " ".join(os.confstr("CS_GNU_LIBC_VERSION").split()) if hasattr(os, "confstr") else "?"
    cxx = subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return f"{sysconfig.get_platform()}, {libc}, {cxx}, Python {sys.version.split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="compile the installed version's sdist and vendor the result")
    make.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    sub.add_parser("check", help="say whether the spec will bundle the vendored build")
    args = parser.parse_args()
    if args.command == "build":
        build(args.jobs)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            library, why = vendored_library(Path(tmp))
            print("vendored build matches the installed wheel" if library else f"not used: {why}")


if __name__ == "__main__":
    main()

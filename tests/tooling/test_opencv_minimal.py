"""build_spec/opencv_minimal.py bundles the vendored OpenCV only when it is exactly the installed version's
build with today's options and intact; in every other case the spec keeps the wheel's library."""

from __future__ import annotations

import json
import lzma
import sysconfig
from pathlib import Path

import pytest

from tests.build_spec_modules import build_spec_module

ROOT = Path(__file__).resolve().parents[2]
opencv_minimal = build_spec_module("opencv_minimal")


@pytest.fixture
def vendor(tmp_path, monkeypatch) -> Path:
    """A vendor folder holding a small stand-in library, packed and described as the real build is."""
    folder = tmp_path / "vendor"
    folder.mkdir()
    library = tmp_path / "cv2.abi3.so"
    library.write_bytes(b"\x7fELF stand-in " * 1000)
    packed = folder / "cv2-test.abi3.so.xz"
    with lzma.open(packed, "wb") as out:
        out.write(library.read_bytes())
    manifest = {"version": opencv_minimal.installed_version(), "platform": sysconfig.get_platform(),
                "file": packed.name, "options": opencv_minimal.options_digest(),
                "sha256": opencv_minimal._sha256(library), "sha256_xz": opencv_minimal._sha256(packed)}
    (folder / "opencv-minimal.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setattr(opencv_minimal, "VENDOR", folder)
    monkeypatch.setattr(opencv_minimal, "MANIFEST", folder / "opencv-minimal.json")
    return folder


def rewrite(vendor: Path, **changes) -> None:
    manifest_path = vendor / "opencv-minimal.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, **changes}), encoding="utf-8")


def test_matching_build_is_unpacked_and_swapped_in(vendor, tmp_path):
    library, why = opencv_minimal.vendored_library(tmp_path / "work")
    assert why == "" and library.read_bytes() == b"\x7fELF stand-in " * 1000
    wheel_lib = tmp_path / "wheel.so"
    wheel_lib.write_bytes(b"x" * 50_000)
    toc = [("cv2/cv2.abi3.so", str(wheel_lib), "EXTENSION"), ("numpy/x.so", str(wheel_lib), "EXTENSION")]
    swapped, saved = opencv_minimal.swap_binaries(toc, tmp_path / "work")
    assert swapped[0][1] == str(library) and swapped[1] == toc[1] and saved == 50_000 - library.stat().st_size


@pytest.mark.parametrize(("change", "reason"), [
    ({"version": "0.0.1"}, "installed is"),
    ({"platform": "another-platform"}, f"this is {sysconfig.get_platform()}"),
    ({"options": "0" * 16}, "CMAKE_OPTIONS changed"),
    ({"sha256_xz": "0" * 64}, "does not match its sha256"),
    ({"sha256": "0" * 64}, "unpacked library does not match"),
])
def test_any_mismatch_keeps_the_wheels_library_and_says_why(vendor, tmp_path, change, reason, capsys):
    rewrite(vendor, **change)
    library, why = opencv_minimal.vendored_library(tmp_path / "work")
    assert library is None and reason in why
    toc = [("cv2/cv2.abi3.so", str(vendor / "cv2-test.abi3.so.xz"), "EXTENSION")]
    assert opencv_minimal.swap_binaries(toc, tmp_path / "work") == (toc, 0)
    assert "keeping the wheel's OpenCV" in capsys.readouterr().out


def test_the_repository_vendors_the_build_for_the_pinned_version():
    """requirements.txt pins opencv-python-headless to the vendored version, so a fresh install bundles it."""
    manifest = json.loads((ROOT / "build_spec" / "vendor" / "opencv-minimal.json").read_text(encoding="utf-8"))
    pinned = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.startswith("opencv-python-headless")]
    assert pinned == [f"opencv-python-headless=={manifest['version']}"]
    assert manifest["options"] == opencv_minimal.options_digest()
    assert (ROOT / "build_spec" / "vendor" / manifest["file"]).stat().st_size > 1_000_000

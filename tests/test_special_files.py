"""FIFOs and device nodes given as inputs: a clear per-item "not a regular file", never a
hang (issue 19, item 2). Everything that could block runs in a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.imagegen import render_lines, save

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")

SPECIAL_NAMES = ("pipe.gif", "pipe.tif", "pipe.webp", "pipe.pdf", "pipe.png")


def _device(path: Path) -> bool:
    """A character device like /dev/full (reads never end); False when not permitted."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 7))
    except (PermissionError, AttributeError):
        return False
    return True


def _run(code: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter; a hang fails the test instead of stalling the run."""
    try:
        return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung for {timeout} s:\n{code}")


@pytest.fixture()
def specials(tmp_path: Path) -> list[Path]:
    paths = []
    for name in SPECIAL_NAMES:
        os.mkfifo(tmp_path / name)
        paths.append(tmp_path / name)
    if _device(tmp_path / "device.tiff"):
        paths.append(tmp_path / "device.tiff")
    return paths


def test_document_readers_refuse_special_files_at_once(specials):
    """Each reader the CLI, GUI and server use on a path, on each special file."""
    proc = _run(f"""
        from pathlib import Path
        from ocr_app.documents import DocumentError, is_document, open_pages, page_size_points, render_page
        from ocr_app.engine.load import ImageLoadError, read_bytes
        for p in map(Path, {[str(p) for p in specials]!r}):
            is_document(p)
            for call in (lambda: open_pages(p), lambda: render_page(p, 1)):
                try:
                    call()
                except DocumentError as exc:
                    assert "not a regular file" in str(exc), exc
                else:
                    raise AssertionError(p)
            assert page_size_points(p) is None
            try:
                read_bytes(p)
            except ImageLoadError as exc:
                assert "not a regular file" in str(exc), exc
            else:
                raise AssertionError(p)
        print("ok")
    """)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


def test_cli_reports_special_files_and_carries_on(tmp_path, specials):
    good = save(render_lines(["SPECIAL 42"]), tmp_path / "good.png")
    out = tmp_path / "out.jsonl"
    try:
        proc = subprocess.run([sys.executable, "main.py", "ocr", *map(str, specials), str(good), "--jsonl", str(out),
                               "--quiet", "--threads", "2"], cwd=REPO, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the CLI hung on a special file")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = {row["image"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    for path in specials:
        assert "not a regular file" in rows[path.name]["error"], rows[path.name]
    assert "SPECIAL 42" in "\n".join(line["text"] for line in rows["good.png"]["lines"])


def test_open_checks_the_opened_descriptor_not_the_name(tmp_path, monkeypatch):
    """A FIFO swapped in after a stat() is still refused: the check that counts is fstat."""
    from ocr_app import safe_open

    regular = tmp_path / "real.png"
    regular.write_bytes(b"x")
    fifo = tmp_path / "swapped.png"
    os.mkfifo(fifo)
    real_stat = os.stat
    monkeypatch.setattr(safe_open.os, "stat", lambda p, *a, **k: real_stat(regular if Path(p) == fifo else p))
    with pytest.raises(safe_open.NotRegularFileError, match="not a regular file"):
        safe_open.open_regular(fifo)
    with safe_open.open_regular(regular) as fh:
        assert fh.read() == b"x"


def test_open_refuses_folders_and_follows_symlinks(tmp_path):
    from ocr_app.safe_open import NotRegularFileError, open_regular, reason

    with pytest.raises(NotRegularFileError, match="folder"):
        open_regular(tmp_path)
    (tmp_path / "data.bin").write_bytes(b"abc")
    (tmp_path / "link.bin").symlink_to(tmp_path / "data.bin")
    with open_regular(tmp_path / "link.bin") as fh:
        assert fh.read() == b"abc"
    with pytest.raises(FileNotFoundError) as info:
        open_regular(tmp_path / "missing.png")
    assert reason(info.value) == "cannot open file: file not found"

"""Export targets that are not plain files (issue 19, items 1 and 8): device nodes, FIFOs,
sockets and folders are refused and left as they were; a symlink to a regular file is
followed; a dangling one is refused; temp files of killed exports are cleaned up later.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ocr_app.export import ExportError, atomic_write_text
from ocr_app.export.atomic import ORPHAN_AGE, atomic_file, clean_orphans
from tests.imagegen import render_lines, save

REPO = Path(__file__).resolve().parent.parent
posix_only = pytest.mark.skipif(os.name != "posix", reason="special files need POSIX")


def _device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 7))  # like /dev/full
    except PermissionError:
        pytest.skip("mknod needs root")


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old), follow_symlinks=False)


@posix_only
def test_device_node_is_refused_and_kept(tmp_path):
    dev = tmp_path / "dev"
    _device(dev)
    with pytest.raises(ExportError, match="device"):
        atomic_write_text(dev, "text")
    assert stat.S_ISCHR(os.lstat(dev).st_mode)
    assert os.listdir(tmp_path) == ["dev"]  # no temp file left either


@posix_only
def test_fifo_and_socket_are_refused_and_kept(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match="FIFO"):
        atomic_write_text(fifo, "text")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    sock_path = tmp_path / "s.txt"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(ExportError, match="socket"):
            atomic_write_text(sock_path, "text")
    assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)


def test_folder_is_refused(tmp_path):
    with pytest.raises(ExportError, match="folder"):
        atomic_write_text(tmp_path, "text")


@posix_only
def test_symlink_to_a_file_replaces_the_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real" / "out.txt"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(os.listdir(real.parent)) == ["out.txt"]


@posix_only
def test_dangling_symlink_and_link_to_device_are_refused(tmp_path):
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere" / "x.txt")
    with pytest.raises(ExportError, match="missing"):
        atomic_write_text(dangling, "text")
    assert not (tmp_path / "nowhere").exists()
    dev = tmp_path / "dev"
    _device(dev)
    to_dev = tmp_path / "to_dev.txt"
    to_dev.symlink_to(dev)
    with pytest.raises(ExportError, match="device"):
        atomic_write_text(to_dev, "text")
    assert stat.S_ISCHR(os.lstat(dev).st_mode) and to_dev.is_symlink()


@posix_only
def test_cli_export_to_a_device_node_fails_cleanly(tmp_path):
    page = save(render_lines(["EXPORT 7"]), tmp_path / "page.png")
    dev = tmp_path / "dev"
    _device(dev)
    proc = subprocess.run([sys.executable, "main.py", "ocr", str(page), "--export", "txt", "-o", str(dev),
                           "--quiet", "--threads", "2"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (1, 2), proc.stderr  # 2 when the CLI checks targets before the OCR work
    assert "device" in proc.stderr and "Traceback" not in proc.stderr
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_temp_file_of_a_killed_export_is_removed_by_a_later_one(tmp_path):
    """SIGKILL mid-write leaves a temp file; the next export into that folder removes it
    once it is older than ORPHAN_AGE."""
    target = tmp_path / "out.txt"
    code = f"""
        import os, signal
        from ocr_app.export.atomic import atomic_file
        with atomic_file({str(target)!r}) as fh:
            fh.write(b"half")
            fh.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    [orphan] = [p for p in tmp_path.iterdir()]
    assert orphan.name.startswith(".out.txt.") and orphan.name.endswith(".tmp")
    atomic_write_text(target, "fresh orphans stay")  # a young temp may belong to a running export
    assert orphan.exists()
    _age(orphan, ORPHAN_AGE + 60)
    atomic_write_text(target, "done")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    assert target.read_text() == "done"


def test_cleanup_spares_other_files_and_live_exports(tmp_path):
    keep = [tmp_path / ".notes.txt.tmp", tmp_path / "a.ocrdesk-x.tmp", tmp_path / ".b.ocrdesk-abc.tmp.bak"]
    for path in keep:
        path.write_text("user file")
        _age(path, 10 * ORPHAN_AGE)
    old_link = tmp_path / ".c.ocrdesk-abc12345.tmp"
    old_link.symlink_to(tmp_path / ".notes.txt.tmp")
    _age(old_link, 10 * ORPHAN_AGE)
    with atomic_file(tmp_path / "live.txt") as fh:
        fh.write(b"still writing")
        [live] = [p for p in tmp_path.iterdir() if p.name.startswith(".live.txt.")]
        _age(live, 10 * ORPHAN_AGE)  # old, but its writer holds the lock
        if os.name == "posix":
            assert clean_orphans(tmp_path) == 0
            assert live.exists()
    assert all(p.exists() for p in keep) and old_link.is_symlink()
    assert (tmp_path / "live.txt").read_text() == "still writing"

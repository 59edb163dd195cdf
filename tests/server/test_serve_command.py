"""`python main.py serve` as a user runs it, and the bounded load test command."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ocr_app.bench import api_load as loadtest

ROOT = Path(__file__).resolve().parents[2]


def test_serve_command_answers_and_stops_on_sigint():
    proc = subprocess.Popen([sys.executable, "main.py", "serve", "--port", "0", "--threads", "1", "--token", "tk"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", banner)
        assert match, (banner, proc.stderr.read() if proc.poll() is not None else "")
        req = urllib.request.Request(f"{match.group(0)}/health", headers={"Authorization": "Bearer tk"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            health = json.loads(resp.read())
        assert health["success"] is True and health["threads"] == 1
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{match.group(0)}/health", timeout=30)
        assert err.value.code == 401
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        assert "stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_command_reports_port_in_use():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "main.py", "serve", "--port", str(port), "--threads", "1"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "cannot listen" in done.stderr


def test_loadtest_small_run_prints_table_without_errors(capsys):
    assert loadtest.main(["--clients", "2", "--requests", "3", "--repeat-images", "1", "--threads", "2"]) == 0
    out = capsys.readouterr().out
    rows = [ln for ln in out.splitlines() if ln.startswith("| ") and "images" in ln]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == "3" and cells[2] == "2" and cells[6] == "0"  # requests, clients, errors
    assert rows[0].endswith("| 0/3 |") and rows[1].endswith("| 3/3 |")  # misses, then hits


def test_loadtest_images_are_distinct():
    images = loadtest.make_images(5, "t")
    assert len(set(images)) == 5


@pytest.mark.parametrize("args", [["--port", "70000"], ["--port", "-1"], ["--workers", "0"], ["--max-mb", "0"]])
def test_serve_rejects_bad_arguments_before_loading_models(args, capsys):
    from ocr_app.server import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err

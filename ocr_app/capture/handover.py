"""Hand a request to the running OCR Desk: the client half of single-instance mode.

A later start (`main.py capture`, `main.py FILES...`) asks the running app instead of
loading models again. This module is imported before anything else, so it uses only the
standard library: importing PySide6 alone costs ~0.25 s, a third of the warm-capture
budget. The app listens with `QLocalServer` (see instance.py), which on POSIX is a Unix
socket at `address()` and on Windows the named pipe `\\\\.\\pipe\\<address()>`.

Protocol: one JSON object per line each way, one request per connection.
    {"cmd": "ping"}                                   -> {"ok": true, "pid": 123}
    {"cmd": "status"}                                 -> {"ok": true, "items": [...], "window": true, ...}
    {"cmd": "show"}                                   -> {"ok": true}
    {"cmd": "open", "paths": ["/abs/a.png", ...]}     -> {"ok": true, "added": 2}
    {"cmd": "capture", "region": [x, y, w, h] | null, "screen": n | null,
     "full": false, "clipboard": true}                -> {"ok": true, "text": "...", ...}
Failures answer {"ok": false, "error": "..."}; a cancelled selection adds "cancelled": true.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

ENV = "OCR_DESK_INSTANCE"  # overrides the address (tests, several profiles)


def address() -> str:
    """Per-user: a socket path on POSIX (in the private runtime dir when there is one),
    a pipe name on Windows."""
    override = os.environ.get(ENV)
    if override:
        return override
    if sys.platform == "win32":
        return f"ocr-desk-{os.environ.get('USERNAME', 'user')}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    folder = runtime if runtime and os.path.isdir(runtime) else tempfile.gettempdir()
    return os.path.join(folder, f"ocr-desk-{os.getuid()}.sock")


def request(message: dict, timeout: float | None = None) -> dict | None:
    """Send one request and wait for its answer (`timeout` None: as long as it takes, e.g.
    while the user selects a region). None when no OCR Desk is listening."""
    payload = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        if sys.platform == "win32":
            raw = _ask_pipe(payload)
        else:
            raw = _ask_socket(payload, timeout)
    except _NotRunning:
        return None
    except OSError as exc:
        return {"ok": False, "error": f"the running OCR Desk did not answer ({exc})"}
    if raw is None:
        return {"ok": False, "error": "the running OCR Desk closed the connection without answering"}
    try:
        reply = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {"ok": False, "error": "the running OCR Desk sent an unreadable answer"}
    return reply if isinstance(reply, dict) else {"ok": False, "error": "unexpected answer"}


def running() -> bool:
    reply = request({"cmd": "ping"}, timeout=2.0)
    return bool(reply and reply.get("ok"))


class _NotRunning(Exception):
    pass


def _ask_socket(payload: bytes, timeout: float | None) -> bytes | None:
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(2.0)
        try:
            sock.connect(address())
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError, PermissionError) as exc:
            raise _NotRunning from exc  # no socket, or a stale one left by a crash
        sock.settimeout(timeout)
        sock.sendall(payload)
        return _read_line(sock.recv)
    finally:
        sock.close()


def _ask_pipe(payload: bytes) -> bytes | None:
    """Windows: QLocalServer's byte-mode named pipe opens like a file."""
    path = "\\\\.\\pipe\\" + address()
    for _attempt in range(20):
        try:
            pipe = open(path, "r+b", buffering=0)  # noqa: SIM115 - closed below
            break
        except FileNotFoundError as exc:
            raise _NotRunning from exc
        except OSError:  # ERROR_PIPE_BUSY: the server is between two connections
            time.sleep(0.05)
    else:
        raise OSError("pipe busy")
    try:
        pipe.write(payload)
        return _read_line(lambda n: pipe.read(n) or b"")
    finally:
        pipe.close()


def _read_line(read) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        chunk = read(65536)
        if not chunk:
            return None
        newline = chunk.find(b"\n")
        if newline >= 0:
            chunks.append(chunk[:newline])
            return b"".join(chunks)
        chunks.append(chunk)


def open_in_running(argv: list[str]) -> bool:
    """`main.py [FILES...]` while OCR Desk runs: that window comes up and queues the files,
    instead of a second window loading the models again. False when none is running."""
    if "--new-instance" in argv:
        return False
    paths = [os.path.abspath(a) for a in argv if not a.startswith("-") and os.path.exists(a)]
    reply = request({"cmd": "open", "paths": paths} if paths else {"cmd": "show"}, timeout=30.0)
    if reply is None:
        return False
    if not reply.get("ok"):
        sys.stderr.write(f"OCR Desk: {reply.get('error', 'the running window refused the request')}\n")
    return True

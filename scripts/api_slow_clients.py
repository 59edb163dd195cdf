"""Slow and bursty clients against `main.py serve` (issue 19's targets), in another process.

    python scripts/api_slow_clients.py [--root DIR] [--seconds 30]

Starts the server from `--root` (a checkout; default this one), then:
1. attack: 40 uploads declaring 20 MB that stop 0.5 MB short, plus 200 connections
   trickling header bytes (re-opened when the server cuts them), while a normal client
   posts a new small image every 0.5 s; reports the server's peak RSS and the normal
   client's slowest reply.
2. burst: 200 connections opened at once, each posting an image the server has cached;
   reports p50/p99/max from connect to reply.
Prints one markdown row per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ocr_app.bench.api_load import make_images

MB = 1024 * 1024


def start(root: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "main.py", "serve", "--port", "0", "--threads", "2", "--quiet"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return proc, int(match.group(1))


def post(port: int, data: bytes, timeout: float = 60, connected: list | None = None) -> tuple[int, float]:
    """(status, ms from connect to the whole reply); appends the connect time to `connected`."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.connect()
        if connected is not None:
            connected.append((time.perf_counter() - started) * 1000)
        conn.request("POST", "/ocr", body=data, headers={"Content-Type": "image/png"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def attack(port: int, pid: int, seconds: float) -> dict:
    stop = threading.Event()
    payload = memoryview(bytes(20 * MB - MB // 2))
    socks: list[socket.socket] = []

    def stalled_upload() -> None:
        with contextlib.suppress(OSError):
            sock = socket.create_connection(("127.0.0.1", port), timeout=seconds + 30)
            socks.append(sock)
            sock.sendall(b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                         b"Content-Length: %d\r\n\r\n" % (20 * MB))
            sock.sendall(payload)
        stop.wait()

    def slow_headers() -> None:
        while not stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                socks.append(sock)
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                while not stop.wait(2.0):
                    sock.sendall(b"X")  # one byte at a time, well inside any per-read timeout
            except OSError:
                time.sleep(0.2)  # cut by the server: come back

    threads = [threading.Thread(target=stalled_upload, daemon=True) for _ in range(40)]
    threads += [threading.Thread(target=slow_headers, daemon=True) for _ in range(200)]
    proc = psutil.Process(pid)
    base = proc.memory_info().rss
    peak = base
    for t in threads:
        t.start()
    images = make_images(int(seconds * 2) + 4, f"slow{time.time_ns()}")
    latencies, statuses = [], []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        status, ms = post(port, images[i])
        i += 1
        statuses.append(status)
        latencies.append(ms)
        peak = max(peak, proc.memory_info().rss)
        time.sleep(max(0.0, 0.5 - ms / 1000))
        peak = max(peak, proc.memory_info().rss)
    open_conns = len([c for c in proc.net_connections() if c.status == psutil.CONN_ESTABLISHED])
    stop.set()
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.close()
    ordered = sorted(latencies)
    return {"base": base / MB, "peak": peak / MB, "max_ms": max(latencies), "p50_ms": ordered[len(ordered) // 2],
            "slow": sum(ms > 2000 for ms in latencies),
            "ok": sum(s == 200 for s in statuses), "n": len(statuses), "conns": open_conns}


def burst(port: int, clients: int = 200) -> dict:
    """200 connections opened at the same moment by one asyncio client (no client threads
    fighting over the GIL), each posting an image the server has cached."""
    image = make_images(1, f"burst{time.time_ns()}")[0]
    post(port, image)
    post(port, image)  # now a cache hit
    request = (b"POST /ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n" % len(image)) + image

    async def one() -> tuple[int, float, float]:
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            connected = (time.perf_counter() - started) * 1000
            writer.write(request)
            reply = await asyncio.wait_for(reader.read(), 30)
            writer.close()
            status = int(reply.split(b" ", 2)[1]) if reply else 0
            return status, connected, (time.perf_counter() - started) * 1000
        except (OSError, asyncio.TimeoutError):
            return 0, 30000.0, 30000.0

    async def run() -> list[tuple[int, float, float]]:
        return await asyncio.gather(*(one() for _ in range(clients)))

    results = asyncio.run(run())
    ms = sorted(r[2] for r in results)
    conn = sorted(r[1] for r in results)
    return {"p50": ms[len(ms) // 2], "p99": ms[int(len(ms) * 0.99) - 1], "max": ms[-1],
            "c50": conn[len(conn) // 2], "c99": conn[int(len(conn) * 0.99) - 1], "cmax": conn[-1],
            "ok": sum(r[0] == 200 for r in results), "n": len(results)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    p.add_argument("--seconds", type=float, default=30.0)
    args = p.parse_args(argv)
    proc, port = start(args.root)
    try:
        post(port, make_images(1, "warm")[0])
        b = burst(port)
        a = attack(port, proc.pid, args.seconds)
    finally:
        proc.terminate()
        proc.wait(10)
    print("| phase | server RSS before → peak MB | normal client: ok / sent | median / slowest ms (> 2 s) |"
          " connect p50 / p99 / max ms |")
    print("|---|---|---|---|---|")
    print(f"| 40 stalled 20 MB uploads + 200 slow-header connections, {args.seconds:.0f} s "
          f"({a['conns']} connections open at the end) | {a['base']:.0f} → {a['peak']:.0f} | "
          f"{a['ok']} / {a['n']} | {a['p50_ms']:.0f} / {a['max_ms']:.0f} ({a['slow']}) | – |")
    print(f"| burst: 200 connects at once, each posting a cached image | – | {b['ok']} / {b['n']} | "
          f"{b['p50']:.0f} / {b['max']:.0f} (p99 {b['p99']:.0f}) | {b['c50']:.1f} / {b['c99']:.1f} / {b['cmax']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Bounded load test of the REST API: `python -m ocr_app.bench.api_load [--clients 8] [--requests 200]`.

Starts its own server on a free loopback port with the real engine, draws its own images,
runs two phases with N concurrent keep-alive clients, stops the server and prints a
markdown table. Phase "distinct" sends a different image every request (every one is a
cache miss: full OCR); phase "repeated" cycles over a few images already seen once (every
one is a cache hit: the HTTP + hashing overhead). Exit code 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import io
import itertools
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr_app import options

FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "C:/Windows/Fonts/arial.ttf",
                   "/System/Library/Fonts/Supplemental/Arial.ttf")


def _font(size: int = 28) -> ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def make_images(count: int, tag: str) -> list[bytes]:
    """`count` distinct two-line receipts as PNG bytes (distinct text → distinct hash)."""
    fnt = _font()
    out = []
    for i in range(count):
        lines = [f"Invoice {tag}-{i:05d} Store #{(i * 37) % 900 + 100}",
                 f"Total amount: {(i * 7919) % 10000 / 100:.2f} EUR"]
        img = Image.new("RGB", (560, 150), "white")
        draw = ImageDraw.Draw(img)
        for row, text in enumerate(lines):
            draw.text((24, 24 + row * 52), text, font=fnt, fill=(20, 20, 20))
        buf = io.BytesIO()
        img.save(buf, "PNG")
        out.append(buf.getvalue())
    return out


@dataclass
class PhaseResult:
    name: str
    requests: int
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    cached: int = 0

    def row(self) -> str:
        lat = np.array(self.latencies_ms or [0.0])
        return (f"| {self.name} | {self.requests} | {self.clients} | {self.requests / self.seconds:.1f} | "
                f"{np.percentile(lat, 50):.0f} | {np.percentile(lat, 95):.0f} | {self.errors} | "
                f"{self.cached}/{self.requests} |")


def run_phase(name: str, host: str, port: int, bodies: list[bytes], requests: int, clients: int) -> PhaseResult:
    """`clients` threads, each with its own keep-alive connection, share `requests` sends."""
    counter = itertools.count()
    lock = threading.Lock()
    result = PhaseResult(name, requests, clients, 0.0)

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=300)
        while (i := next(counter)) < requests:
            t0 = time.perf_counter()
            ok, cached = False, False
            try:
                conn.request("POST", "/ocr", body=bodies[i % len(bodies)], headers={"Content-Type": "image/png"})
                resp = conn.getresponse()
                reply = json.loads(resp.read())
                ok = resp.status == 200 and reply.get("success") is True and bool(reply.get("text"))
                cached = bool(reply.get("cached"))
            except (OSError, http.client.HTTPException, ValueError):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=300)
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                result.latencies_ms.append(ms)
                result.errors += not ok
                result.cached += cached
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, name=f"load-client-{n}") for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ocr_app.bench.api_load", description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    p.add_argument("--requests", type=int, default=200, help="requests per phase (default 200)")
    p.add_argument("--repeat-images", type=int, default=4, help="images cycled in the repeated phase (default 4)")
    p.add_argument("--workers", type=int, default=2, help="server's concurrent OCR slots (default 2)")
    options.add_arguments(p, options.SERVER, names=("threads", "precision", "model_set"))
    args = p.parse_args(argv)

    from ocr_app.engine import Engine
    from ocr_app.server import start_server

    engine = Engine(options.engine_config(options.values_from_args(args)))
    distinct = make_images(args.requests, "d")
    repeated = make_images(args.repeat_images, "r")
    with start_server(engine, "127.0.0.1", 0, max_concurrent=args.workers) as handle:
        host, port = handle.host, handle.port
        # Warm-up outside the clock: first-run ONNX allocations, and the repeated set's cache entries.
        warm = run_phase("warm-up", host, port, repeated, len(repeated), 1)
        phases = [run_phase("distinct images (cache misses)", host, port, distinct, args.requests, args.clients),
                  run_phase("repeated images (cache hits)", host, port, repeated, args.requests, args.clients)]
        stats = engine.cache.stats()
    info = engine.info()
    print(f"OCR Desk REST load test: {info['set']}/{info['precision']}, {info['threads']} ORT threads, "
          f"{args.workers} OCR slots, {args.clients} clients, {args.requests} requests per phase, "
          f"loopback keep-alive, 560x150 PNG two-line receipts\n")
    print("| scenario | requests | clients | throughput req/s | p50 ms | p95 ms | errors | cached |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for phase in phases:
        print(phase.row())
    print(f"\nengine cache after run: {stats}")
    errors = warm.errors + sum(ph.errors for ph in phases)
    if errors:
        print(f"FAILED: {errors} request(s) did not get a successful reply", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

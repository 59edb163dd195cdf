"""`python main.py serve`: load the engine once, serve until Ctrl+C / SIGTERM."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import threading

from ocr_app import options

from .handler import is_loopback_host
from .http_server import DEFAULT_MAX_BODY, start_server

EXAMPLES = """examples (the page at http://127.0.0.1:8000/ takes drag-and-drop):
  curl -F image=@scan.png http://127.0.0.1:8000/ocr
  curl --data-binary @scan.png http://127.0.0.1:8000/ocr
  curl -H "Content-Type: application/json" -d '{"image_base64": "..."}' http://127.0.0.1:8000/ocr
  curl -F image=@scan.png -F layout=paragraphs http://127.0.0.1:8000/ocr
  curl http://127.0.0.1:8000/health
Umi-OCR compatible: POST /api/ocr {"base64": ..., "options": {...}}, GET /api/ocr/get_options
"""


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"expected {kind.__name__}, got {text!r}") from exc
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The engine's flags come from the one settings schema (ocr_app.options); only what is
    about HTTP is declared here."""
    p = argparse.ArgumentParser(prog="main.py serve", description="OCR Desk local REST API",
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    p.add_argument("--host", default=None,
                   help="address to bind (default: 127.0.0.1, loopback only; 0.0.0.0 with --allow-remote)")
    options.add_arguments(p, options.SERVER)
    p.add_argument("--token", default=None,
                   help="require 'Authorization: Bearer TOKEN'. Other users can read it in `ps`: prefer "
                        "$OCRDESK_TOKEN or --token-file (default: $OCRDESK_TOKEN, else none on loopback)")
    p.add_argument("--token-file", default=None, metavar="PATH",
                   help="read the token from the first line of this file")
    p.add_argument("--allow-remote", action="store_true",
                   help="listen beyond loopback (on all interfaces unless --host names one); a token is then "
                        "required: one is generated and printed when none is given")
    p.add_argument("--host-name", action="append", default=[], metavar="NAME",
                   help="a name clients use to reach a remote bind (DNS name); the Host check accepts this "
                        "machine's addresses and host name, and these (repeatable)")
    p.add_argument("--max-mb", type=_positive(float), default=DEFAULT_MAX_BODY / 1024 / 1024,
                   help="largest accepted upload in MB (default: 20)")
    p.add_argument("--workers", type=_positive(int), default=2, help="images recognised at the same time (default: 2)")
    p.add_argument("--cors-origin", default=None,
                   help="let browser pages from this origin call the API (e.g. http://localhost:3000)")
    p.add_argument("--quiet", "-q", action="store_true", help="do not log each request")
    return p


def read_token(args: argparse.Namespace) -> str | None:
    """--token, else --token-file's first line, else $OCRDESK_TOKEN. Raises OSError/ValueError."""
    if args.token:
        return args.token
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as fh:
            token = fh.readline().strip()
        if not token:
            raise ValueError(f"{args.token_file}: the first line is empty")
        return token
    return os.environ.get("OCRDESK_TOKEN") or None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    values = options.values_from_args(args)
    if args.host is None:
        args.host = "0.0.0.0" if args.allow_remote else "127.0.0.1"
    try:
        token = read_token(args)
    except (OSError, ValueError) as exc:
        parser.error(f"cannot read the token: {exc}")
    generated = False
    if not is_loopback_host(args.host):
        if not args.allow_remote:
            print(f"error: {args.host} is not a loopback address; add --allow-remote to expose the API "
                  "to other machines", file=sys.stderr)
            return 2
        if not token:  # beyond loopback the API is never open to whoever can reach the port
            token, generated = secrets.token_urlsafe(24), True
        print(f"WARNING: listening on {args.host}: machines that can reach it and know the token can use "
              "this OCR service", file=sys.stderr)

    from ocr_app.engine import Engine, ModelError

    try:
        engine = Engine(options.engine_config(values))
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        handle = start_server(engine, args.host, values["port"], token, allow_remote=args.allow_remote,
                              max_body=int(args.max_mb * 1024 * 1024), max_concurrent=args.workers,
                              cors_origin=args.cors_origin, log_requests=not args.quiet,
                              use_text_layer=values.get("use_text_layer", True), host_names=tuple(args.host_name),
                              layout=values.get("layout"))
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{values['port']}: {exc.strerror or exc}", file=sys.stderr)
        return 1

    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():  # signal handlers only work there
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    info = engine.info()
    print(f"OCR Desk API on {handle.url}  (models {info['set']}/{info['precision']}, {info['threads']} threads"
          f"{', token required' if token else ''})  POST /ocr, GET /health, Umi-OCR's /api/ocr; Ctrl+C to stop",
          flush=True)
    if generated:  # printed once: it is not stored anywhere
        print(f"token (generated, send 'Authorization: Bearer <token>'): {token}", flush=True)
    while not stop.wait(0.5):
        pass
    handle.stop()
    print("stopped", flush=True)
    return 0

"""Loopback REST API: `POST /ocr`, `GET /health`, and a small HTML page at `/`.

Why the standard library's `http.server.ThreadingHTTPServer`: this is a single-user
service, loopback by default, so we need a correct HTTP/1.1 parser and a thread per
connection. The stdlib server adds no dependency and freezes with PyInstaller with no
hooks; it hands us the headers before the body, so an oversized upload is refused from
`Content-Length` unread. What it lacks for hostile clients (deadlines, a connection limit,
a backlog, a body budget) is in limits.py; uvicorn + Starlette would not have brought the
deadlines either (docs/benchmarks.md, "REST API under slow and bursty clients").
Multipart bodies are parsed by `python-multipart` (the parser Starlette and
FastAPI use), never by hand, and never by the deprecated `cgi` module.
All request threads share the caller's one `Engine` (its `run` is thread-safe).
"""

from .http_server import ServerHandle, start_server
from .serve_command import main

__all__ = ["ServerHandle", "main", "start_server"]

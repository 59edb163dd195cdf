"""Loopback REST API: `POST /ocr`, `GET /health`, and a small HTML page at `/`.

Why the standard library's `http.server.ThreadingHTTPServer`: this is a single-user,
loopback-only service, so we need a correct HTTP/1.1 parser and a thread per connection,
not a production web stack. The stdlib server is maintained with CPython, adds no
dependency and freezes with PyInstaller with no hooks. It also hands us the request
headers before the body, so an oversized upload is refused from `Content-Length` without
reading it. Multipart bodies are parsed by `python-multipart` (the parser Starlette and
FastAPI use), never by hand, and never by the deprecated `cgi` module.
All request threads share the caller's one `Engine` (its `run` is thread-safe).
"""

from .http_server import ServerHandle, start_server
from .serve_command import main

__all__ = ["ServerHandle", "main", "start_server"]

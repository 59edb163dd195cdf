"""The server every API test module talks to: the session's engine behind a loopback
server of its own per module (a module's requests never share a server with another's)."""

from __future__ import annotations

import pytest

from ocr_app.server import start_server


@pytest.fixture(scope="module")
def server(engine):
    handle = start_server(engine, "127.0.0.1", 0)
    yield handle
    handle.stop()

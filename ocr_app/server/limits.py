"""What a connection may hold, and for how long: deadlines on the socket reads, and the
budget of request bodies held in memory at once.

Slow clients cost a thread each, not memory: headers must arrive within HEADER_TIMEOUT_S
of the connection (or of the previous reply, on keep-alive) and a body within
BODY_TIMEOUT_S, whatever the pace. Bodies are read only after they get a place in the
budget, so stalled uploads wait (as bytes in the kernel, not in this process) instead of
each buffering up to the size limit: small bodies (≤ SMALL_BODY) share a byte pool, large
ones take one of a few slots, so stalled large uploads never keep a small one waiting.
"""

from __future__ import annotations

import io
import socket
import threading
import time

HEADER_TIMEOUT_S = 10.0  # request line + headers, idle keep-alive time included
BODY_TIMEOUT_S = 60.0  # the whole body, from the end of the headers
IDLE_TIMEOUT_S = 30.0  # any one read or write
MAX_CONNECTIONS = 512  # open connections (one thread each); more get 503 at once
LISTEN_BACKLOG = 1024  # connects queued before accept (the kernel caps it at somaxconn)
SMALL_BODY = 1024 * 1024  # bodies up to this share SMALL_POOL; larger ones take a large slot
SMALL_POOL = 64 * 1024 * 1024


class DeadlineReader(io.RawIOBase):
    """A socket's reading side that refuses to wait past `deadline` (monotonic seconds),
    however slowly the bytes trickle in. http.server reads headers through it."""

    def __init__(self, sock: socket.socket, idle_timeout: float = IDLE_TIMEOUT_S):
        super().__init__()
        self.sock = sock
        self.idle_timeout = idle_timeout
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        timeout = self.idle_timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("deadline passed")
            timeout = min(timeout, left)
        self.sock.settimeout(timeout)
        return self.sock.recv_into(buffer)


class BodyBudget:
    """Places for request bodies in memory: a byte pool for small bodies, `large_slots` for
    the rest. `acquire` waits up to `timeout` and returns a release function, or None."""

    def __init__(self, large_slots: int, small_pool: int = SMALL_POOL, small_body: int = SMALL_BODY):
        self.small_body = small_body
        self._small_free = small_pool
        self._large = threading.BoundedSemaphore(max(1, large_slots))
        self._cond = threading.Condition()

    def acquire(self, length: int, timeout: float):
        if length > self.small_body:
            if not self._large.acquire(timeout=max(0.0, timeout)):
                return None
            return self._large.release
        with self._cond:
            if not self._cond.wait_for(lambda: self._small_free >= length, timeout=max(0.0, timeout)):
                return None
            self._small_free -= length

        def release() -> None:
            with self._cond:
                self._small_free += length
                self._cond.notify_all()
        return release

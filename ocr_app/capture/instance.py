"""The running app's half of single-instance mode: a `QLocalServer` answering handover.py.

Requests are dispatched to a handler on the GUI thread; the handler answers through the
`Reply` it is given, at once or later (a capture answers after the user has selected a
region and the engine has read it), so nothing here blocks the event loop.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from . import handover

MAX_REQUEST = 1 << 20  # a request is a short JSON line; more is not from our client


class Reply:
    """Answers one request once; a client that has gone away is simply not answered."""

    def __init__(self, socket: QLocalSocket):
        self._socket: QLocalSocket | None = socket
        socket.disconnected.connect(self._gone)

    @property
    def waiting(self) -> bool:
        return self._socket is not None

    def send(self, answer: dict) -> None:
        sock, self._socket = self._socket, None
        if sock is None:
            return
        sock.write((json.dumps(answer, ensure_ascii=False) + "\n").encode("utf-8"))
        sock.flush()
        sock.disconnectFromServer()  # after the written bytes have gone out

    def _gone(self) -> None:
        self._socket = None


Handler = Callable[[dict, Reply], None]


class InstanceServer(QObject):
    """Listens at `handover.address()`; only this user may connect."""

    def __init__(self, handler: Handler, parent: QObject | None = None):
        super().__init__(parent)
        self.handler = handler
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """False when another instance already answers there; a socket left behind by a
        crashed instance is removed and taken over."""
        name = handover.address()
        if self.server.listen(name):
            return True
        if handover.running():
            return False
        QLocalServer.removeServer(name)
        return self.server.listen(name)

    def close(self) -> None:
        self.server.close()  # removes the socket file

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.disconnected.connect(sock.deleteLater)
            sock.readyRead.connect(lambda s=sock: self._read(s))

    def _read(self, sock: QLocalSocket) -> None:
        if sock.property("handled"):
            return
        if not sock.canReadLine():
            if sock.bytesAvailable() > MAX_REQUEST:
                sock.abort()
            return
        sock.setProperty("handled", True)
        reply = Reply(sock)
        try:
            message = json.loads(bytes(sock.readLine().data()).decode("utf-8"))
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            reply.send({"ok": False, "error": f"bad request: {exc}"})
            return
        if message.get("cmd") == "ping":
            reply.send({"ok": True, "pid": os.getpid()})
            return
        try:
            self.handler(message, reply)
        except Exception as exc:  # a bad request must not take the app down
            reply.send({"ok": False, "error": f"internal error: {exc}"})

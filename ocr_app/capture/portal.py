"""Screenshots on Wayland through xdg-desktop-portal (org.freedesktop.portal.Screenshot).

Wayland compositors do not let apps read the screen; the portal takes the picture for us
(the desktop may ask the user once). It answers asynchronously with a Response signal on
a request object whose path we can predict from our bus name and a token, so we subscribe
before calling, then wait in a local event loop.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from urllib.parse import unquote, urlparse

from PySide6.QtCore import QEventLoop, QObject, QRect, QTimer, Slot
from PySide6.QtGui import QImage

from .grab import CaptureError, Shot, screen_key, screens

BUS = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
NO_PORTAL = ("This Wayland desktop does not let apps read the screen, and no screenshot portal answered. "
             "Install xdg-desktop-portal with your desktop's backend (xdg-desktop-portal-gnome, -kde or "
             "-wlr), or bind `ocr-desk capture` to a keyboard shortcut in your desktop's settings.")
_tokens = itertools.count(1)


class _Waiter(QObject):
    def __init__(self, loop: QEventLoop):
        super().__init__()
        self.loop = loop
        self.answer: list | None = None

    @Slot("QDBusMessage")
    def response(self, message) -> None:
        self.answer = list(message.arguments())
        self.loop.quit()


def portal_image(timeout_ms: int = 60000) -> QImage:
    """One picture of the whole desktop, in device pixels."""
    from PySide6.QtCore import SLOT
    from PySide6.QtDBus import QDBus, QDBusConnection, QDBusMessage

    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        raise CaptureError(NO_PORTAL)
    token = f"ocrdesk{os.getpid()}_{next(_tokens)}"
    sender = bus.baseService().lstrip(":").replace(".", "_")
    handle = f"{PATH}/request/{sender}/{token}"
    loop = QEventLoop()
    waiter = _Waiter(loop)
    bus.connect(BUS, handle, "org.freedesktop.portal.Request", "Response", waiter,
                SLOT("response(QDBusMessage)"))
    call = QDBusMessage.createMethodCall(BUS, PATH, "org.freedesktop.portal.Screenshot", "Screenshot")
    call.setArguments(["", {"handle_token": token, "interactive": False}])
    reply = bus.call(call, QDBus.CallMode.Block, 5000)
    if reply.type() == QDBusMessage.MessageType.ErrorMessage:
        raise CaptureError(f"{NO_PORTAL} ({reply.errorMessage()})")
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not waiter.answer:
        raise CaptureError("the screenshot portal did not answer in time")
    code, results = waiter.answer[0], waiter.answer[1] if len(waiter.answer) > 1 else {}
    if code != 0:
        raise CaptureError("the screenshot was refused or cancelled")
    uri = str(dict(results).get("uri", ""))
    path = unquote(urlparse(uri).path)
    image = QImage(path)
    if image.isNull():
        raise CaptureError(f"the portal's screenshot could not be read ({uri})")
    with contextlib.suppress(OSError):  # the portal saved it for us (GNOME: into ~/Pictures)
        os.remove(path)
    return image


def portal_shots() -> list[Shot]:
    """The portal's one picture cut into a picture per screen (the overlay shows one each)."""
    image = portal_image()
    found = screens()
    desktop = QRect()
    for screen in found:
        desktop = desktop.united(screen.geometry())
    scale = image.width() / max(1, desktop.width())
    shots = []
    for screen in found:
        geo = screen.geometry().translated(-desktop.topLeft())
        part = image.copy(QRect(round(geo.x() * scale), round(geo.y() * scale),
                                round(geo.width() * scale), round(geo.height() * scale)))
        part.setDevicePixelRatio(scale)  # the overlay maps its selection with the picture's own ratio
        shots.append(Shot(screen_key(screen), part))
    return shots

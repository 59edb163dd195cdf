"""Screenshots in device pixels, one per screen, and regions cut from them.

Regions are in device (physical) pixels, the unit a user's screenshot tools and the OCR
engine see: with 150 % scaling a 100-logical-pixel box is 150 pixels of text. Qt keeps a
screen's top-left in native coordinates and scales only its size, so a screen covers
`device_rect(screen)` = (geometry().topLeft(), geometry().size() * devicePixelRatio()).
On Wayland, where apps may not read the screen, the desktop portal takes the picture
(portal.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication, QImage, QScreen


class CaptureError(Exception):
    """A reason the user can act on (no screen there, no portal on Wayland, ...)."""


@dataclass
class Shot:
    """A frozen picture of one screen (device pixels) and which screen it shows.

    The screen is kept as its key (see `screen_key`), not as a QScreen: PySide may
    invalidate a QScreen wrapper once a widget that handed it out is deleted, and a
    screen can be unplugged while the overlay is open."""

    screen_key: str
    image: QImage

    @property
    def screen(self) -> QScreen:
        return screen_for(self.screen_key)


def screen_key(screen: QScreen) -> str:
    """Position and name: names alone repeat (every X screen of a multi-head Xvfb is "screen")."""
    return f"{screens().index(screen)}:{screen.name()}"


def screen_for(key: str) -> QScreen:
    found = screens()
    index, _, name = key.partition(":")
    if index.isdigit() and int(index) < len(found) and found[int(index)].name() == name:
        return found[int(index)]
    return next((s for s in found if s.name() == name), QGuiApplication.primaryScreen())


def is_wayland() -> bool:
    """Wayland session: Qt's own grab returns nothing there (nor under XWayland)."""
    return (QGuiApplication.platformName() == "wayland"
            or os.environ.get("XDG_SESSION_TYPE", "").lower() == "wayland")


def device_rect(screen: QScreen) -> QRect:
    geo = screen.geometry()
    dpr = screen.devicePixelRatio()
    return QRect(geo.topLeft(), QSize(round(geo.width() * dpr), round(geo.height() * dpr)))


def screens() -> list[QScreen]:
    return list(QGuiApplication.screens())


def screen_by_index(index: int) -> QScreen:
    found = screens()
    if not 0 <= index < len(found):
        raise CaptureError(f"there is no screen {index} (screens: 0-{len(found) - 1})")
    return found[index]


def grab_screen(screen: QScreen) -> Shot:
    """The whole screen as a device-pixel image (its devicePixelRatio says how to show it)."""
    image = screen.grabWindow(0).toImage()
    if image.isNull():
        raise CaptureError(f"could not take a screenshot of screen {screen.name()}")
    image.setDevicePixelRatio(screen.devicePixelRatio())
    return Shot(screen_key(screen), image)


def grab_all() -> list[Shot]:
    """Every screen, frozen now (before the overlay covers them)."""
    if is_wayland():
        from .portal import portal_shots

        return portal_shots()
    return [grab_screen(s) for s in screens()]


def locate(region: QRect, screen_index: int | None = None) -> tuple[QScreen, QRect]:
    """The screen a device-pixel region is on and the region relative to that screen.

    With `screen_index` the region is relative to that screen's top-left; without, it is
    in desktop coordinates and the screen holding most of it is used (a region reaching
    over two screens is cut to that one)."""
    if region.width() <= 0 or region.height() <= 0:
        raise CaptureError("the region is empty")
    if screen_index is not None:
        screen = screen_by_index(screen_index)
        local = region.intersected(QRect(QPoint(0, 0), device_rect(screen).size()))
    else:
        best, best_area = None, 0
        for screen in screens():
            part = region.intersected(device_rect(screen))
            if part.width() * part.height() > best_area:
                best, best_area = screen, part.width() * part.height()
        if best is None:
            raise CaptureError("the region is outside every screen")
        screen = best
        local = region.intersected(device_rect(screen)).translated(-screen.geometry().topLeft())
    if local.isEmpty():
        raise CaptureError("the region is outside the screen")
    return screen, local


def grab_region(region: QRect, screen_index: int | None = None) -> QImage:
    """The pixels of `region` (device pixels) as they are on screen now."""
    if is_wayland():
        shots = grab_all()
        screen, local = locate(region, screen_index)
        shot = next((s for s in shots if s.screen_key == screen_key(screen)), None)
        if shot is None:
            raise CaptureError("the screenshot portal returned no picture of that screen")
        return cut(shot.image, local)
    screen, local = locate(region, screen_index)
    return cut(grab_screen(screen).image, local)


def cut(image: QImage, local: QRect) -> QImage:
    """A device-pixel part of a screen image, as a plain (ratio 1) image for OCR."""
    part = image.copy(local)
    part.setDevicePixelRatio(1.0)
    return part


"""What can go wrong, as kinds: the engine never raises for bad input, it returns a result
whose `error_kind` says what happened, so the server can choose a status code and the window
a translated message without reading English text."""

from __future__ import annotations

from enum import Enum


class ModelError(RuntimeError):
    """A model file is missing or corrupt; the message names it and how to restore it."""


PROVISION_HINT = "restore the models with: python -m ocr_app.tooling.provision"


class ErrorKind(str, Enum):
    """Why an item (an image or a page) gave no text. The values are stable JSON strings."""

    NOT_FOUND = "not_found"  # no such file, or it cannot be opened
    NOT_REGULAR = "not_regular"  # a folder, FIFO, device or socket
    EMPTY = "empty"  # 0 bytes
    TOO_LARGE = "too_large"  # over the file-size or pixel limits
    NOT_AN_IMAGE = "not_an_image"  # not a format we read
    DAMAGED = "damaged"  # a format we read, but broken or truncated
    PASSWORD = "password"  # an encrypted document
    UNSUPPORTED = "unsupported"  # a file type this build does not read
    OUT_OF_MEMORY = "out_of_memory"
    INTERNAL = "internal"  # inference or a bug: the item failed, the batch carries on

    def __str__(self) -> str:
        return self.value


class ImageLoadError(ValueError):
    """The input is not a usable image; the message is shown to the user as-is, the kind
    is what programs act on."""

    def __init__(self, message: str, kind: ErrorKind = ErrorKind.DAMAGED):
        super().__init__(message)
        self.kind = kind

"""What went wrong, in the user's language: one translated sentence per `ErrorKind`.

The engine and the job runner give every failed result an `error_kind`; the window picks
its words from that kind (never from the English message, which stays as the detail).
Keys are the kinds' stable string values, so this module does not import the engine.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def kind_text(kind: object) -> str:
    """The sentence for an ErrorKind (or its value); a generic one for None or a new kind."""
    tr = QCoreApplication.translate
    texts = {
        "not_found": tr("ErrorText", "The file was not found or cannot be opened"),
        "not_regular": tr("ErrorText", "Not a regular file (a folder, device or pipe)"),
        "empty": tr("ErrorText", "The file is empty"),
        "too_large": tr("ErrorText", "The image is too large"),
        "not_an_image": tr("ErrorText", "Not an image or document OCR Desk can read"),
        "damaged": tr("ErrorText", "The file is damaged or incomplete"),
        "password": tr("ErrorText", "The document is protected by a password"),
        "unsupported": tr("ErrorText", "This file type is not supported by this build"),
        "out_of_memory": tr("ErrorText", "Not enough memory to read this file"),
        "internal": tr("ErrorText", "Recognition failed"),
    }
    value = getattr(kind, "value", kind)
    return texts.get(value, texts["internal"]) if isinstance(value, str) or value is None else texts["internal"]


def failure(kind: object, detail: str | None = None) -> str:
    """"<translated sentence>" plus the engine's own message as the detail, on its own line."""
    head = kind_text(kind)
    return f"{head}\n{detail}" if detail and detail != head else head

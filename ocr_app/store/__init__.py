"""The history store: every page read and every edit, kept in SQLite in the user data
folder, so the batch survives closing and crashes and old text can be searched.

Qt-free. `HistoryStore` reads and writes (one per thread); `StoreWriter` runs the writes
on a thread of its own for the window.
"""

from .history_db import (
    SCHEMA_VERSION,
    HistoryStore,
    Hit,
    StoredItem,
    StoredPage,
    StoreError,
    connect,
    default_path,
    migrate,
    snippet,
)
from .writer import StoreWriter

__all__ = [
    "SCHEMA_VERSION",
    "HistoryStore",
    "Hit",
    "StoreError",
    "StoreWriter",
    "StoredItem",
    "StoredPage",
    "connect",
    "default_path",
    "migrate",
    "snippet",
]

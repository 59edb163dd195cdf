"""Plain text the user copies: one item, or several with file-name headers."""

from __future__ import annotations

from .items import BatchItem, Status


def header(item: BatchItem) -> str:
    return f"=== {item.name} ==="


def combined_text(items: list[BatchItem]) -> str:
    """Finished items' text (with the user's edits), each under its file name."""
    done = [it for it in items if it.status is Status.DONE]
    return "\n\n".join(f"{header(it)}\n{it.text()}" for it in done)

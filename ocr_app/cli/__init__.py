"""Command-line consumers: `python main.py ocr ...` (ocr_command)."""

from .ocr_command import main

__all__ = ["main"]

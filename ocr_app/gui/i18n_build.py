"""Build resources/i18n/ocr_desk_<lang>.qm from the translation table <lang>.json.

    python -m ocr_app.gui.i18n_build        # writes .ts (for Qt Linguist) and .qm

The table maps Qt translation context (the class calling `tr`) → English source → text.
The .qm files are committed, so running the app never needs the Qt tools; this is only
for whoever edits translations (pyside6-lrelease ships with PySide6-Essentials).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ocr_app import paths

LANGUAGES = ("zh_CN",)


def write_ts(table: dict[str, dict[str, str]], lang: str, target: Path) -> None:
    root = ET.Element("TS", version="2.1", language=lang)
    for context, messages in table.items():
        ctx = ET.SubElement(root, "context")
        ET.SubElement(ctx, "name").text = context
        for source, translation in messages.items():
            msg = ET.SubElement(ctx, "message")
            ET.SubElement(msg, "source").text = source
            ET.SubElement(msg, "translation").text = translation
    ET.indent(root)
    target.write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(root, "utf-8"))


def lrelease() -> str:
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    return found


def main() -> int:
    folder = paths.resources_dir() / "i18n"
    for lang in LANGUAGES:
        table = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
        ts = folder / f"ocr_desk_{lang}.ts"
        write_ts(table, lang, ts)
        subprocess.run([lrelease(), str(ts), "-qm", str(folder / f"ocr_desk_{lang}.qm")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

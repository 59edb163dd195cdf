"""Every UI string has a Simplified Chinese translation, and the shipped .qm matches the table."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from PySide6.QtCore import QTranslator

from ocr_app import paths
from ocr_app.gui.actions import SPECS

GUI = Path(__file__).resolve().parents[2] / "ocr_app" / "gui"
MODULE_CONTEXT = {"batch_model.py": "BatchModel", "detail.py": "DetailPane", "actions.py": "Actions"}


def table() -> dict[str, dict[str, str]]:
    return json.loads((paths.resources_dir() / "i18n" / "zh_CN.json").read_text(encoding="utf-8"))


def used_strings() -> set[tuple[str, str]]:
    """(context, source) for self.tr("…"), translate("Ctx", "…") and module tr("…") calls."""
    found: set[tuple[str, str]] = set()
    for path in GUI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)] + [tree]:
            context = cls.name if isinstance(cls, ast.ClassDef) else MODULE_CONTEXT.get(path.name)
            for node in ast.walk(cls):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if name in ("translate", "tr") and len(strings) == 2:
                    found.add((strings[0], strings[1]))
                elif name == "tr" and strings and context:
                    is_self = isinstance(func, ast.Attribute) and isinstance(cls, ast.ClassDef)
                    if is_self or (isinstance(func, ast.Name) and path.name in MODULE_CONTEXT):
                        found.add((context if is_self else MODULE_CONTEXT[path.name], strings[0]))
    for _icon, _keys, text, tip in SPECS.values():
        found |= {("Actions", text), ("Actions", tip)}
    return found


def test_every_ui_string_is_translated():
    zh = table()
    used = used_strings()
    assert len(used) > 100
    missing = sorted((ctx, src) for ctx, src in used if not zh.get(ctx, {}).get(src))
    assert not missing, missing


def test_shipped_qm_matches_table():
    translator = QTranslator()
    assert translator.load(str(paths.resources_dir() / "i18n" / "ocr_desk_zh_CN.qm"))
    for context, messages in table().items():
        for source, translation in messages.items():
            assert translator.translate(context, source) == translation, (context, source)

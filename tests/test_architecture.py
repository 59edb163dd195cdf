"""The layout the README's Architecture section promises, checked on the source itself."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import ocr_app

PACKAGE = Path(ocr_app.__file__).parent
ENGINE_PUBLIC = "ocr_app.engine"
# Modules that may look inside the engine: the engine itself, the build-time tooling and the
# benchmarks (they measure its parts, e.g. which kernels this CPU gets).
INSIDERS = ("engine", "tooling", "bench")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    base = parts[: len(parts) - node.level]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            out.append(module)
            out += [f"{module}.{alias.name}" for alias in node.names if module == ENGINE_PUBLIC]
    return out


def test_no_two_modules_share_a_file_name():
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in _modules():
        if path.name not in ("__init__.py", "__main__.py"):
            by_name[path.name].append(str(path.relative_to(PACKAGE)))
    assert {n: p for n, p in by_name.items() if len(p) > 1} == {}


def test_consumers_use_only_the_engines_public_names():
    public = set(__import__(ENGINE_PUBLIC, fromlist=["__all__"]).__all__)
    offenders = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).parts
        if rel[0] in INSIDERS:
            continue
        for name in _imports(path):
            if name.startswith(ENGINE_PUBLIC + "."):
                leaf = name[len(ENGINE_PUBLIC) + 1:]
                if leaf not in public:
                    offenders.append(f"{'/'.join(rel)}: {name}")
    assert offenders == []


def test_the_engine_imports_no_qt_and_no_consumer():
    consumers = ("ocr_app.gui", "ocr_app.server", "ocr_app.cli", "ocr_app.capture", "ocr_app.jobs",
                 "ocr_app.documents", "ocr_app.export", "ocr_app.bulk", "ocr_app.tooling", "ocr_app.bench")
    bad = [f"{p.relative_to(PACKAGE)}: {name}" for p in (PACKAGE / "engine").rglob("*.py")
           for name in _imports(p) if name.startswith(("PySide6", "PyQt", *consumers))]
    assert bad == []

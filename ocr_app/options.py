"""Every user-facing setting, declared once: name, type, default, help, choices.

The CLI's and the server's flags (`add_arguments`), the window's QSettings keys
(`Option.key`) and the Settings dialog's choices are all built from `OPTIONS`, and
`engine_config` turns a set of values into the engine's `EngineConfig`. To add a setting,
add one `Option` here; every consumer that lists its scope picks it up.

Qt-free and light to import (no engine): the second process of a quick capture reads it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PRECISIONS = ("int8", "fp32")  # the engine checks the same tuple (engine.models.PRECISIONS)
STAGES = ("gray", "equalized", "binary", "flattened")  # the compare view's preprocessing stages
THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
# How a page's text is laid out (engine/layout.py renders each): every printed line in
# reading order with a blank line between paragraphs; one line per paragraph; the page row
# by row with no layout; every line with its indentation.
LAYOUT_MODES = ("lines", "paragraphs", "raw", "code")

CLI, SERVER, GUI = "cli", "server", "gui"
ALL = frozenset({CLI, SERVER, GUI})


def physical_cores() -> int:
    """What the engine uses by default; psutil is cheap to import, onnxruntime is not."""
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:
        return max(1, os.cpu_count() or 1)


def default_pool_size() -> int:
    """Images the window reads at once: one per two cores (ONNX Runtime already uses them)."""
    return 1 if physical_cores() <= 2 else 2


@dataclass(frozen=True)
class Option:
    name: str  # Python name, and the CLI flag with "-" for "_"
    kind: type  # bool, int, float or str
    default: Any  # a value, or a callable giving one (machine-dependent defaults)
    help: str
    group: str = "engine"  # QSettings group
    scopes: frozenset[str] = ALL
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    flag: str | None = None  # CLI flag when not derived from the name
    aliases: tuple[str, ...] = ()
    post: str | None = None  # the post-processor this switch turns on or off

    @property
    def key(self) -> str:
        return f"{self.group}/{self.name}"

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default

    def cli_flag(self) -> str:
        if self.flag:
            return self.flag
        base = self.name.replace("_", "-")
        if self.kind is bool:
            return f"--no-{base}" if self.default_value() else f"--{base}"
        return f"--{base}"

    def coerce(self, value: Any) -> Any:
        """A stored or typed value as this option's type, or the default when it is not one."""
        try:
            if self.kind is bool:
                if isinstance(value, str):
                    return value.strip().lower() in ("1", "true", "yes", "on")
                return bool(value)
            out = self.kind(value)
        except (TypeError, ValueError):
            return self.default_value()
        if self.choices is not None and out not in self.choices:
            return self.default_value()
        if self.minimum is not None and out < self.minimum:
            return self.default_value() if self.kind is str else type(out)(self.minimum)
        if self.maximum is not None and out > self.maximum:
            return type(out)(self.maximum)
        return out


OPTIONS: tuple[Option, ...] = (
    # -- what the engine reads with
    Option("model_set", str, "", "model set (default: the manifest's default)", flag="--model",
           aliases=("--model-set",)),
    Option("precision", str, "int8", "INT8 (faster) or FP32 models", choices=PRECISIONS),
    Option("threads", int, 0, "ONNX Runtime threads per image (0: automatic)", minimum=0, maximum=64),
    Option("use_cls", bool, True, "turn upside-down lines with the angle classifier", flag="--no-cls"),
    Option("orient_pages", bool, True, "turn pages that lie sideways (90°/270°) upright", flag="--no-orient"),
    Option("flatten_pages", bool, False, "read a photographed page perspective-corrected", flag="--flatten"),
    Option("dewarp_pages", bool, False, "read a curled or folded page photo unbent (needs the dewarp pack; "
           "replaces --flatten)", flag="--dewarp"),
    Option("min_confidence", float, 0.5, "drop lines read with less confidence than this", minimum=0.0,
           maximum=1.0),
    # -- post-processors (engine/post): switches, in the order they run
    Option("script", bool, True, "one Chinese script per page (Simplified where it is clearly so)",
           post="script"),
    Option("words", bool, True, "highlight less the Chinese characters that form a dictionary word with their "
           "neighbours", post="words"),
    Option("amounts", bool, True, "repair money amounts from the recogniser's second choice", post="amounts"),
    Option("spacing", bool, True, "add word spaces where the line's ink shows a gap", post="spacing"),
    Option("glyphs", bool, True, "find free-standing colons and lone digits", post="glyphs"),
    Option("split", bool, True, "split lines at gaps as wide as a column gutter", post="split"),
    Option("codes", bool, False, "also decode QR codes and barcodes", post="codes"),
    Option("page", bool, True, "highlight less the characters of a word the page reads surely elsewhere",
           post="page"),
    # -- how the text is given back
    Option("layout", str, "lines", "text layout: lines (every printed line in reading order, a blank line between "
           "paragraphs), paragraphs (one line each), raw (row by row, no columns), code (indentation kept)",
           group="output", choices=LAYOUT_MODES),
    # -- how files are read
    Option("use_text_layer", bool, True, "use a born-digital PDF page's own text instead of OCR",
           group="documents", flag="--no-text-layer"),
    # -- the window
    Option("pool_size", int, default_pool_size, "images recognised at the same time", scopes=frozenset({GUI}),
           minimum=1, maximum=8),
    Option("stage", str, "binary", "preprocessing stage shown beside the original", group="view",
           scopes=frozenset({GUI}), choices=STAGES),
    Option("theme", str, "system", "colour theme", group="view", scopes=frozenset({GUI}), choices=THEMES),
    Option("language", str, "system", "interface language", group="view", scopes=frozenset({GUI}),
           choices=LANGUAGES),
    # -- the local API
    Option("port", int, 8000, "port of the local API (0 picks a free one)", group="server",
           scopes=frozenset({SERVER, GUI}), minimum=0, maximum=65535),
    # -- quick capture (ocr_app/capture): the window's tray, global shortcut and batch list
    Option("hotkey", str, "Ctrl+Alt+O", "global capture shortcut in Qt's portable form (empty: none)",
           group="capture", scopes=frozenset({GUI})),
    Option("keep_in_tray", bool, True, "closing the window keeps OCR Desk running in the tray",
           group="capture", scopes=frozenset({GUI})),
    Option("add_captures", bool, True, "captures also join the batch list", group="capture",
           scopes=frozenset({GUI})),
    Option("start_minimised", bool, False, "start hidden in the tray", group="capture", scopes=frozenset({GUI})),
    # -- history (ocr_app/store): every page read and every edit, kept on this computer only. GUI scope:
    # `main.py ocr` adds --no-history by name, so bulk runs (which take every CLI option) are unaffected.
    Option("keep_history", bool, True, "keep every page read and every edit in the local history (searchable)",
           group="history", scopes=frozenset({GUI}), flag="--no-history"),
    Option("history_days", int, 0, "forget history older than this many days (0: keep it)", group="history",
           scopes=frozenset({GUI}), minimum=0, maximum=3650),
)

BY_NAME: dict[str, Option] = {opt.name: opt for opt in OPTIONS}
POST_ORDER: tuple[str, ...] = tuple(opt.post for opt in OPTIONS if opt.post)


def option(name: str) -> Option:
    return BY_NAME[name]


def defaults(scope: str | None = None) -> dict[str, Any]:
    return {o.name: o.default_value() for o in OPTIONS if scope is None or scope in o.scopes}


def _cli_type(opt: Option) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = opt.kind(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"expected {opt.kind.__name__}, got {text!r}") from exc
        if (opt.minimum is not None and value < opt.minimum) or (opt.maximum is not None and value > opt.maximum):
            raise argparse.ArgumentTypeError(f"must be between {opt.minimum:g} and {opt.maximum:g}, got {text}")
        return value
    return parse


def add_arguments(parser: argparse.ArgumentParser, scope: str, names: Iterable[str] | None = None) -> None:
    """One flag per option of `scope` (or the listed `names`), with its help and default."""
    wanted = set(names) if names is not None else None
    for opt in OPTIONS:
        if scope not in opt.scopes or (wanted is not None and opt.name not in wanted):
            continue
        flags = [opt.cli_flag(), *opt.aliases]
        if opt.kind is bool:
            action = "store_false" if opt.default_value() else "store_true"
            text = f"off: {opt.help} (on by default)" if opt.default_value() else opt.help
            parser.add_argument(*flags, dest=opt.name, action=action, default=opt.default_value(), help=text)
        else:
            default = opt.default_value()
            text = opt.help if "default" in opt.help else f"{opt.help} (default: {default})"
            parser.add_argument(*flags, dest=opt.name, type=_cli_type(opt), choices=opt.choices, default=default,
                                help=text)


def values_from_args(args: argparse.Namespace) -> dict[str, Any]:
    return {o.name: getattr(args, o.name) for o in OPTIONS if hasattr(args, o.name)}


def post_processors(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The post-processors switched on, in the order they run."""
    return tuple(name for name in POST_ORDER if values.get(name, option(name).default_value()))


def engine_config(values: Mapping[str, Any], **extra: Any):
    """EngineConfig from option values (missing ones at their defaults); `extra` sets
    EngineConfig fields that are not user settings (cache size, disk cache)."""
    from .engine import EngineConfig

    get = {o.name: o.coerce(values[o.name]) if o.name in values else o.default_value() for o in OPTIONS}
    return EngineConfig(model_set=get["model_set"] or None, precision=get["precision"], threads=get["threads"],
                        use_cls=get["use_cls"], orient_pages=get["orient_pages"], flatten_pages=get["flatten_pages"],
                        dewarp_pages=get["dewarp_pages"],
                        min_confidence=get["min_confidence"], post=post_processors(get), **extra)


__all__ = [
    "ALL",
    "CLI",
    "GUI",
    "LANGUAGES",
    "LAYOUT_MODES",
    "OPTIONS",
    "POST_ORDER",
    "PRECISIONS",
    "SERVER",
    "STAGES",
    "THEMES",
    "Option",
    "add_arguments",
    "default_pool_size",
    "defaults",
    "engine_config",
    "option",
    "physical_cores",
    "post_processors",
    "values_from_args",
]

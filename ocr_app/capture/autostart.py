"""Start with the system: a desktop autostart entry on Linux, the Run key on Windows.

The entry starts OCR Desk the way this copy was started (the packaged executable, or this
Python with main.py), and the app then follows its "start minimised to the tray" setting.
macOS has no file we write: the user adds OCR Desk under System Settings → General →
Login Items (README, "Quick capture").
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ocr_app import APP_NAME, paths

ENTRY = "ocr-desk.desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def command() -> list[str]:
    if paths.is_frozen():
        return [sys.executable]
    return [sys.executable, str(paths.app_root() / "main.py")]


def supported() -> bool:
    return sys.platform.startswith("linux") or sys.platform == "win32"


def entry_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / ENTRY


def _quote(arg: str) -> str:
    """Desktop Entry Exec quoting: quote arguments with reserved characters, escape inside."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def desktop_entry() -> str:
    icon = paths.resources_dir() / "icons" / "app.png"
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={APP_NAME}",
        "Comment=Offline OCR: select part of the screen, get its text",
        "Exec=" + " ".join(_quote(a) for a in command()),
        f"Icon={icon}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


def enabled() -> bool:
    if sys.platform == "win32":
        return _win_value() is not None
    return entry_path().is_file()


def set_enabled(on: bool) -> None:
    """Write or remove the entry (OSError when the folder or registry refuses)."""
    if sys.platform == "win32":
        _win_set(on)
        return
    path = entry_path()
    if on:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(desktop_entry(), encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def _win_value() -> str | None:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            return str(winreg.QueryValueEx(key, APP_NAME)[0])
    except OSError:
        return None


def _win_set(on: bool) -> None:
    import subprocess
    import winreg

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if on:
            winreg.SetValueEx(key, APP_NAME, 0, winreg.REG_SZ, subprocess.list2cmdline(command()))
        else:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, APP_NAME)

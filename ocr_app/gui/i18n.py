"""UI language: English source strings, Simplified Chinese from resources/i18n/*.qm."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ocr_app import paths

_installed: list[QTranslator] = []


def resolve(language: str) -> str:
    """"system" → "zh_CN" for Chinese locales, else "en"."""
    if language != "system":
        return language
    return "zh_CN" if QLocale.system().name().lower().startswith("zh") else "en"


def install(language: str) -> str:
    """Replace the installed translators; returns the language now in use. Widgets get a
    LanguageChange event and retranslate themselves."""
    app = QCoreApplication.instance()
    lang = resolve(language)
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    if lang == "en":
        return lang
    ours = QTranslator(app)
    if ours.load(str(paths.resources_dir() / "i18n" / f"ocr_desk_{lang}.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)  # standard dialogs (OK/Cancel, file dialogs) when Qt ships them
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return lang if _installed else "en"

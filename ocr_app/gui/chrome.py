"""Toolbar and menus: where each action appears (the actions themselves live in actions.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMenuBar, QSizePolicy, QToolBar, QWidget

TOOLBAR = ("add_files", "add_folder", "paste", None, "cancel", "retry", "remove", "clear", None, "copy", "export")
TOOLBAR_RIGHT = ("dark", "settings", "about")  # icon-only, after a spacer
MENUS = (("file", ("add_files", "add_folder", "paste", None, "export", None, "quit")),
         ("edit", ("copy", "copy_all")),
         ("batch", ("cancel", "retry", "remove", "clear", "undo", None, "history")),
         ("view", ("zoom_in", "zoom_out", "zoom_fit", "zoom_actual", None, "dark")),
         ("tools", ("settings",)),
         ("help", ("about",)))


def build_toolbar(acts: dict[str, QAction]) -> QToolBar:
    tb = QToolBar()
    tb.setObjectName("mainToolbar")
    tb.setMovable(False)
    tb.setIconSize(QSize(18, 18))
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for name in TOOLBAR:
        if name is None:
            tb.addSeparator()
        else:
            tb.addAction(acts[name])
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    tb.addWidget(spacer)
    for name in TOOLBAR_RIGHT:
        tb.addAction(acts[name])
        tb.widgetForAction(acts[name]).setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    return tb


def build_menus(bar: QMenuBar, acts: dict[str, QAction]) -> dict[str, QMenu]:
    menus = {}
    for key, names in MENUS:
        menu = bar.addMenu("")
        menu.setToolTipsVisible(True)
        for name in names:
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(acts[name])
        menus[key] = menu
    retranslate_menus(menus)
    return menus


def retranslate_menus(menus: dict[str, QMenu]) -> None:
    tr = QCoreApplication.translate
    titles = {"file": tr("MainWindow", "&File"), "edit": tr("MainWindow", "&Edit"),
              "batch": tr("MainWindow", "&Batch"), "view": tr("MainWindow", "&View"),
              "tools": tr("MainWindow", "&Tools"), "help": tr("MainWindow", "&Help")}
    for key, menu in menus.items():
        menu.setTitle(titles[key])

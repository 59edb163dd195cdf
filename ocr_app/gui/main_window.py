"""The OCR Desk window: batch list on the left, side-by-side images and text on the right."""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, QThreadPool, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

import ocr_app
from ocr_app.engine import Engine, EngineConfig
from ocr_app.inputs import SUPPORTED_EXTS

from . import actions as action_defs
from . import i18n, icons, inputs, optional, texts, theme
from .batch_model import THUMB, BatchModel
from .compare_view import CompareView
from .export_bridge import ExportSignals, ExportTask, exportable
from .export_dialog import ExportChoice, ExportDialog
from .items import BatchItem, Status
from .overlays import DropOverlay, Toast
from .qtfix import emit
from .runner import BatchRunner
from .server_control import ServerControl
from .settings import AppSettings
from .settings_dialog import SettingsDialog
from .text_panel import TextPanel
from .workers import EngineLoader, Job, LoaderSignals, ViewSignals, ViewTask

VIEW_CACHE = 4  # selections whose decoded images are kept
STAGE_CACHE = 8  # finished items whose preprocessing stages are kept for instant display


def panel(*widgets: QWidget, margins: int = 10) -> QFrame:
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(margins, margins, margins, margins)
    layout.setSpacing(8)
    for w in widgets:
        layout.addWidget(w)
    return frame


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings | None = None, engine: Engine | None = None):
        super().__init__()
        self.settings = settings or AppSettings()
        self.engine: Engine | None = None
        self.engine_error: str | None = None
        self.model = BatchModel(self)
        self.runner = BatchRunner(self.model, self.settings.pool_size, self)
        self.aux_pool = QThreadPool(self)  # engine loading, view images, export: never the batch
        self.aux_pool.setMaxThreadCount(2)
        self.server = ServerControl(self)
        self._keys: set[str] = set()
        self._view_cache: OrderedDict[tuple[int, int], tuple[QImage, dict]] = OrderedDict()
        self._stage_arrays: OrderedDict[int, dict] = OrderedDict()
        self._shown: tuple[int, int] | None = None
        self._batch_started: float | None = None
        self._engine_loading = False
        self.last_export: list[Path] = []
        self.last_export_error: str | None = None
        self._view_signals = ViewSignals()
        self._view_signals.ready.connect(self._on_view_ready)
        self._loader_signals = LoaderSignals()
        self._loader_signals.loaded.connect(self._on_engine_loaded)
        self._loader_signals.failed.connect(self._on_engine_failed)
        self._export_signals = ExportSignals()
        self._export_signals.done.connect(self._on_export_done)
        self._export_signals.failed.connect(self._on_export_failed)

        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setMinimumSize(900, 600)
        self.acts = action_defs.build(self, self._slots())
        self._build_ui()
        self._build_menus()
        self.drop_overlay = DropOverlay(self)
        self.toast = Toast(self)
        self.retranslate()
        self.refresh_icons()
        self.compare.set_stage(self.settings.stage)
        self.acts["dark"].setChecked(theme.is_dark())

        self.runner.progress_changed.connect(self._update_progress)
        self.runner.item_finished.connect(self._on_item_finished)
        self.runner.idle.connect(self._on_idle)
        self.server.state_changed.connect(self._show_server_state)
        self._eta_timer = QTimer(self)
        self._eta_timer.setInterval(1000)
        self._eta_timer.timeout.connect(self._update_progress)
        self._restore_geometry()
        self._update_actions()
        if engine is not None:
            self._on_engine_loaded(engine)
        else:
            self.load_engine()

    # ---- construction ----------------------------------------------------------------

    def _slots(self) -> dict:
        return {"add_files": self.add_files_dialog, "add_folder": self.add_folder_dialog, "paste": self.paste,
                "cancel": self.cancel_batch, "retry": self.retry_failed, "remove": self.remove_selected,
                "clear": self.clear_all, "copy": self.copy_selection, "copy_all": self.copy_all,
                "export": self.export_dialog, "zoom_in": lambda: self.compare.zoom_in(),
                "zoom_out": lambda: self.compare.zoom_out(), "zoom_fit": lambda: self.compare.fit(),
                "zoom_actual": lambda: self.compare.actual_size(), "dark": self.toggle_dark,
                "settings": self.settings_dialog, "about": self.about, "quit": self.close}

    def _build_ui(self) -> None:
        tb = QToolBar()
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in ("add_files", "add_folder", "paste", None, "cancel", "retry", "remove", "clear", None,
                     "copy", "export"):
            if name is None:
                tb.addSeparator()
            else:
                tb.addAction(self.acts[name])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        for name in ("dark", "settings", "about"):
            tb.addAction(self.acts[name])
            tb.widgetForAction(self.acts[name]).setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar = tb
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)

        # left: batch list (or the empty state) and progress
        self.tree = QTreeView()
        self.tree.setObjectName("batchList")
        self.tree.setModel(self.model)
        self.tree.setIconSize(THUMB)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAcceptDrops(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 96)
        for col in (2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        self.empty = self._build_empty_state()
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.empty)
        self.list_stack.addWidget(self.tree)

        self.batch_title = QLabel()
        self.batch_title.setObjectName("panelTitle")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("muted")
        left = panel(self.batch_title, self.list_stack, self.progress, self.progress_label)

        # right: images above, text below
        self.compare = CompareView()
        self.compare.stage_changed.connect(self._on_stage_changed)
        self.compare.box_clicked.connect(self._on_box_clicked)
        self.text_panel = TextPanel()
        self.text_panel.line_clicked.connect(self.compare.select_box)
        self.text_panel.text_edited.connect(self._on_text_edited)
        for view in (self.compare.original, self.compare.processed):
            view.setAcceptDrops(False)
            view.viewport().setAcceptDrops(False)
        self.text_panel.editor.setAcceptDrops(False)
        self.text_panel.editor.viewport().setAcceptDrops(False)
        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(panel(self.compare))
        self.right_split.addWidget(panel(self.text_panel))
        self.right_split.setStretchFactor(0, 3)
        self.right_split.setStretchFactor(1, 2)
        self.right_split.setSizes([560, 300])

        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(left)
        self.main_split.addWidget(self.right_split)
        self.main_split.setStretchFactor(0, 2)
        self.main_split.setStretchFactor(1, 5)
        self.main_split.setSizes([470, 930])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addWidget(self.main_split)
        self.setCentralWidget(central)

        self.engine_label = QLabel()
        self.server_label = QLabel()
        self.statusBar().addWidget(self.engine_label, 1)
        self.statusBar().addPermanentWidget(self.server_label)
        self.statusBar().setSizeGripEnabled(True)

    def _build_empty_state(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addStretch(1)
        self.empty_icon = QLabel()
        self.empty_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_title = QLabel()
        self.empty_title.setObjectName("emptyTitle")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_title.setWordWrap(True)
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.empty_files = QPushButton()
        self.empty_folder = QPushButton()
        self.empty_files.clicked.connect(self.add_files_dialog)
        self.empty_folder.clicked.connect(self.add_folder_dialog)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.empty_files)
        row.addWidget(self.empty_folder)
        row.addStretch(1)
        layout.addWidget(self.empty_icon)
        layout.addWidget(self.empty_title)
        layout.addWidget(self.empty_hint)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(2)
        return box

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus = {}
        for key, names in (("file", ("add_files", "add_folder", "paste", None, "export", None, "quit")),
                           ("edit", ("copy", "copy_all")),
                           ("batch", ("cancel", "retry", "remove", "clear")),
                           ("view", ("zoom_in", "zoom_out", "zoom_fit", "zoom_actual", None, "dark")),
                           ("tools", ("settings",)), ("help", ("about",))):
            menu = bar.addMenu("")
            menu.setToolTipsVisible(True)
            for name in names:
                if name is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.acts[name])
            self.menus[key] = menu

    def retranslate(self) -> None:
        self.setWindowTitle(ocr_app.APP_NAME)
        action_defs.retranslate(self.acts)
        titles = {"file": self.tr("&File"), "edit": self.tr("&Edit"), "batch": self.tr("&Batch"),
                  "view": self.tr("&View"), "tools": self.tr("&Tools"), "help": self.tr("&Help")}
        for key, menu in self.menus.items():
            menu.setTitle(titles[key])
        self.empty_title.setText(self.tr("Drop images, PDFs or folders here"))
        self.empty_hint.setText(self.tr("Or paste a screenshot with Ctrl+V. Everything stays on this computer."))
        self.empty_files.setText(self.tr("Add files…"))
        self.empty_folder.setText(self.tr("Add folder…"))
        self.compare.retranslate()
        self.text_panel.retranslate()
        emit(self.model.headerDataChanged, Qt.Orientation.Horizontal, 0, 4)
        for item in self.model.items:
            self.model.changed(item.id)
        self._update_progress()
        self._show_engine_state()
        self._show_server_state(self.server.url)

    def refresh_icons(self) -> None:
        action_defs.refresh_icons(self.acts)
        self.empty_icon.setPixmap(icons.icon("drop", "#2f7de1").pixmap(64, 64))
        self.setWindowIcon(icons.app_icon())
        for btn, name in ((self.compare.zoom_in_btn, "zoom-in"), (self.compare.zoom_out_btn, "zoom-out"),
                          (self.compare.fit_btn, "fit")):
            btn.setIcon(icons.icon(name))
        self.text_panel.show_result(*self._current_text_args())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ---- engine ----------------------------------------------------------------------

    def engine_config(self) -> EngineConfig:
        return EngineConfig(model_set=self.settings.model_set or None, precision=self.settings.precision,
                            threads=self.settings.engine_threads)

    def load_engine(self) -> None:
        self.engine_error = None
        self._engine_loading = True
        self._show_engine_state()
        self.aux_pool.start(EngineLoader(self.engine_config(), self._loader_signals))

    def _on_engine_loaded(self, engine: Engine) -> None:
        self._engine_loading = False
        self.engine = engine
        self.runner.set_engine(engine)
        self._show_engine_state()
        self._update_actions()

    def _on_engine_failed(self, message: str) -> None:
        self._engine_loading = False
        self.engine_error = message
        self._show_engine_state()
        box = QMessageBox(QMessageBox.Icon.Critical, self.tr("Recognition models unavailable"),
                          self.tr("OCR Desk cannot recognise text until its models are restored."), parent=self)
        box.setInformativeText(message)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
        self._error_box = box

    def _show_engine_state(self) -> None:
        if self.engine_error:
            text = self.tr("Models unavailable: %1").replace("%1", self.engine_error)
        elif self.engine is None:
            text = self.tr("Loading recognition models…")
        else:
            info = self.engine.info()
            text = self.tr("Ready · %1 %2 · %3 threads × %4 parallel").replace(
                "%1", str(info.get("set", ""))).replace("%2", str(info.get("precision", "")).upper()).replace(
                "%3", str(info.get("threads", ""))).replace("%4", str(self.runner.pool.maxThreadCount()))
        self.engine_label.setText(text)
        self.engine_label.setToolTip(text)

    def _show_server_state(self, url: str) -> None:
        self.server_label.setText(self.tr("API: %1").replace("%1", url) if url else "")

    # ---- adding work -----------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> int:
        """Queue files (folders are scanned recursively); files already listed are skipped."""
        new: list[BatchItem] = []
        for path in inputs.collect(paths):
            key = inputs.real_key(path)
            if key in self._keys:
                continue
            self._keys.add(key)
            new.append(BatchItem(name=path.name, path=path, document=optional.is_document(path)))
        self._enqueue_new(new)
        return len(new)

    def add_image_bytes(self, data: bytes, name: str | None = None) -> None:
        self._enqueue_new([BatchItem(name=name or time.strftime("pasted %H-%M-%S.png"), data=data)])

    def _enqueue_new(self, items: list[BatchItem]) -> None:
        if not items:
            return
        if not self.runner.busy:
            self._batch_started = time.monotonic()
        self.model.add(items)
        self.list_stack.setCurrentIndex(1)
        self.runner.enqueue(items)
        self._eta_timer.start()
        self._update_actions()

    def add_files_dialog(self) -> None:
        exts = " ".join(f"*{e}" for e in sorted(SUPPORTED_EXTS))
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Add files"), self.settings.last_folder("open"),
                                                self.tr("Images and PDFs (%1);;All files (*)").replace("%1", exts))
        if files:
            self.settings.set_last_folder("open", str(Path(files[0]).parent))
            self.add_paths([Path(f) for f in files])

    def add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add folder"), self.settings.last_folder("open"))
        if folder:
            self.settings.set_last_folder("open", folder)
            self.add_paths([Path(folder)])

    def paste(self) -> None:
        focus = QApplication.focusWidget()
        if focus is self.text_panel.editor and not self.text_panel.editor.isReadOnly():
            self.text_panel.editor.paste()
            return
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return
        paths = inputs.local_paths(mime)
        if paths:
            self.add_paths(paths)
            return
        data = inputs.image_bytes(mime)
        if data:
            self.add_image_bytes(data)
        else:
            self.toast.show_message(self.tr("Nothing to paste: copy an image or image files first"))

    # ---- drag and drop ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if inputs.can_accept(event.mimeData()):
            event.acceptProposedAction()
            self.drop_overlay.show_over_parent(self.tr("Drop to add to the batch"))
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if inputs.can_accept(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self.drop_overlay.hide()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_overlay.hide()
        mime = event.mimeData()
        paths = inputs.local_paths(mime)
        if paths:
            self.add_paths(paths)
        elif (data := inputs.image_bytes(mime)) is not None:
            self.add_image_bytes(data, "dropped image.png")
        else:
            event.ignore()
            return
        event.acceptProposedAction()

    # ---- batch control ---------------------------------------------------------------

    def cancel_batch(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self.toast.show_message(self.tr("Cancelled: running items will finish"))
        self._update_actions()

    def retry_failed(self) -> None:
        items = [it for it in self.model.items if it.status in (Status.FAILED, Status.CANCELLED)]
        if items:
            if not self.runner.busy:
                self._batch_started = time.monotonic()
            self.runner.enqueue(items)
            self._eta_timer.start()
        self._update_actions()

    def selected_items(self) -> list[BatchItem]:
        seen: dict[int, BatchItem] = {}
        for index in self.tree.selectionModel().selectedRows(0):
            item, _page = self.model.item_at(index)
            if item is not None:
                seen.setdefault(item.id, item)
        return list(seen.values())

    def remove_selected(self) -> None:
        items = self.selected_items()
        if not items:
            return
        ids = {it.id for it in items}
        self.runner.forget(ids)
        for it in items:
            if it.path is not None:
                self._keys.discard(inputs.real_key(it.path))
            self._stage_arrays.pop(it.id, None)
        self.model.remove(ids)
        self._after_removal()

    def clear_all(self) -> None:
        self.runner.cancel()
        self.model.clear()
        self._keys.clear()
        self._stage_arrays.clear()
        self._view_cache.clear()
        self._after_removal()

    def _after_removal(self) -> None:
        if not self.model.items:
            self.list_stack.setCurrentIndex(0)
        self._show_current()
        self._update_progress()
        self._update_actions()

    def _on_item_finished(self, item_id: int, stages: dict) -> None:
        if stages:
            self._stage_arrays[item_id] = stages
            while len(self._stage_arrays) > STAGE_CACHE:
                self._stage_arrays.popitem(last=False)
        for key in [k for k in self._view_cache if k[0] == item_id]:
            del self._view_cache[key]
        current = self.tree.currentIndex()
        if not current.isValid():
            self.tree.setCurrentIndex(self.model.index_of(item_id))
        else:
            item, _page = self.model.item_at(current)
            if item is not None and item.id == item_id:
                self._show_current()
        self._update_actions()

    def _on_idle(self) -> None:
        self._eta_timer.stop()
        self._update_progress()
        self._update_actions()

    def _update_progress(self) -> None:
        counts = self.model.counts()
        total = len(self.model.items)
        finished = counts[Status.DONE] + counts[Status.FAILED] + counts[Status.CANCELLED]
        self.batch_title.setText(self.tr("Batch") + (f"  ·  {total}" if total else ""))
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(finished)
        if not total:
            self.progress_label.setText(self.tr("No files yet"))
            return
        parts = [self.tr("%1 of %2 done").replace("%1", str(counts[Status.DONE])).replace("%2", str(total))]
        if counts[Status.FAILED]:
            parts.append(self.tr("%1 failed").replace("%1", str(counts[Status.FAILED])))
        if counts[Status.CANCELLED]:
            parts.append(self.tr("%1 cancelled").replace("%1", str(counts[Status.CANCELLED])))
        if self.runner.busy:
            eta = self.runner.eta_seconds()
            if eta is not None:
                parts.append(self.tr("about %1 left").replace("%1", _duration(eta)))
        self.progress_label.setText("  ·  ".join(parts))

    def _update_actions(self) -> None:
        has_items = bool(self.model.items)
        selected = self.selected_items()
        done = exportable(self.model.items)
        a = self.acts
        a["cancel"].setEnabled(self.runner.busy)
        a["retry"].setEnabled(any(it.status in (Status.FAILED, Status.CANCELLED) for it in self.model.items))
        a["remove"].setEnabled(bool(selected))
        a["clear"].setEnabled(has_items)
        a["copy"].setEnabled(bool(done))
        a["copy_all"].setEnabled(bool(done))
        a["export"].setEnabled(bool(done))

    # ---- selection and display -------------------------------------------------------

    def current(self) -> tuple[BatchItem | None, int]:
        """Selected item and page index (documents show their first page when the item row is selected)."""
        item, page = self.model.item_at(self.tree.currentIndex())
        if item is None:
            return None, -1
        return item, max(page, 0)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()
        self._update_actions()

    def _current_text_args(self) -> tuple:
        item, page = self.current()
        if item is None or not item.pages or page >= len(item.pages):
            return (None,)
        return (item.pages[page], item.edited.get(page))

    def _show_current(self) -> None:
        item, page = self.current()
        self.text_panel.show_result(*self._current_text_args())
        if item is None or not item.finished or not item.pages or page >= len(item.pages):
            self._shown = None
            message = None
            if item is not None and item.status in (Status.QUEUED, Status.RUNNING):
                message = self.tr("Waiting for recognition…")
            self.compare.clear(message)
            return
        result = item.pages[page]
        if result.error and not item.document:
            self._shown = None
            self.compare.clear(self.tr("Failed: %1").replace("%1", result.error))
            return
        key = (item.id, page)
        self._shown = key
        cached = self._view_cache.get(key)
        if cached is not None:
            self._view_cache.move_to_end(key)
            self.compare.show_images(cached[0], cached[1], result.lines)
            return
        self.compare.clear(self.tr("Loading image…"))
        job = Job(item.id, item.name, item.path, item.data, item.document)
        page_number = (result.page or page + 1) if item.document else None
        stages = self._stage_arrays.get(item.id) if not item.document else None
        self.aux_pool.start(ViewTask(self.engine, key, job, page_number, stages, self._view_signals))

    def _on_view_ready(self, key: tuple[int, int], original: QImage, stages: dict) -> None:
        self._view_cache[key] = (original, stages)
        while len(self._view_cache) > VIEW_CACHE:
            self._view_cache.popitem(last=False)
        if key == self._shown:
            item = self.model.get(key[0])
            if item is not None and key[1] < len(item.pages):
                self.compare.show_images(original, stages, item.pages[key[1]].lines)

    def _on_box_clicked(self, index: int) -> None:
        self.compare.select_box(index)
        self.text_panel.select_line(index)

    def _on_text_edited(self, text: str) -> None:
        item, page = self.current()
        if item is not None and page < len(item.pages):
            item.edited[page] = text

    def _on_stage_changed(self, stage: str) -> None:
        self.settings.stage = stage

    # ---- copy and export -------------------------------------------------------------

    def copy_selection(self) -> None:
        editor = self.text_panel.editor
        if editor.hasFocus() and editor.textCursor().hasSelection():
            text = editor.textCursor().selection().toPlainText()
        else:
            items = [it for it in self.selected_items() if it.status is Status.DONE]
            if len(items) > 1:
                text = texts.combined_text(items)
            else:
                item, _page = self.current()
                text = item.text() if item is not None and item.status is Status.DONE else ""
        self._to_clipboard(text)

    def copy_all(self) -> None:
        self._to_clipboard(texts.combined_text(self.model.items))

    def _to_clipboard(self, text: str) -> None:
        if not text:
            self.toast.show_message(self.tr("No text to copy"))
            return
        QGuiApplication.clipboard().setText(text)
        self.toast.show_message(self.tr("Copied %1 characters").replace("%1", str(len(text))))

    def export_dialog(self) -> None:
        if optional.export() is None:
            QMessageBox.information(self, self.tr("Export"), self.tr("Export is not available in this build."))
            return
        selected = exportable(self.selected_items())
        everything = exportable(self.model.items)
        dialog = ExportDialog(self, self.settings.last_folder("export"), bool(selected), len(selected),
                              len(everything))
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        self.export(choice, selected if choice.selected_only else everything)

    def export(self, choice: ExportChoice, items: list[BatchItem]) -> None:
        """Run the export in the background; the result arrives as a toast or an error dialog."""
        folder = choice.target.parent if choice.combined else choice.target
        self.settings.set_last_folder("export", str(folder))
        self.statusBar().showMessage(self.tr("Exporting…"))
        self.aux_pool.start(ExportTask(items, choice.fmt, choice.target, choice.combined, self._export_signals))

    def _on_export_done(self, written: list) -> None:
        self.statusBar().clearMessage()
        self.last_export = [Path(p) for p in written]
        where = str(written[0]) if len(written) == 1 else str(Path(written[0]).parent) if written else ""
        self.toast.show_message(self.tr("Exported %1 file(s)").replace("%1", str(len(written))))
        self.statusBar().showMessage(self.tr("Saved to %1").replace("%1", where), 8000)

    def _on_export_failed(self, message: str) -> None:
        self.statusBar().clearMessage()
        self.last_export_error = message
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Export failed"),
                          self.tr("The export could not be written."), parent=self)
        box.setInformativeText(message)
        box.open()
        self._error_box = box

    # ---- settings, theme, about ------------------------------------------------------

    def toggle_dark(self, checked: bool) -> None:
        self.settings.theme = "dark" if checked else "light"
        self.apply_theme()

    def apply_theme(self) -> None:
        dark = theme.apply(QApplication.instance(), self.settings.theme)
        self.acts["dark"].setChecked(dark)
        self.refresh_icons()

    def settings_dialog(self) -> None:
        before = (self.settings.precision, self.settings.engine_threads, self.settings.model_set)
        dialog = SettingsDialog(self, self.settings, self.server, lambda: self.engine)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.runner.set_pool_size(self.settings.pool_size)
        self.apply_theme()
        i18n.install(self.settings.language)
        if (self.settings.precision, self.settings.engine_threads, self.settings.model_set) != before:
            self.engine = None
            self.runner.engine = None  # queued items wait for the new engine; running ones finish
            self.load_engine()
        self._show_engine_state()

    def about(self) -> None:
        info = self.engine.info() if self.engine is not None else {}
        rows = "".join(f"<tr><td style='padding-right:12px'>{k}</td><td>{v}</td></tr>" for k, v in info.items())
        if self.engine is not None:
            stats = self.engine.cache.stats()
            rows += (f"<tr><td style='padding-right:12px'>cache</td><td>{stats.get('items')} items, "
                     f"{stats.get('hit_rate', 0) * 100:.0f} % hits</td></tr>")
        body = (f"<h3>{ocr_app.APP_NAME} {ocr_app.__version__}</h3>"
                f"<p>{self.tr('Offline Chinese and English text recognition. Nothing leaves this computer.')}</p>"
                f"<table>{rows}</table>")
        QMessageBox.about(self, self.tr("About OCR Desk"), body)

    # ---- window state ----------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 860)
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel the queue, let running images finish, stop the server: exit within ~2 s."""
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.sync()
        self._eta_timer.stop()
        self.hide()  # feels instant; the running images finish behind the scenes
        self.runner.shutdown()
        self.server.stop()
        self.aux_pool.clear()
        self.aux_pool.waitForDone()
        super().closeEvent(event)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"

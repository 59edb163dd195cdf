"""The OCR Desk window: batch list on the left, side-by-side images and text on the right.

The window wires parts together and owns what outlives any one of them: the engine,
the batch runner, the auxiliary thread pool and the API server.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, Qt, QThreadPool, QTimer, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

import ocr_app
from ocr_app import options
from ocr_app.input_files import SUPPORTED_EXTS

from . import actions as action_defs
from . import chrome, i18n, icons, imaging, intake, optional, texts, theme
from .batch_model import BatchModel
from .batch_panel import BatchPanel
from .batch_scheduler import BatchScheduler
from .compare_view import CompareView
from .detail import DetailPane
from .export_bridge import ExportSignals, ExportTask, exportable
from .export_dialog import ExportChoice, ExportDialog
from .history import History
from .items import BatchItem, Status
from .overlays import DropOverlay, Toast
from .server_control import ServerControl
from .settings import AppSettings
from .settings_dialog import SettingsDialog
from .text_panel import TextPanel
from .workers import EngineLoader, LoaderSignals

if TYPE_CHECKING:  # imported by the loader thread, so the window shows before onnxruntime loads
    from ocr_app.capture.controller import QuickCapture
    from ocr_app.engine import Engine, EngineConfig, OcrResult


def panel(*widgets: QWidget) -> QFrame:
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(10, 10, 10, 10)
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
        self.runner = BatchScheduler(self.model, self.settings.pool_size, self)
        self.runner.use_text_layer = self.settings.use_text_layer
        self.aux_pool = QThreadPool(self)  # engine loading, view images, export: never the batch
        self.aux_pool.setMaxThreadCount(2)
        self.server = ServerControl(self)
        self._keys: set = set()  # identities of the files listed (duplicates are ignored)
        self.last_export: list[Path] = []
        self.last_export_error: str | None = None
        self._error_box: QMessageBox | None = None
        self.quick_capture: QuickCapture | None = None  # set by app.py: tray, hotkey, capture overlay
        self._quitting = False
        self.history = History(self.settings.keep_history, self.settings.history_days)
        self.runner.persist = self.history
        self._restored = False  # the last batch is put back once, when the engine module is loaded
        self._undo: list[list[tuple[int, BatchItem]]] = []  # removed items with their rows (Ctrl+Z)
        self.confirm = self._ask  # replaced in tests: (title, text) -> bool
        self._loader_signals = LoaderSignals(self)
        self._loader_signals.loaded.connect(self._on_engine_loaded)
        self._loader_signals.failed.connect(self._on_engine_failed)
        self._export_signals = ExportSignals(self)
        self._export_signals.done.connect(self._on_export_done)
        self._export_signals.failed.connect(self._on_export_failed)

        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setMinimumSize(900, 600)
        self.acts = action_defs.build(self, self._slots())
        self._build_ui()
        self.menus["file"].insertAction(self.acts["paste"], self.acts["capture"])
        self.toolbar.insertAction(self.acts["paste"], self.acts["capture"])
        self.acts["capture"].setEnabled(False)  # until app.py attaches quick capture
        self.detail = DetailPane(self.model, self.compare, self.text_panel, self.aux_pool, self)
        self.detail.on_edit = self.history.edited
        self.text_panel.set_mode(self.settings.layout)
        self.text_panel.layout_changed.connect(self._on_layout_changed)
        self.drop_overlay = DropOverlay(self)
        self.toast = Toast(self)
        self.retranslate()
        self.refresh_icons()
        self.compare.set_stage(self.settings.stage)
        self.acts["dark"].setChecked(theme.is_dark())

        self.runner.progress_changed.connect(self._update_progress)
        self.runner.item_finished.connect(self._on_item_finished)
        self.runner.page_added.connect(self._on_page_added)
        self.runner.item_started.connect(self._on_item_started)
        self.runner.idle.connect(self._on_idle)
        self.server.state_changed.connect(self._show_server_state)
        self._eta_timer = QTimer(self)
        self._eta_timer.setInterval(1000)
        self._eta_timer.timeout.connect(self._update_progress)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # follow the desktop switching light/dark live
            hints.colorSchemeChanged.connect(self._on_system_scheme)
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
                "settings": self.settings_dialog, "about": self.about, "quit": self.quit_app,
                "undo": self.undo_remove, "history": self.history_dialog}

    def _build_ui(self) -> None:
        self.toolbar = chrome.build_toolbar(self.acts)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.menus = chrome.build_menus(self.menuBar(), self.acts)

        self.batch_panel = BatchPanel(self.model)
        self.tree = self.batch_panel.tree
        self.list_stack = self.batch_panel.stack
        self.progress = self.batch_panel.progress
        self.batch_panel.empty.add_files.connect(self.add_files_dialog)
        self.batch_panel.empty.add_folder.connect(self.add_folder_dialog)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._item_menu)

        self.compare = CompareView()
        self.compare.stage_changed.connect(self._on_stage_changed)
        self.text_panel = TextPanel()
        for view in (self.compare.original, self.compare.processed, self.text_panel.editor):
            view.setAcceptDrops(False)  # let drops reach the window instead of the child widgets
            view.viewport().setAcceptDrops(False)
        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(panel(self.compare))
        self.right_split.addWidget(panel(self.text_panel))
        self.right_split.setStretchFactor(0, 3)
        self.right_split.setStretchFactor(1, 2)
        self.right_split.setSizes([560, 300])

        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(self.batch_panel)
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

    def retranslate(self) -> None:
        self.setWindowTitle(ocr_app.APP_NAME)
        action_defs.retranslate(self.acts)
        chrome.retranslate_menus(self.menus)
        self.batch_panel.retranslate()
        self.compare.retranslate()
        self.text_panel.retranslate()
        self.model.retranslate()
        self._update_progress()
        self._show_engine_state()
        self._show_server_state(self.server.url)

    def refresh_icons(self) -> None:
        action_defs.refresh_icons(self.acts)
        self.batch_panel.empty.refresh_icons()
        self.compare.refresh_icons()
        self.detail.retint()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ---- engine ----------------------------------------------------------------------

    def engine_config(self) -> EngineConfig:
        """Built by the settings schema, so every engine and post-processor switch counts."""
        return options.engine_config(self.settings.engine_values())

    def load_engine(self) -> None:
        """Models load on a pool thread; the window is usable (and queues work) meanwhile."""
        self.engine_error = None
        self._show_engine_state()
        self.aux_pool.start(EngineLoader(self.engine_config, self._loader_signals))

    def _on_engine_loaded(self, engine: Engine) -> None:
        self.engine = engine
        self.detail.set_unbend(engine.unbent if engine.info()["dewarp"] else None)
        if not self._restored:
            self._restored = True
            self.restore_batch()
        self.runner.set_engine(engine)
        self._show_engine_state()
        self._update_actions()

    def _on_engine_failed(self, message: str) -> None:
        self.engine_error = message
        self._show_engine_state()
        self._show_error(self.tr("Recognition models unavailable"),
                         self.tr("OCR Desk cannot recognise text until its models are restored."), message,
                         QMessageBox.Icon.Critical)

    def _show_error(self, title: str, text: str, detail: str, icon=QMessageBox.Icon.Warning) -> None:
        """Non-blocking message box: the user-facing reason, never a traceback."""
        box = QMessageBox(icon, title, text, parent=self)
        box.setInformativeText(detail)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
        self._error_box = box

    def _show_engine_state(self) -> None:
        kernel = ""
        if self.engine_error:
            text = self.tr("Models unavailable: %1").replace("%1", self.engine_error)
        elif self.engine is None:
            text = self.tr("Loading recognition models…")
        else:
            info = self.engine.info()
            precision = str(info.get("precision", "")).upper()
            kernel = str(info.get("int8_kernel") or "") if info.get("precision") == "int8" else ""
            if "exact" in kernel:  # this CPU (no VNNI) runs the exact INT8 kernel
                precision += " (exact)"
            text = self.tr("Ready · %1 %2 · %3 threads × %4 parallel").replace(
                "%1", str(info.get("set", ""))).replace("%2", precision).replace(
                "%3", str(info.get("threads", ""))).replace("%4", str(self.runner.pool.maxThreadCount()))
            if info.get("dewarp"):
                text += self.tr(" · unbending pages")
        self.engine_label.setText(text)
        self.engine_label.setToolTip(text + (f"\nINT8 kernel: {kernel}" if kernel else ""))

    def _show_server_state(self, url: str) -> None:
        self.server_label.setText(self.tr("API: %1").replace("%1", url) if url else "")

    # ---- adding work -----------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> int:
        """Queue files (folders are scanned recursively); files already listed are skipped."""
        new: list[BatchItem] = []
        found = intake.collect(paths)
        for path in found:
            key = intake.real_key(path)
            if key in self._keys:
                continue
            self._keys.add(key)
            new.append(BatchItem(name=path.name, path=path, document=optional.is_document(path), key=key))
        self._enqueue(new)
        skipped = len(found) - len(new)
        if not found:
            self.toast.show_message(self.tr("No images or PDFs found there"))
        elif skipped:
            self.toast.show_message(self.tr("Added %1, skipped %2 already in the list").replace(
                "%1", str(len(new))).replace("%2", str(skipped)))
        return len(new)

    def add_image_bytes(self, data: bytes, name: str | None = None) -> None:
        name = name or self.tr("pasted %1.png").replace("%1", time.strftime("%H-%M-%S"))
        self._enqueue([BatchItem(name=name, data=data)])

    def add_capture(self, data: bytes, result: OcrResult, image: QImage) -> BatchItem:
        """A screen capture joins the list already read (no second engine run; the views
        compute its preprocessing stages when it is selected); returns the item."""
        item = BatchItem(name=result.source, data=data, status=Status.DONE, pages=[result],
                         thumb=imaging.thumbnail(image))
        self.model.add([item])
        self.history.added([item])
        self._update_actions()
        return item

    def _enqueue(self, items: list[BatchItem], new: bool = True) -> None:
        if not items:
            return
        if new:
            self.model.add(items)
            self.history.added(items)
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
        """Ctrl+V: into the text when editing it, else image files or image data into the batch."""
        editor = self.text_panel.editor
        if editor.hasFocus() and not editor.isReadOnly():
            editor.paste()
            return
        mime = QGuiApplication.clipboard().mimeData()
        paths = intake.local_paths(mime) if mime is not None else []
        if paths:
            self.add_paths(paths)
        elif mime is not None and (data := intake.image_bytes(mime)):
            self.add_image_bytes(data)
        else:
            self.toast.show_message(self.tr("Nothing to paste: copy an image or image files first"))

    # ---- drag and drop ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if intake.can_accept(event.mimeData()):
            event.acceptProposedAction()
            self.drop_overlay.show_over_parent(self.tr("Drop to add to the batch"))
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if intake.can_accept(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self.drop_overlay.hide()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_overlay.hide()
        mime = event.mimeData()
        paths = intake.local_paths(mime)
        if paths:
            self.add_paths(paths)
        elif (data := intake.image_bytes(mime)) is not None:
            self.add_image_bytes(data, self.tr("dropped image.png"))
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
        self._enqueue([it for it in self.model.items if it.status in (Status.FAILED, Status.CANCELLED)], new=False)

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
        self._undo.append([(self.model.items.index(it), it) for it in items])
        self.runner.forget(ids)
        self.detail.forget(ids)
        for it in items:
            self._keys.discard(it.key)
        self.model.remove(ids)
        self.history.removed(items)
        self.toast.show_message(self.tr("Removed %1 item(s) · Ctrl+Z puts them back").replace("%1", str(len(items))))
        self._after_removal()

    def clear_all(self) -> None:
        """Empty the list (undoable with Ctrl+Z); asks first when edits were never exported."""
        items = list(self.model.items)
        unexported = [it for it in items if it.edited and not it.edits_exported]
        if unexported and not self.confirm(self.tr("Clear the list?"), self.tr(
                "%1 item(s) have edits that were not exported. Clear anyway? (Ctrl+Z brings them back)").replace(
                "%1", str(len(unexported)))):
            return
        self.runner.cancel()
        self.detail.forget()
        if items:
            self._undo.append(list(enumerate(items)))
        self.model.clear()
        self._keys.clear()
        self.history.removed(items)
        self._after_removal()

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def undo_remove(self) -> None:
        """Ctrl+Z: the items last removed or cleared come back where they were, with their text."""
        if not self._undo:
            return
        entries = self._undo.pop()
        back = []
        for row, item in sorted(entries, key=lambda e: e[0]):
            if self.model.get(item.id) is not None:
                continue
            self.model.insert(row, [item])
            self._keys.add(item.key)
            back.append(item)
        self.history.returned(back)
        self.history.order(self.model.items)
        if back:
            self.tree.setCurrentIndex(self.model.index_of(back[0].id))
        self._after_removal()

    # ---- history (ocr_app/store) -----------------------------------------------------

    def restore_batch(self) -> None:
        """Put the last batch back as it was left (results and edits, no OCR); what had not
        finished is read again. Items already in the list are not added twice: files given at start
        join the list (and the store) before the models have loaded, which is when this runs."""
        try:
            items, again, selection = self.history.restore()
        except Exception as exc:  # an unreadable store: start empty, say why
            self.statusBar().showMessage(self.tr("History unavailable: %1").replace("%1", str(exc)), 8000)
            return
        present = {item.store_id for item in self.model.items if item.store_id}
        items = [item for item in items if item.store_id not in present]
        again = [item for item in again if item.store_id not in present]
        if not items:
            return
        for item in items:
            if item.key is None and item.path is not None and not item.missing:
                item.key = intake.real_key(item.path)
            if item.key is not None:
                self._keys.add(item.key)
        self.model.add(items)
        if again:
            self.runner.enqueue(again)
            self._eta_timer.start()
        self._update_progress()
        if selection is not None:
            for item in items:
                if item.store_id == selection[0]:
                    page = selection[1] if item.document and 0 <= selection[1] < self.model.rowCount(
                        self.model.index_of(item.id)) else -1
                    self.tree.setCurrentIndex(self.model.index_of(item.id, page))
        self._update_actions()

    def open_stored(self, uid: str, page: int = 0) -> None:
        """Show an item from the history (a search hit): in the list already, or put back."""
        item = next((it for it in self.model.items if it.store_id == uid), None)
        if item is None:
            from .history import to_item

            store = self.history.reader()
            try:
                stored = store.item(uid)
            finally:
                store.close()
            if stored is None:
                return
            item = to_item(stored)
            if item.status in (Status.QUEUED, Status.RUNNING):
                item.status = Status.DONE if item.pages else Status.CANCELLED
            self.model.add([item])
            self.history.returned([item])
            self.history.order(self.model.items)
        child = page if item.document and page < self.model.rowCount(self.model.index_of(item.id)) else -1
        self.tree.setCurrentIndex(self.model.index_of(item.id, child))
        self.raise_()
        self.activateWindow()
        self._update_actions()

    def history_dialog(self) -> None:
        from .history_dialog import HistoryDialog

        dialog = getattr(self, "_history_dialog", None)
        if dialog is None:
            dialog = HistoryDialog(self, self.history)
            dialog.open_hit.connect(self.open_stored)
            self._history_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.search.setFocus()

    def _on_item_started(self, item_id: int) -> None:
        item = self.model.get(item_id)
        if item is not None:
            self.history.started(item)

    def _on_page_added(self, item_id: int) -> None:
        item = self.model.get(item_id)
        if item is not None and item.pages:
            self.history.page_done(item, len(item.pages) - 1, self._fingerprint())
        self.detail.page_added(item_id)

    def _fingerprint(self) -> str | None:
        return self.engine.config.fingerprint() if self.engine is not None else None

    def _on_layout_changed(self, mode: str) -> None:
        self.settings.layout = mode

    def _after_removal(self) -> None:
        self._show_current()
        self._update_progress()
        self._update_actions()

    def _on_item_finished(self, item_id: int) -> None:
        item = self.model.get(item_id)
        if item is not None:
            self.history.finished(item, self._fingerprint())
        self.detail.item_finished(item_id)
        if not self.tree.currentIndex().isValid():  # show the first result without a click
            self.tree.setCurrentIndex(self.model.index_of(item_id))
        self._update_actions()

    def _on_idle(self) -> None:
        counts = self.model.counts()
        if self._eta_timer.isActive() and self.model.items:  # a batch ran to its end (not a clear)
            text = self.tr("Batch finished: %1 done").replace("%1", str(counts[Status.DONE]))
            if counts[Status.FAILED]:
                text += " · " + self.tr("%1 failed").replace("%1", str(counts[Status.FAILED]))
            self.toast.show_message(text, 2500)
        self._eta_timer.stop()
        self._update_progress()
        self._update_actions()

    def _update_progress(self) -> None:
        self.batch_panel.update_progress(self.runner.eta_seconds() if self.runner.busy else None)

    def _update_actions(self) -> None:
        done = bool(exportable(self.model.items))
        a = self.acts
        a["cancel"].setEnabled(self.runner.busy)
        a["retry"].setEnabled(any(it.status in (Status.FAILED, Status.CANCELLED) for it in self.model.items))
        a["remove"].setEnabled(self.tree.selectionModel().hasSelection())
        a["clear"].setEnabled(bool(self.model.items))
        a["undo"].setEnabled(bool(self._undo))
        a["history"].setEnabled(self.history.enabled)
        for name in ("copy", "copy_all", "export"):
            a[name].setEnabled(done)

    # ---- selection -------------------------------------------------------------------

    def current(self) -> tuple[BatchItem | None, int]:
        """Selected item and page index (a document's item row shows its first page)."""
        item, page = self.model.item_at(self.tree.currentIndex())
        return (item, max(page, 0)) if item is not None else (None, -1)

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()
        self._update_actions()

    def _show_current(self) -> None:
        item, page = self.current()
        self.detail.show(item, page)
        self.history.selected(item, page)
        self.setWindowTitle(f"{item.name} — {ocr_app.APP_NAME}" if item is not None else ocr_app.APP_NAME)

    def _item_menu(self, pos) -> None:
        """Right-click on the list: the item commands, plus showing the file in its folder."""
        menu = QMenu(self)
        for name in ("copy", "export", None, "retry", "remove"):
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(self.acts[name])
        item, _page = self.current()
        if item is not None and item.path is not None:
            menu.addSeparator()
            folder = item.path.parent
            menu.addAction(self.tr("Show in folder"),
                           lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def _on_stage_changed(self, stage: str) -> None:
        self.settings.stage = stage

    # ---- copy and export -------------------------------------------------------------

    def copy_selection(self) -> None:
        """Selected text in the editor, else the selected items (with headers when several)."""
        editor = self.text_panel.editor
        if editor.hasFocus() and editor.textCursor().hasSelection():
            text = editor.textCursor().selection().toPlainText()
        else:
            items = [it for it in self.selected_items() if it.status is Status.DONE]
            if len(items) <= 1:
                item, _page = self.current()
                items = [item] if item is not None and item.status is Status.DONE else []
            text = texts.items_text(items, self.settings.layout)
        self._to_clipboard(text)

    def copy_all(self) -> None:
        """Every finished item, as Export → TXT would write them (one function builds both)."""
        self._to_clipboard(texts.items_text(self.model.items, self.settings.layout))

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
        if dialog.exec() == ExportDialog.DialogCode.Accepted:
            choice = dialog.choice()
            self.export(choice, selected if choice.selected_only else everything)

    def export(self, choice: ExportChoice, items: list[BatchItem]) -> None:
        """Run the export in the background; the result arrives as a toast or an error dialog."""
        self.settings.set_last_folder("export", str(choice.target.parent if choice.combined else choice.target))
        self.statusBar().showMessage(self.tr("Exporting…"))
        self._exporting = items
        self.aux_pool.start(ExportTask(items, choice.fmt, choice.target, choice.combined, self._export_signals,
                                       self.settings.layout))

    def _on_export_done(self, written: list) -> None:
        self.last_export = [Path(p) for p in written]
        for item in getattr(self, "_exporting", []):
            item.edits_exported = True
        where = str(written[0]) if len(written) == 1 else str(Path(written[0]).parent) if written else ""
        self.toast.show_message(self.tr("Exported %1 file(s)").replace("%1", str(len(written))))
        self.statusBar().showMessage(self.tr("Saved to %1").replace("%1", where), 8000)

    def _on_export_failed(self, message: str) -> None:
        self.statusBar().clearMessage()
        self.last_export_error = message
        self._show_error(self.tr("Export failed"), self.tr("The export could not be written."), message)

    # ---- settings, theme, about ------------------------------------------------------

    def toggle_dark(self, checked: bool) -> None:
        self.settings.theme = "dark" if checked else "light"
        self.apply_theme()

    def apply_theme(self) -> None:
        dark = theme.apply(QApplication.instance(), self.settings.theme)
        self.acts["dark"].setChecked(dark)
        self.refresh_icons()

    def _on_system_scheme(self, *_args) -> None:
        if self.settings.theme == "system":
            self.apply_theme()

    def settings_dialog(self) -> None:
        before = self.engine_key()
        dialog = SettingsDialog(self, self.settings, self.server, lambda: self.engine)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self.apply_settings(before)

    def engine_key(self) -> tuple:
        """The settings that need a new Engine when they change (model, precision, threads,
        classifier, post-processors, ...): all of the engine's options."""
        return tuple(sorted(self.settings.engine_values().items()))

    def apply_settings(self, engine_before: tuple) -> None:
        """Take saved settings into use: pool size, theme and language now; a new engine
        (loaded in the background) when the model, precision or threads changed."""
        self.runner.set_pool_size(self.settings.pool_size)
        self.runner.use_text_layer = self.settings.use_text_layer
        if not self.settings.keep_history:  # stops writing now; switching it on takes effect at the next start
            self.history.enabled = False
        self.apply_theme()
        i18n.install(self.settings.language)
        if self.engine_key() != engine_before:
            self.engine = None
            self.runner.engine = None  # queued items wait for the new engine; running ones finish
            self.load_engine()
        self._show_engine_state()

    def about(self) -> None:
        info = self.engine.info() if self.engine is not None else {}
        names = {"set": self.tr("Model set"), "precision": self.tr("Precision"), "det": self.tr("Detector"),
                 "rec": self.tr("Recogniser"), "cls": self.tr("Line classifier"),
                 "det_bands": self.tr("Detector in bands"), "orient": self.tr("Page orientation"),
                 "int8_kernel": self.tr("INT8 kernel"), "threads": self.tr("Threads"),
                 "classifier": self.tr("Classifier on"), "post": self.tr("Post-processors"),
                 "load_ms": self.tr("Load time (ms)")}
        yes, no = self.tr("yes"), self.tr("no")

        def shown(v: object) -> str:
            if isinstance(v, bool):
                return yes if v else no
            if isinstance(v, list):
                return ", ".join(map(str, v))
            return "–" if v is None else str(v)
        rows = "".join(f"<tr><td style='padding-right:12px'>{names.get(k, k)}</td><td>{shown(v)}</td></tr>"
                       for k, v in info.items())
        if self.engine is not None:
            stats = self.engine.cache.stats()
            rows += (f"<tr><td style='padding-right:12px'>{self.tr('Result cache')}</td><td>"
                     + self.tr("%1 items, %2 % hits").replace("%1", str(stats.get("items"))).replace(
                         "%2", f"{stats.get('hit_rate', 0) * 100:.0f}") + "</td></tr>")
        if self.history.enabled:
            rows += (f"<tr><td style='padding-right:12px'>{self.tr('History')}</td><td>"
                     f"{self.history.path or self.tr('user data folder')}</td></tr>")
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

    def quit_app(self) -> None:
        """Quit, even when closing the window would only hide it in the tray."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel the queue, let running images finish, stop the server: no thread outlives us.
        With the tray icon shown and "keep in tray" set, only hide (the engine stays warm)."""
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.sync()
        if not self._quitting and self.quick_capture is not None and self.quick_capture.keeps_running():
            self.hide()
            event.ignore()
            return
        self._eta_timer.stop()
        self.hide()  # feels instant; the running images finish behind the scenes
        self.runner.shutdown()
        self.history.close()  # everything finished is committed; the next start restores it
        self.server.stop()
        self.aux_pool.clear()
        self.aux_pool.waitForDone()
        super().closeEvent(event)

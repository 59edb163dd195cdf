"""OCR Desk desktop window (PySide6). Presentation only: all OCR goes through `ocr_app.engine`.

app            `python main.py` → QApplication, theme, translator, MainWindow
main_window    wires the parts; owns engine, runner, auxiliary pool, API server
batch_model    the batch as a Qt tree model (files; pages of documents below)
batch_scheduler schedules items onto a QThreadPool, cancel/retry/shutdown
workers        QRunnables: OCR an item (jobs.run_source), previews (jobs.preview), load the engine
batch_panel    list (or empty-state drop zone) + progress bar and ETA
detail         selected item/page → compare_view (images) + text_panel (text)
compare_view   original | preprocessed stage, synced zoom/pan (image_view), boxes
text_panel     editable text, low-confidence highlights, line ↔ box linking, timings
export_*       export dialog and the bridge to `ocr_app.export.export_docs`
settings*      QSettings-backed preferences and their dialog; server_control: local API
error_text     ErrorKind → a translated sentence (the engine's message stays the detail)
theme, icons, i18n, actions, chrome, overlays, imaging, intake: look, words and plumbing
qtfix          work-around for a PySide6 6.12 refcount bug in Signal.emit
"""

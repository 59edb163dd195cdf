"""OCR Desk desktop window (PySide6). Presentation only: all OCR goes through `ocr_app.engine`."""

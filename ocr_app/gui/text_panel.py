"""Recognised text of the selected item: editable, low-confidence characters highlighted,
each line linked to its box (the link is stored in the character format, so it survives edits)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextEdit, QVBoxLayout, QWidget

from . import theme
from .error_text import failure
from .qtfix import emit

if TYPE_CHECKING:  # the engine (onnxruntime, OpenCV) loads off the GUI thread
    from ocr_app.engine import OcrResult

LINE_PROPERTY = QTextFormat.Property.UserProperty + 1
LOW, VERY_LOW = 0.85, 0.6


def line_spans(text: str, lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each line's text inside the page text, or (-1, -1) when not found."""
    spans, pos = [], 0
    for line in lines:
        start = text.find(line, pos) if line else -1
        if start < 0 and line:
            start = text.find(line)
        if start < 0:
            spans.append((-1, -1))
            continue
        spans.append((start, start + len(line)))
        pos = start + len(line)
    return spans


class TextPanel(QWidget):
    line_clicked = Signal(int)
    text_edited = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.editor = QTextEdit()
        self.editor.setObjectName("textEditor")
        self.editor.setAcceptRichText(False)
        font = QFont()
        font.setPointSizeF(max(font.pointSizeF(), 10.5) + 1)
        self.editor.setFont(font)
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.legend = QLabel()
        self.legend.setObjectName("muted")
        self.timings = QLabel()
        self.timings.setObjectName("timings")
        self.timings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QHBoxLayout()
        header.setContentsMargins(2, 0, 2, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.timings)
        self._loading = False
        self._result: OcrResult | None = None
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._on_changed)
        self.editor.cursorPositionChanged.connect(self._on_cursor)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Text"))
        self.legend.setText(self.tr("highlighted: low confidence"))
        self.editor.setPlaceholderText(self.tr("Recognised text appears here. You can edit it; "
                                               "copy and export use your edits."))
        self.editor.setToolTip(self.tr("Click a line to highlight its box on the image"))
        self._show_timings()

    # ---- content ---------------------------------------------------------------------

    def show_result(self, result: OcrResult | None, text: str | None = None) -> None:
        """Show a page; `text` is the user's earlier edit (kept, but then without highlights)."""
        self._result = result
        self._loading = True
        try:
            self.editor.setReadOnly(result is None)
            if result is None:
                self.editor.clear()
            elif result.error:
                self.editor.setPlainText("")
                self.editor.setPlaceholderText(self.tr("Failed: %1").replace(
                    "%1", failure(result.error_kind, result.error)))
            else:
                self.editor.setPlainText(result.text if text is None else text)
                self._decorate(result, self.editor.toPlainText())
        finally:
            self._loading = False
        self._show_timings()

    def _decorate(self, result: OcrResult, text: str) -> None:
        dark = theme.is_dark()
        low = QColor("#5a4300") if dark else QColor("#ffe8a3")
        very_low = QColor("#6b2020") if dark else QColor("#ffc9c9")
        cursor = QTextCursor(self.editor.document())
        spans = line_spans(text, [ln.text for ln in result.lines])
        for index, (line, (start, end)) in enumerate(zip(result.lines, spans, strict=True)):
            if start < 0:
                continue
            fmt = QTextCharFormat()
            fmt.setProperty(LINE_PROPERTY, index)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
            for offset, conf in enumerate(line.char_confidences[: end - start]):
                if conf >= LOW:
                    continue
                mark = QTextCharFormat()
                mark.setBackground(very_low if conf < VERY_LOW else low)
                mark.setToolTip(self.tr("confidence %1 %").replace("%1", f"{conf * 100:.0f}"))
                cursor.setPosition(start + offset)
                cursor.setPosition(start + offset + 1, QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(mark)

    def _show_timings(self) -> None:
        res = self._result
        if res is None or not res.timings or res.error:
            self.timings.setText("")
            return
        t = res.timings
        parts = [(self.tr("preprocess"), t.get("preprocess")), (self.tr("detect"), t.get("detect")),
                 (self.tr("recognise"), (t.get("classify") or 0) + (t.get("recognize") or 0)
                  if "recognize" in t else None),
                 (self.tr("total"), t.get("total"))]
        text = "  ·  ".join(f"{name} {ms:.0f} ms" for name, ms in parts if ms is not None)
        # Origin is a str enum; its values are compared so this module need not import the engine.
        if res.origin == "cache":
            text += "  ·  " + self.tr("from cache")
        elif res.origin == "text_layer":
            text += "  ·  " + self.tr("from the PDF's text layer")
        if res.lines:
            text += "  ·  " + self.tr("%1 lines, mean confidence %2 %").replace("%1", str(len(res.lines))).replace(
                "%2", f"{res.mean_confidence * 100:.0f}")
        self.timings.setText(text)

    def text(self) -> str:
        return self.editor.toPlainText()

    def select_line(self, index: int) -> None:
        """Select the text of line `index` (after a click on its box)."""
        doc = self.editor.document()
        start = end = -1
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                if frag.isValid() and frag.charFormat().property(LINE_PROPERTY) == index:
                    start = frag.position() if start < 0 else start
                    end = frag.position() + frag.length()
                it += 1
            block = block.next()
        if start < 0:
            return
        cursor = self.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self._loading = True
        try:
            self.editor.setTextCursor(cursor)
        finally:
            self._loading = False
        self.editor.ensureCursorVisible()

    def eventFilter(self, watched, event) -> bool:
        """Ctrl+C with no text selected is left to the window, which copies the whole item."""
        if (watched is self.editor and event.type() == QEvent.Type.ShortcutOverride
                and event.matches(QKeySequence.StandardKey.Copy) and not self.editor.textCursor().hasSelection()):
            event.ignore()
            return True
        return False

    def _on_changed(self) -> None:
        if not self._loading and self._result is not None:
            emit(self.text_edited, self.editor.toPlainText())

    def _on_cursor(self) -> None:
        if self._loading:
            return
        fmt = self.editor.textCursor().charFormat()
        value = fmt.property(LINE_PROPERTY)
        if isinstance(value, int):
            emit(self.line_clicked, value)

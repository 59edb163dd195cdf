"""Recognised text of the selected item: editable, low-confidence characters highlighted,
each line linked to its box (the link is stored in the character format, so it survives edits).

Edits are read back line by line (`parse_edits`): text carrying line k's mark is line k's,
a line typed on a new row is an added line without a box, a line whose text now spans two
rows was split, and two lines that now share a row they did not share in the layout were
merged. The text is shown in a layout mode (the `layout` option); switching modes only
re-renders the stored lines, through the engine's one renderer, without OCR."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTextEdit, QVBoxLayout, QWidget

from ocr_app.options import LAYOUT_MODES

from . import theme
from .error_text import failure
from .qtfix import emit

if TYPE_CHECKING:  # the engine (onnxruntime, OpenCV) loads off the GUI thread
    from ocr_app.engine import Line, OcrResult
    from ocr_app.export.edits import EditLine, ShownLine

LINE_PROPERTY = QTextFormat.Property.UserProperty + 1
# A character whose doubt (Line.char_doubt) reaches the engine's DOUBTFUL is highlighted,
# strongly from VERY_DOUBTFUL.
VERY_DOUBTFUL = 0.4


def doubts(line: Line) -> list[float]:
    """The line's per-character doubt; for results stored before the engine reported it
    (history, old caches), one minus the character's confidence stands in."""
    if len(line.char_doubt) == len(line.text):
        return list(line.char_doubt)
    return [1.0 - c for c in line.char_confidences]


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


def mode_names() -> dict[str, str]:
    tr = QCoreApplication.translate
    return {"lines": tr("TextPanel", "Lines"), "paragraphs": tr("TextPanel", "Paragraphs"),
            "raw": tr("TextPanel", "No layout"), "code": tr("TextPanel", "Code (indented)")}


def display_order(shown: list[ShownLine], mode: str) -> list[int]:
    """Indices of the lines in the order the renderer writes them ("raw": row by row)."""
    order = [k for k, s in enumerate(shown) if s.line.text]
    return sorted(order, key=lambda k: shown[k].line.row) if mode == "raw" else order


def joined(a: ShownLine, b: ShownLine, mode: str) -> bool:
    """Whether the layout writes lines a and b on one text row (so sharing a row is no merge)."""
    la, lb = a.line, b.line
    if mode == "raw":
        return la.row == lb.row
    if mode == "paragraphs":
        return la.paragraph == lb.paragraph and la.end != "\n"
    return la.paragraph == lb.paragraph and la.row == lb.row


def parse_edits(document: QTextDocument, base: list[EditLine], shown: list[ShownLine], mode: str) -> list[EditLine]:
    """The user's lines from the editor, relative to the lines it was filled with (`base`)."""
    from ocr_app.export.edits import EditLine

    found: list[tuple[tuple[int, int], EditLine]] = []
    anchor = -1
    block = document.begin()
    while block.isValid():
        runs: list[list] = []  # [line index or None, text]
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid():
                value = frag.charFormat().property(LINE_PROPERTY)
                k = value if isinstance(value, int) and 0 <= value < len(base) else None
                if runs and runs[-1][0] == k:
                    runs[-1][1] += frag.text()
                else:
                    runs.append([k, frag.text()])
            it += 1
        segs: list[list] = []
        lead = ""
        for k, text in runs:  # unmarked text (typed, separators) belongs to the line before it
            if k is None:
                if segs:
                    segs[-1][1] += text
                else:
                    lead += text
            elif segs and segs[-1][0] == k:
                segs[-1][1] += text
            else:
                segs.append([k, lead + text])
                lead = ""
        if not segs and lead.strip():
            found.append(((anchor, len(found)), EditLine(lead.strip(), None)))
        row: list[EditLine] = []
        prev = None
        for k, text in segs:
            src = base[k]
            if prev is not None and row and not joined(shown[prev], shown[k], mode):
                last = row[-1]
                extra = (src.source,) if src.source is not None else ()
                row[-1] = EditLine(last.text + text, last.source, (*last.merged, *extra, *src.merged))
            else:
                row.append(EditLine(text, src.source, src.merged))
                anchor = k
            prev = k
        for e in row:
            e.text = e.text.strip()
            if e.text:
                found.append(((anchor if e.source is None else base_index(base, e), len(found)), e))
        block = block.next()
    return [e for _key, e in sorted(found, key=lambda f: f[0])]


def base_index(base: list[EditLine], e: EditLine) -> int:
    for k, b in enumerate(base):
        if b.source == e.source:
            return k
    return len(base)


class TextPanel(QWidget):
    line_clicked = Signal(int)  # index of the recognised line (its box)
    edits_changed = Signal(object)  # list[EditLine] for the page, or None when it is as recognised
    layout_changed = Signal(str)

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
        self.editor.setTabChangesFocus(True)  # Tab leaves the editor; Ctrl+Tab types a tab
        self.mode = "lines"
        self.mode_box = QComboBox()
        self.mode_box.setObjectName("layoutMode")
        for key in LAYOUT_MODES:
            self.mode_box.addItem("", key)
        self.mode_box.currentIndexChanged.connect(self._on_mode)
        header = QHBoxLayout()
        header.setContentsMargins(2, 0, 2, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.legend)
        header.addSpacing(8)
        header.addWidget(self.mode_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.timings)
        self._loading = False
        self._result: OcrResult | None = None
        self._base: list[EditLine] = []  # the lines the editor was filled with (its marks index them)
        self._shown: list[ShownLine] = []
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._on_changed)
        self.editor.cursorPositionChanged.connect(self._on_cursor)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Text"))
        self.legend.setText(self.tr("highlighted: low confidence"))
        self.editor.setPlaceholderText(self.tr("Recognised text appears here. You can edit it; "
                                               "copy and export use your edits."))
        self.editor.setToolTip(self.tr("Click a line to highlight its box on the image. "
                                       "Tab leaves the text; Ctrl+Tab types a tab."))
        self.mode_box.setToolTip(self.tr("How the text is laid out: copy and export use the same layout"))
        names = mode_names()
        for i in range(self.mode_box.count()):
            self.mode_box.setItemText(i, names[self.mode_box.itemData(i)])
        self._show_timings()

    def set_mode(self, mode: str) -> None:
        """Show the text in another layout mode (re-rendered from the lines, no OCR)."""
        mode = mode if mode in LAYOUT_MODES else "lines"
        index = self.mode_box.findData(mode)
        if self.mode_box.currentIndex() != index:
            self.mode_box.blockSignals(True)
            self.mode_box.setCurrentIndex(index)
            self.mode_box.blockSignals(False)
        if mode != self.mode:
            shown = self._result is not None and not self._result.error
            edits = self._edits_now() if shown else None  # read in the mode the text was written in
            self.mode = mode
            if shown:
                self.show_result(self._result, edits)

    def _on_mode(self, index: int) -> None:
        mode = self.mode_box.itemData(index)
        self.set_mode(mode)
        emit(self.layout_changed, mode)

    def _edits_now(self) -> list[EditLine] | None:
        from ocr_app.export import edits

        lines = parse_edits(self.editor.document(), self._base, self._shown, self.mode)
        return None if self._result is None or edits.is_identity(self._result, lines) else lines

    # ---- content ---------------------------------------------------------------------

    def show_result(self, result: OcrResult | None, edits: list[EditLine] | None = None) -> None:
        """Show a page with the user's line edits (None: as recognised), in the current mode."""
        self._result = result
        self._loading = True
        try:
            self.editor.setReadOnly(result is None)
            self._base, self._shown = [], []
            if result is None:
                self.editor.clear()
            elif result.error:
                self.editor.setPlainText("")
                self.editor.setPlaceholderText(self.tr("Failed: %1").replace(
                    "%1", failure(result.error_kind, result.error)))
            else:
                from ocr_app.export import edits as line_edits

                self._base = list(edits) if edits is not None else line_edits.identity(result)
                self._shown = line_edits.apply(result, self._base)
                self.editor.setPlainText(line_edits.page_text(result, self._base, self.mode))
                self._decorate(self.editor.toPlainText())
                self.editor.setCurrentCharFormat(QTextCharFormat())
        finally:
            self._loading = False
        self._show_timings()

    def line_source(self, index: int) -> int | None:
        """The recognised line (box) behind shown line `index`."""
        return self._base[index].source if 0 <= index < len(self._base) else None

    def _decorate(self, text: str) -> None:
        from ocr_app.engine import DOUBTFUL  # here, not at import: the window opens before the engine loads

        dark = theme.is_dark()
        low = QColor("#5a4300") if dark else QColor("#ffe8a3")
        very_low = QColor("#6b2020") if dark else QColor("#ffc9c9")
        cursor = QTextCursor(self.editor.document())
        order = display_order(self._shown, self.mode)
        spans = line_spans(text, [self._shown[k].line.text for k in order])
        for index, (start, end) in zip(order, spans, strict=True):
            line = self._shown[index].line
            if start < 0:
                continue
            fmt = QTextCharFormat()
            fmt.setProperty(LINE_PROPERTY, index)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
            for offset, doubt in enumerate(doubts(line)[: end - start]):
                if doubt < DOUBTFUL or line.text[offset: offset + 1].isspace():
                    continue  # a word space is read with a low share by design (ctc.SPACE_FLOOR): not a doubt
                mark = QTextCharFormat()
                mark.setBackground(very_low if doubt >= VERY_DOUBTFUL else low)
                mark.setToolTip(self.tr("confidence %1 %").replace("%1", f"{(1.0 - doubt) * 100:.0f}"))
                cursor.setPosition(start + offset)
                cursor.setPosition(start + offset + 1, QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(mark)

    def _show_timings(self) -> None:
        res = self._result
        if res is None or not res.timings or res.error:
            self.timings.setText("")
            return
        t = res.timings
        unbend = t.get("dewarp")  # timed inside preprocessing, shown apart
        preprocess = t.get("preprocess")
        if unbend is not None and preprocess is not None:
            preprocess = max(0.0, preprocess - unbend)
        parts = [(self.tr("preprocess"), preprocess), (self.tr("unbend"), unbend), (self.tr("detect"), t.get("detect")),
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

    def select_line(self, source: int) -> None:
        """Select the text of the line(s) read from box `source` (after a click on the box)."""
        marks = {k for k, e in enumerate(self._base) if e.source == source or source in e.merged}
        doc = self.editor.document()
        start = end = -1
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                if frag.isValid() and frag.charFormat().property(LINE_PROPERTY) in marks:
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
        """Ctrl+C with no text selected is left to the window, which copies the whole item;
        Esc stays in the editor (it never cancels the batch); Enter starts an unmarked row
        (what is typed there is a new line, not more of the line above); Ctrl+Tab types a tab."""
        if watched is not self.editor:
            return False
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            if event.matches(QKeySequence.StandardKey.Copy) and not self.editor.textCursor().hasSelection():
                event.ignore()
                return True
            if event.key() == Qt.Key.Key_Escape:
                event.accept()  # the editor takes Esc: the window's Cancel shortcut does not fire
                return True
        elif kind == QEvent.Type.KeyPress and not self.editor.isReadOnly():
            key, mods = event.key(), event.modifiers()
            if key == Qt.Key.Key_Escape:
                cursor = self.editor.textCursor()
                cursor.clearSelection()
                self.editor.setTextCursor(cursor)
                return True
            if key == Qt.Key.Key_Tab and mods & Qt.KeyboardModifier.ControlModifier:
                self.editor.insertPlainText("\t")
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods & Qt.KeyboardModifier.ShiftModifier:
                cursor = self.editor.textCursor()
                cursor.insertBlock()
                self.editor.setTextCursor(cursor)
                self.editor.setCurrentCharFormat(QTextCharFormat())
                return True
        return False

    def _on_changed(self) -> None:
        if not self._loading and self._result is not None and not self._result.error:
            emit(self.edits_changed, self._edits_now())

    def _on_cursor(self) -> None:
        if self._loading:
            return
        fmt = self.editor.textCursor().charFormat()
        value = fmt.property(LINE_PROPERTY)
        if isinstance(value, int) and (source := self.line_source(value)) is not None:
            emit(self.line_clicked, source)

"""The text panel highlights by the recogniser's per-character doubt (Line.char_doubt),
falling back to 1 - confidence for results stored before the engine reported it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ocr_app.engine import DOUBTFUL, Line, OcrResult
from ocr_app.gui.text_panel import VERY_DOUBTFUL, TextPanel

BOX = [[0.0, 0.0], [100.0, 0.0], [100.0, 20.0], [0.0, 20.0]]


def _marks(panel: TextPanel) -> list[tuple[str, str | None]]:
    """(character, its background colour or None) along the first text block."""
    out = []
    it = panel.editor.document().findBlockByNumber(0).begin()
    while not it.atEnd():
        frag = it.fragment()
        brush = frag.charFormat().background()
        colour = brush.color().name() if brush.style() != Qt.BrushStyle.NoBrush else None
        out += [(ch, colour) for ch in frag.text()]
        it += 1
    return out


def test_doubt_decides_the_highlight_not_the_first_frame_confidence(qtbot):
    panel = TextPanel()
    qtbot.addWidget(panel)
    # "A" has a low first-frame confidence but no doubt; "B" the reverse; "C" is very doubtful;
    # the space is doubtful by design and never marked.
    line = Line(box=BOX, text="AB C", confidence=0.8, char_confidences=[0.5, 0.99, 0.3, 0.4],
                char_doubt=[0.02, DOUBTFUL, 0.9, VERY_DOUBTFUL + 0.1])
    panel.show_result(OcrResult(source="x", lines=[line], image_size=(100, 20)))
    marks = _marks(panel)
    assert [ch for ch, _ in marks] == list("AB C")
    a, b, space, c = (colour for _, colour in marks)
    assert a is None and space is None
    assert b is not None and c is not None and b != c  # doubtful and very doubtful look different


def test_results_without_doubt_fall_back_to_confidence(qtbot):
    panel = TextPanel()
    qtbot.addWidget(panel)
    old = Line(box=BOX, text="AB", confidence=0.7, char_confidences=[0.99, 0.4])
    panel.show_result(OcrResult(source="x", lines=[old], image_size=(100, 20)))
    assert [(ch, colour is not None) for ch, colour in _marks(panel)] == [("A", False), ("B", True)]

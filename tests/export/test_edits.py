"""Line-level edits (export/edits.py): splits, merges, additions and deletions keep each
line tied to its box and to the page structure; no engine run needed."""

from __future__ import annotations

from ocr_app.engine import Line, OcrResult
from ocr_app.export import ExportDoc, render
from ocr_app.export.edits import EditLine, apply, from_json, identity, is_identity, page_text, to_json


def _page() -> OcrResult:
    def box(y: float) -> list[list[float]]:
        return [[10.0, y], [210.0, y], [210.0, y + 20], [10.0, y + 20]]

    lines = [Line(box(0), "Hello world", 0.9, [0.9] * 11, paragraph=0, row=0, end=" "),
             Line(box(30), "second line", 0.8, [0.8] * 11, paragraph=0, row=1, end="\n"),
             Line(box(80), "Next para", 0.95, [0.95] * 9, block=1, paragraph=1, row=2, end="\n")]
    return OcrResult(source="p.png", lines=lines, image_size=(300, 200))


def test_unedited_page_is_the_recognised_text():
    res = _page()
    assert is_identity(res, identity(res))
    assert page_text(res, None, "lines") == res.text_as("lines")
    assert [s.edited for s in apply(res, None)] == [False, False, False]


def test_split_shares_the_box_and_keeps_block_and_paragraph():
    res = _page()
    shown = apply(res, [EditLine("Hello", 0), EditLine("world", 0), EditLine("second line", 1),
                        EditLine("Next para", 2)])
    first, second = shown[0].line, shown[1].line
    assert first.box[0][0] == 10.0 and abs(first.box[1][0] - 110.0) < 1e-6  # left half of the box
    assert abs(second.box[0][0] - 110.0) < 1e-6 and second.box[1][0] == 210.0
    assert (first.paragraph, second.paragraph, first.block) == (0, 0, 0) and first.end == "\n"
    assert shown[0].edited and shown[1].edited and not shown[2].edited
    assert page_text(res, [EditLine("Hello", 0), EditLine("world", 0)], "paragraphs") == "Hello\nworld"


def test_merge_takes_the_first_structure_and_the_union_box():
    res = _page()
    [merged, _other] = apply(res, [EditLine("Hello world second line", 0, (1,)), EditLine("Next para", 2)])
    assert merged.line.box == [[10.0, 0.0], [210.0, 0.0], [210.0, 50.0], [10.0, 50.0]]
    assert merged.line.paragraph == 0 and merged.line.end == "\n" and merged.edited
    assert merged.line.char_confidences == [] and merged.line.confidence == 0.9


def test_added_and_deleted_lines():
    res = _page()
    edits = [EditLine("Hello world", 0), EditLine("a note", None), EditLine("Next para", 2)]
    shown = apply(res, edits)
    assert [s.line.text for s in shown] == ["Hello world", "a note", "Next para"]
    assert shown[1].line.box == [] and shown[1].edited and shown[1].line.paragraph == 0
    assert page_text(res, edits, "lines") == "Hello world\na note\n\nNext para"
    assert from_json(to_json(edits)) == edits


def test_every_text_format_uses_the_edits():
    res = _page()
    doc = ExportDoc("p.png", [res], edits=[[EditLine("Hallo world", 0), EditLine("Next para", 2)]])
    for fmt in ("txt", "md", "csv"):
        out = render([doc], fmt)
        assert "Hallo" in out and "second line" not in out, fmt
    import json

    page = json.loads(render([doc], "json"))["documents"][0]["pages"][0]
    assert page["text"] == "Hallo world\n\nNext para" and "second line" in page["recognized_text"]
    assert [ln["edited"] for ln in page["lines"]] == [True, False]

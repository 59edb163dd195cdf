"""Exports carry the page structure: JSON blocks → paragraphs → lines with orientation and
each line's `end`; Markdown and TXT follow the layout mode (real engine, generated pages)."""

from __future__ import annotations

import json

import pytest

from ocr_app.bench.page_kinds import output_cer, page
from ocr_app.export import ExportDoc, render
from ocr_app.export.jsonfmt import blocks
from ocr_app.export.text import md_body


@pytest.fixture(scope="module")
def two_columns(engine):
    generated = page("2 columns en", seed=3)
    return generated, engine.run(generated.image, use_cache=False)


def _doc(res, layout: str = "lines") -> ExportDoc:
    return ExportDoc(name="page.png", pages=[res], images=None, layout=layout)


def test_json_has_blocks_paragraphs_lines_and_orientation(two_columns):
    generated, res = two_columns
    data = json.loads(render([_doc(res, "paragraphs")], "json"))
    pg = data["documents"][0]["pages"][0]
    assert pg["orientation"] == 0 and pg["layout"] == "paragraphs"
    assert all(ln["end"] in ("", " ", "\n") for ln in pg["lines"])
    assert len(pg["blocks"]) >= 2
    paras = [p for b in pg["blocks"] for p in b["paragraphs"]]
    assert len(paras) == 4  # two per column
    assert [i for p in paras for i in p["lines"]] == list(range(len(pg["lines"])))  # every line once, in order
    assert "\n".join(p["text"] for p in paras) == res.text_as("paragraphs")
    assert output_cer(generated.text, pg["text"]) <= 0.03


def test_json_of_a_turned_page_says_how_it_lay(engine):
    generated = page("turned 270", seed=1)
    res = engine.run(generated.image, use_cache=False)
    pg = json.loads(render([_doc(res)], "json"))["documents"][0]["pages"][0]
    assert pg["orientation"] == 270
    assert output_cer(generated.text, "\n".join(p["text"] for b in pg["blocks"] for p in b["paragraphs"])) <= 0.03


def test_blocks_rejoin_a_hyphenated_word():
    lines = [{"text": "a hyph-", "block": 0, "paragraph": 0, "end": ""},
             {"text": "enated word", "block": 0, "paragraph": 0, "end": "\n"},
             {"text": "中文", "block": 1, "paragraph": 1, "end": "\n"}]
    assert blocks(lines) == [{"block": 0, "paragraphs": [{"paragraph": 0, "lines": [0, 1],
                                                          "text": "a hyphenated word"}]},
                             {"block": 1, "paragraphs": [{"paragraph": 1, "lines": [2], "text": "中文"}]}]


def test_markdown_keeps_paragraphs_in_each_mode(two_columns):
    _, res = two_columns
    for layout in ("lines", "paragraphs"):
        md = render([_doc(res, layout)], "md")
        body = md.split("\n\n", 1)[1].strip("\n")  # after the "# page.png" heading
        assert len(body.split("\n\n")) == 4, layout  # one Markdown paragraph per paragraph
    lines_md = render([_doc(res, "lines")], "md")
    assert lines_md.count("  \n") == len(res.lines) - 4  # printed lines kept with hard breaks
    code = render([_doc(res, "code")], "md")
    assert "```\n" in code and code.rstrip().endswith("```")


def test_markdown_body_escapes_and_fences():
    assert md_body("# not a heading\n\n- not a list", "lines") == "\\# not a heading\n\n\\- not a list"
    assert md_body("a\nb", "paragraphs") == "a\n\nb"
    assert md_body("def f():\n    return 1", "code") == "```\ndef f():\n    return 1\n```"
    assert md_body("x = ```", "code").startswith("````\n")
    assert md_body("  \n", "code") == ""


def test_txt_follows_the_mode(two_columns):
    _, res = two_columns
    for layout in ("lines", "paragraphs", "raw", "code"):
        assert render([_doc(res, layout)], "txt") == res.text_as(layout) + "\n"


def test_turned_page_boxes_stay_in_the_files_pixels(engine):
    """The JSON lines of a turned page keep the file's own pixels (the PDF turns them)."""
    generated = page("turned 90", seed=2)
    res = engine.run(generated.image, use_cache=False)
    pg = json.loads(render([_doc(res)], "json"))["documents"][0]["pages"][0]
    h, w = generated.image.shape[:2]
    assert pg["orientation"] == 90 and (w, h) == tuple(pg["image_size"])
    assert all(-2 <= x <= w + 2 and -2 <= y <= h + 2 for ln in pg["lines"] for x, y in ln["box"])

"""Plain text and Markdown: what a user pastes elsewhere, so only text and page headers."""

from __future__ import annotations

import re

from .export_doc import ExportDoc


def _page_body(doc: ExportDoc, i: int) -> str:
    res = doc.pages[i]
    text = doc.page_text(i)
    if not text and res.error:
        return f"[error: {res.error}]"
    return text


def to_txt(docs: list[ExportDoc]) -> str:
    """Doc headers only when several docs share a file; page headers for multi-page docs."""
    parts: list[str] = []
    for doc in docs:
        if len(docs) > 1:
            parts.append(f"==== {doc.name} ====")
        for i in range(len(doc.pages)):
            label = doc.page_label(i)
            if label is not None:
                parts.append(f"--- Page {label} ---")
            parts.append(_page_body(doc, i))
    return "\n\n".join(parts).rstrip("\n") + "\n"


_MD_LEAD = re.compile(r"^(\s*)([#>*+\-=|`~]|\d+[.)])")
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|])")


def md_escape(line: str) -> str:
    """Recognised text must show literally, not turn into headings, lists or links."""
    line = _MD_INLINE.sub(r"\\\1", line)
    return _MD_LEAD.sub(lambda m: m.group(1) + "\\" + m.group(2), line)


def md_body(text: str, layout: str) -> str:
    """A page's text as Markdown in its layout mode: paragraphs stay paragraphs (a blank
    line between them; the printed lines of one kept with hard breaks), and "code" text goes
    into a fence so its indentation survives."""
    if layout == "code":
        fence = "```"
        while fence in text:
            fence += "`"
        body = text.strip("\n")
        return f"{fence}\n{body}\n{fence}" if body.strip() else ""
    if layout == "paragraphs":  # one paragraph a line
        paras = [[ln] for ln in text.splitlines() if ln.strip()]
    else:
        paras = [[ln for ln in chunk.splitlines() if ln.strip()] for chunk in re.split(r"\n[ \t]*\n", text)]
    # Two trailing spaces keep the printed line breaks inside one paragraph.
    return "\n\n".join("  \n".join(md_escape(ln) for ln in para) for para in paras if para)


def to_md(docs: list[ExportDoc]) -> str:
    parts: list[str] = []
    for doc in docs:
        parts.append(f"# {md_escape(doc.name)}")
        for i in range(len(doc.pages)):
            label = doc.page_label(i)
            if label is not None:
                parts.append(f"## Page {label}")
            parts.append(md_body(_page_body(doc, i), doc.layout) or "*(no text)*")
    return "\n\n".join(parts) + "\n"

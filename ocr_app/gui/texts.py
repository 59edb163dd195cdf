"""Plain text the user copies: the same text Export → TXT writes, built by one function.

"Copy", "Copy all" and the TXT export all go through `export.text.to_txt` over the same
`ExportDoc`s (edits applied), so headers and blank lines can never differ between them.
"""

from __future__ import annotations

from .items import BatchItem


def items_text(items: list[BatchItem], layout: str = "lines") -> str:
    """Finished items' text as TXT export gives it: a "==== name ====" header per item when
    there are several, "--- Page N ---" per page of a multi-page document; "" when none."""
    from ocr_app.export.text import to_txt

    from .export_bridge import to_docs

    docs = to_docs(items, with_images=False, layout=layout)
    return to_txt(docs) if docs else ""

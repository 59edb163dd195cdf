"""A minimal streaming PDF writer: JPEG page images plus an invisible text layer.

Why hand-written: no permissive Python library embeds a CJK-capable font cheaply
(reportlab cannot embed CFF fonts such as Noto CJK; pypdfium2 would embed the whole
20 MB font and AGPL PyMuPDF is out). The format needed here is small: pages, one image
XObject each, text in render mode 3 with the glyphless Type0 font. Objects are written
to the file as they are produced, so memory stays flat however many pages there are.
"""

from __future__ import annotations

import math
import zlib
from typing import BinaryIO

from . import glyphless


def _pdf_num(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _pdf_text(text: str) -> str:
    """A PDF text string that holds any Unicode (UTF-16BE with BOM, hex)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class PdfWriter:
    def __init__(self, fh: BinaryIO, title: str = ""):
        self.fh = fh
        self.offsets: dict[int, int] = {}
        self.next_id = 1
        self.page_ids: list[int] = []
        self.catalog_id = self.reserve()
        self.pages_id = self.reserve()
        self.font_id = self.reserve()
        self.info_id = self.reserve()
        self.title = title
        self.extra_cids: dict[str, int] = {}  # non-BMP char → private CID in the surrogate range
        self.bookmarks: list[tuple[str, int]] = []  # (title, index of its first page)
        self.fh.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    # ---- low level ---------------------------------------------------------------

    def reserve(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def obj(self, oid: int, body: bytes) -> None:
        self.offsets[oid] = self.fh.tell()
        self.fh.write(f"{oid} 0 obj\n".encode() + body + b"\nendobj\n")

    def stream(self, oid: int, meta: str, data: bytes, compress: bool = True) -> None:
        if compress:
            data = zlib.compress(data, 6)
            meta += " /Filter /FlateDecode"
        self.obj(oid, f"<< {meta} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream")

    # ---- text --------------------------------------------------------------------

    def encode_text(self, text: str) -> str:
        """Hex CIDs: the UTF-16 code of each BMP char; non-BMP chars get a private CID."""
        out = []
        for ch in text:
            code = ord(ch)
            if code > 0xFFFF or 0xD800 <= code <= 0xDFFF:
                if ch not in self.extra_cids:
                    if len(self.extra_cids) >= 0x800:
                        code = 0xFFFD
                        out.append(f"{code:04X}")
                        continue
                    self.extra_cids[ch] = 0xD800 + len(self.extra_cids)
                code = self.extra_cids[ch]
            out.append(f"{code:04X}")
        return "".join(out)

    def text_ops(self, text: str, quad: list[tuple[float, float]]) -> str:
        """Invisible text stretched over `quad` (PDF points: TL, TR, BR, BL; y up)."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
        width = (math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x3, y2 - y3)) / 2
        height = (math.hypot(x0 - x3, y0 - y3) + math.hypot(x1 - x2, y1 - y2)) / 2
        n = len(text)
        if n == 0 or width <= 0 or height <= 0:
            return ""
        angle = math.atan2(y2 - y3, x2 - x3)
        cos, sin = math.cos(angle), math.sin(angle)
        size = height
        hscale = 100.0 * width / (n * size * glyphless.ADVANCE / glyphless.UNITS)
        tm = " ".join(_pdf_num(v) for v in (cos, sin, -sin, cos, x3, y3))
        return f"BT 3 Tr /F1 {_pdf_num(size)} Tf {_pdf_num(hscale)} Tz {tm} Tm <{self.encode_text(text)}> Tj ET\n"

    # ---- pages -------------------------------------------------------------------

    def add_page(self, width_pt: float, height_pt: float, jpeg: bytes | None, img_size: tuple[int, int],
                 gray: bool, text_ops: str) -> None:
        page_id, content_id = self.reserve(), self.reserve()
        resources = f"/Font << /F1 {self.font_id} 0 R >>"
        content = ""
        if jpeg is not None:
            img_id = self.reserve()
            space = "/DeviceGray" if gray else "/DeviceRGB"
            meta = (f"/Type /XObject /Subtype /Image /Width {img_size[0]} /Height {img_size[1]} "
                    f"/ColorSpace {space} /BitsPerComponent 8 /Filter /DCTDecode")
            self.obj(img_id, f"<< {meta} /Length {len(jpeg)} >>\nstream\n".encode() + jpeg + b"\nendstream")
            resources += f" /XObject << /Im1 {img_id} 0 R >>"
            content = f"q {_pdf_num(width_pt)} 0 0 {_pdf_num(height_pt)} 0 0 cm /Im1 Do Q\n"
        self.stream(content_id, "", (content + text_ops).encode("ascii"))
        self.obj(page_id, (f"<< /Type /Page /Parent {self.pages_id} 0 R /MediaBox [0 0 {_pdf_num(width_pt)} "
                           f"{_pdf_num(height_pt)}] /Resources << {resources} >> /Contents {content_id} 0 R >>"
                           ).encode())
        self.page_ids.append(page_id)

    def bookmark(self, title: str) -> None:
        """An outline entry pointing at the next page added (one per source document)."""
        self.bookmarks.append((title, len(self.page_ids)))

    # ---- finish ------------------------------------------------------------------

    def _write_outlines(self) -> int | None:
        marks = [(t, i) for t, i in self.bookmarks if i < len(self.page_ids)]
        if not marks:
            return None
        root = self.reserve()
        ids = [self.reserve() for _ in marks]
        for n, ((title, index), oid) in enumerate(zip(marks, ids, strict=True)):
            links = f" /Prev {ids[n - 1]} 0 R" if n > 0 else ""
            links += f" /Next {ids[n + 1]} 0 R" if n + 1 < len(ids) else ""
            self.obj(oid, (f"<< /Title {_pdf_text(title)} /Parent {root} 0 R{links} "
                           f"/Dest [{self.page_ids[index]} 0 R /Fit] >>").encode())
        self.obj(root, f"<< /Type /Outlines /First {ids[0]} 0 R /Last {ids[-1]} 0 R /Count {len(ids)} >>".encode())
        return root

    def _write_font(self) -> None:
        cid_id, desc_id, file_id, map_id, uni_id = (self.reserve() for _ in range(5))
        name = glyphless.NAME
        self.obj(self.font_id, (f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                                f"/DescendantFonts [{cid_id} 0 R] /ToUnicode {uni_id} 0 R >>").encode())
        self.obj(cid_id, (f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
                          "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                          f"/FontDescriptor {desc_id} 0 R /DW {glyphless.ADVANCE} /CIDToGIDMap {map_id} 0 R >>"
                          ).encode())
        self.obj(desc_id, (f"<< /Type /FontDescriptor /FontName /{name} /Flags 5 "
                           f"/FontBBox [0 0 {glyphless.ADVANCE} {glyphless.UNITS}] /ItalicAngle 0 "
                           f"/Ascent {glyphless.UNITS} /Descent 0 /CapHeight {glyphless.UNITS} /StemV 80 "
                           f"/FontFile2 {file_id} 0 R >>").encode())
        font = glyphless.font_bytes()
        self.stream(file_id, f"/Length1 {len(font)}", font)
        self.stream(map_id, "", b"\x00\x01" * 65536)
        extra = {cid: ch for ch, cid in self.extra_cids.items()}
        self.stream(uni_id, "", glyphless.to_unicode_cmap(extra))

    def close(self) -> None:
        self._write_font()
        kids = " ".join(f"{pid} 0 R" for pid in self.page_ids)
        self.obj(self.pages_id, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.page_ids)} >>".encode())
        outlines = self._write_outlines()
        extra = f" /Outlines {outlines} 0 R /PageMode /UseOutlines" if outlines else ""
        self.obj(self.catalog_id, f"<< /Type /Catalog /Pages {self.pages_id} 0 R{extra} >>".encode())
        self.obj(self.info_id, f"<< /Title {_pdf_text(self.title)} /Producer (OCR Desk) >>".encode())
        xref_at = self.fh.tell()
        count = self.next_id
        rows = ["xref", f"0 {count}", "0000000000 65535 f "]
        rows += [f"{self.offsets[i]:010d} 00000 n " for i in range(1, count)]
        self.fh.write(("\n".join(rows) + "\n").encode())
        self.fh.write((f"trailer\n<< /Size {count} /Root {self.catalog_id} 0 R /Info {self.info_id} 0 R >>\n"
                       f"startxref\n{xref_at}\n%%EOF\n").encode())

"""A tiny TrueType font: every character is one plain box glyph, 500/1000 em wide.

Why: the text layer of a searchable PDF is invisible (render mode 3), so it needs no
glyph shapes, only a font that covers every character. Like Tesseract's GlyphLessFont,
each CID is the UTF-16 code of the character, a CIDToGIDMap sends all CIDs to glyph 1
and a ToUnicode CMap maps them back, so Chinese, English or anything else extracts as
real Unicode. Built in code (≈600 bytes): nothing to ship, no font licence, no system
font needed.
"""

from __future__ import annotations

import struct
from functools import lru_cache

ADVANCE = 500  # glyph advance in 1/1000 em
UNITS = 1000
NAME = "GlyphLessFont"


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _name_table() -> bytes:
    records = [(1, "GlyphLessFont"), (2, "Regular"), (3, "GlyphLessFont"), (4, "GlyphLessFont"),
               (5, "Version 1.0"), (6, "GlyphLessFont")]
    strings = b""
    recs = b""
    for name_id, text in records:
        raw = text.encode("utf-16-be")
        recs += struct.pack(">6H", 3, 1, 0x409, name_id, len(raw), len(strings))
        strings += raw
    return struct.pack(">3H", 0, len(records), 6 + 12 * len(records)) + recs + strings


def _cmap_table() -> bytes:
    # Format 4, one real segment U+0020..U+FFFD → glyph 1 (via idDelta), then the 0xFFFF end.
    seg = 2
    sub = struct.pack(">7H", 4, 16 + 8 * seg, 0, seg * 2, 4, 1, 0)
    sub += struct.pack(f">{seg}H", 0xFFFD, 0xFFFF) + b"\0\0"
    sub += struct.pack(f">{seg}H", 0x0020, 0xFFFF)
    sub += struct.pack(f">{seg}h", 1 - 0x20, 1)
    sub += struct.pack(f">{seg}H", 0, 0)
    # idDelta arithmetic is modulo 65536, so every code in the segment maps to the same
    # glyph only for its first code; that is fine: PDF viewers use the CIDToGIDMap.
    return struct.pack(">2H", 0, 1) + struct.pack(">2HI", 3, 1, 12) + sub


@lru_cache(maxsize=1)
def font_bytes() -> bytes:
    glyphs = 2  # .notdef and the blank glyph
    head = struct.pack(">IIIIHHqqhhhhHHhhh", 0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x000B, UNITS,
                       0, 0, 0, 0, ADVANCE, UNITS, 0, 8, 2, 0, 0)
    hhea = struct.pack(">I3hH3h3h4hhH", 0x00010000, UNITS, 0, 0, ADVANCE, 0, 0, ADVANCE, 1, 0, 0,
                       0, 0, 0, 0, 0, glyphs)
    maxp = struct.pack(">IH13H", 0x00010000, glyphs, 4, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    hmtx = struct.pack(">HhHh", ADVANCE, 0, ADVANCE, 0)
    # Glyph 1 is a full em box (never drawn, render mode 3): it gives viewers a char box
    # as tall as the recognised line for selection highlights and hit testing.
    glyf = struct.pack(">hhhhhHH4B4h4h", 1, 0, 0, ADVANCE, UNITS, 3, 0, 1, 1, 1, 1,
                       0, 0, ADVANCE, 0, 0, UNITS, 0, -UNITS) + b"\0\0"
    loca = struct.pack(">3H", 0, 0, len(glyf) // 2)
    post = struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0)
    os2 = struct.pack(">HhHHHhhhhhhhhhhh10sIIII4sHHHhhhHH", 1, ADVANCE, 400, 5, 0,
                      650, 600, 0, 75, 650, 600, 0, 350, 50, 250, 0, b"\0" * 10, 0, 0, 0, 0,
                      b"NONE", 0x40, 0x20, 0xFFFD, UNITS, 0, 0, UNITS, 0) + struct.pack(">II", 1, 0)
    tables = {"OS/2": os2, "cmap": _cmap_table(), "glyf": glyf, "head": head, "hhea": hhea,
              "hmtx": hmtx, "loca": loca, "maxp": maxp, "name": _name_table(), "post": post}
    tags = sorted(tables)
    n = len(tags)
    offset = 12 + 16 * n
    directory = struct.pack(">IHHHH", 0x00010000, n, 64, 3, n * 16 - 64)
    body = b""
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag.encode("ascii"), _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(directory + body)
    head_at = offset + body.index(head)  # head is unique in the body; patch checkSumAdjustment
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def to_unicode_cmap(extra: dict[int, str] | None = None) -> bytes:
    """CID (= UTF-16 code unit) → Unicode, plus `extra` CIDs standing for non-BMP chars."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    for start in range(0, len(ranges), 100):
        chunk = ranges[start:start + 100]
        lines += [f"{len(chunk)} beginbfrange", *chunk, "endbfrange"]
    items = sorted((extra or {}).items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for cid, ch in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")

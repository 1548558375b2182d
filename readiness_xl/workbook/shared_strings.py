"""The workbook's shared-string table, through which Excel saves text: a cell holds an
index (`<c r="A2" t="s"><v>12</v></c>`) into xl/sharedStrings.xml. A long Responses sheet
of 600,000 answers is then about half the bytes it is with inline strings, and every
reader (calamine, our byte scans before it) has that much less to go through.

Other sheets refer to the table's entries by index, so existing entries are kept as they
are and only new strings are appended; a text already there as a plain entry is reused.
Keys are texts as written in XML (cleaned and escaped, as cell_xml.escape_texts gives them)."""

from __future__ import annotations

import re
import zipfile
from itertools import count as naturals

from defusedxml import ElementTree as ET

from readiness_xl.errors import Problem, ReadinessError
from readiness_xl.workbook.cell_xml import escape_texts
from readiness_xl.workbook.package import NS_MAIN, NS_PKG_REL, WORKBOOK_RELS, part_path
from readiness_xl.workbook.package_edits import free_rel_id, new_part_edits

SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_ROOT = re.compile(r"<(\w+:)?sst\b([^>]*?)(/?)>")


def _with_attr(attrs: str, name: str, value: int) -> str:
    """`attrs` of an opening tag with `name` set to `value` (added where missing)."""
    pattern = rf'(\s{name}=)"[^"]*"'
    return re.sub(pattern, rf'\g<1>"{value}"', attrs, count=1) if re.search(pattern, attrs) \
        else f'{attrs} {name}="{value}"'


def table_part(zf: zipfile.ZipFile) -> str | None:
    """The package's shared-string part, as the workbook's relationships name it (None: it
    has none)."""
    rels = ET.fromstring(zf.read(WORKBOOK_RELS))
    target = next((r.get("Target") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")
                   if r.get("Type", "").endswith("/sharedStrings")), None)
    return None if target is None else part_path(target)


class SharedStrings:
    """The table of one package: its existing entries and the strings to append."""

    def __init__(self, part: str | None, entries: list[str | None], count: int | None):
        self.part, self.size, self.count = part, len(entries), count
        plain = [(t, i) for i, t in enumerate(entries) if t is not None]
        keys = escape_texts([t for t, _ in plain])
        self._index = {}
        for key, (_, i) in zip(keys, plain):
            self._index.setdefault(key, str(i))
        self.new: list[str] = []
        self.refs = 0

    @classmethod
    def load(cls, zf: zipfile.ZipFile) -> "SharedStrings":
        """The package's table (rich-text entries are kept but never reused), or an empty one."""
        part = table_part(zf)
        if part is None:
            return cls(None, [], None)
        root = ET.fromstring(zf.read(part))
        t_tag = f"{{{NS_MAIN}}}t"
        entries = [(si[0].text or "") if len(si) == 1 and si[0].tag == t_tag else None
                   for si in root.iter(f"{{{NS_MAIN}}}si")]
        count = root.get("count")
        return cls(part, entries, int(count) if count and count.isdigit() else None)

    def indices(self, texts: list[str]) -> list[str]:
        """Each (escaped) text's index in the table, as cell values; new texts are appended."""
        index = self._index
        fresh = [t for t in dict.fromkeys(texts) if t not in index]
        start = self.size + len(self.new)
        index.update(zip(fresh, map(str, range(start, start + len(fresh)))))
        self.new += fresh
        self.refs += len(texts)
        return list(map(index.__getitem__, texts))

    def changes(self, zf: zipfile.ZipFile, dropped: int = 0) -> tuple[dict, dict]:
        """(edits, new_parts) for replace_parts: the new strings appended to the table
        and its counts updated (`dropped`: references in the part being replaced), or a
        new table with its relationship and content type; nothing when nothing is new."""
        unique = self.size + len(self.new)
        if self.part is None:
            if not self.new:
                return {}, {}
            names = {n.casefold() for n in zf.namelist()}
            part = next(name for i in naturals() if (name := f"xl/sharedStrings{i or ''}.xml").casefold()
                        not in names)
            xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}" '
                   f'count="{self.refs}" uniqueCount="{unique}">{self._items("")}</sst>')
            return (new_part_edits(part, free_rel_id(zf), SST_REL, SST_TYPE, "the shared-string table"),
                    {part: xml.encode("utf-8")})
        count = None if self.count is None else max(self.count - dropped, 0) + self.refs

        def edit(data: bytes) -> bytes:
            text = data.decode("utf-8")
            root = _ROOT.search(text)
            if root is None:
                raise ReadinessError(Problem(f"part {self.part} is not a shared-string table (damaged)"))
            p, attrs = root.group(1) or "", _with_attr(root.group(2), "uniqueCount", unique)
            attrs = attrs if count is None else _with_attr(attrs, "count", count)
            if root.group(3):   # <sst .../>: an empty table
                return (f"{text[:root.start()]}<{p}sst{attrs}>{self._items(p)}</{p}sst>"
                        f"{text[root.end():]}").encode("utf-8")
            close = text.rindex(f"</{p}sst>")
            return (f"{text[:root.start()]}<{p}sst{attrs}>{text[root.end():close]}{self._items(p)}"
                    f"{text[close:]}").encode("utf-8")
        return {self.part: edit}, {}

    def _items(self, p: str) -> str:
        return "".join(f'<{p}si><{p}t xml:space="preserve">{t}</{p}t></{p}si>' for t in self.new)

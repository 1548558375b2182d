"""Running the tools that are not ours on our workbooks: LibreOffice headless (with a
private profile told to recalculate every formula on load) and poppler's pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        raise RuntimeError("LibreOffice is not installed: run `make system-deps` (make test does)")
    return path


def libreoffice_convert(book: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    """Open `book` in LibreOffice headless, recalculate everything, save it as `fmt`
    ('xlsx', 'pdf') in `outdir`; fails loudly if LibreOffice reports an error."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", fmt, "--outdir", str(outdir), str(book)],
        capture_output=True, text=True, timeout=300)
    out = outdir / f"{book.stem}.{fmt.split(':')[0]}"
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"LibreOffice failed on {book.name}: {result.stdout}{result.stderr}")
    return out


def pdf_pages(pdf: Path, outdir: Path, dpi: int = 60) -> list[Path]:
    """The PDF's pages as PNG images (for a person, or a test, to look at)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(outdir / pdf.stem)],
                   check=True, capture_output=True, timeout=300)
    return sorted(outdir.glob(f"{pdf.stem}*.png"))


def page_word_heights(pdf: Path) -> list[tuple[str, float]]:
    """Per printed page: (the footer's first word, normally the sheet's name, the median
    height of its words in points) as poppler's pdftotext -bbox measures them."""
    import html
    import re
    import statistics

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        words = [(float(x), float(y0), float(y1), html.unescape(w)) for x, y0, y1, w in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)]
        footer = sorted((w for w in words if w[1] > height - 40), key=lambda w: w[0])
        name = footer[0][3] if footer else ""
        pages.append((name, statistics.median(y1 - y0 for _, y0, y1, _ in words) if words else 0.0))
    return pages
